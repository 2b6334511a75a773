import Foundation
import Ridgeline
import RidgelineKernels

/// How long and how often the micro-benchmarks run.
public struct ProbeSettings: Sendable {
    /// Seconds one timed sample of an FMA or clock kernel lasts.
    public var computeSampleSeconds: Double
    /// Seconds one timed sample of a bandwidth point lasts.
    public var bandwidthSampleSeconds: Double
    public var repeats: Int
    /// Smallest per-thread working set of the sweep.
    public var smallestWorkingSet: Int
    /// Largest per-thread working set, all threads together at least this many times the LLC.
    public var dramFactor: Double
    /// Cap on any one thread's arrays (tests use a tiny one).
    public var largestWorkingSet: Int?

    public init(computeSampleSeconds: Double, bandwidthSampleSeconds: Double, repeats: Int,
                smallestWorkingSet: Int, dramFactor: Double, largestWorkingSet: Int?) {
        self.computeSampleSeconds = computeSampleSeconds; self.bandwidthSampleSeconds = bandwidthSampleSeconds
        self.repeats = repeats; self.smallestWorkingSet = smallestWorkingSet; self.dramFactor = dramFactor
        self.largestWorkingSet = largestWorkingSet
    }

    /// `detect --measure`: about 10 s on a 2-core machine. Short samples, many of them: on a shared
    /// machine a short sample is more often undisturbed, and the best of nine is stable.
    public static let standard = ProbeSettings(computeSampleSeconds: 0.005, bandwidthSampleSeconds: 0.002, repeats: 15,
                                               smallestWorkingSet: 8 << 10, dramFactor: 4, largestWorkingSet: nil)
}

/// Runs the micro-benchmarks: FMA peaks, the sustained clock, and the bandwidth sweep from L1 to
/// DRAM, for one thread and for one thread per core, each thread bound to its core.
public struct CeilingProbe {
    public let topology: HostTopology
    public let settings: ProbeSettings
    public let hwloc: Hwloc?
    /// Called with a line of progress (the CLI prints it when stderr is a terminal).
    public var progress: (String) -> Void

    public init(topology: HostTopology, hwloc: Hwloc?, settings: ProbeSettings = .standard, progress: @escaping (String) -> Void = { _ in }) {
        self.topology = topology; self.hwloc = hwloc; self.settings = settings; self.progress = progress
    }

    public func measure() throws -> MeasuredCeilings {
        let start = monotonicSeconds()
        let single = ThreadTeam(size: 1, hwloc: hwloc)
        let all = ThreadTeam(size: topology.cores, hwloc: hwloc)
        progress("clock")
        let clockSingle = try clock(team: single)
        let clockAll = try clock(team: all)
        var peaks: [PeakMeasurement] = []
        for dtype in [DType.fp64, .fp32] {
            for team in [single, all] {
                progress("peak \(dtype.rawValue), \(team.size) thread(s)")
                peaks.append(try peak(dtype: dtype, team: team))
            }
        }
        var sweep: [BandwidthPoint] = []
        for team in [single, all] {
            sweep += try bandwidthSweep(team: team)
        }
        progress("fork-join latency")
        var joins: [Double] = []
        for _ in 0..<200 {
            let t0 = monotonicSeconds()
            all.run { _ in }
            joins.append(monotonicSeconds() - t0)
        }
        let levels = BandwidthPlateaus(topology: topology, settings: settings).levels(sweep: sweep, threads: all.size)
        return MeasuredCeilings(clockSingleHz: clockSingle, clockAllHz: clockAll, peaks: peaks, sweep: sweep, levels: levels,
                                threads: all.size, forkJoinSeconds: median(joins), elapsedSeconds: monotonicSeconds() - start)
    }

    // MARK: Clock

    /// Hz: cycles of the dependent chain / seconds; each thread's best sample, averaged over the
    /// team (every core runs its own chain, so a thread that lost its core spoils only itself).
    func clock(team: ThreadTeam) throws -> Double {
        let a: UInt64 = 0x9E37_79B9_7F4A_7C15, b: UInt64 = 0xBF58_476D_1CE4_E5B9
        let iterations = Self.calibrate(seconds: settings.computeSampleSeconds, start: 4096) { n in
            Double(dependentChain(iterations: n, a: a, b: b) & 1)
        }
        let repeats = settings.repeats
        let perThread = team.map { _ -> ([Double], UInt64) in
            var rates: [Double] = []
            var result: UInt64 = 0
            for r in 0..<repeats {
                team.sync()
                let t0 = monotonicSeconds()
                // A different start per sample, so that no call repeats an earlier one.
                result ^= dependentChain(iterations: iterations, a: a &+ UInt64(r), b: b)
                rates.append(dependentChainCycles(iterations: iterations) / (monotonicSeconds() - t0))
            }
            return (rates, result)
        }
        guard Set(perThread.map(\.1)).count == 1 else {
            throw RidgelineError.unavailable(what: "clock measurement", reason: "threads computed different chain results")
        }
        return RateSummary(perThread: perThread.map(\.0)).divided(by: Double(team.size)).best
    }

