import Ridgeline

/// `ridgeline plan --serve --json`: the serving configurations that meet the targets, cheapest
/// first (`best`), and the Pareto front between cost and end-to-end latency (`pareto`).
public struct ServePlanRecord: Codable, Sendable, Equatable {
    public var configurationsEvaluated: Int
    public var elapsedS: Double
    public var best: [Entry]
    public var pareto: [Entry]

    /// One deployment: replicas of tp × pp (× ep) devices, and one replica's latency at its share
    /// of the rate.
    public struct Entry: Codable, Sendable, Equatable {
        public var hardware, precision: String
        public var gpus, replicas, tp, pp, ep: Int
        public var ttftS, tpotS, e2eLatencyS, batchPerReplica: Double
        public var maxConcurrency: Int
        /// Over all replicas; absent without a price.
        public var costPerMillionTokensUsd: Double?

        public init(_ e: ServingPlanEntry) {
            hardware = e.hardware; precision = e.precision.rawValue; gpus = e.devices; replicas = e.replicas
            tp = e.tp; pp = e.pp; ep = e.ep
            ttftS = e.estimate.ttft; tpotS = e.estimate.tpot; e2eLatencyS = e.estimate.e2eLatency; batchPerReplica = e.estimate.batch
            maxConcurrency = e.estimate.maxConcurrency; costPerMillionTokensUsd = e.costPerMillionTokens
        }
    }

    public init(_ r: ServingPlanResult) {
        configurationsEvaluated = r.evaluated; elapsedS = r.elapsedSeconds
        best = r.best.map(Entry.init); pareto = r.pareto.map(Entry.init)
    }
}
