import Foundation
import Ridgeline
import Testing

@testable import RidgelineProbe

/// The decision whether a `detect --measure` run may stand for the machine, on synthetic runs whose
/// faults are known: a clean run passes; a run cut by its budget, a level whose points scatter, a
/// level faster than the one inside it, peaks the cores did not reach and a clock read under load
/// are each named.
@Suite struct CeilingsAssessmentTests {
    static let mib = 1 << 20
    /// The 2-core Zen 4 guest's caches: 32 KiB L1 and 1 MiB L2 per core, a 32 MiB L3 for both.
    let topology = HostTopology.twoCoreGuest(
        simd: SIMDCapabilities(features: ["avx2", "fma"], registerBits: 256, datapathBits: 256, fmaUnits: 2, basis: ""))

    /// Per-thread GB/s: L1 300, L2 120, L3 100 up to 16 MiB per thread with one thread (8 MiB with
    /// two), 60 on the way down, DRAM 30 (one thread) or 25 per thread (two).
    static func truth(_ bytes: Int, threads: Int) -> Double {
        let l3End = 16 * mib / threads
        let dram = threads == 1 ? 30.0 : 25.0
        let perThread = bytes <= 24 << 10 ? 300.0 : bytes <= 512 << 10 ? 120 : bytes <= l3End ? 100 : bytes <= 2 * l3End ? 60 : dram
        return perThread * Double(threads) * 1e9
    }

    /// The read sweep of both teams (one thread to `oneTo`, two to `allTo` per thread), every point
    /// at `rate` (default: `truth`).
    static func sweep(
        oneTo: Int = 128 * mib, allTo: Int = 96 * mib, rate: (Int, Int) -> Double = truth, undisturbed: (Int, Int) -> Int = { _, _ in 5 }
    ) -> [BandwidthPoint] {
        var points: [BandwidthPoint] = []
        for (threads, top) in [(1, oneTo), (2, allTo)] {
            var sizes: [Int] = []
            var s = 8 << 10
            while s <= top { sizes.append(s); if s * 3 / 2 < 4 * mib { sizes.append(s * 3 / 2) }; s *= 2 }
            for size in sizes where size <= top {
                let r = RateSummary(rates: [rate(size, threads)])
                points.append(
                    BandwidthPoint(
                        kernel: "read", threads: threads, workingSetPerThread: size, bytesPerSecond: r, perThreadSum: r,
                        undisturbedSamples: undisturbed(size, threads)))
            }
        }
        return points
    }

    /// Ceilings as `CeilingProbe.measure` builds them from `sweep`, with peaks of 117.5 GFLOP/s
    /// fp32 per core (32 FLOP/cycle at `clockAll`) unless told otherwise.
    func ceilings(
        _ sweep: [BandwidthPoint], fp32All: Double = 235e9, clockOne: Double = 3.7e9, clockAll: Double = 3.67e9
    ) -> MeasuredCeilings {
        let peaks = [
            PeakMeasurement(dtype: .fp32, allCores: false, threads: 1, flopsPerSecond: RateSummary(rates: [117.5e9]), kernel: "t"),
            PeakMeasurement(dtype: .fp32, allCores: true, threads: 2, flopsPerSecond: RateSummary(rates: [fp32All]), kernel: "t"),
        ]
        let levels = BandwidthPlateaus(topology: topology, settings: .standard).levels(sweep: sweep, threads: 2)
        return MeasuredCeilings(
            clockSingleHz: clockOne, clockAllHz: clockAll, peaks: peaks, sweep: sweep, levels: levels, threads: 2,
            forkJoinSeconds: 2e-5, elapsedSeconds: 30)
    }

    func findings(_ m: MeasuredCeilings) -> [String] { CeilingsAssessment(m, topology: topology).findings.map(\.text) }

    @Test func aCleanRunIsUsable() {
        let m = ceilings(Self.sweep())
        #expect(m.levels.map(\.level) == ["l1", "l2", "l3", "dram"])
        #expect(findings(m) == [])
    }

    /// The budget stopped the all-thread sweep at 2 MiB per thread: its L3 window has one point
    /// and DRAM none; the one-thread DRAM figure stood in.
    @Test func aSweepCutBeforeDRAMIsNamed() {
        let found = findings(ceilings(Self.sweep(allTo: 2 * Self.mib)))
        #expect(found.contains { $0.hasPrefix("dram, 2 threads: the all-thread sweep stopped before DRAM") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("l3, 2 threads:") }, "\(found)")
        // The one-thread curve went on to DRAM: nothing is said about it.
        #expect(!found.contains { $0.split(separator: ":")[0].hasSuffix("one thread") }, "\(found)")
    }

