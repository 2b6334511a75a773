import Ridgeline

/// `ridgeline calibrate-network --json`: what was fitted (the hop latency of each link the
/// nccl-tests runs used), and the error on the held-out message sizes before and after the fit,
/// overall and per run (collective × ranks × nodes).
public struct CalibrateNetworkRecord: Codable, Sendable, Equatable {
    public var hardware: String
    /// The fitted profile's path.
    public var output: String
    /// Timings fitted on, and held out.
    public var fitted, heldOut: Int
    /// Absent for a link no run used.
    public var scaleUpHopLatencyS, scaleOutHopLatencyS: Double?
    public var heldOutMedianApe, heldOutMeanApe, heldOutP90Ape: Double
    /// The held-out error on the profile as given.
    public var beforeMedianApe, beforeP90Ape: Double
    public var groups: [Group]

    public struct Group: Codable, Sendable, Equatable {
        public var collective: String
        public var ranks, nodes, count: Int
        public var medianApe, p90Ape: Double
        /// Median signed error: negative when predicted too fast.
        public var bias: Double
    }

    public init(
        hardware: String, output: String, fitted: Int, heldOut: Int, scaleUpHopLatencyS: Double?, scaleOutHopLatencyS: Double?,
        before: NetworkFit.Judgement, after: NetworkFit.Judgement
    ) {
        self.hardware = hardware; self.output = output; self.fitted = fitted; self.heldOut = heldOut
        self.scaleUpHopLatencyS = scaleUpHopLatencyS; self.scaleOutHopLatencyS = scaleOutHopLatencyS
        heldOutMedianApe = after.medianAPE; heldOutMeanApe = after.meanAPE; heldOutP90Ape = after.p90APE
        beforeMedianApe = before.medianAPE; beforeP90Ape = before.p90APE
        groups = after.groups.map {
            Group(
                collective: $0.collective.rawValue, ranks: $0.ranks, nodes: $0.nodes, count: $0.count, medianApe: $0.medianAPE,
                p90Ape: $0.p90APE, bias: $0.bias)
        }
    }
}
