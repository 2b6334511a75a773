import Ridgeline

/// Expands a transformer into the kernels of one micro-batch on one tensor-parallel rank
/// (Megatron-LM's partitioning, Shoeybi et al. 2019): QKV and MLP-up column-parallel, output
/// projection and MLP-down row-parallel, attention heads split over ranks, vocabulary-parallel
/// embedding and loss.
///
/// Backward: every forward GEMM Y = X·W gives two, dX = dY·Wᵀ and dW = Xᵀ·dY, with the same
/// FLOPs each; so backward GEMMs are twice the forward (the 6·N·tokens rule: Kaplan et al. 2020).
/// `compiled` fuses element-wise chains the way Megatron's fused kernels and torch.compile do
/// (bias-gelu, bias-dropout-add); `eager` issues each op separately.
///
/// Context parallelism (`cp`) gives each rank s/cp of every sequence; mixture-of-experts layers
/// route tokens to expert GEMMs over the expert-parallel group (`moeLayerForward`); fp8 adds
/// Transformer Engine's casts; LoRA drops the base weights' gradient GEMMs and adds adapters.
public struct TransformerKernels: Sendable {
    public let model: TransformerModel
    public let settings: KernelSettings
    /// Routed tokens the busiest expert-parallel rank receives over its even share (1: balanced;
    /// `LayerCosts` passes min(capacity factor, assumed imbalance)).
    public let expertLoad: Double

    /// Apply the shape rule of Megatron's fused scale-mask-softmax (`fusedSoftmaxRuns`); off: the
    /// fused kernel is assumed whenever the unfused attention core is compiled.
    public var megatronSoftmaxRule = false

    public init(model: TransformerModel, settings: KernelSettings, expertLoad: Double = 1) {
        self.model = model; self.settings = settings; self.expertLoad = expertLoad
    }

    var t: Int { settings.tp }
    var b: Int { settings.microBatch }
    var cp: Int { max(1, settings.cp) }
    /// This rank's share of each sequence (the whole sequence without context parallelism).
    var s: Int { max(1, model.tokens(seq: settings.seq) / cp) }
    /// Tokens of the micro-batch on this rank.
    var tokens: Int { b * s }
    var h: Int { model.dModel }
    var act: DType { settings.precision.activationDType }
    var mm: DType { settings.precision.gemmDType }
    /// The output head's GEMMs run in 16 bits under fp8: Transformer Engine's fp8 autocast covers
    /// only its own modules, and the head is not one (Megatron-core's `output_layer` is a
    /// `tensor_parallel.ColumnParallelLinear`, Hugging Face/llm-foundry's `lm_head` an `nn.Linear`;
    /// TE's fp8 guidance keeps the last layer in higher precision).
    var headMM: DType { fp8 ? act : mm }
    var eager: Bool { settings.mode == .eager }
    var unfused: Bool { !settings.flashAttention }
    var fp8: Bool { settings.precision == .fp8 }
    var lora: LoRA? { settings.finetune.lora }
    /// LoRA: the base weights get no gradient.
    var frozen: Bool { lora != nil }
    /// Tokens each rank holds outside the tensor-parallel regions (sequence parallelism splits them).
    var localTokens: Int { settings.sequenceParallel ? max(1, tokens / t) : tokens }
    var hiddenBytes: Double { Double(tokens) * Double(h) * act.bytes }
    var autocast: Bool { settings.autocastFP32Parameters && act.bytes == 2 }
    /// The residual stream's dtype: fp32 under autocast over fp32 parameters, else the activations'.
    var stream: DType { autocast ? .fp32 : act }

    /// A norm over the residual stream feeding a linear layer; under autocast the norm runs in
    /// fp32 and the linear layer casts its input to 16 bits (read 4 bytes, write 2).
    func normForward(_ p: inout PassKernels) {
        p.add(.rowwise(RowWise(normOp, rows: localTokens, cols: h, dtype: stream)), .memoryBound)
        if autocast {
            p.add(.elementwise(Elementwise(name: "cast", elements: localTokens * h, inputs: 2, outputs: 1, dtype: act)), .memoryBound)
        }
    }

