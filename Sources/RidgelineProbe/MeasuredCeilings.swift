import Ridgeline

/// What the micro-benchmarks measured on this host.
public struct MeasuredCeilings: Sendable, Equatable, Codable {
    /// Sustained clock with one core busy, and with every core busy (what the all-core peaks run at).
    public var clockSingleHz: Double
    public var clockAllHz: Double
    /// FMA peaks per dtype.
    public var peaks: [PeakMeasurement]
    /// Every point of the bandwidth sweep.
    public var sweep: [BandwidthPoint]
    /// Each level's plateau, picked from the sweep.
    public var levels: [LevelBandwidth]
    public var threads: Int
    /// Median time to wake every benchmark thread and wait for all to finish an empty job: the
    /// floor of any parallel region on this host.
    public var forkJoinSeconds: Double
    /// Each visit of the all-thread DRAM points with the core hand-off latency just before it:
    /// on a VM the hypervisor may move the cores during the run, and shared bandwidth follows.
    public var dramVisits: [DRAMVisit]
    public var elapsedSeconds: Double

    public init(clockSingleHz: Double, clockAllHz: Double, peaks: [PeakMeasurement], sweep: [BandwidthPoint],
                levels: [LevelBandwidth], threads: Int, forkJoinSeconds: Double, dramVisits: [DRAMVisit] = [], elapsedSeconds: Double) {
        self.forkJoinSeconds = forkJoinSeconds; self.dramVisits = dramVisits
        self.clockSingleHz = clockSingleHz; self.clockAllHz = clockAllHz; self.peaks = peaks; self.sweep = sweep
        self.levels = levels; self.threads = threads; self.elapsedSeconds = elapsedSeconds
    }

    public func peak(_ dtype: DType, allCores: Bool = true) -> PeakMeasurement? {
        peaks.first { $0.dtype == dtype && $0.allCores == allCores }
    }

    public func level(_ name: String) -> LevelBandwidth? { levels.first { $0.level == name } }

    /// When the core hand-off latency changed by more than 2× between DRAM visits: the
    /// hypervisor moved the cores, and the all-thread DRAM figure depends on where they were.
    public var placementMoved: Bool {
        guard let low = dramVisits.map(\.handOffSeconds).min(), let high = dramVisits.map(\.handOffSeconds).max() else { return false }
        return high > 2 * low
    }

    /// The hand-off latency and, when the cores moved, the DRAM rates at each placement:
    /// "core hand-off 28 ns over 9 DRAM visits" or "… moved: 27–35 ns (6 visits): 25–30 GB/s; …".
    public var placementNote: String? {
        guard let low = dramVisits.map(\.handOffSeconds).min(), let high = dramVisits.map(\.handOffSeconds).max() else { return nil }
        func span(_ values: [Double], _ unit: Ridgeline.Dimension) -> String {
            let a = Quantity.format(values.min()!, unit), b = Quantity.format(values.max()!, unit)
            return a == b ? a : "\(a)–\(b)"
        }
        guard placementMoved else {
            return "core hand-off \(span(dramVisits.map(\.handOffSeconds), .seconds)) over \(dramVisits.count) all-thread DRAM visits"
        }
        let groups = [dramVisits.filter { $0.handOffSeconds <= 2 * low }, dramVisits.filter { $0.handOffSeconds > 2 * low }]
        let parts = groups.map { g in
            "\(span(g.map(\.handOffSeconds), .seconds)) (\(g.count) visit\(g.count == 1 ? "" : "s")): DRAM \(span(g.map(\.bytesPerSecond), .bytesPerSecond))"
        }
        return "the cores moved during the run (core hand-off \(span([low, high], .seconds))), and all-thread DRAM bandwidth with them: "
            + parts.joined(separator: "; ") + ". On a VM the hypervisor places the vCPUs; this figure may not repeat"
    }
}

/// One visit of the all-thread DRAM points: the best team rate among them, and the core
/// hand-off latency measured just before (`CoreHandOff`).
public struct DRAMVisit: Sendable, Equatable, Codable {
    public var handOffSeconds: Double
    public var bytesPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case handOffSeconds = "core_hand_off_s", bytesPerSecond = "bytes_per_s"
    }
}

public struct PeakMeasurement: Sendable, Equatable, Codable {
    public var dtype: DType
    public var allCores: Bool
    public var threads: Int
    public var flopsPerSecond: RateSummary
    /// The FMA-chain variant that reached the best rate.
    public var kernel: String
}

public struct BandwidthPoint: Sendable, Equatable, Codable {
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

    enum CodingKeys: String, CodingKey {
        case kernel, threads, workingSetPerThread = "working_set_per_thread_bytes", bytesPerSecond = "bytes_per_s"
        case perThreadSum = "per_thread_sum_bytes_per_s", undisturbedSamples = "undisturbed_samples"
    }
}

/// A memory level's bandwidth plateau, for one thread and for all threads.
public struct LevelBandwidth: Sendable, Equatable, Codable {
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
}
