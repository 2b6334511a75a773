import Ridgeline

/// Where a kernel's time goes in the step breakdown.
public enum CostCategory: String, CaseIterable, Sendable {
    /// Dense matrix products (linear layers, convolutions).
    case gemm
    /// The attention core: flash kernel, or the batched products and softmax of unfused attention.
    case attention
    /// Norms, activations, dropout, residual adds, embedding lookups, losses.
    case memoryBound = "memory_bound"
    case optimizer
}

/// One kernel of a training step, `count` times.
public struct StepKernel: Sendable {
    public var kernel: Kernel
    public var category: CostCategory
    public var count: Double
    public init(_ kernel: Kernel, _ category: CostCategory, count: Double = 1) {
        self.kernel = kernel; self.category = category; self.count = count
    }
}

/// The group a layer's collective runs over.
public enum CommGroupKind: Sendable, Hashable {
    /// Tensor-parallel ranks (Megatron's all-reduces, or SP's all-gathers and reduce-scatters).
    case tensor
    /// Context-parallel ranks (the ring exchange of K and V).
    case context
    /// Expert-parallel ranks (token dispatch and combine).
    case expert
    /// The expert MLPs' tensor-parallel ranks (their all-gather and reduce-scatter of routed tokens).
    case expertTensor
}

/// A collective of a pass, `count` times. `overlapsAttention`: it runs beside the attention
/// core (context parallelism's ring sends), so only what the attention time cannot hide is exposed.
public struct StepCollective: Sendable {
    public var collective: Collective
    public var bytes: Double
    public var count: Double
    public var group: CommGroupKind = .tensor
    public var overlapsAttention = false
    /// Where the pass issues it: before its kernel of this index (the kernel count when it was
    /// added), so a host that issues the pass in order (`HostQueue`) meets it in program order.
    public var position = 0
}

/// The kernels and collectives of one pass (forward, backward, recomputation).
public struct PassKernels: Sendable {
    public var kernels: [StepKernel] = []
    public var collectives: [StepCollective] = []
    public init() {}
    mutating func add(_ k: Kernel, _ c: CostCategory, count: Double = 1) { kernels.append(StepKernel(k, c, count: count)) }
    mutating func comm(_ c: Collective, bytes: Double, count: Double = 1, group: CommGroupKind = .tensor, overlapsAttention: Bool = false) {
        collectives.append(
            StepCollective(
                collective: c, bytes: bytes, count: count, group: group, overlapsAttention: overlapsAttention,
                position: kernels.count))
    }
    static func + (a: PassKernels, b: PassKernels) -> PassKernels {
        var r = a
        r.kernels += b.kernels
        r.collectives += b.collectives.map {
            var c = $0; c.position += a.kernels.count; return c
        }
        return r
    }
}