    /// The norm's backward; under autocast the 16-bit input gradient of the linear layer is cast
    /// back to fp32 first (read 2 bytes, write 4).
    func normBackward(_ p: inout PassKernels) {
        if autocast {
            p.add(.elementwise(Elementwise(name: "cast", elements: localTokens * h, inputs: 1, outputs: 2, dtype: act)), .memoryBound)
        }
        p.add(.rowwise(RowWise(normOp, rows: localTokens, cols: h, pass: .bwd, dtype: stream)), .memoryBound)
    }
    var normOp: RowWise.Op { model.norm == .layernorm ? .layernorm : .rmsnorm }

    /// The linear layers of one layer on one rank as (n, k), m = tokens: QKV (column-parallel),
    /// output projection (row-parallel), MLP up (gate and up together when gated), MLP down.
    /// With MLA the QKV entry is unused (`latentProjectionsForward`) and O reads H·v_head_dim.
    var linears: [(n: Int, k: Int)] {
        let qkv = (h + 2 * model.kvDim) / t
        let f = model.ffn / t
        let attentionOut = model.mla.map { model.heads * $0.vHeadDim } ?? h
        return [(qkv, h), (h, attentionOut / t), ((model.gated ? 2 : 1) * f, h), (h, f)]
    }

    /// Per-rank width that rotary embeddings touch per token: Q and K heads (MLA: only the rope
    /// part of each query head and the one shared rope key).
    var ropeWidth: Int {
        guard let mla = model.mla else { return (h + model.kvDim) / t }
        return model.heads * mla.qkRopeDim / t + mla.qkRopeDim
    }

    // MARK: Building blocks

    /// Y = X·W forward, with Transformer Engine's fp8 cast of X (amax, scale, cast and the
    /// transposed copy the wgrad GEMM needs, one fused pass: TE `cast_transpose`; Micikevicius et
    /// al. 2022, "FP8 Formats for Deep Learning"). Weights are cast once per step (optimizer).
    /// The fp8 forward GEMM accumulates fast: TE's `_2X_ACC_FPROP = False`
    /// (transformer_engine/pytorch/module/base.py), as inference engines do.
    func gemmForward(_ p: inout PassKernels, m: Int, n: Int, k: Int, batch: Int = 1, category: CostCategory = .gemm) {
        if fp8 { p.add(.elementwise(Elementwise(name: "fp8_cast_transpose", elements: m * k * batch, dtype: act)), .memoryBound) }
        p.add(.gemm(GEMM(m: m, n: n, k: k, batch: batch, dtype: mm, fastAccumulation: fp8)), category)
    }

    /// dX = dY·Wᵀ and, unless the weight is frozen, dW = Xᵀ·dY; fp8 casts dY first. Both fp8
    /// gradient GEMMs promote their partial sums to FP32 (TE's `_2X_ACC_DGRAD`, `_2X_ACC_WGRAD` = True).
    func gemmBackward(_ p: inout PassKernels, m: Int, n: Int, k: Int, batch: Int = 1, frozenWeight: Bool) {
        if fp8 { p.add(.elementwise(Elementwise(name: "fp8_cast_transpose", elements: m * n * batch, dtype: act)), .memoryBound) }
        p.add(.gemm(GEMM(m: m, n: k, k: n, batch: batch, dtype: mm)), .gemm)  // dX = dY·Wᵀ
        if !frozenWeight {
            p.add(.gemm(GEMM(m: k, n: n, k: m, batch: batch, transA: true, dtype: mm)), .gemm)  // dW = Xᵀ·dY
            if settings.fusedWeightGradientAccumulation { mainGradAccumulate(&p, elements: k * n * batch) }
        }
    }

