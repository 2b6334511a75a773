/// How a collective library (NCCL, RCCL) performs on one link: the physical parameters of the
/// collective time model, fitted on nccl-tests timings (`ridgeline calibrate-network`) or left at
/// their datasheet defaults.
///
/// The model, for a collective over n ranks that takes k sequential ring steps and moves S_bus
/// "bus bytes" per rank (nccl-tests' bus bandwidth is S_bus / time; `Collective.bytesPerRank`):
///
///     t = hop_latency · k + base_latency + min(S_bus / (low_latency_fraction · B_n),   // LL/LL128
///                                              (S_bus + pipeline_fill) / B_n)          // Simple
///
/// - hop_latency (the link's `latency`): what each ring step adds (Thakur et al. 2005's α per step);
/// - base_latency: the fixed cost of one call (launch, rank hand-shake, proxy start); with the hop
///   latencies it is the floor a small message never beats (DGX-A100: 44 µs for 1 MiB on 2 GPUs);
/// - NCCL picks a protocol per size (NCCL's tuning model, `src/graph/tuning.cc`): the low-latency
///   protocols start streaming at once but reach only `low_latency_fraction` of the bus bandwidth
///   (LL spends half of each 8-byte word on flags, LL128 8 of 128 bytes); Simple reaches the full
///   bus bandwidth after its pipeline has filled, `pipeline_fill` bytes' worth (Hockney's n½:
///   the achieved bandwidth S/t reaches half of B_n near S_bus = pipeline_fill);
/// - B_n: the bus bandwidth the ring reaches on large messages with n ranks (`bus_bandwidth`
///   where measured; the NVLink topology sets it: on a DGX-1 V100 cube-mesh 2 GPUs share one
///   link and 8 GPUs six), else link bandwidth × `efficiency`.
///
/// With the defaults (no base latency, no fill, low-latency fraction 1) the model is the classic
/// ring cost hop_latency · k + S_bus / (bandwidth × efficiency).
public struct CollectiveParameters: Sendable, Hashable {
    /// Fixed cost of one call, seconds (0 when unmeasured).
    public var baseLatency: Double
    /// Share of the bus bandwidth the low-latency protocols reach, in (0, 1].
    public var lowLatencyFraction: Double
    /// Bytes of bus traffic the Simple protocol's pipeline needs to fill (0 when unmeasured).
    public var pipelineFill: Double
    /// Measured large-message bus bandwidth by group size (ranks), bytes/s.
    public var busBandwidth: [Int: Double]
    /// Achieved fraction of the link bandwidth on large messages, where `busBandwidth` has no entry;
    /// nil: the framework default (`TrainingAssumptions`).
    public var efficiency: Double?
    /// Where the numbers come from.
    public var source: String

    public init(
        baseLatency: Double = 0, lowLatencyFraction: Double = 1, pipelineFill: Double = 0,
        busBandwidth: [Int: Double] = [:], efficiency: Double? = nil, source: String = ""
    ) {
        self.baseLatency = baseLatency; self.lowLatencyFraction = lowLatencyFraction; self.pipelineFill = pipelineFill
        self.busBandwidth = busBandwidth; self.efficiency = efficiency; self.source = source
    }

    /// Large-message bus bandwidth with `ranks` ranks: the measured value for that group size, else
    /// the one measured for the nearest smaller group (the largest measured when none is smaller),
    /// else `linkBandwidth × (efficiency ?? defaultEfficiency)`.
    public func busBandwidth(ranks: Int, linkBandwidth: Double, defaultEfficiency: Double) -> Double {
        guard !busBandwidth.isEmpty else { return linkBandwidth * (efficiency ?? defaultEfficiency) }
        if let exact = busBandwidth[ranks] { return exact }
        // No allocation here: the planner evaluates this millions of times a second.
        var below: (ranks: Int, bandwidth: Double)? = nil, smallest: (ranks: Int, bandwidth: Double)? = nil
        for (size, bandwidth) in busBandwidth {
            if size < ranks && size > (below?.ranks ?? Int.min) { below = (size, bandwidth) }
            if size < (smallest?.ranks ?? Int.max) { smallest = (size, bandwidth) }
        }
        return (below ?? smallest)!.bandwidth
    }

    /// Seconds for `busBytes` per rank in `steps` ring steps at bus bandwidth `bandwidth` with
    /// `hopLatency` per step: the formula above. Never less than hopLatency·steps + baseLatency +
    /// busBytes/bandwidth, and never decreasing in `busBytes`.
    public func seconds(busBytes: Double, steps: Double, hopLatency: Double, bandwidth: Double) -> Double {
        let lowLatency = busBytes / (min(1, max(lowLatencyFraction, 1e-3)) * bandwidth)
        let simple = (busBytes + pipelineFill) / bandwidth
        return hopLatency * steps + baseLatency + min(lowLatency, simple)
    }
}
