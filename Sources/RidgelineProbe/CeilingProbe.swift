import Foundation
import Ridgeline
import RidgelineKernels

/// Runs the micro-benchmarks: FMA peaks, the sustained clock, and the bandwidth sweep from L1 to
/// DRAM, for one thread and for one thread per core, each thread bound to its core.
public struct CeilingProbe {
    public let topology: HostTopology
    public let settings: ProbeSettings
    public let hwloc: Hwloc?
    /// Called with a line of progress (the CLI prints it when stderr is a terminal).
    public var progress: (String) -> Void
    /// When patience runs out (see `ProbeSettings.patienceSeconds`).
    let deadline = Slots<Double>(count: 1)

    public init(topology: HostTopology, hwloc: Hwloc?, settings: ProbeSettings = .standard, progress: @escaping (String) -> Void = { _ in })
    {
        self.topology = topology; self.hwloc = hwloc; self.settings = settings; self.progress = progress
        deadline.set(0, monotonicSeconds() + settings.patienceSeconds)
    }

    /// A board for one measurement: patient (up to 4 × repeats samples) until the deadline.
    func board(threads: Int, shared: Bool) -> SampleBoard {
        SampleBoard(
            threads: threads, repeats: settings.repeats, shared: shared,
            patient: monotonicSeconds() < deadline.values[0])
    }

    /// Every ceiling, within `settings.budgetSeconds`: the stages of `CeilingRun`, in order.
    public func measure() throws -> MeasuredCeilings {
        var run = CeilingRun(probe: self)
        try run.computeCeilings()
        try run.leadSweeps()
        try run.otherKernels()
        try run.revisitComputeCeilings()
        try run.revisitSharedLevels()
        try run.visitDRAMWindow()
        try run.settleFindings()
        return run.finish()
    }

    /// What one team's read sweep measured: the sizes asked for, those of its DRAM tail, and
    /// those the other kernels need (`BandwidthCurve.plateauSizes`).
    struct TeamSweep {
        var points: [BandwidthPoint]
        var sizes: [Int]
        var dramSizes: [Int]
        /// Their working sets as measured (whole cache lines).
        var dramBytes: Set<Int>
        var plateauSizes: [Int]

        static let empty = TeamSweep(points: [], sizes: [], dramSizes: [], dramBytes: [], plateauSizes: [])
    }

    /// The lead kernel's (read's) sweep for one team, bounded by what it learns and by time: it
    /// walks the working sets upward, past the grid's end if need be (`sweepExtension`), and stops
    /// once its DRAM plateau is established beyond the last-level cache's real end
    /// (`BandwidthCurve.dramEstablished`), or at `until`.
    func leadSweep(team: ThreadTeam, skipping: Set<Int> = [], until: Double, cuts: inout [String]) throws -> TeamSweep {
        let grid = sweepSizes(threads: team.size).filter { !skipping.contains($0) }
        guard let largest = grid.last else { return .empty }
        let pools = firstTouchedPools(team: team, workingSet: sweepExtension(threads: team.size).last ?? largest)
        defer { for pool in pools.values { pool.pointer.deallocate() } }
        let privateBytes = topology.privateCacheBytes
        let cacheFrom = lastLevelWindowStart(threads: team.size)
        let lead = StreamKernel.read
        var points: [BandwidthPoint] = [], sizes: [Int] = []
        var curve = BandwidthCurve([])
        let who = team.size == 1 ? "one thread" : "\(team.size) threads"
        progress("bandwidth \(lead.rawValue), \(who)")
        for size in grid + sweepExtension(threads: team.size) {
            if curve.dramEstablished(cacheFrom: cacheFrom) { break }
            if monotonicSeconds() > until, let last = sizes.last {
                cuts.append(
                    "\(who): read sweep stopped at \(Quantity.format(Double(last), .bytes)) per thread before DRAM was established (time)")
                break
            }
            let point = try bandwidthPoint(kernel: lead, workingSet: size, team: team, pools: pools)
            points.append(point); sizes.append(size)
            curve.points.append(
                .init(bytes: point.workingSetPerThread, rate: point.rate(privateLevel: point.workingSetPerThread <= privateBytes).best))
        }
        if let last = sizes.last, last < largest, curve.dramEstablished(cacheFrom: cacheFrom) {
            cuts.append(
                "\(who): working sets above \(Quantity.format(Double(last), .bytes)) per thread (up to \(Quantity.format(Double(largest), .bytes)) for \(formatSignificant(settings.dramFactor, digits: 2)) × the nominal last-level cache): DRAM established"
            )
        }
        var tail = Set(curve.dramPoints(cacheFrom: cacheFrom).map(\.bytes))
        if tail.isEmpty, let last = points.last, last.workingSetPerThread * team.size > topology.lastLevelCacheBytes ?? Int.max {
            tail = [last.workingSetPerThread]  // no bend seen: the largest point beyond the nominal cache stands for DRAM
        }
        let dramSizes = zip(sizes, points).filter { tail.contains($0.1.workingSetPerThread) }.map(\.0)
        let windows = BandwidthPlateaus(topology: topology, settings: settings).windows(threads: team.size)
        return TeamSweep(
            points: points, sizes: sizes, dramSizes: dramSizes, dramBytes: tail,
            plateauSizes: curve.plateauSizes(windows: windows, dram: dramSizes))
    }