    /// One thread stopped inside the L3 too: no DRAM plateau for it either.
    @Test func aOneThreadSweepWithoutDRAMIsNamed() {
        let found = findings(ceilings(Self.sweep(oneTo: 16 * Self.mib)))
        #expect(found.contains { $0.hasPrefix("dram, one thread: not established") }, "\(found)")
    }

    /// The sweep with each of two threads' L3 points (2–8 MiB per thread) slowed by a different
    /// share, as under load.
    static func scatteredTwoThreadL3() -> [BandwidthPoint] {
        var k = 0
        return sweep { bytes, threads in
            let rate = truth(bytes, threads: threads)
            guard threads == 2, (2 * mib...8 * mib).contains(bytes) else { return rate }
            k += 1
            return rate * [1.0, 0.7, 0.5, 0.85, 0.6][k % 5]
        }
    }

    /// Under load each L3 point of the two-thread curve lost a different share: no two agree.
    @Test func scatteredPointsAreNoPlateau() {
        let scattered = Self.scatteredTwoThreadL3()
        let found = findings(ceilings(scattered))
        #expect(found.contains { $0.hasPrefix("l3, 2 threads: no plateau") }, "\(found)")
        #expect(found.count == 1, "\(found)")
    }

    /// The L2 points of one thread were all disturbed: L3 reads faster than L2.
    @Test func aLevelFasterThanTheOneInsideItIsNamed() {
        let slowL2 = Self.sweep { bytes, threads in
            threads == 1 && (64 << 10...512 << 10).contains(bytes) ? 50e9 : Self.truth(bytes, threads: threads)
        }
        let found = findings(ceilings(slowL2))
        #expect(found.contains { $0.hasPrefix("l3, one thread:") && $0.contains("faster than l2") }, "\(found)")
    }

    /// The cores were taken during the all-core peak, and the clock chain ran on a shared core.
    @Test func peaksAndClockUnderLoadAreNamed() {
        let found = findings(ceilings(Self.sweep(), fp32All: 133.8e9, clockAll: 2.81e9))
        #expect(found.contains { $0.hasPrefix("fp32 peak:") && $0.contains("cores were taken") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("clock:") }, "\(found)")
        // A clock chain read on a shared core makes the peak look wider per cycle than the SIMD
        // units are (32 fp32 FLOPs per cycle per core here).
        let slowClock = findings(ceilings(Self.sweep(), clockOne: 2.5e9, clockAll: 2.0e9))
        #expect(slowClock.contains { $0.hasPrefix("fp32 peak:") && $0.contains("FLOP/cycle/core") }, "\(slowClock)")
    }

    /// The all-thread DRAM points under load, as this Zen 3 guest measured them at load average 7:
    /// 4.8 GB/s for two threads against 11.5 for one alone, and not one sample in which both
    /// threads kept their cores.
    @Test func aTeamBelowOneThreadIsNamed() {
        let loaded = Self.sweep(
            rate: { bytes, threads in threads == 2 && bytes >= 32 * Self.mib ? 4.8e9 : Self.truth(bytes, threads: threads) },
            undisturbed: { bytes, threads in threads == 2 && bytes >= 32 * Self.mib ? 0 : 5 })
        let found = findings(ceilings(loaded))
        #expect(found.contains { $0.hasPrefix("dram, 2 threads:") && $0.contains("cores were taken") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("dram, 2 threads: no undisturbed sample of read") }, "\(found)")
        #expect(!found.contains { $0.split(separator: ":")[0].hasSuffix("one thread") }, "\(found)")
    }

    /// The engine call's median 24.7 ms against a fastest repetition of 2 µs: the load's, not the call's.
    @Test func anEngineCallThatWaitedIsNamed() {
        var m = ceilings(Self.sweep())
        m.engineCall = EngineCallCost(engine: "oneDNN", threads: 2, seconds: 24.7e-3, fastestSeconds: 2e-6)
        #expect(findings(m).contains { $0.hasPrefix("engine call:") })
        m.engineCall = EngineCallCost(engine: "oneDNN", threads: 2, seconds: 3e-6, fastestSeconds: 2e-6)
        #expect(findings(m) == [])
    }
}

/// Which pages the probe's arrays get: those the engines' buffers get.
@Suite struct TransparentHugePagesTests {
    @Test func theBracketedModeIsTheOneInForce() {
        #expect(TransparentHugePages(selected: "always [madvise] never\n").mode == "madvise")
        #expect(!TransparentHugePages(selected: "always [madvise] never").everyAllocation)
        #expect(TransparentHugePages(selected: "[always] madvise never").everyAllocation)
        #expect(TransparentHugePages(selected: "").mode == "unknown")
    }

}

