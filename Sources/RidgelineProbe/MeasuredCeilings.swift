import Ridgeline

/// What the micro-benchmarks measured on this host.
public struct MeasuredCeilings: Sendable, Equatable {
    /// Sustained clock with one core busy, and with every core busy (what the all-core peaks run at).
    public var clockSingleHz: Double
    public var clockAllHz: Double
    /// FMA peaks per dtype.
    public var peaks: [PeakMeasurement]
    /// Cycles between dependent vector adds on one core (`CeilingProbe.vectorAddLatency`).
    public var vectorAddLatencyCycles: Double? = nil
    /// Each data cache's load-to-use latency on one core (`CeilingProbe.cacheLatencies`).
    public var cacheLatencies: [CacheLatency] = []
    /// Every point of the bandwidth sweep.
    public var sweep: [BandwidthPoint]
    /// Each level's plateau, picked from the sweep.
    public var levels: [LevelBandwidth]
    public var threads: Int
    /// Median time to wake every benchmark thread and wait for all to finish an empty job: the
    /// floor of any parallel region on this host.
    public var forkJoinSeconds: Double
    /// Median time of one near-empty call into the CPU tensor engine (oneDNN, all threads): the
    /// fixed cost every kernel of that engine pays, which is not the benchmark team's fork-join.
    public var engineCall: EngineCallCost?
    /// The same call on one thread: what a kernel run on one core pays (no fork-join).
    public var engineCallOneThread: EngineCallCost?
    /// Each special function's cost in the engine's SIMD code (`SpecialFunctionTiming`).
    public var specialFunctions: [SpecialFunctionTiming] = []
    /// Each visit of the all-thread DRAM points with the core hand-off latency just before it:
    /// on a VM the hypervisor may move the cores during the run, and shared bandwidth follows.
    public var dramVisits: [DRAMVisit]
    public var elapsedSeconds: Double
    /// What the budget or the curve left out of the run (`ProbeSettings.budgetSeconds`,
    /// `BandwidthCurve`), one sentence each.
    public var cuts: [String] = []

    public init(
        clockSingleHz: Double, clockAllHz: Double, peaks: [PeakMeasurement], sweep: [BandwidthPoint],
        levels: [LevelBandwidth], threads: Int, forkJoinSeconds: Double, dramVisits: [DRAMVisit] = [], elapsedSeconds: Double
    ) {
        self.forkJoinSeconds = forkJoinSeconds; self.dramVisits = dramVisits
        self.clockSingleHz = clockSingleHz; self.clockAllHz = clockAllHz; self.peaks = peaks; self.sweep = sweep
        self.levels = levels; self.threads = threads; self.elapsedSeconds = elapsedSeconds
    }

    public func peak(_ dtype: DType, allCores: Bool = true) -> PeakMeasurement? {
        peaks.first { $0.dtype == dtype && $0.allCores == allCores }
    }

    public func level(_ name: String) -> LevelBandwidth? { levels.first { $0.level == name } }

    public func latency(_ name: String) -> CacheLatency? { cacheLatencies.first { $0.level == name } }

    /// Whether the hypervisor moved the cores between DRAM visits (`DRAMVisit.placementMoved`).
    public var placementMoved: Bool { DRAMVisit.placementMoved(dramVisits) }

    /// The hand-off latency and, when the cores moved, the DRAM rates at each placement:
    /// "core hand-off 28 ns over 9 DRAM visits" or "… moved: 27–35 ns (6 visits): 25–30 GB/s; …".
    public var placementNote: String? {
        guard !dramVisits.isEmpty else { return nil }
        let handOffs = dramVisits.map(\.handOffSeconds)
        guard placementMoved else {
            return "core hand-off \(Quantity.formatSpan(handOffs, .seconds)) over \(dramVisits.count) all-thread DRAM visits"
        }
        let near = DRAMVisit.atNearestPlacement(dramVisits)
        let groups = [near, dramVisits.filter { !near.contains($0) }]
        let parts = groups.map { g in
            "\(Quantity.formatSpan(g.map(\.handOffSeconds), .seconds)) (\(g.count) visit\(g.count == 1 ? "" : "s")): DRAM \(Quantity.formatSpan(g.map(\.bytesPerSecond), .bytesPerSecond))"
        }
        return
            "the cores moved during the run (core hand-off \(Quantity.formatSpan(handOffs, .seconds))), and all-thread DRAM bandwidth with them: "
            + parts.joined(separator: "; ") + ". On a VM the hypervisor places the vCPUs; this figure may not repeat"
    }
}

