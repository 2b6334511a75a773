import Ridgeline

/// `ridgeline serve --json`: one load on one replica. Written by `serve`, read back by `ridgeline
/// report --serving` (keys snake_case, see `RecordCoding`). The fields DESIGN.md promises are
/// required (`cost_per_million_tokens_usd` is absent without a price); the rest are optional so
/// that a file with the contract's fields reads.
public struct ServeRecord: Codable, Sendable, Equatable {
    public var ttftS: Double
    public var tpotS: Double
    public var e2eLatencyS: Double
    public var outputTokensPerS: Double
    public var outputTokensPerSPerGpu: Double
    public var requestsPerS: Double
    /// Mean requests in flight.
    public var batch: Double
    /// Sequences the KV cache holds.
    public var maxConcurrency: Int
    public var kvCacheBytesPerToken: Double
    /// Bytes per device.
    public var memory: Memory
    public var costPerMillionTokensUsd: Double?

    public var model: String?
    public var hardware: String?
    public var precision: String?
    public var kvPrecision: String?
    public var gpus, tp, pp, ep: Int?
    public var inputTokens, outputTokens: Int?
    public var kvCacheBytesPerTokenPerGpu: Double?
    public var pagingOverheadFraction: Double?
    /// One prompt's prefill, and one decode step at the load's batch.
    public var prefill, decode: Phase?
    public var queueingS: Double?
    public var utilization: Double?
    public var stepOverheadS: Double?
    public var energyPerMillionTokensKwh: Double?
    public var notes: [String]?

    /// Bytes per device by use (`MemoryUse`).
    public struct Memory: Codable, Sendable, Equatable {
        public var capacity, weights, kvCache, activations, reserve, free: Double

        public init(_ m: MemoryUse) {
            capacity = m.capacity; weights = m.weights; kvCache = m.kvCache; activations = m.activations; reserve = m.reserve
            free = m.free
        }
    }

    /// A step's time, what bound it, and the work it does (`ServingPhase`).
    public struct Phase: Codable, Sendable, Equatable {
        public var timeS, computeS, memoryS, communicationS, overheadS: Double
        public var flops, bytes: Double
        /// compute, memory, latency or communication.
        public var bound: String
        public var tokens: Int

        public init(_ p: ServingPhase) {
            timeS = p.timeSeconds; computeS = p.computeSeconds; memoryS = p.memorySeconds
            communicationS = p.communicationSeconds; overheadS = p.overheadSeconds; flops = p.flops; bytes = p.bytes
            bound = p.bound; tokens = p.tokens
        }
    }

    public init(_ e: ServingEstimate) {
        ttftS = e.ttft; tpotS = e.tpot; e2eLatencyS = e.e2eLatency; outputTokensPerS = e.outputTokensPerSecond
        outputTokensPerSPerGpu = e.outputTokensPerSecondPerDevice; requestsPerS = e.requestsPerSecond; batch = e.batch
        maxConcurrency = e.maxConcurrency; kvCacheBytesPerToken = e.kvCacheBytesPerToken; memory = Memory(e.memory)
        costPerMillionTokensUsd = e.costPerMillionTokens
        model = e.model; hardware = e.hardware; precision = e.precision; kvPrecision = e.kvPrecision
        gpus = e.devices; tp = e.tp; pp = e.pp; ep = e.ep; inputTokens = e.inputTokens; outputTokens = e.outputTokens
        kvCacheBytesPerTokenPerGpu = e.kvCacheBytesPerTokenPerDevice; pagingOverheadFraction = e.pagingOverheadFraction
        prefill = Phase(e.prefill); decode = Phase(e.decode); queueingS = e.queueingSeconds; utilization = e.utilization
        stepOverheadS = e.stepOverhead; energyPerMillionTokensKwh = e.energyPerMillionTokensKWh; notes = e.notes
    }
}
