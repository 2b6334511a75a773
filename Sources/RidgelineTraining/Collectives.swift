import Ridgeline

/// The collectives a training step issues.
public enum Collective: String, CaseIterable, Sendable {
    case allReduce = "all_reduce", reduceScatter = "reduce_scatter", allGather = "all_gather", sendRecv = "send_recv"
    /// Every rank sends a distinct slice of its buffer to every other (MoE token dispatch and combine).
    case allToAll = "all_to_all"

    /// Bytes each rank sends (and receives) in a ring over `ranks` for a buffer of `bytes`
    /// (the full buffer: the all-reduced tensor, the gathered output, the scattered input).
    /// Ring algorithms (Patarasuk & Yuan 2009; Thakur et al. 2005): an all-reduce is a
    /// reduce-scatter and an all-gather, each moving (n−1)/n of the buffer; send/recv moves it once;
    /// an all-to-all of a rank's `bytes` (its send buffer) keeps 1/n and sends (n−1)/n.
    public func bytesPerRank(_ bytes: Double, ranks: Int) -> Double {
        guard ranks > 1 || self == .sendRecv else { return 0 }
        let n = Double(ranks)
        switch self {
        case .allReduce: return 2 * (n - 1) / n * bytes
        case .reduceScatter, .allGather, .allToAll: return (n - 1) / n * bytes
        case .sendRecv: return bytes
        }
    }

    /// Sequential ring steps, each paying the link latency once: 2(n−1) for an all-reduce,
    /// n−1 for reduce-scatter or all-gather, one for send/recv, n−1 for an all-to-all (pairwise
    /// exchange, Thakur et al. 2005).
    public func latencySteps(ranks: Int) -> Double {
        guard ranks > 1 || self == .sendRecv else { return 0 }
        switch self {
        case .allReduce: return 2 * Double(ranks - 1)
        case .reduceScatter, .allGather, .allToAll: return Double(ranks - 1)
        case .sendRecv: return 1
        }
    }
}

/// A group of ranks that communicate, placed on nodes of `domain` devices.
public struct CommGroup: Sendable, Hashable {
    /// Ranks in the group.
    public var ranks: Int
    /// Ranks of this group that share one node (scale-up domain).
    public var ranksPerNode: Int
    public init(ranks: Int, ranksPerNode: Int) {
        self.ranks = max(1, ranks); self.ranksPerNode = max(1, min(ranksPerNode, ranks))
    }
    public var nodes: Int { (ranks + ranksPerNode - 1) / ranksPerNode }
    public var spansNodes: Bool { nodes > 1 }
}

/// Links and how collective libraries perform on them.
public struct Network: Sendable, Hashable {
    /// Per device, per direction.
    public var scaleUpBandwidth: Double
    /// Latency each ring step adds on the scale-up link.
    public var scaleUpLatency: Double
    public var domainSize: Int
    public var scaleOutBandwidth: Double
    public var scaleOutLatency: Double
    /// Fractions of link bandwidth NCCL's ring reaches on large messages ("bus bandwidth" in
    /// nccl-tests), scale-up and scale-out, where the link's collective parameters give no measured
    /// value: see `TrainingAssumptions`.
    public var scaleUpEfficiency: Double
    public var scaleOutEfficiency: Double
    /// The collective model's parameters on each link (`CollectiveParameters`: the measured floor,
    /// the protocol switch, the bus bandwidth by group size); the defaults reduce to the ring cost.
    public var scaleUpCollective: CollectiveParameters
    public var scaleOutCollective: CollectiveParameters

    public init(
        scaleUpBandwidth: Double, scaleUpLatency: Double, domainSize: Int, scaleOutBandwidth: Double,
        scaleOutLatency: Double, scaleUpEfficiency: Double = 1, scaleOutEfficiency: Double = 1,
        scaleUpCollective: CollectiveParameters = CollectiveParameters(),
        scaleOutCollective: CollectiveParameters = CollectiveParameters()
    ) {
        self.scaleUpBandwidth = scaleUpBandwidth; self.scaleUpLatency = scaleUpLatency; self.domainSize = max(1, domainSize)
        self.scaleOutBandwidth = scaleOutBandwidth; self.scaleOutLatency = scaleOutLatency
        self.scaleUpEfficiency = scaleUpEfficiency; self.scaleOutEfficiency = scaleOutEfficiency
        self.scaleUpCollective = scaleUpCollective; self.scaleOutCollective = scaleOutCollective
    }