extension CeilingsAssessmentTests {
    /// Each team's sweep reaches one point past 4 × the nominal last-level cache, so that a curve
    /// whose cache plateau runs to the whole L3 still finds two DRAM points (one thread: 128 MiB,
    /// then 192 MiB); a capped sweep (tests' quick settings) stops at its cap.
    @Test func everyTeamsSweepHasASecondDRAMPoint() {
        let probe = CeilingProbe(topology: topology, hwloc: nil)
        #expect(Array(probe.sweepSizes(threads: 1).suffix(2)) == [128 * Self.mib, 192 * Self.mib])
        #expect(Array(probe.sweepSizes(threads: 2).suffix(2)) == [64 * Self.mib, 96 * Self.mib])
        let capped = CeilingProbe(
            topology: topology, hwloc: nil,
            settings: ProbeSettings(
                computeSampleSeconds: 0.001, bandwidthSampleSeconds: 0.0003, repeats: 3, smallestWorkingSet: 8 << 10,
                dramFactor: 4, largestWorkingSet: 256 << 10))
        #expect(capped.sweepSizes(threads: 1).last == 256 << 10)
        #expect(capped.sweepExtension(threads: 1) == [])
    }

    /// Past the grid's end, two more 1.5× steps for a curve whose DRAM points still disagree,
    /// within an eighth of the memory (the test topology's 8 GB; with 3 GB only the first fits).
    @Test func aSweepWithoutDRAMGoesPastTheGrid() {
        #expect(CeilingProbe(topology: topology, hwloc: nil).sweepExtension(threads: 2) == [144 * Self.mib, 216 * Self.mib])
        var small = topology
        small.numaNodes[0].memoryBytes = 3e9
        #expect(CeilingProbe(topology: small, hwloc: nil).sweepExtension(threads: 2) == [144 * Self.mib])
    }
}

/// What the second look before a refusal measures again (`CeilingsAssessment.revisitSizes`).
extension CeilingsAssessmentTests {
    func revisits(_ m: MeasuredCeilings, threads: Int) -> [Int] {
        CeilingsAssessment(m, topology: topology).revisitSizes(m, threads: threads, topology: topology, settings: .standard)
    }

    /// A clean run is not looked at again.
    @Test func aCleanRunRevisitsNothing() {
        let m = ceilings(Self.sweep())
        #expect(revisits(m, threads: 1) == [])
        #expect(revisits(m, threads: 2) == [])
        #expect(!CeilingsAssessment(m, topology: topology).computeFindings)
    }

    /// Two threads' L3 points scattered: their L3 window (2–8 MiB per thread) and the L2 window
    /// inside it (64–512 KiB) are measured again, for two threads only.
    @Test func aScatteredL3IsRevisitedWithTheLevelInsideIt() {
        let scattered = Self.scatteredTwoThreadL3()
        let m = ceilings(scattered)
        let kib = 1 << 10
        #expect(revisits(m, threads: 2) == [64, 96, 128, 192, 256, 384, 512].map { $0 * kib } + [2, 3, 4, 8].map { $0 * Self.mib })
        #expect(revisits(m, threads: 1) == [])
        // A second look that finds the plateau settles it.
        let settled = ceilings(
            m.sweep.map { p in
                p.threads == 2 ? Self.sweep().first { $0.threads == 2 && $0.workingSetPerThread == p.workingSetPerThread }! : p
            })
        #expect(findings(settled) == [])
    }

    /// Two threads' DRAM points disturbed: every point beyond the nominal L3 (more than 16 MiB per
    /// thread) and the L3 window are measured again; the peaks and clock under load send the
    /// compute stage round again.
    @Test func disturbedDRAMAndPeaksAreRevisited() {
        let loaded = Self.sweep(
            rate: { bytes, threads in threads == 2 && bytes >= 32 * Self.mib ? 4.8e9 : Self.truth(bytes, threads: threads) },
            undisturbed: { bytes, threads in threads == 2 && bytes >= 32 * Self.mib ? 0 : 5 })
        let m = ceilings(loaded, fp32All: 133.8e9, clockAll: 2.81e9)
        #expect(revisits(m, threads: 2) == [2, 3, 4, 8, 32, 64].map { $0 * Self.mib })
        #expect(revisits(m, threads: 1) == [])
        #expect(CeilingsAssessment(m, topology: topology).computeFindings)
    }
}