    /// The other stream kernels (write, copy, triad) at `sizes`, smallest first, until `until`.
    func otherKernels(team: ThreadTeam, sizes: [Int], until: Double, cuts: inout [String]) throws -> [BandwidthPoint] {
        guard let largest = sizes.max() else { return [] }
        let pools = firstTouchedPools(team: team, workingSet: largest)
        defer { for pool in pools.values { pool.pointer.deallocate() } }
        let who = team.size == 1 ? "one thread" : "\(team.size) threads"
        var points: [BandwidthPoint] = []
        for kernel in StreamKernel.allCases where kernel != .read {
            progress("bandwidth \(kernel.rawValue), \(who)")
            for (i, size) in sizes.enumerated() {
                if monotonicSeconds() > until {
                    cuts.append(
                        "\(who): \(kernel.rawValue) at \(sizes.count - i) of \(sizes.count) plateau sizes and the kernels after it (time)")
                    return points
                }
                points.append(try bandwidthPoint(kernel: kernel, workingSet: size, team: team, pools: pools))
            }
        }
        return points
    }

    /// Per-thread working set where the last-level cache's plateau window starts: twice the
    /// share of the level inside it (`BandwidthPlateaus`), 0 with one cache level.
    func lastLevelWindowStart(threads: Int) -> Int {
        let caches = topology.dataCaches
        guard caches.count >= 2 else { return 0 }
        let inner = caches[caches.count - 2]
        return 2 * inner.sizeBytes / max(1, min(inner.sharedByCores, threads))
    }

    /// Pause between extra visits of the all-thread DRAM points.
    static let dramVisitGapMicroseconds: UInt32 = 1_500_000

    /// Clock (one core, all cores) and FMA peaks (fp64, fp32; one core, all cores).
    func computeCeilings(single: ThreadTeam, all: ThreadTeam) throws -> (Double, Double, [PeakMeasurement]) {
        progress("clock")
        let clockSingle = try clock(team: single)
        let clockAll = try clock(team: all)
        var peaks: [PeakMeasurement] = []
        for dtype in peakDTypes {
            for team in [single, all] {
                progress("peak \(dtype.rawValue), \(team.size) thread(s)")
                peaks.append(try peak(dtype: dtype, team: team))
            }
        }
        return (clockSingle, clockAll, peaks)
    }

    // MARK: Clock