    /// The fp32 `main_grad` traffic a fused weight-gradient accumulation adds to the GEMM's own
    /// store of dW (`KernelSettings.fusedWeightGradientAccumulation`): the epilogue reads 4 bytes
    /// and writes 4 per element where the GEMM is priced writing `mm.bytes`, so 4 + 4 − mm.bytes
    /// more bytes per element, listed as a pass over byte-sized elements (its time is bandwidth,
    /// as the GEMM epilogue's is: see `Roofline.epilogueTraffic`).
    func mainGradAccumulate(_ p: inout PassKernels, elements: Int) {
        let written = 4 - Int(mm.bytes)
        p.add(
            .elementwise(
                Elementwise(
                    name: "main_grad_accumulate", elements: elements, inputs: 4, outputs: written, flopsPerElement: 0.25, dtype: .fp8)),
            .memoryBound)
    }

    /// LoRA adapters (A: k×r, B: r×n) of the targets on one rank, as (k, n) per adapter: column-
    /// parallel targets keep A whole and split B's n, row-parallel ones split A's k.
    func adapters(_ targets: [LoRA.Target]) -> [(k: Int, n: Int)] {
        guard let lora else { return [] }
        let kvOut = model.kvDim / t, f = model.ffn / t
        return targets.filter { lora.adapts($0) }.map { target in
            switch target {
            case .q: return (h, h / t)
            case .k, .v: return (h, kvOut)
            case .o: return (h / t, h)
            case .gate, .up: return (h, f)
            case .down: return (f, h)
            }
        }
    }

    /// Adapter forward: X·A (m×r) then (X·A)·B (m×n), in the activation dtype (PEFT runs them unquantised).
    /// What follows a linear layer's GEMM over the micro-batch's tokens: the bias add that eager
    /// mode issues as a kernel of its own (compiled mode fuses it into the GEMM's epilogue), then
    /// the LoRA adapters on that layer.
    func linearEpilogue(_ p: inout PassKernels, width n: Int, adapters targets: [LoRA.Target]) {
        if eager && model.bias { p.add(.elementwise(Elementwise(name: "add", elements: tokens * n, inputs: 2, dtype: act)), .memoryBound) }
        adapterForward(&p, targets)
    }

    func adapterForward(_ p: inout PassKernels, _ targets: [LoRA.Target]) {
        guard let r = lora?.rank else { return }
        for a in adapters(targets) {
            p.add(.gemm(GEMM(m: tokens, n: r, k: a.k, dtype: act)), .gemm)
            p.add(.gemm(GEMM(m: tokens, n: a.n, k: r, dtype: act)), .gemm)
        }
    }

    /// Adapter backward: the input gradient through B and A, and both adapters' weight gradients.
    func adapterBackward(_ p: inout PassKernels, _ targets: [LoRA.Target]) {
        guard let r = lora?.rank else { return }
        for a in adapters(targets) {
            p.add(.gemm(GEMM(m: tokens, n: r, k: a.n, dtype: act)), .gemm)  // dH = dY·Bᵀ
            p.add(.gemm(GEMM(m: tokens, n: a.k, k: r, dtype: act)), .gemm)  // dX += dH·Aᵀ
            p.add(.gemm(GEMM(m: r, n: a.n, k: tokens, transA: true, dtype: act)), .gemm)  // dB
            p.add(.gemm(GEMM(m: a.k, n: r, k: tokens, transA: true, dtype: act)), .gemm)  // dA
        }
    }

    // MARK: Layer

    /// One layer's forward: norm → QKV → attention → output projection → (all-reduce) →
    /// dropout/residual → norm → MLP (dense, or routed experts in an MoE layer) → (all-reduce) →
    /// dropout/residual.
    public func layerForward(moe: Bool = false) -> PassKernels {
        attentionBlockForward() + (moe ? moeBlockForward() : mlpBlockForward())
    }

    /// One layer's backward: dgrad and wgrad of each linear, attention backward, norm, activation
    /// and dropout backward, and the tensor-parallel collectives mirrored (all-reduce of the
    /// input gradient of each column-parallel block, or all-gather/reduce-scatter with SP).
    public func layerBackward(moe: Bool = false) -> PassKernels {
        attentionBlockBackward() + (moe ? moeBlockBackward() : mlpBlockBackward())
    }

