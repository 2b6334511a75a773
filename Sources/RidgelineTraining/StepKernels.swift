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

/// A collective on the tensor-parallel group, `count` times per pass.
public struct StepCollective: Sendable {
    public var collective: Collective
    public var bytes: Double
    public var count: Double
}

/// The kernels and tensor-parallel collectives of one pass (forward, backward, recomputation).
public struct PassKernels: Sendable {
    public var kernels: [StepKernel] = []
    public var collectives: [StepCollective] = []
    public init() {}
    mutating func add(_ k: Kernel, _ c: CostCategory, count: Double = 1) { kernels.append(StepKernel(k, c, count: count)) }
    mutating func comm(_ c: Collective, bytes: Double, count: Double = 1) {
        collectives.append(StepCollective(collective: c, bytes: bytes, count: count))
    }
    static func + (a: PassKernels, b: PassKernels) -> PassKernels {
        var r = a; r.kernels += b.kernels; r.collectives += b.collectives; return r
    }
}

/// Expands a transformer into the kernels of one micro-batch on one tensor-parallel rank
/// (Megatron-LM's partitioning, Shoeybi et al. 2019): QKV and MLP-up column-parallel, output
/// projection and MLP-down row-parallel, attention heads split over ranks, vocabulary-parallel
/// embedding and loss.
///
/// Backward: every forward GEMM Y = X·W gives two, dX = dY·Wᵀ and dW = Xᵀ·dY, with the same
/// FLOPs each; so backward GEMMs are twice the forward (the 6·N·tokens rule: Kaplan et al. 2020).
/// `compiled` fuses element-wise chains the way Megatron's fused kernels and torch.compile do
/// (bias into GEMM epilogues, bias-GeLU, bias-dropout-add); `eager` issues each op separately.
public struct TransformerKernels: Sendable {
    public let model: TransformerModel
    public let settings: KernelSettings

    public init(model: TransformerModel, settings: KernelSettings) { self.model = model; self.settings = settings }

    var t: Int { settings.tp }
    var b: Int { settings.microBatch }
    var s: Int { model.tokens(seq: settings.seq) }
    /// Tokens of the micro-batch.
    var tokens: Int { b * s }
    var h: Int { model.dModel }
    var act: DType { settings.precision.activationDType }
    var mm: DType { settings.precision.gemmDType }
    var eager: Bool { settings.mode == .eager }
    var unfused: Bool { !settings.flashAttention }
    /// Tokens each rank holds outside the tensor-parallel regions (sequence parallelism splits them).
    var localTokens: Int { settings.sequenceParallel ? max(1, tokens / t) : tokens }
    var hiddenBytes: Double { Double(tokens) * Double(h) * act.bytes }

    /// The linear layers of one layer on one rank as (n, k), m = tokens: QKV (column-parallel),
    /// output projection (row-parallel), MLP up (gate and up together when gated), MLP down.
    var linears: [(n: Int, k: Int)] {
        let qkv = (h + 2 * model.kvDim) / t
        let f = model.ffn / t
        return [(qkv, h), (h, h / t), ((model.gated ? 2 : 1) * f, h), (h, f)]
    }

    // MARK: Layer