    // MARK: Peak FLOP/s

    /// FLOP/s of the FMA chains: the sum over cores of each core's best sample (FMA pipes are private
    /// to a core), for the faster of the kernel variants. Every result is checked against its
    /// closed form.
    func peak(dtype: DType, team: ThreadTeam) throws -> PeakMeasurement {
        let x = 1 - 1.0 / 1024, y = 0.5
        var best: (RateSummary, String)?
        let repeats = settings.repeats
        for kernel in FMAKernel.variants(elementBytes: Int(dtype.bytes)) {
            let iterations = Self.calibrate(seconds: settings.computeSampleSeconds, start: 2048) { n in kernel.run(n, x, y) }
            // A different y per sample, so that no call repeats an earlier one (the optimizer may
            // reuse the result of a pure function called twice with the same arguments).
            let ys = (0..<repeats).map { y + Double($0) / 64 }
            let expected = ys.map { Double(kernel.chains * kernel.lanes) * fmaChainExpected(iterations: iterations, x: x, y: $0) }
            let flops = fmaFlops(iterations: iterations, chains: kernel.chains, lanes: kernel.lanes)
            let perThread = team.map { _ -> ([Double], Bool) in
                var rates: [Double] = []
                var ok = true
                for i in 0..<repeats {
                    team.sync()
                    let t0 = monotonicSeconds()
                    let r = kernel.run(iterations, x, ys[i])
                    rates.append(flops / (monotonicSeconds() - t0))
                    ok = ok && abs(r - expected[i]) <= 1e-3 * abs(expected[i])
                }
                return (rates, ok)
            }
            guard perThread.allSatisfy(\.1) else {
                throw RidgelineError.unavailable(what: "peak \(dtype.rawValue) measurement",
                                                 reason: "kernel \(kernel.name) returned a wrong sum")
            }
            let summary = RateSummary(perThread: perThread.map(\.0))
            if best == nil || summary.best > best!.0.best { best = (summary, kernel.name) }
        }
        return PeakMeasurement(dtype: dtype, allCores: team.size > 1 || topology.cores == 1, threads: team.size,
                               flopsPerSecond: best!.0, kernel: best!.1)
    }

    /// Iterations that make `body` last about `seconds`, found by doubling from `start`.
    /// `body` returns what it computed, which is kept, so that its work cannot be optimised away.
    static func calibrate(seconds: Double, start: Int, _ body: (Int) -> Double) -> Int {
        var n = start
        while true {
            let t0 = monotonicSeconds()
            keep(body(n))
            let dt = monotonicSeconds() - t0
            if dt >= seconds / 8 || n > 1 << 40 { return max(1, Int(Double(n) * seconds / max(dt, 1e-9))) }
            n *= 2
        }
    }

    // MARK: Bandwidth

    /// Per-thread working sets of the sweep: powers of two from the smallest to a size where all
    /// threads together hold `dramFactor` × the last-level cache.
    public func sweepSizes(threads: Int) -> [Int] {
        let llc = topology.lastLevelCache.map { Double($0.sizeBytes * $0.instances) } ?? 32e6
        var largest = Int(settings.dramFactor * llc / Double(threads))
        if let cap = settings.largestWorkingSet { largest = min(largest, cap) }
        var sizes: [Int] = []
        var s = settings.smallestWorkingSet
        while s < largest { sizes.append(s); s *= 2 }
        sizes.append(max(s, largest))
        return sizes
    }

    func bandwidthSweep(team: ThreadTeam) throws -> [BandwidthPoint] {
        let sizes = sweepSizes(threads: team.size)
        let poolBytes = sizes.last! + 3 * 64
        // Each thread allocates and first-touches its own arrays, on its own core's memory node.
        let poolBox = Slots<RawBuffer>(count: team.size)
        team.run { i in
            let p = UnsafeMutableRawPointer.allocate(byteCount: poolBytes, alignment: 4096)
            p.initializeMemory(as: Double.self, repeating: 1, count: poolBytes / 8)
            poolBox.set(i, RawBuffer(pointer: p))
        }
        defer { poolBox.values.forEach { $0.pointer.deallocate() } }
        var points: [BandwidthPoint] = []
        for kernel in StreamKernel.allCases {
            progress("bandwidth \(kernel.rawValue), \(team.size) thread(s)")
            for size in sizes {
                points.append(try bandwidthPoint(kernel: kernel, workingSet: size, team: team, pools: poolBox))
            }
        }
        return points
    }

