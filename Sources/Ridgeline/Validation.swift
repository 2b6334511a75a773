import Foundation

/// One measured time to check a prediction against: the kernels whose times add up to it (a
/// fwd+bwd attention row is two), where it came from, and the engine's counters.
public struct Observation: Sendable {
    public var kernels: [Kernel]
    public var seconds: Double
    /// "run.jsonl:12": the line it came from.
    public var source: String
    /// Which engine measured it.
    public var engine: Engine
    /// Per-repetition counter medians, and the counter source's name.
    public var counters: [String: Double]
    public var counterSource: String
    /// CPU threads the engine ran with; nil when unknown or not a CPU measurement.
    public var threads: Int?
    /// Where it ran: "cpu", "cuda:0", …; the host's fingerprint where the record has one.
    public var device: String
    public var host: String?
    /// The engine's version as the record gives it: names the kernels a CPU library chose
    /// (oneDNN's ISA, OpenBLAS's core; `LibraryKernels`).
    public var engineVersion: String?
    /// The implementation the engine reports choosing (oneDNN's `ref:any`, `jit:avx2`, …).
    public var implementation: String?

    public init(
        kernels: [Kernel], seconds: Double, source: String, engine: Engine, counters: [String: Double] = [:],
        counterSource: String = "none", threads: Int? = nil, device: String = "cpu", host: String? = nil
    ) {
        self.kernels = kernels; self.seconds = seconds; self.source = source; self.engine = engine
        self.counters = counters; self.counterSource = counterSource; self.threads = threads
        self.device = device; self.host = host
    }

    /// A GPU or a CPU, as a profile's `kind` says.
    public var ranOnGPU: Bool { !device.hasPrefix("cpu") }

    public var kernelClass: KernelClass { kernels[0].kernelClass }
    public var label: String { kernels.map(\.label).joined(separator: " + ") }
}

/// Loads observations from either format: Ridgeline measurement records (`ridgeline measure`,
/// `scripts/torch_engine.py`) or the reference GPU measurements (rows with a `section` field).
public enum Observations {
    /// Which of a record's times stands for the kernel: the median (the contract's figure), the
    /// minimum (the least-disturbed repetition), or `cpu`, the median CPU time of the thread that
    /// ran a one-thread kernel — its time without the time it waited descheduled, the closest to
    /// what the hardware does alone on a machine shared with other work.
    public enum Statistic: String, CaseIterable, Sendable { case median, min, cpu }

    /// Reads measurement records or reference rows from a file, or from standard input for `-`,
    /// a line at a time (`TextInput.forEachContentLine`): the first content line says which
    /// format the file is in, and each line is checked as it is read.
    public static func load(path: String, statistic: Statistic = .median) throws -> [Observation] {
        let file = TextInput.name(of: path)
        var observations: [Observation] = []
        var reference: ReferenceFile?
        var first = true
        try TextInput.forEachContentLine(path: path) { number, line in
            let source = "\(file):\(number)"
            if first {
                first = false
                if String(decoding: line, as: UTF8.self).contains("\"section\"") {
                    if statistic == .cpu {
                        throw RidgelineError.invalidValue(
                            file: file, field: "--statistic", value: "cpu",
                            expected: "median or min: reference GPU rows carry no thread CPU time")
                    }
                    reference = ReferenceFile(measurements: [], launchFloorSeconds: nil, skipped: [:])
                }
            }
            let r = try FieldReader.parse(bytes: line, file: source)
            if reference != nil {
                try reference!.add(r, line: number)
            } else {
                observations.append(try Observation(record: try MeasurementRecord.parse(r), source: source, statistic: statistic))
            }
        }
        if let reference { observations = reference.measurements.map { $0.observation(file: file, statistic: statistic) } }
        guard !observations.isEmpty else { throw RidgelineError.unreadable(file: file, reason: "holds no measurements") }
        return observations
    }
}

extension ReferenceMeasurement {
    /// This row as an observation: its median (or minimum) time, named by file and line.
    public func observation(file: String, statistic: Observations.Statistic = .median) -> Observation {
        Observation(
            kernels: kernels, seconds: statistic == .min ? minSeconds : medianSeconds,
            source: "\(file):\(line)", engine: .reference, device: "cuda")
    }
}