    /// One layer's forward: norm → QKV → attention → output projection → (all-reduce) →
    /// dropout/residual → norm → MLP up → activation → MLP down → (all-reduce) → dropout/residual.
    public func layerForward() -> PassKernels {
        var p = PassKernels()
        let e = tokens
        let heads = model.heads / t
        let normOp: RowWise.Op = model.norm == .layernorm ? .layernorm : .rmsnorm
        let f = model.ffn / t
        for (index, linear) in linears.enumerated() {
            if index == 0 || index == 2 {
                p.add(.rowwise(RowWise(normOp, rows: localTokens, cols: h, dtype: act)), .memoryBound)
                if settings.sequenceParallel { p.comm(.allGather, bytes: hiddenBytes) }
            }
            p.add(.gemm(GEMM(m: e, n: linear.n, k: linear.k, dtype: mm)), .gemm)
            if eager && model.bias { p.add(.elementwise(Elementwise(name: "add", elements: e * linear.n, inputs: 2, dtype: act)), .memoryBound) }
            switch index {
            case 0:
                if model.position == .rope {
                    let qk = e * (h + model.kvDim) / t
                    if eager {
                        p.add(.elementwise(Elementwise(name: "mul", elements: qk, inputs: 2, dtype: act)), .memoryBound, count: 2)
                        p.add(.elementwise(Elementwise(name: "add", elements: qk, inputs: 2, dtype: act)), .memoryBound)
                    } else {
                        p.add(.elementwise(Elementwise(name: "rope", elements: qk, inputs: 1, flopsPerElement: 3, dtype: act)), .memoryBound)
                    }
                }
                p.kernels += attentionForward(heads: heads).kernels
            case 1, 3:
                if t > 1 { p.comm(settings.sequenceParallel ? .reduceScatter : .allReduce, bytes: hiddenBytes) }
                p.kernels += residual(elements: localTokens * h).kernels
            case 2:
                if model.gated {
                    if eager {
                        p.add(.elementwise(Elementwise(name: "silu", elements: e * f, dtype: act)), .memoryBound)
                        p.add(.elementwise(Elementwise(name: "mul", elements: e * f, inputs: 2, dtype: act)), .memoryBound)
                    } else {
                        p.add(.elementwise(Elementwise(name: "swiglu", elements: e * f, inputs: 2, dtype: act)), .memoryBound)
                    }
                } else {
                    p.add(.elementwise(Elementwise(name: model.ffnKind == .relu ? "relu" : "gelu", elements: e * f, dtype: act)), .memoryBound)
                }
            default: break
            }
        }
        return p
    }

    /// Dropout and residual add after a sub-block: fused into one pass in compiled mode.
    func residual(elements: Int) -> PassKernels {
        var p = PassKernels()
        if eager {
            if model.dropout { p.add(.elementwise(Elementwise(name: "dropout", elements: elements, inputs: 1, outputs: 2, dtype: act)), .memoryBound) }
            p.add(.elementwise(Elementwise(name: "add", elements: elements, inputs: 2, dtype: act)), .memoryBound)
        } else {
            p.add(.elementwise(Elementwise(name: model.dropout ? "bias_dropout_add" : "add", elements: elements, inputs: 2,
                                           outputs: model.dropout ? 2 : 1, flopsPerElement: model.dropout ? 4 : 1, dtype: act)), .memoryBound)
        }
        return p
    }

    var attentionHeads: (heads: Int, kv: Int) { (model.heads / t, max(1, model.kvHeads / t)) }

    /// The attention core forward: one flash kernel, or QKᵀ, (scale, mask,) softmax, dropout and
    /// P·V as separate kernels whose score matrix goes through memory (unfused, as Megatron-LM
    /// 2021 ran it with its fused scale-mask-softmax kernel; the full s² is computed, then masked).
    public func attentionForward(heads: Int) -> PassKernels {
        var p = PassKernels()
        let (hq, hkv) = attentionHeads
        if !unfused {
            p.add(.attention(Attention(batch: b, heads: hq, kvHeads: hkv, seq: s, headDim: model.headDim, causal: model.causal,
                                       impl: .flash, pass: .fwd, dtype: act)), .attention)
            return p
        }
        let scores = b * hq * s * s
        p.add(.gemm(GEMM(m: s, n: s, k: model.headDim, batch: b * hq, dtype: mm)), .attention)
        if eager {
            p.add(.elementwise(Elementwise(name: "scale", elements: scores, dtype: act)), .attention)
            if model.causal { p.add(.elementwise(Elementwise(name: "mask", elements: scores, inputs: 2, dtype: act)), .attention) }
        }
        p.add(.rowwise(RowWise(.softmax, rows: b * hq * s, cols: s, dtype: act)), .attention)
        if model.dropout { p.add(.elementwise(Elementwise(name: "dropout", elements: scores, inputs: 1, outputs: 2, dtype: act)), .attention) }
        p.add(.gemm(GEMM(m: s, n: model.headDim, k: s, batch: b * hq, dtype: mm)), .attention)
        return p
    }

