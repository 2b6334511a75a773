import Foundation

/// One measured kernel, as `ridgeline measure` and `scripts/torch_engine.py` write it: one JSON
/// object per line of a `.jsonl` file. The record carries everything needed to judge it later:
/// the spec, which engine ran it and how, the host, the timing statistics and the counters read.
///
/// JSON fields: `kernel` (the spec), `engine`, `engine_version`, `implementation`, `device`,
/// `threads`, `binding`, `host` {`fingerprint`, `cpu`, `cores`}, `median_s`, `min_s`, `p25_s`,
/// `p75_s`, `iqr_s`, `ci95_rel`, `stable`, `samples` (repetitions kept), `repetitions` (timed),
/// `warmup`, `discarded` (disturbed repetitions left out), `disturbed_fallback`, `thread_cpu_median_s`
/// and `thread_cpu_min_s` (CPU time of the thread that ran the kernel), `counters`
/// {`source`, `per_repetition_median`, `unavailable`}, `cache` (warm|cold), `timer`, `timestamp`.
public struct MeasurementRecord: Sendable, Equatable {
    public struct Host: Sendable, Equatable {
        public var fingerprint: String
        public var cpu: String?
        public var cores: Int?
        public init(fingerprint: String, cpu: String?, cores: Int?) { self.fingerprint = fingerprint; self.cpu = cpu; self.cores = cores }
    }

    public var kernel: Kernel
    public var engine: Engine
    public var engineVersion: String
    public var implementation: String?
    /// "cpu", or the accelerator ("cuda: NVIDIA H100 80GB HBM3").
    public var device: String
    public var threads: Int
    public var binding: String?
    public var host: Host
    public var medianSeconds: Double
    public var minSeconds: Double
    public var p25Seconds: Double
    public var p75Seconds: Double
    /// Half-width of the 95% confidence interval of the median, relative to the median.
    public var relativeCI95: Double?
    /// Whether the confidence bound was reached before the time cap.
    public var stable: Bool
    /// Repetitions kept for the statistics.
    public var samples: Int
    /// Repetitions timed, kept or not.
    public var repetitions: Int
    public var warmup: Int
    /// Repetitions disturbed by context switches or migrations, left out of the statistics.
    public var discarded: Int
    /// Too few undisturbed repetitions: the statistics use every repetition, and say so.
    public var disturbedFallback: Bool
    /// CPU time of the thread that ran the kernel, median and minimum per repetition: the
    /// kernel's time without the time it waited descheduled, when it ran on one thread.
    public var threadCPUMedianSeconds: Double?
    public var threadCPUMinSeconds: Double?
    /// "papi", "none", "cuda-events"…: which source the counters came from.
    public var counterSource: String
    /// Median per repetition of each counted event over the kept repetitions.
    public var counters: [String: Double]
    /// Events the source could not count, with the reason.
    public var countersUnavailable: [String: String]
    /// "warm" (data left in cache between repetitions) or "cold" (caches flushed before each).
    public var cache: String
    public var timer: String
    public var timestamp: String

    public init(
        kernel: Kernel, engine: Engine, engineVersion: String, implementation: String?, device: String, threads: Int,
        binding: String?, host: Host, medianSeconds: Double, minSeconds: Double, p25Seconds: Double, p75Seconds: Double,
        relativeCI95: Double?, stable: Bool, samples: Int, repetitions: Int, warmup: Int, discarded: Int,
        disturbedFallback: Bool, threadCPUMedianSeconds: Double? = nil, threadCPUMinSeconds: Double? = nil, counterSource: String,
        counters: [String: Double], countersUnavailable: [String: String],
        cache: String, timer: String, timestamp: String
    ) {
        self.kernel = kernel; self.engine = engine; self.engineVersion = engineVersion; self.implementation = implementation
        self.device = device; self.threads = threads; self.binding = binding; self.host = host
        self.medianSeconds = medianSeconds; self.minSeconds = minSeconds; self.p25Seconds = p25Seconds; self.p75Seconds = p75Seconds
        self.relativeCI95 = relativeCI95; self.stable = stable; self.samples = samples; self.repetitions = repetitions
        self.warmup = warmup; self.discarded = discarded; self.disturbedFallback = disturbedFallback
        self.threadCPUMedianSeconds = threadCPUMedianSeconds; self.threadCPUMinSeconds = threadCPUMinSeconds
        self.counterSource = counterSource; self.counters = counters; self.countersUnavailable = countersUnavailable
        self.cache = cache; self.timer = timer; self.timestamp = timestamp
    }
}

/// Written through `RecordCoding` (keys as the file spells them: `medianSeconds` is `median_s`),
/// read by `parse`: a `.jsonl` file a line at a time (`load`), or a record's value
/// (`FieldReader(decoder:)`).
extension MeasurementRecord: Codable {
    enum Key: String, CodingKey {
        case kernel, engine, engineVersion, implementation, device, threads, binding, host, medianS, minS, p25S, p75S, iqrS
        case ci95Rel, stable, samples, repetitions, warmup, discarded, disturbedFallback, threadCpuMedianS, threadCpuMinS
        case counters, cache, timer, timestamp
    }
    enum HostKey: String, CodingKey { case fingerprint, cpu, cores }
    enum CounterKey: String, CodingKey { case source, perRepetitionMedian, unavailable }

