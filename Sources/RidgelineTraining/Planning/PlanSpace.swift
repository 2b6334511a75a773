import Ridgeline

/// The axes the planner enumerates for one hardware profile. Every list holds only values that
/// make a valid layout with some partner (divisors of the heads, of the layers, of the layers
/// per stage), so no invalid layout is ever generated and then rejected.
struct PlanAxes: Sendable {
    /// Devices in a scale-up domain (an NVLink node): device counts are multiples of it.
    let nodeSize: Int
    let deviceCounts: [Int]
    /// Tensor-parallel sizes: divisors of the attention heads that fit in one node.
    let tps: [Int]
    /// Pipeline sizes: divisors of the layers.
    let pps: [Int]
    /// Per pipeline size: model chunks per device, 1 (1F1B) first, then every divisor > 1 of the
    /// layers per stage (interleaving needs more than one stage).
    let chunks: [[Int]]
    let recomputes: [Recompute]
    /// Powers of two up to the request's maximum.
    let microBatches: [Int]

    /// Sequence parallelism exists only with tensor parallelism.
    func sequenceParallel(tp: Int) -> [Bool] { tp > 1 ? [false, true] : [false] }

    init(model: ModelDefinition, profile: HardwareProfile, request: PlanRequest) {
        let node = Network(profile: profile, assumptions: request.assumptions).domainSize
        nodeSize = node
        // A device with no link to a peer trains alone.
        let linked = profile.scaleUp != nil || profile.scaleOut != nil
        deviceCounts = Self.deviceCounts(node: node, min: request.minDevices, max: linked ? request.maxDevices : 1)
        switch model {
        case .transformer(let t):
            tps = divisors(t.heads).filter { $0 <= node }
            pps = divisors(t.layers)
            chunks = pps.map { pp in pp == 1 ? [1] : divisors(t.layers / pp) }
            recomputes = Recompute.allCases
        case .cnn:
            // Only data parallelism is modelled for CNNs, without recomputation.
            tps = [1]; pps = [1]; chunks = [[1]]; recomputes = [.none]
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

/// One piece of the enumeration: a hardware, a device count, tp and pp (so dp is fixed). Its
/// configurations (ZeRO stage × sequence parallel × recompute × micro-batch × global batch ×
/// interleave) are evaluated together, which lets the memory bounds prune whole subtrees.
struct PlanUnit: Sendable {
    var hardware: Int32
    var devices: Int32
    var tpIndex: Int16
    var ppIndex: Int16
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
