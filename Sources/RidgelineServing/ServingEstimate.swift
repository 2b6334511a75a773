import Ridgeline

/// Time of a step and what bound it.
public struct ServingPhase: Sendable {
    public var timeSeconds: Double
    public var computeSeconds: Double
    public var memorySeconds: Double
    public var communicationSeconds: Double
    public var overheadSeconds: Double
    public var flops: Double
    public var bytes: Double
    /// The bound of the kernels that took most of the time: compute, memory, latency or communication.
    public var bound: String
    public var tokens: Int
}

public struct MemoryUse: Sendable {
    public var capacity: Double
    public var weights: Double
    public var kvCache: Double
    public var activations: Double
    public var reserve: Double
    public var free: Double
}

public struct ServingEstimate: Sendable {
    public var model: String
    public var hardware: String
    public var devices: Int
    public var tp: Int, pp: Int, ep: Int
    public var precision: String
    public var kvPrecision: String
    public var inputTokens: Int, outputTokens: Int
    public var ttft: Double
    public var tpot: Double
    public var e2eLatency: Double
    public var outputTokensPerSecond: Double
    public var requestsPerSecond: Double
    public var batch: Double
    public var maxConcurrency: Int
    public var kvCacheBytesPerToken: Double
    public var kvCacheBytesPerTokenPerDevice: Double
    public var pagingOverheadFraction: Double
    public var memory: MemoryUse
    public var prefill: ServingPhase
    public var decode: ServingPhase
    public var queueingSeconds: Double
    public var utilization: Double
    public var costPerMillionTokens: Double?
    public var energyPerMillionTokensKWh: Double
    public var stepOverhead: Double
    public var notes: [String]
    public var outputTokensPerSecondPerDevice: Double { outputTokensPerSecond / Double(devices) }
}

public enum ServingError: Error, CustomStringConvertible, Equatable {
    case doesNotFit(String)
    case invalid(String)
    public var description: String {
        switch self {
        case .doesNotFit(let s), .invalid(let s): return s
        }
    }
}
