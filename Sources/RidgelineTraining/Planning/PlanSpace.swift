import Ridgeline

/// The axes the planner enumerates for one hardware profile. Every list holds only values that
/// make a valid layout with some partner (divisors of the heads, of the layers, of the layers
/// per stage), so no invalid layout is ever generated and then rejected.
struct PlanAxes: Sendable {
    /// Devices in a scale-up domain (an NVLink node): device counts are multiples of it.
    let nodeSize: Int
    let deviceCounts: [Int]
    /// Tensor-parallel sizes: divisors of the attention heads (and of an MoE's expert width) that fit in one node.
    let tps: [Int]
    /// Pipeline sizes: divisors of the layers.
    let pps: [Int]
    /// Per pipeline size: model chunks per device, 1 (1F1B) first, then every divisor > 1 of the
    /// layers per stage (interleaving needs more than one stage).
    let chunks: [[Int]]
    let recomputes: [Recompute]
    /// Powers of two up to the request's maximum.
    let microBatches: [Int]
    /// Context-parallel sizes: 1, and powers of two that leave each rank at least
    /// `PlanAxes.minimumContextShard` tokens of the sequence (shorter shards only add ring steps).
    let cps: [Int]
    /// Expert-parallel sizes: the divisors of the experts (1 for a dense model).
    let eps: [Int]

    /// Tokens per context-parallel rank below which the planner does not split the sequence:
    /// NeMo's published recipes use cp 2 at 8,192 tokens and grow cp with the sequence from there.
    static let minimumContextShard = 4096

    /// Sequence parallelism exists only with tensor parallelism.
    func sequenceParallel(tp: Int) -> [Bool] { tp > 1 ? [false, true] : [false] }

    init(model: ModelDefinition, profile: HardwareProfile, request: PlanRequest) {
        let node = Network(profile: profile, assumptions: request.assumptions).domainSize
        nodeSize = node
        // A device with no link to a peer trains alone; one with a scale-up link but no scale_out
        // (no network between nodes) trains within one scale-up domain.
        let most = profile.scaleOut != nil ? request.maxDevices : profile.scaleUp != nil ? min(request.maxDevices, node) : 1
        deviceCounts = Self.deviceCounts(node: node, min: request.minDevices, max: most)
        switch model {
        case .transformer(let t):
            // Expert MLPs split over tp too (expert tensor parallelism = tp).
            tps = divisors(t.heads).filter { tp in tp <= node && (t.moe.map { $0.expertFFN % tp == 0 } ?? true) }
            pps = divisors(t.layers)
            chunks = pps.map { pp in pp == 1 ? [1] : divisors(t.layers / pp) }
            recomputes = Recompute.allCases
            var cpList = [1]
            let seq = t.tokens(seq: request.seq)
            var cp = 2
            while t.image == nil && seq / cp >= Self.minimumContextShard && seq % (2 * cp) == 0 { cpList.append(cp); cp *= 2 }
            cps = cpList
            eps = t.moe.map { divisors($0.experts) } ?? [1]
        case .cnn:
            // Only data parallelism is modelled for CNNs, without recomputation.
            tps = [1]; pps = [1]; chunks = [[1]]; recomputes = [.none]; cps = [1]; eps = [1]
        }
        var mbs: [Int] = []
        var mb = 1
        while mb <= request.maxMicroBatch { mbs.append(mb); mb *= 2 }
        microBatches = mbs
    }

    /// Whole nodes from `min` to `max`, plus the powers of two below one node (a partial node
    /// is a real option for a small model).
    static func deviceCounts(node: Int, min lower: Int, max upper: Int) -> [Int] {
        var counts: [Int] = []
        var partial = 1
        while partial < node && partial <= upper {
            if partial >= lower { counts.append(partial) }
            partial *= 2
        }
        var n = Swift.max(node, ((lower + node - 1) / node) * node)
        while n <= upper { counts.append(n); n += node }
        return counts
    }
}

/// Positive divisors of `n`, ascending.
func divisors(_ n: Int) -> [Int] {
    guard n >= 1 else { return [] }
    return (1...n).filter { n % $0 == 0 }
}

/// One piece of the enumeration: a hardware, a device count, tp, pp, cp and ep (so dp is fixed). Its
/// configurations (ZeRO stage × sequence parallel × recompute × micro-batch × global batch ×
/// interleave) are evaluated together, which lets the memory bounds prune whole subtrees.
struct PlanUnit: Sendable {
    var hardware: Int32
    var devices: Int32
    var tpIndex: Int16
    var ppIndex: Int16
    var cpIndex: Int16
    var epIndex: Int16
}

/// The enumeration index of a configuration: its position in the full (unpruned) enumeration,
/// so ties break the same way whatever was pruned and however the work was split.
/// Layout: unit (30 bits) · ZeRO (2) · sequence parallel (1) · recompute (2) · micro-batch (4) ·
/// global batch (16) · interleave (8).
@inline(__always)
func planIndex(unit: Int, zero: Int, sp: Int, recompute: Int, microBatch: Int, batch: Int, chunks: Int) -> UInt64 {
    UInt64(unit) << 33 | UInt64(zero) << 31 | UInt64(sp) << 30 | UInt64(recompute) << 28
        | UInt64(microBatch) << 24 | UInt64(batch) << 8 | UInt64(chunks)
}