    /// The attention core backward: flash backward, or four batched GEMMs around the softmax and
    /// dropout backward.
    public func attentionBackward() -> PassKernels {
        var p = PassKernels()
        let (hq, hkv) = attentionHeads
        if !unfused {
            p.add(.attention(Attention(batch: b, heads: hq, kvHeads: hkv, seq: s, headDim: model.headDim, causal: model.causal,
                                       impl: .flash, pass: .bwd, dtype: act)), .attention)
            return p
        }
        let scores = b * hq * s * s
        let d = model.headDim
        p.add(.gemm(GEMM(m: s, n: s, k: d, batch: b * hq, dtype: mm)), .attention)      // dP = dO·Vᵀ
        p.add(.gemm(GEMM(m: s, n: d, k: s, batch: b * hq, dtype: mm)), .attention)      // dV = Pᵀ·dO
        if model.dropout { p.add(.elementwise(Elementwise(name: "dropout", elements: scores, inputs: 2, dtype: act)), .attention) }
        p.add(.rowwise(RowWise(.softmax, rows: b * hq * s, cols: s, pass: .bwd, dtype: act)), .attention)
        p.add(.gemm(GEMM(m: s, n: d, k: s, batch: b * hq, dtype: mm)), .attention)      // dQ = dS·K
        p.add(.gemm(GEMM(m: s, n: d, k: s, batch: b * hq, dtype: mm)), .attention)      // dK = dSᵀ·Q
        return p
    }

    /// One layer's backward: dgrad and wgrad of each linear, attention backward, norm, activation
    /// and dropout backward, and the tensor-parallel collectives mirrored (all-reduce of the
    /// input gradient of each column-parallel block, or all-gather/reduce-scatter with SP).
    public func layerBackward() -> PassKernels {
        var p = PassKernels()
        let e = tokens
        let normOp: RowWise.Op = model.norm == .layernorm ? .layernorm : .rmsnorm
        let f = model.ffn / t
        for linear in linears {
            p.add(.gemm(GEMM(m: e, n: linear.k, k: linear.n, dtype: mm)), .gemm)                     // dX = dY·Wᵀ
            p.add(.gemm(GEMM(m: linear.k, n: linear.n, k: e, transA: true, dtype: mm)), .gemm)       // dW = Xᵀ·dY
            if model.bias && eager { p.add(.reduction(Reduction(elements: e * linear.n, outputs: linear.n, dtype: act)), .memoryBound) }
        }
        p.kernels += attentionBackward().kernels
        if model.position == .rope {
            p.add(.elementwise(Elementwise(name: "rope", elements: e * (h + model.kvDim) / t, inputs: 1, flopsPerElement: 3, dtype: act)), .memoryBound)
        }
        p.add(.elementwise(Elementwise(name: model.gated ? "swiglu" : "gelu", elements: e * f, inputs: model.gated ? 3 : 2,
                                       outputs: model.gated ? 2 : 1, dtype: act)), .memoryBound)
        p.add(.rowwise(RowWise(normOp, rows: localTokens, cols: h, pass: .bwd, dtype: act)), .memoryBound, count: 2)
        // Residual gradient adds and dropout backward after each sub-block.
        let dropoutOps: Double = model.dropout ? 1 : 0
        p.add(.elementwise(Elementwise(name: "add", elements: localTokens * h, inputs: 2, dtype: act)), .memoryBound,
              count: eager ? 2 + 2 * dropoutOps : 2)
        if t > 1 {
            if settings.sequenceParallel {
                p.comm(.allGather, bytes: hiddenBytes, count: 2)
                p.comm(.reduceScatter, bytes: hiddenBytes, count: 2)
            } else {
                p.comm(.allReduce, bytes: hiddenBytes, count: 2)
            }
        }
        return p
    }

    /// What backward runs again under the recompute policy: nothing; the attention core forward
    /// (selective; a flash kernel already recomputes its scores, so only unfused attention pays);
    /// or the whole layer forward with its collectives (full).
    public func layerRecompute() -> PassKernels {
        switch settings.recompute {
        case .none: return PassKernels()
        case .selective: return unfused ? attentionForward(heads: model.heads / t) : PassKernels()
        case .full: return layerForward()
        }
    }

    // MARK: Input and output sides

    /// Embedding lookup (vocabulary-parallel: an all-reduce of the hidden states over the
    /// tensor-parallel group), learned positions, dropout; or the ViT patch projection.
    public func inputForward() -> PassKernels {
        var p = PassKernels()
        if let image = model.image {
            p.add(.gemm(GEMM(m: b * image.patches, n: h, k: image.channels * image.patch * image.patch, dtype: mm)), .gemm)
            p.add(.elementwise(Elementwise(name: "add", elements: tokens * h, inputs: 2, dtype: act)), .memoryBound)
            return p
        }
        p.add(.embedding(Embedding(tokens: tokens, dModel: h, vocab: model.vocab / t, dtype: act)), .memoryBound)
        if t > 1 { p.comm(settings.sequenceParallel ? .reduceScatter : .allReduce, bytes: hiddenBytes) }
        if model.position == .learned {
            p.add(.elementwise(Elementwise(name: "add", elements: localTokens * h, inputs: 2, dtype: act)), .memoryBound)
        }
        if model.dropout && eager { p.add(.elementwise(Elementwise(name: "dropout", elements: localTokens * h, outputs: 2, dtype: act)), .memoryBound) }
        return p
    }