extension Observation {
    public init(record: MeasurementRecord, source: String, statistic: Observations.Statistic = .median) throws {
        let seconds: Double
        switch statistic {
        case .median: seconds = record.medianSeconds
        case .min: seconds = record.minSeconds
        case .cpu:
            guard record.threads == 1, let cpu = record.threadCPUMedianSeconds, cpu > 0 else {
                throw RidgelineError.invalidSpec(
                    source: source,
                    detail:
                        "--statistic cpu needs one-thread records with thread_cpu_median_s (this one: \(record.threads) threads, engine \(record.engine.rawValue)); measure with --threads 1"
                )
            }
            seconds = cpu
        }
        self.init(
            kernels: [record.kernel], seconds: seconds, source: source,
            engine: record.engine, counters: record.counters, counterSource: record.counterSource,
            threads: record.device == "cpu" ? record.threads : nil, device: record.device, host: record.host.fingerprint)
        engineVersion = record.engineVersion
        implementation = record.implementation
    }

    /// Why Ridgeline does not judge this measurement, or nil. oneDNN's reference implementations
    /// (`ref:any`, `ref_…`) are its portable fallback where it has no JIT kernel for a primitive
    /// on the CPU's ISA (oneDNN 2.6's softmax backward has one for AVX-512 only): scalar loops that
    /// load and store each element through a data-type switch, tens of times a roofline's time
    /// with no ceiling of the machine to set it. Ridgeline models the kernels a library tunes, not
    /// that fallback; predicting one anyway would be a wrong number.
    public var unmodelledReason: String? {
        guard engine == .onednn, let implementation, implementation.hasPrefix("ref") else { return nil }
        let isa = engineVersion.flatMap { version in
            version.range(of: "isa ").map { version[$0.upperBound...].prefix { $0 != ")" && $0 != "," } }
        }
        return
            "oneDNN ran its reference implementation (\(implementation))\(isa.map { " on isa \($0)" } ?? ""): a scalar fallback where it has no JIT kernel, which Ridgeline does not model"
    }
}

extension Observations {
    /// A measurement left out of the judgement, and why (`Observation.unmodelledReason`).
    public struct Refusal: Sendable, Equatable, Codable {
        public var kernel: String
        public var source: String
        public var reason: String
    }

    /// The observations Ridgeline models, and the refusals for the rest: figures judge only the
    /// first, and every command that drops one says which and why.
    public static func judgeable(_ observations: [Observation]) -> (kept: [Observation], refused: [Refusal]) {
        var kept: [Observation] = []
        var refused: [Refusal] = []
        for o in observations {
            if let reason = o.unmodelledReason {
                refused.append(Refusal(kernel: o.label, source: o.source, reason: reason))
            } else {
                kept.append(o)
            }
        }
        return (kept, refused)
    }
}

extension Observations {
    /// Refuses a set of measurements that cannot be judged (or fitted) as one: records of several
    /// engines, devices, hosts or thread counts, or of a CPU judged on a GPU profile (and back).
    /// A calibration fitted on such a mix describes no machine.
    public static func checkConsistent(_ observations: [Observation], profile: HardwareProfile, file: String) throws {
        guard let first = observations.first else { return }
        func same<T: Equatable>(_ field: String, _ value: (Observation) -> T?, _ show: (T?) -> String) throws {
            if let other = observations.first(where: { value($0) != value(first) }) {
                throw RidgelineError.inconsistent(
                    file: file, field: field,
                    detail:
                        "\(first.source) has \(show(value(first))) but \(other.source) has \(show(value(other))); judge or fit one \(field) at a time"
                )
            }
        }
        try same("engine", \.engine) { $0?.rawValue ?? "none" }
        try same("device", \.device) { $0 ?? "none" }
        try same("host", \.host) { $0.map { "'\($0)'" } ?? "no host fingerprint" }
        try same("threads", \.threads) { $0.map { "\($0) threads" } ?? "no thread count" }
        let gpuProfile = profile.kind == .gpu
        guard first.ranOnGPU == gpuProfile else {
            throw RidgelineError.inconsistent(
                file: file, field: "device",
                detail:
                    "the measurements ran on \(first.device) but \(profile.id) is a \(profile.kind.rawValue) profile; pass the profile of the device that was measured"
            )
        }
    }

