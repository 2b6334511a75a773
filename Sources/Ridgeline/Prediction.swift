/// What the roofline engine says about one kernel on one device: its time and why. It is also
/// the record `ridgeline predict --json` prints, one per kernel (keys through `RecordCoding`).
public struct Prediction: Sendable, Equatable {
    /// Which ceiling bound the time: a compute peak, a memory level's bandwidth, or fixed latency.
    /// Written as its description: `compute(bf16)`, `memory(hbm)`, `latency`.
    public enum Bound: Sendable, Equatable, CustomStringConvertible, Codable {
        case compute(DType)
        case memory(String)
        case latency

        public var description: String {
            switch self {
            case .compute(let dtype): return "compute(\(dtype.rawValue))"
            case .memory(let level): return "memory(\(level))"
            case .latency: return "latency"
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(description)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            func argument(_ name: String) -> String? {
                text.hasPrefix(name + "(") && text.hasSuffix(")") ? String(text.dropFirst(name.count + 1).dropLast()) : nil
            }
            if text == "latency" {
                self = .latency
            } else if let level = argument("memory"), !level.isEmpty {
                self = .memory(level)
            } else if let dtype = argument("compute").flatMap(DType.init(rawValue:)) {
                self = .compute(dtype)
            } else {
                throw DecodingError.dataCorruptedError(
                    in: c, debugDescription: "a bound: compute(DTYPE), memory(LEVEL) or latency")
            }
        }
    }

    public var kernel: Kernel
    public var hardware: String
    public var timeSeconds: Double
    public var flops: Double
    /// Minimum bytes the kernel must move (its spec's count).
    public var bytes: Double
    /// Bytes moved at each memory level the model charged (tiled re-reads included).
    public var bytesByLevel: [String: Double]
    public var computeSeconds: Double
    /// Time at the binding memory level.
    public var memorySeconds: Double
    /// Launch or dispatch cost added to (or flooring) the roofline time.
    public var overheadSeconds: Double
    public var bound: Bound
    /// Whether the profile's calibration block was applied.
    public var calibrated: Bool
    /// The dtype whose peak the compute time used: the kernel's own, or the next wider one the
    /// device has (an fp8 GEMM on a V100 runs at its fp16 rate, as frameworks fall back).
    public var computeDType: DType

    /// What a user should know about this prediction: a matrix dtype the device lacks.
    public var warnings: [String] = []

    public var arithmeticIntensity: Double { bytes > 0 ? flops / bytes : 0 }
    public var attainedFlopsPerSecond: Double { timeSeconds > 0 ? flops / timeSeconds : 0 }
}

/// In an extension, so that the memberwise initializer stays.
extension Prediction: Codable {
    /// Keys as `RecordCoding` spells them (`timeSeconds` is `time_s` in the file). Arithmetic
    /// intensity and attained FLOP/s are written for readers and follow from the rest.
    enum CodingKeys: String, CodingKey {
        case kernel, hardware, timeSeconds = "timeS", flops, bytes, bytesByLevel, computeSeconds = "computeS"
        case memorySeconds = "memoryS", overheadSeconds = "overheadS", bound, calibrated, arithmeticIntensity
        case attainedFlopsPerSecond = "attainedFlopsPerS", computeDType = "computeDtype", warnings
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kernel, forKey: .kernel)
        try c.encode(hardware, forKey: .hardware)
        try c.encode(timeSeconds, forKey: .timeSeconds)
        try c.encode(flops, forKey: .flops)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(bytesByLevel, forKey: .bytesByLevel)
        try c.encode(computeSeconds, forKey: .computeSeconds)
        try c.encode(memorySeconds, forKey: .memorySeconds)
        try c.encode(overheadSeconds, forKey: .overheadSeconds)
        try c.encode(bound, forKey: .bound)
        try c.encode(calibrated, forKey: .calibrated)
        try c.encode(arithmeticIntensity, forKey: .arithmeticIntensity)
        try c.encode(attainedFlopsPerSecond, forKey: .attainedFlopsPerSecond)
        try c.encode(computeDType, forKey: .computeDType)
        try c.encode(warnings, forKey: .warnings)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kernel = try c.decode(Kernel.self, forKey: .kernel)
        hardware = try c.decode(String.self, forKey: .hardware)
        timeSeconds = try c.decode(Double.self, forKey: .timeSeconds)
        flops = try c.decode(Double.self, forKey: .flops)
        bytes = try c.decode(Double.self, forKey: .bytes)
        bytesByLevel = try c.decode([String: Double].self, forKey: .bytesByLevel)
        computeSeconds = try c.decode(Double.self, forKey: .computeSeconds)
        memorySeconds = try c.decode(Double.self, forKey: .memorySeconds)
        overheadSeconds = try c.decode(Double.self, forKey: .overheadSeconds)
        bound = try c.decode(Bound.self, forKey: .bound)
        calibrated = try c.decode(Bool.self, forKey: .calibrated)
        computeDType = try c.decode(DType.self, forKey: .computeDType)
        warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
    }
}

/// Kernel mode counts device time only (CUDA graphs, compiled); eager mode adds the framework's
/// per-op dispatch floor, which small ops cannot go below.
public enum ExecutionMode: String, CaseIterable, Sendable, Codable {
    case kernel, eager
}
