import Foundation
import Ridgeline
import RidgelineKernels
import Testing

@testable import RidgelineProbe

/// Where the sweep's arrays sit in memory must not change what it measures (`poolAlignment`).
@Suite(.serialized) struct ArrayPlacementTests {
    /// Pools as the probe makes them (the all-core team started first, as in `CeilingRun`, so
    /// that glibc has its thread arenas): each starts on a 2 MiB boundary, with 4 KiB pages too.
    /// With 4 KiB alignment a 192 MiB pool started one page below a 64 MiB boundary here.
    @Test func poolsStartOnA2MiBBoundary() throws {
        let machine = try ThisMachine { $0.hugePages = false }
        let (hwloc, topology, probe) = (machine.hwloc, machine.topology, machine.probe)
        let all = ThreadTeam(size: topology.cores, hwloc: hwloc)
        for team in [ThreadTeam(size: 1, hwloc: hwloc), all] {
            let largest = probe.sweepSizes(threads: team.size).last!
            let pools = probe.firstTouchedPools(team: team, workingSet: largest)
            defer { for pool in pools.values { pool.pointer.deallocate() } }
            for pool in pools.values {
                #expect(Int(bitPattern: pool.pointer) % (2 << 20) == 0, "pool at \(pool.pointer), \(team.size) thread(s)")
            }
        }
    }

    /// This machine, one thread: read working sets from 3/8 to 3/4 of the L1d all stream from L1,
    /// so they agree within a plateau's tolerance (`BandwidthCurve.flat`). On the Zen 3 guest the
    /// 12 and 16 KiB points of a misplaced pool read 100–120 GB/s against 196 at 24 KiB.
    @Test func theL1ReadPlateauIsFlatInTheProbesPools() throws {
        let machine = try ThisMachine { $0.hugePages = false }
        let (hwloc, topology, probe) = (machine.hwloc, machine.topology, machine.probe)
        let l1 = try #require(topology.dataCaches.first).sizeBytes
        // The all-core team lives through the test, as in `CeilingRun`: its threads' arenas shape where the pool lands.
        let all = ThreadTeam(size: topology.cores, hwloc: hwloc)
        defer { withExtendedLifetime(all) {} }
        let one = ThreadTeam(size: 1, hwloc: hwloc)
        let pools = probe.firstTouchedPools(team: one, workingSet: probe.sweepSizes(threads: 1).last!)
        defer { for pool in pools.values { pool.pointer.deallocate() } }
        let sizes = [l1 * 3 / 8, l1 / 2, l1 * 3 / 4]
        // Each size's best over up to three rounds: a misplaced pool is slow in every round, while
        // a busy SMT sibling on the host or a stolen slice (CI failed once at 135 against 154 GB/s)
        // passes within a round or two.
        var rates = [Double](repeating: 0, count: sizes.count)
        for _ in 0..<3 {
            for (i, size) in sizes.enumerated() {
                let point = try probe.bandwidthPoint(kernel: .read, workingSet: size, team: one, pools: pools)
                rates[i] = max(rates[i], point.rate(privateLevel: true).best)
            }
            if let best = rates.max(), rates.allSatisfy({ $0 >= (1 - BandwidthCurve.flat) * best }) { break }
        }
        let best = try #require(rates.max())
        for (size, rate) in zip(sizes, rates) {
            #expect(rate >= (1 - BandwidthCurve.flat) * best, "\(size) B: \(rate / 1e9) GB/s of best \(best / 1e9) (all: \(rates))")
        }
    }
}