    /// The profile to judge `observations` with: cut down to the cores they ran on when they
    /// all ran on fewer threads than the CPU has (see `HardwareProfile.restricted`).
    /// The profile as the observations' engine could use it: cut to the threads they ran on,
    /// and at the SIMD width of the kernels their library chose (`LibraryKernels`), when they
    /// all name the same kernels.
    public static func profile(_ profile: HardwareProfile, for observations: [Observation]) -> HardwareProfile {
        var result = profile
        let counts = Set(observations.compactMap(\.threads))
        if counts.count == 1, let threads = counts.first { result = result.restricted(toUnits: threads) }
        let kernels = observations.map { LibraryKernels.from(engine: $0.engine, version: $0.engineVersion) }
        if let first = kernels.first, let chosen = first, kernels.allSatisfy({ $0 == first }) {
            result = result.restricted(toSIMDBits: chosen.bits)
        }
        return result
    }
}

/// Predicted against measured time for every observation, per kernel class and overall, as
/// median and 90th-percentile absolute percentage error (fractions). `ValidationRecord` is
/// what `validate --json` prints of it.
public struct Validation: Sendable {
    /// One observation: its label, where it came from, measured and predicted seconds.
    public struct Row: Sendable, Equatable, Codable {
        public var kernel: String
        public var kernelClass: String
        public var source: String
        public var measuredS: Double
        public var predictedS: Double
        /// (predicted − measured) / measured: negative when the model is too optimistic.
        public var error: Double
        public var ape: Double
        public var bound: String
    }

    public var hardware: String
    public var calibrated: Bool
    public var mode: ExecutionMode
    public var rows: [Row]

    public init(_ observations: [Observation], profile: HardwareProfile, mode: ExecutionMode = .kernel) {
        let engine = Roofline(profile)
        hardware = profile.id
        calibrated = profile.calibration != nil
        self.mode = mode
        rows = observations.map { o in
            let predictions = o.kernels.map { engine.predict($0, mode: mode) }
            let predicted = predictions.reduce(0) { $0 + $1.timeSeconds }
            return Row(
                kernel: o.label, kernelClass: o.kernelClass.rawValue, source: o.source, measuredS: o.seconds,
                predictedS: predicted, error: (predicted - o.seconds) / o.seconds,
                ape: absolutePercentageError(predicted: predicted, measured: o.seconds),
                bound: predictions[0].bound.description)
        }
    }

    public var overall: ErrorSummary { ErrorSummary(errors: rows.map(\.ape)) }

    /// Error summary per kernel class present, in `KernelClass` order.
    public var byClass: [(kernelClass: String, summary: ErrorSummary)] {
        KernelClass.allCases.compactMap { cls in
            let selected = rows.filter { $0.kernelClass == cls.rawValue }
            return selected.isEmpty ? nil : (cls.rawValue, ErrorSummary(errors: selected.map(\.ape)))
        }
    }

}

/// The model's FLOP count against floating-point operations a hardware counter counted, where
/// the measurements carry such a counter (PAPI_FP_OPS, PAPI_SP_OPS, PAPI_DP_OPS or a native
/// FP_ARITH event). Virtual machines usually expose none, and then `note` says so.
public struct FlopCheck: Sendable, Equatable, Codable {
    public struct Row: Sendable, Equatable, Codable {
        public var kernel: String
        public var event: String
        public var modelFlops: Double
        public var counted: Double
        /// counted / model: 1 when the model counts what the hardware did.
        public var ratio: Double
    }

    public var rows: [Row]
    public var note: String?

    public static func isFlopEvent(_ name: String) -> Bool {
        let n = name.uppercased()
        return n.contains("FP_OPS") || n.contains("SP_OPS") || n.contains("DP_OPS") || n.contains("FP_ARITH")
            || n.contains("FP_RET_SSE_AVX_OPS")
    }

    public init(_ observations: [Observation]) {
        rows = observations.compactMap { o in
            guard o.kernels.count == 1, let (event, counted) = o.counters.first(where: { Self.isFlopEvent($0.key) }),
                o.kernels[0].flops > 0
            else { return nil }
            return Row(
                kernel: o.label, event: event, modelFlops: o.kernels[0].flops, counted: counted,
                ratio: counted / o.kernels[0].flops)
        }
        if rows.isEmpty {
            let sources = Set(observations.map(\.counterSource)).sorted().joined(separator: ", ")
            note =
                "no hardware floating-point counter in these measurements (counter source: \(sources)); "
                + "the model's FLOP counts are not checked against counted operations"
        }
    }
}