/// One visit of the all-thread DRAM points: the best team rate among them, and the core
/// hand-off latency measured just before (`CoreHandOff`).
public struct DRAMVisit: Sendable, Equatable {
    public var handOffSeconds: Double
    public var bytesPerSecond: Double

    /// A hand-off this many times the fastest one means the cores sat elsewhere.
    public static let placementChange = 2.0

    /// The visits made with the cores at most `placementChange` × `nearest` apart (default: the
    /// fastest hand-off among `visits`).
    public static func atNearestPlacement(_ visits: [DRAMVisit], nearest: Double? = nil) -> [DRAMVisit] {
        guard let nearest = nearest ?? visits.map(\.handOffSeconds).min() else { return [] }
        return visits.filter { $0.handOffSeconds <= placementChange * nearest }
    }

    /// Whether some of `visits` were made with the cores elsewhere than the nearest placement.
    public static func placementMoved(_ visits: [DRAMVisit]) -> Bool {
        atNearestPlacement(visits).count < visits.count
    }
}

public struct PeakMeasurement: Sendable, Equatable {
    public var dtype: DType
    public var allCores: Bool
    public var threads: Int
    public var flopsPerSecond: RateSummary
    /// The FMA-chain variant that reached the best rate.
    public var kernel: String
}

public struct BandwidthPoint: Sendable, Equatable {
    public var kernel: String
    public var threads: Int
    /// Bytes of all arrays one thread touches.
    public var workingSetPerThread: Int
    /// The team's rate: all bytes over the span from the first thread's start to the last one's
    /// end. The right figure for a shared level (L3, DRAM), where threads compete.
    public var bytesPerSecond: RateSummary
    /// The sum of each thread's own rate: the right figure for a private level (L1, L2), which no
    /// other thread touches, and robust to one thread being descheduled.
    public var perThreadSum: RateSummary
    /// Samples in which no thread lost its core (see `SampleBoard`); the team rate uses only
    /// those when there are any.
    public var undisturbedSamples: Int

    /// The figure for a level private to each core or shared between them.
    public func rate(privateLevel: Bool) -> RateSummary { privateLevel ? perThreadSum : bytesPerSecond }
}

/// A memory level's bandwidth plateau, for one thread and for all threads.
public struct LevelBandwidth: Sendable, Equatable {
    /// l1, l2, l3, dram.
    public var level: String
    /// Whole-machine bandwidth with every core streaming (the profile's ceiling), and its kernel.
    public var allThreads: Double
    public var allThreadsKernel: String
    public var singleThread: Double
    public var singleThreadKernel: String
    /// Per-thread working sets (bytes) the plateau was taken over, all-thread sweep.
    public var window: ClosedRange<Int>
    /// Triad bandwidth on the plateau, all threads (comparable with STREAM).
    public var triadAllThreads: Double
    /// Caches: where the measured plateau ends, as the capacity of one instance (nil where the
    /// sweep shows no distinct step to the next level).
    public var effectiveCapacity: EffectiveCapacity? = nil
    /// DRAM: what a stored byte costs in bytes of the read figure (`StoreCost`), all threads and
    /// one thread; nil where no store kernel ran at DRAM sizes.
    public var storeCost: Double? = nil
    public var singleThreadStoreCost: Double? = nil
}

/// A cache's capacity as the sweep sees it: where its plateau ends, not the size hwloc reports
/// (a VM may be shown its host's whole L3 and get a fraction of it).
public struct EffectiveCapacity: Sendable, Equatable {
    /// Capacity of one instance that makes the roofline's cache model fall to the midway rate
    /// where the measurement does (`BandwidthCurve.modelCapacity`).
    public var bytes: Double
    /// Per-thread working set where the read curve crossed midway (geometric mean) between this
    /// level's plateau and the next one's.
    public var crossingPerThread: Double
    /// Threads of the curve it was read from.
    public var threads: Int
    /// hwloc's size of one instance, kept beside it.
    public var nominalBytes: Int
}
