import Foundation
import Ridgeline
import RidgelineProbe

/// Whether kernel data stays in the caches between repetitions (warm: what a kernel sees inside
/// a training step whose previous op just wrote its input) or is flushed before each (cold).
public enum CacheMode: String, CaseIterable, Sendable { case warm, cold }

public struct HarnessOptions: Sendable {
    /// Untimed runs first: JIT code, page faults and thread-pool start-up land here.
    public var warmupRepetitions = 2
    /// ... and at least this long, so clocks ramp up before timing.
    public var warmupSeconds = 0.02
    public var minRepetitions = 8
    /// ... and keep repeating for at least this long, so the samples span several scheduling
    /// periods: on a shared machine a short burst can be uniformly slowed by a neighbour and still
    /// look stable.
    public var minSeconds = 0.25
    public var maxRepetitions = 2000
    /// Stop once the 95% confidence interval of the median is within ±this fraction.
    public var targetRelativeCI = 0.03
    /// Stop after this long even if the bound is not reached (the record says `stable: false`).
    public var timeCapSeconds = 1.0
    public var cache: CacheMode = .warm

    public init() {}
}

/// Times kernels on an engine: prepare outside the timed region, warm up, repeat until the
/// median is known to ±3% (or a time cap), reading counters around every repetition and leaving
/// out repetitions a context switch or CPU migration disturbed.
///
/// What it times and counts with is handed in: the engine (`TensorEngine`), the counters
/// (`CounterSource`) and the clock (`HarnessClock`), so that the loop's decisions can be checked
/// with scripted ones (`HarnessLoopTests`) as well as on the machine.
public struct Harness {
    public var options: HarnessOptions
    public var counters: any CounterSource
    public let host: MeasurementRecord.Host
    public let clock: any HarnessClock
    private let flusher: CacheFlusher?
    private var counterFailure: String?

    public init(
        options: HarnessOptions, counters: any CounterSource = NoCounters(), host: MeasurementRecord.Host = HostFingerprint.current(),
        clock: any HarnessClock = MonotonicClock()
    ) {
        self.options = options
        self.counters = counters
        self.host = host
        self.clock = clock
        flusher = options.cache == .cold ? CacheFlusher() : nil
    }

    /// Name of the counter source for records: "papi", "perf_event", "rusage" or "none".
    public var counterSourceName: String { counterFailure == nil ? counters.source : "none" }

    public mutating func measure(_ kernel: Kernel, on engine: any TensorEngine, threads: Int) throws -> MeasurementRecord {
        let prepared = try engine.checkedPrepare(kernel)
        let run = try time(prepared)
        var unavailable = counters.unavailable
        if let counterFailure { unavailable["*"] = counterFailure }
        if counters is NoCounters { unavailable["*"] = unavailable["*"] ?? "measured without counters" }
        return MeasurementRecord(
            kernel: kernel, engine: engine.id, engineVersion: engine.version, implementation: prepared.implementation,
            device: "cpu", threads: threads, binding: engine.binding, host: host,
            medianSeconds: run.stats.median, minSeconds: run.stats.min, p25Seconds: run.stats.p25, p75Seconds: run.stats.p75,
            relativeCI95: run.stats.relativeCI95, stable: run.stable, samples: run.stats.count, repetitions: run.repetitions,
            warmup: run.warmup, discarded: run.discarded, disturbedFallback: run.fallback,
            threadCPUMedianSeconds: run.threadCPU.median, threadCPUMinSeconds: run.threadCPU.min, counterSource: counterSourceName,
            counters: run.counters, countersUnavailable: unavailable, cache: options.cache.rawValue,
            timer: "clock_gettime(CLOCK_MONOTONIC)", timestamp: Self.timestamp())
    }

    public struct Run {
        public var stats: TimingStatistics
        /// CPU time of the calling thread per repetition: time on a core, without the time the
        /// thread waited descheduled. It is the kernel's time when the kernel runs on that thread
        /// alone (one thread), whatever else the machine runs.
        public var threadCPU: TimingStatistics
        public var stable: Bool
        public var repetitions: Int
        public var warmup: Int
        public var discarded: Int
        public var fallback: Bool
        public var counters: [String: Double]
    }

    /// The timing loop on a prepared kernel.
    public mutating func time(_ kernel: any PreparedKernel) throws -> Run {
        let clock = self.clock
        var warmup = 0
        let warmStart = clock.now()
        while warmup < options.warmupRepetitions || (clock.now() - warmStart < options.warmupSeconds && warmup < 1000) {
            try kernel.run()
            warmup += 1
        }
        var all: [Double] = [], clean: [Double] = [], cleanCPU: [Double] = [], allCPU: [Double] = []
        var cleanCounters: [[String: Int64]] = []
        var stable = false
        let start = clock.now()
        while true {
            flusher?.flush()
            var cpuSeconds = 0.0
            let values = try countAround { try Self.timed(kernel, clock: clock, cpuSeconds: &cpuSeconds) }
            all.append(values.seconds)
            allCPU.append(cpuSeconds)
            if Disturbance.isDisturbed(values.counters) {
                // Left out: a switch or migration puts another thread's time inside the interval.
            } else {
                clean.append(values.seconds)
                cleanCPU.append(cpuSeconds)
                cleanCounters.append(values.counters)
            }
            if clean.count >= options.minRepetitions, clock.now() - start >= options.minSeconds,
                let s = TimingStatistics(clean), s.relativeCI95 <= options.targetRelativeCI
            {
                stable = true
                break
            }
            if all.count >= options.maxRepetitions || (clock.now() - start >= options.timeCapSeconds && all.count >= 3) { break }
        }
        let fallback = clean.count < 3
        let stats = TimingStatistics(fallback ? all : clean)!
        return Run(
            stats: stats, threadCPU: TimingStatistics(fallback ? allCPU : cleanCPU)!, stable: stable,
            repetitions: all.count, warmup: warmup, discarded: all.count - clean.count,
            fallback: fallback, counters: Self.medians(fallback ? [] : cleanCounters))
    }

    /// Runs `body` between counter start and stop; a counter source that fails is dropped for the
    /// rest of the run (and the records say why) rather than failing the measurement.
    private mutating func countAround(_ body: () throws -> Double) throws -> (seconds: Double, counters: [String: Int64]) {
        guard counterFailure == nil, !(counters is NoCounters) else { return (try body(), [:]) }
        do { try counters.start() } catch {
            counterFailure = "counters failed to start: \(error)"
            return (try body(), [:])
        }
        let seconds = try body()
        do { return (seconds, try counters.stop()) } catch {
            counterFailure = "counters failed to stop: \(error)"
            return (seconds, [:])
        }
    }

    private static func timed(_ kernel: any PreparedKernel, clock: any HarnessClock, cpuSeconds: inout Double) throws -> Double {
        let c0 = clock.threadCPUTime()
        let t0 = clock.now()
        try kernel.run()
        let t1 = clock.now()
        cpuSeconds = clock.threadCPUTime() - c0
        return t1 - t0
    }

    /// Median of each event across repetitions.
    public static func medians(_ samples: [[String: Int64]]) -> [String: Double] {
        var byEvent: [String: [Double]] = [:]
        for sample in samples { for (event, value) in sample { byEvent[event, default: []].append(Double(value)) } }
        return byEvent.mapValues { quantile(sorted: $0.sorted(), 0.5) }
    }

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}
