import Foundation
import Ridgeline
import RidgelineKernels

/// One cache level's load-to-use latency, measured by a dependent pointer chase on one core
/// (`CeilingProbe.cacheLatencies`).
public struct CacheLatency: Sendable, Equatable {
    /// l1, l2, l3 (the profile's memory level names).
    public var level: String
    /// Seconds from a load's issue to the next dependent load's.
    public var seconds: Double
    /// Bytes the chase ran over.
    public var workingSetBytes: Int
}

extension CeilingProbe {
    /// Working set of the chase for each data cache, innermost first: eight times the level
    /// inside it, at most half the level's size (so the chase stays in it, with room for
    /// everything else the core touches), and at most `chaseTLBReachBytes`, but never under twice
    /// the level inside. L1: half its size. The chase walks one fixed cycle, so a line comes back
    /// only after every other line of the cycle: a level inside holding a fraction of them has
    /// evicted it by then (LRU), and the chase measures this level alone. On the Zen 3 guest a
    /// cycle of 128 KiB and one of 256 KiB read the same 3.75 ns, where independent random reads
    /// would have hit the 32 KiB L1 a quarter and an eighth of the time.
    static func chaseWorkingSets(caches: [CacheLevel]) -> [Int] {
        caches.indices.map { i in
            let half = caches[i].sizeBytes / 2
            guard i > 0 else { return half }
            let inner = caches[i - 1].sizeBytes
            return min(half, max(2 * inner, min(8 * inner, chaseTLBReachBytes)))
        }
    }

    /// 4 MiB: 1,024 pages of 4 KiB, inside the second-level TLB of every x86-64 core Ridgeline
    /// models (Zen 3 and Zen 4: 2,048 entries, AMD Software Optimization Guide for Family 19h,
    /// 2.10; Skylake: 1,536; Golden Cove: 2,048, Intel optimization manual). A chase past it
    /// pays a page walk on most steps, a latency no GEMM's strip sees: on the Zen 3 guest a
    /// random chase read 16 ns at 2–4 MiB and 29–150 ns beyond 8 MiB, still inside the L3.
    static let chaseTLBReachBytes = 4 << 20

    /// Each data cache's latency on one core: a dependent chase (`pointerChase`) over a random
    /// cyclic permutation of the working set's lines (Sattolo's algorithm, fixed seed), so every
    /// line is visited once per lap and no prefetcher can follow. The best sample of
    /// `computeSampleSeconds` each, as for the clock. The arrays get huge pages where the
    /// bandwidth sweep's do (`ProbeSettings.hugePages`).
    func cacheLatencies(team: ThreadTeam) throws -> [CacheLatency] {
        let caches = topology.dataCaches
        var results: [CacheLatency] = []
        for (i, bytes) in Self.chaseWorkingSets(caches: caches).enumerated() {
            let name = "l\(caches[i].level)"
            progress("latency \(name)")
            // One pointer per line of this cache (hwloc's line size; the x86-64 64 B where it gives none).
            let line = caches[i].lineBytes > 0 ? caches[i].lineBytes : KernelAssumptions().cpuCacheLineBytes
            guard let seconds = try chaseStepSeconds(workingSet: bytes, lineBytes: line, team: team) else { continue }
            // Three significant digits, rounded in nanoseconds (`formatSignificant` keeps at most
            // nine decimals, which in seconds would round to whole nanoseconds).
            let nanoseconds = Double(formatSignificant(seconds * 1e9, digits: 3)) ?? seconds * 1e9
            results.append(CacheLatency(level: name, seconds: nanoseconds * 1e-9, workingSetBytes: bytes))
        }
        return results
    }

    /// Seconds per step of the chase over `workingSet` bytes, one pointer per `lineBytes` line,
    /// on thread 0 of `team` (one thread), the best sample; nil when no sample took time. Throws
    /// when the lines do not form one cycle.
    func chaseStepSeconds(workingSet: Int, lineBytes: Int, team: ThreadTeam) throws -> Double? {
        let lines = max(2, workingSet / lineBytes)
        let huge = settings.hugePages
        let sampleSeconds = settings.computeSampleSeconds
        let board = board(threads: 1, shared: false)
        let passes = Slots<Double>(count: 1)
        let cycled = team.map { i -> Bool in
            let pool = allocatePool(byteCount: lines * lineBytes, hugePages: huge)
            defer { pool.deallocate() }
            let order = chaseOrder(lines: lines)
            for (k, line) in order.enumerated() {
                let next = order[(k + 1) % lines]
                pool.storeBytes(of: UnsafeRawPointer(pool + next * lineBytes), toByteOffset: line * lineBytes, as: UnsafeRawPointer.self)
            }
            let start = UnsafeRawPointer(pool)
            // Every line in the order once, and eight laps (untimed) back at the start: one cycle.
            guard order.count == lines, pointerChase(from: start, iterations: lines) == start else { return false }
            let iterations = Self.calibrate(seconds: sampleSeconds, start: 256) { n in
                Double(UInt(bitPattern: pointerChase(from: start, iterations: n)) & 1)
            }
            passes.set(0, Double(iterations))
            var p = start
            _ = board.sample(thread: i, team: team) { p = pointerChase(from: p, iterations: iterations) }
            keep(Double(UInt(bitPattern: p) & 1))
            return true
        }
        guard cycled.allSatisfy({ $0 }) else {
            throw RidgelineError.unavailable(what: "cache latency measurement", reason: "the pointer chase's lines do not form one cycle")
        }
        let steps = pointerChaseSteps(iterations: Int(passes.values[0]))
        let rate = board.perThreadRates(workPerThread: steps).best
        return rate > 0 ? 1 / rate : nil
    }
}

/// The order in which a chase visits `lines` lines: a random cyclic permutation (Sattolo's
/// algorithm, which yields only single cycles) from a fixed seed (SplitMix64), so every run walks
/// the same cycle.
func chaseOrder(lines: Int) -> [Int] {
    var next = Array(0..<lines)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    // Sattolo: next[i] is the successor of line i; then walk the cycle from line 0.
    for i in stride(from: lines - 1, to: 0, by: -1) {
        next.swapAt(i, Int(random() % UInt64(i)))
    }
    var order: [Int] = []
    order.reserveCapacity(lines)
    var at = 0
    repeat {
        order.append(at)
        at = next[at]
    } while at != 0 && order.count <= lines
    return order
}