    /// Hz: cycles of the dependent chain / seconds; each thread's best sample, averaged over the
    /// team (every core runs its own chain, so a thread that lost its core spoils only itself).
    func clock(team: ThreadTeam) throws -> Double {
        let a: UInt64 = 0x9E37_79B9_7F4A_7C15, b: UInt64 = 0xBF58_476D_1CE4_E5B9
        let iterations = Self.calibrate(seconds: settings.computeSampleSeconds, start: 4096) { n in
            Double(dependentChain(iterations: n, a: a, b: b) & 1)
        }
        let board = board(threads: team.size, shared: false)
        let results = team.map { i -> UInt64 in
            var result: UInt64 = 0
            var r: UInt64 = 0
            _ = board.sample(thread: i, team: team) {
                // A different start per sample, so that no call repeats an earlier one.
                result ^= dependentChain(iterations: iterations, a: a &+ r, b: b)
                r += 1
            }
            return result
        }
        guard Set(results).count == 1 else {
            throw RidgelineError.unavailable(what: "clock measurement", reason: "threads computed different chain results")
        }
        return board.perThreadRates(workPerThread: dependentChainCycles(iterations: iterations)).divided(by: Double(team.size)).best
    }

    /// Cycles between dependent vector adds on one core: the clock (`clockHz`, one core busy)
    /// over the rate of `dependentVectorAdds`, the best sample. What a sum kept in one register
    /// runs at (`Roofline.accumulationChainSeconds`); rounded to a hundredth of a cycle.
    func vectorAddLatency(team: ThreadTeam, clockHz: Double) -> Double? {
        let step: Float = 1e-7
        let iterations = Self.calibrate(seconds: settings.computeSampleSeconds, start: 1024) { n in
            Double(dependentVectorAdds(iterations: n, step: step))
        }
        let board = board(threads: 1, shared: false)
        // A different step per sample and each result to `keep`: the chain is a pure function, which
        // the optimiser would otherwise compute once, outside the timed region.
        team.run { i in
            var r: Float = 0
            _ = board.sample(thread: i, team: team) {
                keep(Double(dependentVectorAdds(iterations: iterations, step: step + r)))
                r += 1e-9
            }
        }
        let addsPerSecond = board.perThreadRates(workPerThread: dependentVectorAddCount(iterations: iterations)).best
        guard addsPerSecond > 0, clockHz > 0 else { return nil }
        return (clockHz / addsPerSecond * 100).rounded() / 100
    }

    // MARK: Peak FLOP/s

    /// Dtypes whose peak this CPU's units can be measured for: fp64 and fp32 always, bf16 where
    /// it has dot-product units (`FMAKernel.variants`).
    public var peakDTypes: [DType] {
        [DType.fp64, .fp32, .bf16].filter { !FMAKernel.variants($0, simdFeatures: topology.simd.features).isEmpty }
    }