    func bandwidthPoint(kernel: StreamKernel, workingSet: Int, team: ThreadTeam, pools: Slots<RawBuffer>) throws -> BandwidthPoint {
        let lines = max(8, workingSet / kernel.arrays / 64)
        let bytesPerPass = Double(lines * 8) * kernel.bytesPerElement
        let sampleSeconds = settings.bandwidthSampleSeconds
        let repeats = settings.repeats
        let passes = Slots<Int>(count: 1)
        let scalar = 3.0
        let results = team.map { i -> (spans: [(Double, Double)], ok: Bool) in
            let base = pools.values[i].pointer.bindMemory(to: Line.self, capacity: 3 * lines)
            // Only the arrays the kernel uses are carved out of the thread's pool.
            let a = base, b = kernel.arrays >= 2 ? base + lines : base, c = kernel.arrays >= 3 ? base + 2 * lines : base
            // Known inputs (untimed): a = 1 for read, b = 1 for copy and triad, c = 2 for triad.
            for j in 0..<lines {
                switch kernel {
                case .read: a[j] = Line(repeating: 1)
                case .write: break
                case .copy: b[j] = Line(repeating: 1)
                case .triad: b[j] = Line(repeating: 1); c[j] = Line(repeating: 2)
                }
            }
            _ = kernel.pass(a, b, c, count: lines, scalar: scalar)
            team.sync()
            if i == 0 {
                let n = CeilingProbe.calibrate(seconds: sampleSeconds, start: 1) { n in
                    var sum = 0.0
                    for p in 0..<n { sum += kernel.pass(a, b, c, count: lines, scalar: kernel == .read ? Double(p) : scalar) }
                    return sum
                }
                passes.set(0, max(1, n))
            }
            team.sync()
            let n = passes.values[0]
            var spans: [(Double, Double)] = []
            var sum = 0.0
            for _ in 0..<repeats {
                team.sync()
                let t0 = monotonicSeconds()
                // read's scalar is added to its sum: a different argument per pass, so no pass can
                // reuse another's result.
                for p in 0..<n { sum += kernel.pass(a, b, c, count: lines, scalar: kernel == .read ? Double(p) : scalar) }
                spans.append((t0, monotonicSeconds()))
            }
            // Check what the kernel computed, so that it cannot have been skipped.
            let ok: Bool
            switch kernel {
            case .read: ok = sum == Double(repeats) * (Double(n * lines * 8) + Double(n * (n - 1) / 2))
            case .write: ok = a[0] == Line(repeating: scalar) && a[lines - 1] == Line(repeating: scalar)
            case .copy: ok = a[0] == Line(repeating: 1) && a[lines - 1] == Line(repeating: 1)
            case .triad: ok = a[0] == Line(repeating: 1 + scalar * 2) && a[lines - 1] == Line(repeating: 1 + scalar * 2)
            }
            return (spans, ok)
        }
        guard results.allSatisfy(\.ok) else {
            throw RidgelineError.unavailable(what: "bandwidth measurement", reason: "\(kernel.rawValue) kernel produced wrong values")
        }
        let n = Double(passes.values[0])
        let rates = (0..<repeats).map { r -> Double in
            let elapsed = results.map { $0.spans[r].1 }.max()! - results.map { $0.spans[r].0 }.min()!
            return Double(team.size) * n * bytesPerPass / elapsed
        }
        let perThread = results.map { $0.spans.map { n * bytesPerPass / ($0.1 - $0.0) } }
        return BandwidthPoint(kernel: kernel.rawValue, threads: team.size, workingSetPerThread: lines * 64 * kernel.arrays,
                              bytesPerSecond: RateSummary(rates: rates), perThreadSum: RateSummary(perThread: perThread))
    }
}

/// A thread's arrays, handed between the team's threads only across its barriers.
struct RawBuffer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
}

/// Where calibration runs leave their results: a public global the optimiser must assume is read.
nonisolated(unsafe) public var calibrationSink = 0.0

@inline(never)
func keep(_ value: Double) { calibrationSink += value }