    /// What backward runs again under the recompute policy: nothing; the attention core forward
    /// (selective; a flash kernel already recomputes its scores, so only unfused attention pays);
    /// or the whole layer forward with its collectives (full).
    public func layerRecompute(moe: Bool = false) -> PassKernels {
        switch settings.recompute {
        case .none: return PassKernels()
        case .selective: return unfused ? attentionForward(heads: model.heads / t) : PassKernels()
        case .full: return layerForward(moe: moe)
        }
    }

    func attentionBlockForward() -> PassKernels {
        var p = PassKernels()
        let e = tokens
        let heads = model.heads / t
        normForward(&p)
        if settings.sequenceParallel { p.comm(.allGather, bytes: hiddenBytes) }
        let qkv = linears[0], out = linears[1]
        if model.mla != nil {
            p = p + latentProjectionsForward()
        } else {
            gemmForward(&p, m: e, n: qkv.n, k: qkv.k)
        }
        linearEpilogue(&p, width: qkv.n, adapters: [.q, .k, .v])
        if model.position == .rope {
            let qk = e * ropeWidth
            if eager {
                p.add(.elementwise(Elementwise(name: "mul", elements: qk, inputs: 2, dtype: act)), .memoryBound, count: 2)
                p.add(.elementwise(Elementwise(name: "add", elements: qk, inputs: 2, dtype: act)), .memoryBound)
            } else {
                p.add(.elementwise(Elementwise(name: "rope", elements: qk, inputs: 1, flopsPerElement: 3, dtype: act)), .memoryBound)
            }
        }
        p = p + attentionForward(heads: heads)
        gemmForward(&p, m: e, n: out.n, k: out.k)
        linearEpilogue(&p, width: out.n, adapters: [.o])
        if t > 1 { p.comm(settings.sequenceParallel ? .reduceScatter : .allReduce, bytes: hiddenBytes) }
        p.kernels += residual(elements: localTokens * h).kernels
        return p
    }

    func mlpBlockForward() -> PassKernels {
        var p = PassKernels()
        let e = tokens, f = model.ffn / t
        normForward(&p)
        if settings.sequenceParallel { p.comm(.allGather, bytes: hiddenBytes) }
        let up = linears[2], down = linears[3]
        gemmForward(&p, m: e, n: up.n, k: up.k)
        linearEpilogue(&p, width: up.n, adapters: [.gate, .up])
        p.kernels += activation(elements: e * f).kernels
        gemmForward(&p, m: e, n: down.n, k: down.k)
        linearEpilogue(&p, width: down.n, adapters: [.down])
        if t > 1 { p.comm(settings.sequenceParallel ? .reduceScatter : .allReduce, bytes: hiddenBytes) }
        p.kernels += residual(elements: localTokens * h).kernels
        return p
    }

    func activation(elements: Int) -> PassKernels {
        var p = PassKernels()
        if model.gated {
            if eager {
                p.add(.elementwise(Elementwise(name: "silu", elements: elements, dtype: act)), .memoryBound)
                p.add(.elementwise(Elementwise(name: "mul", elements: elements, inputs: 2, dtype: act)), .memoryBound)
            } else {
                p.add(.elementwise(Elementwise(name: "swiglu", elements: elements, inputs: 2, dtype: act)), .memoryBound)
            }
        } else {
            p.add(.elementwise(Elementwise(name: model.ffnKind == .relu ? "relu" : "gelu", elements: elements, dtype: act)), .memoryBound)
        }
        return p
    }