    /// FLOP/s of the FMA chains: the sum over cores of each core's best sample (FMA pipes are private
    /// to a core), for the faster of the kernel variants. Every result is checked against its
    /// closed form.
    func peak(dtype: DType, team: ThreadTeam) throws -> PeakMeasurement {
        var best: (RateSummary, String)?
        let variants = FMAKernel.variants(dtype, simdFeatures: topology.simd.features)
        guard !variants.isEmpty else {
            throw RidgelineError.unavailable(
                what: "peak \(dtype.rawValue) measurement", reason: "this CPU has no \(dtype.rawValue) arithmetic units Ridgeline can drive"
            )
        }
        for kernel in variants {
            let iterations = Self.calibrate(seconds: settings.computeSampleSeconds, start: 2048) { n in kernel.run(n, 0) }
            let board = board(threads: team.size, shared: false)
            let flops = kernel.flops(iterations: iterations)
            let correct = team.map { i -> Bool in
                var ok = true
                var sample = 0
                _ = board.sample(thread: i, team: team) {
                    let r = kernel.run(iterations, sample)
                    let expected = kernel.expected(iterations, sample)
                    ok = ok && abs(r - expected) <= 1e-3 * abs(expected)
                    sample += 1
                }
                return ok
            }
            guard correct.allSatisfy({ $0 }) else {
                throw RidgelineError.unavailable(
                    what: "peak \(dtype.rawValue) measurement",
                    reason: "kernel \(kernel.name) returned a wrong sum")
            }
            let summary = board.perThreadRates(workPerThread: flops)
            if best == nil || summary.best > best!.0.best { best = (summary, kernel.name) }
        }
        return PeakMeasurement(
            dtype: dtype, allCores: team.size > 1 || topology.cores == 1, threads: team.size,
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
        let llc = topology.lastLevelCacheBytes.map(Double.init) ?? 32e6
        var largest = Int(settings.dramFactor * llc / Double(threads))
        if let cap = settings.largestWorkingSet { largest = min(largest, cap) }
        // Powers of two, with a point halfway (×1.5) between them through the private caches,
        // where the plateaus are narrow.
        let privateBytes = topology.privateCacheBytes
        var sizes: [Int] = []
        var s = settings.smallestWorkingSet
        while s < largest {
            sizes.append(s)
            if s * 3 / 2 < min(largest, 4 * privateBytes) { sizes.append(s * 3 / 2) }
            s *= 2
        }
        sizes.append(max(s, largest))
        // A point beyond the grid's end, for every team: DRAM is established on two points
        // (`BandwidthCurve.dramEstablished`) from 4 × the working set the cache plateau kept, and a
        // lone core's L3 plateau can run to the whole nominal cache (a Zen 3 guest's did, to 32 MiB),
        // which leaves the grid's end its only DRAM point and the profile refused. DRAM is also
        // shared with every other process: two points give its plateau two chances at a quiet moment.
        if settings.largestWorkingSet == nil { sizes.append(sizes.last! * 3 / 2) }
        return sizes
    }

    /// Working sets past the grid's end, measured only while DRAM is not yet established: two
    /// more steps of 1.5×, all threads together within an eighth of the machine's memory (none
    /// for a capped sweep). Two threads' L3 plateau on a Zen 3 guest ran to 16 MiB per thread (the
    /// whole 32 MiB), and their rate still fell 12.7% from 64 to 96 MiB per thread (54.5 and 47.6
    /// GB/s, every sample undisturbed): the grid's two DRAM points disagreed and the run was refused.
    public func sweepExtension(threads: Int) -> [Int] {
        guard settings.largestWorkingSet == nil, let last = sweepSizes(threads: threads).last else { return [] }
        let memory = topology.memoryBytes / 8
        return [last * 3 / 2, last * 9 / 4].filter { Double($0 * threads) <= memory }
    }

    /// Every kernel at `sizes` (default: the whole grid), stopping at `until`.
    func bandwidthSweep(team: ThreadTeam, sizes chosen: [Int]? = nil, until: Double = .infinity) throws -> [BandwidthPoint] {
        let sizes = chosen ?? sweepSizes(threads: team.size)
        guard !sizes.isEmpty else { return [] }
        let poolBox = firstTouchedPools(team: team, workingSet: sizes.last!)
        defer { for pool in poolBox.values { pool.pointer.deallocate() } }
        var points: [BandwidthPoint] = []
        for kernel in StreamKernel.allCases {
            progress("bandwidth \(kernel.rawValue), \(team.size) thread(s)")
            for size in sizes {
                if monotonicSeconds() > until { return points }
                points.append(try bandwidthPoint(kernel: kernel, workingSet: size, team: team, pools: poolBox))
            }
        }
        return points
    }

    /// One array pool per thread for working sets up to `workingSet` bytes, each allocated by the
    /// thread that uses it and first touched by it when a point fills its arrays (untimed), so its
    /// pages sit on that core's memory node. Pages the sweep never reaches (it stops where DRAM is
    /// established) are never touched. The caller deallocates them.
    func firstTouchedPools(team: ThreadTeam, workingSet: Int) -> Slots<RawBuffer> {
        let poolBytes = workingSet + (3 + arrayPadLines) * 64
        let pools = Slots<RawBuffer>(count: team.size)
        let huge = settings.hugePages
        team.run { i in
            pools.set(i, RawBuffer(pointer: allocatePool(byteCount: poolBytes, hugePages: huge)))
        }
        return pools
    }

    /// One bandwidth figure: `kernel` over `workingSetPerThread` bytes on `threads` threads bound to
    /// cores 0, 1, … (the bench compares it with STREAM at STREAM's array sizes).
    public func bandwidth(kernel: StreamKernel, workingSetPerThread: Int, threads: Int) throws -> BandwidthPoint {
        let team = ThreadTeam(size: threads, hwloc: hwloc)
        let pools = firstTouchedPools(team: team, workingSet: workingSetPerThread)
        defer { for pool in pools.values { pool.pointer.deallocate() } }
        return try bandwidthPoint(kernel: kernel, workingSet: workingSetPerThread, team: team, pools: pools)
    }

    /// The FMA peak for `dtype` on `threads` threads (one per core).
    public func peak(dtype: DType, threads: Int) throws -> PeakMeasurement {
        try peak(dtype: dtype, team: ThreadTeam(size: threads, hwloc: hwloc))
    }

    /// The sustained clock with `threads` cores busy.
    public func clock(threads: Int) throws -> Double {
        try clock(team: ThreadTeam(size: threads, hwloc: hwloc))
    }

    /// One bandwidth point, in the loop shape that streams its level fastest (see StreamKernels):
    /// four lines per iteration within the caches; beyond the last-level cache both shapes, the
    /// faster kept (all threads streamed DRAM faster one line per iteration; for one thread the
    /// two were within the noise of this VM, so neither is assumed).
    func bandwidthPoint(kernel: StreamKernel, workingSet: Int, team: ThreadTeam, pools: Slots<RawBuffer>) throws -> BandwidthPoint {
        guard workingSet * team.size > topology.lastLevelCacheBytes ?? Int.max else {
            return try bandwidthPoint(kernel: kernel, workingSet: workingSet, team: team, pools: pools, unrolled: true)
        }
        let plain = try bandwidthPoint(kernel: kernel, workingSet: workingSet, team: team, pools: pools, unrolled: false)
        let unrolled = try bandwidthPoint(kernel: kernel, workingSet: workingSet, team: team, pools: pools, unrolled: true)
        let privateLevel = workingSet <= topology.privateCacheBytes
        return unrolled.rate(privateLevel: privateLevel).best > plain.rate(privateLevel: privateLevel).best ? unrolled : plain
    }

    func bandwidthPoint(
        kernel: StreamKernel, workingSet: Int, team: ThreadTeam, pools: Slots<RawBuffer>, unrolled: Bool
    ) throws -> BandwidthPoint {
        // Working sets beyond each core's private caches compete for shared L3 and DRAM.
        let shared = workingSet > topology.privateCacheBytes
        let lines = max(8, workingSet / kernel.arrays / 64)
        let bytesPerPass = Double(lines * 8) * kernel.bytesPerElement
        let sampleSeconds = settings.bandwidthSampleSeconds
        let board = board(threads: team.size, shared: shared)
        let scalar = 3.0
        let results = team.map { i -> Bool in
            let base = pools.values[i].pointer.bindMemory(to: Line.self, capacity: 3 * lines + arrayPadLines)
            // Only the arrays the kernel uses are carved out of the thread's pool, 9 and 23 lines
            // apart beyond their length: arrays a multiple of 4 KiB apart make loads wait on
            // unrelated stores with the same low address bits (4K aliasing, Intel optimization
            // manual §3.6.8), a slowdown of the benchmark, not of the memory.
            let a = base, b = kernel.arrays >= 2 ? base + lines + 9 : base, c = kernel.arrays >= 3 ? base + 2 * lines + 23 : base
            // Known inputs (untimed): a = 1 for read, b = 1 for copy and triad, c = 2 for triad.
            for j in 0..<lines {
                switch kernel {
                case .read: a[j] = Line(repeating: 1)
                case .write: break
                case .copy: b[j] = Line(repeating: 1)
                case .triad: b[j] = Line(repeating: 1); c[j] = Line(repeating: 2)
                }
            }
            _ = kernel.pass(a, b, c, count: lines, scalar: scalar, unrolled: unrolled)
            team.sync()
            if i == 0 {
                let n = CeilingProbe.calibrate(seconds: sampleSeconds, start: 1) { n in
                    var sum = 0.0
                    for p in 0..<n {
                        sum += kernel.pass(a, b, c, count: lines, scalar: kernel == .read ? Double(p) : scalar, unrolled: unrolled)
                    }
                    return sum
                }
                board.passes = max(1, n)
            }
            team.sync()
            let n = board.passes
            var sum = 0.0
            // read's scalar is added to its sum: a different argument per pass, so no pass can
            // reuse another's result.
            let taken = board.sample(thread: i, team: team) {
                for p in 0..<n {
                    sum += kernel.pass(a, b, c, count: lines, scalar: kernel == .read ? Double(p) : scalar, unrolled: unrolled)
                }
            }
            // Check what the kernel computed, so that it cannot have been skipped.
            switch kernel {
            case .read: return sum == Double(taken) * (Double(n * lines * 8) + Double(n * (n - 1) / 2))
            case .write: return a[0] == Line(repeating: scalar) && a[lines - 1] == Line(repeating: scalar)
            case .copy: return a[0] == Line(repeating: 1) && a[lines - 1] == Line(repeating: 1)
            case .triad: return a[0] == Line(repeating: 1 + scalar * 2) && a[lines - 1] == Line(repeating: 1 + scalar * 2)
            }
        }
        guard results.allSatisfy({ $0 }) else {
            throw RidgelineError.unavailable(what: "bandwidth measurement", reason: "\(kernel.rawValue) kernel produced wrong values")
        }
        let bytes = Double(board.passes) * bytesPerPass
        return BandwidthPoint(
            kernel: kernel.rawValue, threads: team.size, workingSetPerThread: lines * 64 * kernel.arrays,
            bytesPerSecond: board.teamRates(workPerThread: bytes), perThreadSum: board.perThreadRates(workPerThread: bytes),
            undisturbedSamples: board.undisturbed)
    }
}

/// A thread's arrays, `poolAlignment`-aligned and, with `hugePages`, advised for transparent
/// huge pages before first touch (the kernel may still decline; then the pages are 4 KiB, as
/// without).
func allocatePool(byteCount: Int, hugePages: Bool) -> UnsafeMutableRawPointer {
    let p = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: poolAlignment)
    if hugePages {
        let hugePage = 2 << 20
        _ = madvise(p, (byteCount + hugePage - 1) / hugePage * hugePage, MADV_HUGEPAGE)
    }
    return p
}