    public func inputBackward() -> PassKernels {
        var p = PassKernels()
        if let image = model.image {
            p.add(.gemm(GEMM(m: image.channels * image.patch * image.patch, n: h, k: b * image.patches, transA: true, dtype: mm)), .gemm)
            return p
        }
        if t > 1 && settings.sequenceParallel { p.comm(.allGather, bytes: hiddenBytes) }
        p.add(.embedding(Embedding(tokens: tokens, dModel: h, vocab: model.vocab / t, pass: .bwd, dtype: act)), .memoryBound)
        return p
    }

    /// Rows the output head sees: every token for a language model, the class token for ViT.
    var headRows: Int { model.image == nil ? tokens : b }

    /// Final norm, the output projection over the (vocabulary-parallel) vocabulary and the
    /// softmax cross-entropy in fp32 (its max and sum all-reduced over tensor-parallel ranks).
    public func outputForward() -> PassKernels {
        var p = PassKernels()
        let normOp: RowWise.Op = model.norm == .layernorm ? .layernorm : .rmsnorm
        let v = model.image == nil ? model.vocab / t : model.vocab
        p.add(.rowwise(RowWise(normOp, rows: localTokens, cols: h, dtype: act)), .memoryBound)
        if t > 1 && settings.sequenceParallel { p.comm(.allGather, bytes: hiddenBytes) }
        p.add(.gemm(GEMM(m: headRows, n: v, k: h, dtype: mm)), .gemm)
        p.add(.rowwise(RowWise(.softmax, rows: headRows, cols: v, dtype: .fp32)), .memoryBound)
        if t > 1 && model.image == nil { p.comm(.allReduce, bytes: Double(headRows) * 4, count: 3) }
        return p
    }

    public func outputBackward() -> PassKernels {
        var p = PassKernels()
        let normOp: RowWise.Op = model.norm == .layernorm ? .layernorm : .rmsnorm
        let v = model.image == nil ? model.vocab / t : model.vocab
        p.add(.rowwise(RowWise(.softmax, rows: headRows, cols: v, pass: .bwd, dtype: .fp32)), .memoryBound)
        p.add(.gemm(GEMM(m: headRows, n: h, k: v, dtype: mm)), .gemm)
        p.add(.gemm(GEMM(m: h, n: v, k: headRows, transA: true, dtype: mm)), .gemm)
        if t > 1 { p.comm(settings.sequenceParallel ? .reduceScatter : .allReduce, bytes: hiddenBytes) }
        p.add(.rowwise(RowWise(normOp, rows: localTokens, cols: h, pass: .bwd, dtype: act)), .memoryBound)
        return p
    }

    // MARK: Parameters on one tensor-parallel rank

    /// A layer's parameters on one rank: the matrices split over tp; norms (and, with the row-
    /// parallel biases, a small part of the biases) replicated, counted whole for simplicity.
    public var layerParametersPerRank: Double { model.layerMatrixParameters / Double(t) + model.layerVectorParameters }
    public var largestWeightPerRank: Double { Double(linears.map { $0.n * $0.k }.max() ?? 0) }
    public var inputParametersPerRank: Double {
        model.image == nil ? Double(model.vocab) * Double(h) / Double(t) + (model.inputParameters - Double(model.vocab) * Double(h))
                           : model.inputParameters
    }
    /// The head held by the last stage: its own matrix when untied, a copy of the embedding when
    /// tied and the pipeline puts it on another device (Megatron keeps both copies in sync).
    public func outputParametersPerRank(pipelined: Bool) -> Double {
        let finalNorm = model.norm == .layernorm ? 2 * Double(h) : Double(h)
        if model.image != nil { return model.outputParameters }
        if !model.tiedEmbeddings || pipelined { return finalNorm + Double(model.vocab) * Double(h) / Double(t) }
        return finalNorm
    }
}