    /// A profile's links; a device without a scale-up link talks to its peers over the network,
    /// and one without either is a single device (any collective across devices is an error the
    /// layout check reports first).
    public init(profile: HardwareProfile, assumptions: TrainingAssumptions) {
        let out = profile.scaleOut ?? profile.scaleUp ?? Link(name: "none", bandwidth: 1e9, latency: 10e-6, domainSize: nil)
        let up =
            profile.scaleUp
            ?? Link(name: out.name, bandwidth: out.bandwidth, latency: out.latency, domainSize: 1, collective: out.collective)
        self.init(
            scaleUpBandwidth: up.bandwidth, scaleUpLatency: up.latency, domainSize: up.domainSize ?? 1,
            scaleOutBandwidth: out.bandwidth, scaleOutLatency: out.latency,
            scaleUpEfficiency: assumptions.scaleUpEfficiency, scaleOutEfficiency: assumptions.scaleOutEfficiency,
            scaleUpCollective: up.collective ?? CollectiveParameters(),
            scaleOutCollective: out.collective ?? CollectiveParameters())
    }

    /// Seconds of `collective` over `ranks` ranks on one link: `CollectiveParameters.seconds` with
    /// the collective's ring steps and bus bytes.
    func linkTime(_ collective: Collective, bytes: Double, ranks: Int, scaleOut: Bool) -> Double {
        let p = scaleOut ? scaleOutCollective : scaleUpCollective
        let bandwidth = p.busBandwidth(
            ranks: ranks, linkBandwidth: scaleOut ? scaleOutBandwidth : scaleUpBandwidth,
            defaultEfficiency: scaleOut ? scaleOutEfficiency : scaleUpEfficiency)
        return p.seconds(
            busBytes: collective.bytesPerRank(bytes, ranks: ranks), steps: collective.latencySteps(ranks: ranks),
            hopLatency: scaleOut ? scaleOutLatency : scaleUpLatency, bandwidth: bandwidth)
    }

    /// Seconds for `collective` over `group` on a buffer of `bytes`.
    ///
    /// Inside one node: the collective model on the scale-up link (`CollectiveParameters`).
    /// Across nodes, a flat ring runs at its slowest link, the per-device network port: every
    /// rank's traffic crosses the network (the regime that makes ZeRO-3 over hundreds of GPUs
    /// network-bound, Narayanan et al. 2021 Table 2). With `hierarchical`, the group first
    /// reduce-scatters (or last all-gathers) inside each node on the scale-up link, and only
    /// 1/ranksPerNode of the buffer crosses the network per device (NCCL's tree/2D algorithms);
    /// a reduce-scatter or all-gather, a ring through every rank, pays n−1 hop latencies.
    public func time(_ collective: Collective, bytes: Double, group: CommGroup, hierarchical: Bool = false) -> Double {
        guard bytes > 0, group.ranks > 1 || collective == .sendRecv else { return 0 }
        if collective == .sendRecv {
            return linkTime(.sendRecv, bytes: bytes, ranks: 2, scaleOut: group.spansNodes)
        }
        if !group.spansNodes {
            return linkTime(collective, bytes: bytes, ranks: group.ranks, scaleOut: false)
        }
        if hierarchical && group.ranksPerNode > 1 {
            let local = CommGroup(ranks: group.ranksPerNode, ranksPerNode: group.ranksPerNode)
            let across = CommGroup(ranks: group.nodes, ranksPerNode: 1)
            // An all-reduce is RS inside, AR across on the shard, AG inside; RS/AG use half of that.
            let inside =
                collective == .allReduce
                ? 2 * time(.reduceScatter, bytes: bytes, group: local) : time(.reduceScatter, bytes: bytes, group: local)
            var seconds = inside + time(collective, bytes: bytes / Double(group.ranksPerNode), group: across)
            // NCCL reduce-scatters and all-gathers over nodes with rings only (its tree serves
            // all-reduce): the bytes cross each node boundary once per channel, as above, but a ring
            // of all the ranks takes n−1 steps, not (ranks per node − 1) + (nodes − 1); the steps
            // in between are NVLink hops, each paying the scale-up hop latency.
            if collective == .reduceScatter || collective == .allGather {
                let steps =
                    collective.latencySteps(ranks: group.ranks)
                    - collective.latencySteps(ranks: group.ranksPerNode) - collective.latencySteps(ranks: group.nodes)
                seconds += max(0, steps) * scaleUpLatency
            }
            return seconds
        }
        return linkTime(collective, bytes: bytes, ranks: group.ranks, scaleOut: true)
    }
}