    /// Compiled: one fused kernel. Eager gated units run autograd's kernels for
    /// `silu(gate) · up` after the chunk of one linear layer's output: the product's backward (two
    /// multiplies), silu's backward, and the chunk's backward, which concatenates the two
    /// gradients into the linear layer's output gradient (read both, write both).
    func activationBackward(elements: Int) -> PassKernels {
        var p = PassKernels()
        if model.gated && eager {
            p.add(.elementwise(Elementwise(name: "mul", elements: elements, inputs: 2, dtype: act)), .memoryBound, count: 2)
            p.add(.elementwise(Elementwise(name: "silu", elements: elements, inputs: 2, dtype: act)), .memoryBound)
            p.add(.copy(Copy(elements: 2 * elements, dtype: act)), .memoryBound)
            return p
        }
        p.add(
            .elementwise(
                Elementwise(
                    name: model.gated ? "swiglu" : "gelu", elements: elements, inputs: model.gated ? 3 : 2,
                    outputs: model.gated ? 2 : 1, dtype: act)), .memoryBound)
        return p
    }

    /// Dropout and residual add after a sub-block: fused into one pass in compiled mode.
    func residual(elements: Int) -> PassKernels {
        var p = PassKernels()
        if eager {
            if model.dropout {
                p.add(.elementwise(Elementwise(name: "dropout", elements: elements, inputs: 1, outputs: 2, dtype: act)), .memoryBound)
            }
            // Under autocast: the fp32 stream plus the 16-bit branch, written as fp32 (4 + 2
            // bytes read, 4 written: five 16-bit element passes).
            p.add(
                .elementwise(
                    autocast
                        ? Elementwise(name: "add", elements: elements, inputs: 3, outputs: 2, dtype: act)
                        : Elementwise(name: "add", elements: elements, inputs: 2, dtype: act)), .memoryBound)
        } else {
            p.add(
                .elementwise(
                    Elementwise(
                        name: model.dropout ? "bias_dropout_add" : "add", elements: elements, inputs: 2,
                        outputs: model.dropout ? 2 : 1, flopsPerElement: model.dropout ? 4 : 1, dtype: act)), .memoryBound)
        }
        return p
    }

    /// Norm backward, residual gradient add (and dropout backward when eager), and the
    /// sub-block's tensor-parallel collectives, for one of the two sub-blocks of a layer.
    func subBlockBackwardTail(_ p: inout PassKernels) {
        normBackward(&p)
        let dropoutOps: Double = model.dropout ? 1 : 0
        p.add(
            .elementwise(Elementwise(name: "add", elements: localTokens * h, inputs: 2, dtype: stream)), .memoryBound,
            count: eager ? 1 + dropoutOps : 1)
        if t > 1 {
            if settings.sequenceParallel {
                p.comm(.allGather, bytes: hiddenBytes)
                p.comm(.reduceScatter, bytes: hiddenBytes)
            } else {
                p.comm(.allReduce, bytes: hiddenBytes)
            }
        }
    }

    func linearBackward(_ p: inout PassKernels, _ linear: (n: Int, k: Int)) {
        gemmBackward(&p, m: tokens, n: linear.n, k: linear.k, frozenWeight: frozen)
        if model.bias && eager && !frozen {
            p.add(.reduction(Reduction(elements: tokens * linear.n, outputs: linear.n, dtype: act)), .memoryBound)
        }
    }

    func attentionBlockBackward() -> PassKernels {
        var p = PassKernels()
        if model.mla != nil { p = p + latentProjectionsBackward() } else { linearBackward(&p, linears[0]) }
        linearBackward(&p, linears[1])
        adapterBackward(&p, [.q, .k, .v, .o])
        p = p + attentionBackward()
        if model.position == .rope {
            p.add(
                .elementwise(Elementwise(name: "rope", elements: tokens * ropeWidth, inputs: 1, flopsPerElement: 3, dtype: act)),
                .memoryBound)
        }
        subBlockBackwardTail(&p)
        return p
    }

    func mlpBlockBackward() -> PassKernels {
        var p = PassKernels()
        linearBackward(&p, linears[2])
        linearBackward(&p, linears[3])
        adapterBackward(&p, [.gate, .up, .down])
        p.kernels += activationBackward(elements: tokens * model.ffn / t).kernels
        subBlockBackwardTail(&p)
        return p
    }
}
