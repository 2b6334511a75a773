/// What the roofline engine says about one kernel on one device: its time and why.
public struct Prediction: Sendable, Encodable {
    /// Which ceiling bound the time: a compute peak, a memory level's bandwidth, or fixed latency.
    public enum Bound: Sendable, Equatable, CustomStringConvertible, Encodable {
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

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(description)
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

    enum CodingKeys: String, CodingKey {
        case kernel, hardware, time_s, flops, bytes, bytes_by_level, compute_s, memory_s, overhead_s, bound,
            calibrated, arithmetic_intensity, attained_flops_per_s, compute_dtype, warnings
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kernel, forKey: .kernel)
        try c.encode(hardware, forKey: .hardware)
        try c.encode(timeSeconds, forKey: .time_s)
        try c.encode(flops, forKey: .flops)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(bytesByLevel, forKey: .bytes_by_level)
        try c.encode(computeSeconds, forKey: .compute_s)
        try c.encode(memorySeconds, forKey: .memory_s)
        try c.encode(overheadSeconds, forKey: .overhead_s)
        try c.encode(bound, forKey: .bound)
        try c.encode(calibrated, forKey: .calibrated)
        try c.encode(arithmeticIntensity, forKey: .arithmetic_intensity)
        try c.encode(attainedFlopsPerSecond, forKey: .attained_flops_per_s)
        try c.encode(computeDType, forKey: .compute_dtype)
        try c.encode(warnings, forKey: .warnings)
    }
}

/// Kernel mode counts device time only (CUDA graphs, compiled); eager mode adds the framework's
/// per-op dispatch floor, which small ops cannot go below.
public enum ExecutionMode: String, CaseIterable, Sendable, Codable {
    case kernel, eager
}