/// 64 MiB (a multiple of the 2 MiB huge page), also with 4 KiB pages: AMD cores find a line in L1D through a
/// way predictor keyed by a µtag, a hash that folds linear-address bits 20–27 onto bits 12–19
/// (Lipp et al., "Take A Way", AsiaCCS 2020, reverse-engineered on Zen–Zen 2). Two lines of
/// one L1 set with equal µtags cannot both be predicted: each access to one is served as a
/// miss. Pages inside one 1 MiB-aligned block (bits 20–27 equal) all hash apart, so arrays of
/// up to 1 MiB (every L1 and L2 working set) starting at a 2 MiB-aligned pool never collide.
/// With 4 KiB alignment glibc put each 192 MiB pool one page below a 64 MiB boundary (under a
/// thread arena) on a Zen 3 guest, where pages mirrored around the boundary collide: one
/// thread's read points at 12 and 16 KiB (8 or 24 KiB too in some runs) ran at 81–145 GB/s
/// against 180–196 from an aligned buffer in the same process, so the L1 read as 12 KiB and its
/// figures moved between runs with where the pool landed. A 2 MiB-aligned pool, which glibc put
/// 2 MiB below a 64 MiB boundary in every process looked at, still read the L1 at about 135 GB/s
/// against 140–183 from a 64 MiB-aligned buffer in some processes (two clean-clone CI
/// simulations of four, `ArrayPlacementTests`), for a reason the µtag model above does not
/// give; a 64 MiB boundary (bits 20–25 zero) is where the buffer that read fast every time
/// sits. The alignment costs address space only: nothing below the pool is touched.
let poolAlignment = 64 << 20

/// Extra lines a thread's pool holds beyond its arrays, for the offsets between arrays.
let arrayPadLines = 32

/// Where calibration runs leave their results: a public global the optimiser must assume is read.
nonisolated(unsafe) public var calibrationSink = 0.0

@inline(never)
func keep(_ value: Double) { calibrationSink += value }