    public init(from decoder: any Decoder) throws { self = try Self.parse(FieldReader(decoder: decoder)) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(kernel, forKey: .kernel)
        try c.encode(engine, forKey: .engine)
        try c.encode(engineVersion, forKey: .engineVersion)
        try c.encodeIfPresent(implementation, forKey: .implementation)
        try c.encode(device, forKey: .device)
        try c.encode(threads, forKey: .threads)
        try c.encodeIfPresent(binding, forKey: .binding)
        var h = c.nestedContainer(keyedBy: HostKey.self, forKey: .host)
        try h.encode(host.fingerprint, forKey: .fingerprint)
        try h.encodeIfPresent(host.cpu, forKey: .cpu)
        try h.encodeIfPresent(host.cores, forKey: .cores)
        try c.encode(medianSeconds, forKey: .medianS)
        try c.encode(minSeconds, forKey: .minS)
        try c.encode(p25Seconds, forKey: .p25S)
        try c.encode(p75Seconds, forKey: .p75S)
        try c.encode(p75Seconds - p25Seconds, forKey: .iqrS)
        if let ci = relativeCI95, ci.isFinite { try c.encode(ci, forKey: .ci95Rel) }
        try c.encode(stable, forKey: .stable)
        try c.encode(samples, forKey: .samples)
        try c.encode(repetitions, forKey: .repetitions)
        try c.encode(warmup, forKey: .warmup)
        try c.encode(discarded, forKey: .discarded)
        try c.encode(disturbedFallback, forKey: .disturbedFallback)
        try c.encodeIfPresent(threadCPUMedianSeconds, forKey: .threadCpuMedianS)
        try c.encodeIfPresent(threadCPUMinSeconds, forKey: .threadCpuMinS)
        var k = c.nestedContainer(keyedBy: CounterKey.self, forKey: .counters)
        try k.encode(counterSource, forKey: .source)
        try k.encode(counters, forKey: .perRepetitionMedian)
        try k.encode(countersUnavailable, forKey: .unavailable)
        try c.encode(cache, forKey: .cache)
        try c.encode(timer, forKey: .timer)
        try c.encode(timestamp, forKey: .timestamp)
    }

    /// The record as one line of JSON (keys sorted), as `measure` appends it.
    public var jsonLine: String { (try? RecordCoding.json(self, pretty: false)) ?? "" }
}

extension MeasurementRecord {
    /// Parses one record; errors name `source` ("run.jsonl:12") and the field.
    public static func parse(_ r: FieldReader) throws -> MeasurementRecord {
        let counters = try r.optionalChild("counters")
        var perRepetition: [String: Double] = [:]
        var unavailable: [String: String] = [:]
        if let medians = try counters?.optionalChild("per_repetition_median") {
            for key in medians.keys { perRepetition[key] = try medians.double(key, in: 0...Double.greatestFiniteMagnitude) }
        }
        if let missing = try counters?.optionalChild("unavailable") {
            for key in missing.keys { unavailable[key] = try missing.string(key) }
        }
        let host = try r.child("host")
        let seconds = 0...Double.greatestFiniteMagnitude
        let median = try r.double("median_s")
        return MeasurementRecord(
            kernel: try Kernel.parse(try r.child("kernel")), engine: try r.enumValue("engine", Engine.self),
            engineVersion: try r.string("engine_version"), implementation: try r.optionalString("implementation"),
            device: try r.optionalString("device") ?? "cpu", threads: try r.int("threads"), binding: try r.optionalString("binding"),
            host: Host(
                fingerprint: try host.string("fingerprint"), cpu: try host.optionalString("cpu"), cores: try host.optionalInt("cores")),
            medianSeconds: median, minSeconds: try r.optionalDouble("min_s") ?? median,
            p25Seconds: try r.optionalDouble("p25_s", in: seconds) ?? median,
            p75Seconds: try r.optionalDouble("p75_s", in: seconds) ?? median,
            relativeCI95: try r.optionalDouble("ci95_rel", in: seconds), stable: try r.optionalBool("stable") ?? true,
            samples: try r.int("samples"), repetitions: try r.optionalInt("repetitions") ?? r.int("samples"),
            warmup: try r.optionalInt("warmup", in: 0...Int.max) ?? 0, discarded: try r.optionalInt("discarded", in: 0...Int.max) ?? 0,
            disturbedFallback: try r.optionalBool("disturbed_fallback") ?? false,
            threadCPUMedianSeconds: try r.optionalDouble("thread_cpu_median_s", in: seconds),
            threadCPUMinSeconds: try r.optionalDouble("thread_cpu_min_s", in: seconds),
            counterSource: try counters?.optionalString("source") ?? "none", counters: perRepetition,
            countersUnavailable: unavailable, cache: try r.optionalString("cache") ?? "warm",
            timer: try r.optionalString("timer") ?? "unknown", timestamp: try r.optionalString("timestamp") ?? "")
    }

    /// Parses a JSON Lines file of records. Blank lines and '#' comments are skipped; any other
    /// line that is not a complete record is an error naming its line number.
    public static func parseLines(_ text: String, file: String) throws -> [MeasurementRecord] {
        var records: [MeasurementRecord] = []
        for line in TextInput.contentLines(text) {
            records.append(try parse(try FieldReader.parse(String(line.text), file: "\(file):\(line.number)")))
        }
        return records
    }

    /// Reads a JSON Lines file of records (or standard input for `-`) a line at a time.
    public static func load(path: String) throws -> [MeasurementRecord] {
        let file = TextInput.name(of: path)
        var records: [MeasurementRecord] = []
        try TextInput.forEachContentLine(path: path) { number, line in
            records.append(try parse(try FieldReader.parse(bytes: line, file: "\(file):\(number)")))
        }
        return records
    }
}
