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
    func gemmForward(_ p: inout PassKernels, m: Int, n: Int, k: Int, batch: Int = 1, category: CostCategory = .gemm) {
        if fp8 { p.add(.elementwise(Elementwise(name: "fp8_cast_transpose", elements: m * k * batch, dtype: act)), .memoryBound) }
        p.add(.gemm(GEMM(m: m, n: n, k: k, batch: batch, dtype: mm)), category)
    }

    /// dX = dY·Wᵀ and, unless the weight is frozen, dW = Xᵀ·dY; fp8 casts dY first.
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

    // MARK: Attention core

    var attentionHeads: (heads: Int, kv: Int) { (model.heads / t, max(1, model.kvHeads / t)) }

    /// The flash kernels of this rank's attention. Without context parallelism one kernel over
    /// the sequence. With it, a ring of cp steps (Liu et al. 2023, Ring Attention; Megatron-core
    /// `context_parallel`): each rank keeps s/cp queries and sees every K/V block once. Causal
    /// masks are balanced as Megatron-core does it: each rank holds chunks i and 2cp−1−i of the
    /// sequence, so it runs one causal diagonal block and cp−1 blocks of which half the keys (or
    /// half the queries) count: every rank does 1/cp of the causal work (sum over ranks = unsplit).
    func flashKernels(_ pass: Pass, heads hq: Int, kv hkv: Int) -> PassKernels {
        var p = PassKernels()
        let d = model.headDim
        if cp == 1 {
            p.add(
                .attention(
                    Attention(
                        batch: b, heads: hq, kvHeads: hkv, seq: s, headDim: d, causal: model.causal,
                        impl: .flash, pass: pass, dtype: act)), .attention)
            return p
        }
        if model.causal {
            p.add(
                .attention(
                    Attention(
                        batch: b, heads: hq, kvHeads: hkv, seq: s, headDim: d, causal: true, impl: .flash,
                        pass: pass, dtype: act)), .attention)
            p.add(
                .attention(
                    Attention(
                        batch: b, heads: hq, kvHeads: hkv, seq: s, seqKV: max(1, s / 2), headDim: d, causal: false,
                        impl: .flash, pass: pass, dtype: act)), .attention, count: Double(cp - 1))
        } else {
            p.add(
                .attention(
                    Attention(
                        batch: b, heads: hq, kvHeads: hkv, seq: s, headDim: d, causal: false, impl: .flash,
                        pass: pass, dtype: act)), .attention, count: Double(cp))
        }
        // Each ring step sends this rank's K and V block on (backward: K, V and their gradients),
        // overlapped with the block being computed.
        let kvBlock = Double(b) * Double(s) * 2 * Double(hkv * d) * act.bytes
        p.comm(.sendRecv, bytes: kvBlock * (pass == .bwd ? 2 : 1), count: Double(cp - 1), group: .context, overlapsAttention: true)
        ringBookkeeping(&p, pass, heads: hq, kv: hkv)
        return p
    }

    /// What the ring adds around its attention blocks, as Transformer Engine's
    /// `AttnFuncWithCPAndKVP2P` runs it (transformer_engine/pytorch/attention.py, v1.10): separate
    /// PyTorch kernels over the rank's Q, O and K/V, priced for the last rank of the ring, whose
    /// every step sees a whole block (it sets the pace of the ring).
    /// Forward: K and V concatenated into the send buffer (`torch.cat`), the output zero-filled,
    /// each step's partial output merged into it by its log-sum-exp (`flash_attn_fwd_out_correction`:
    /// read the step's output and the running one, write it back), and each off-diagonal step's
    /// half of K/V made contiguous for the kernel. Backward: K/V copied into the send buffer, dQ
    /// copied then accumulated per step (`dq.copy_`, `dq.add_`), dK/dV accumulated per step in
    /// the buffer that travels on (`dkv.copy_`, `dkv.add_`).
    func ringBookkeeping(_ p: inout PassKernels, _ pass: Pass, heads hq: Int, kv hkv: Int) {
        let d = model.headDim
        let q = b * s * hq * d, kv = b * s * 2 * hkv * d
        p.add(.copy(Copy(elements: kv, dtype: act)), .memoryBound)
        if pass == .fwd {
            p.add(.elementwise(Elementwise(name: "fill", elements: q, inputs: 0, outputs: 1, dtype: act)), .memoryBound)
            p.add(
                .elementwise(Elementwise(name: "out_correction", elements: q, inputs: 2, outputs: 1, flopsPerElement: 2, dtype: act)),
                .memoryBound, count: Double(cp))
            if model.causal { p.add(.copy(Copy(elements: kv / 2, dtype: act)), .memoryBound, count: Double(cp - 1)) }
        } else {
            p.add(.copy(Copy(elements: q, dtype: act)), .memoryBound)
            p.add(.elementwise(Elementwise(name: "add", elements: q, inputs: 2, dtype: act)), .memoryBound, count: Double(cp - 1))
            p.add(.copy(Copy(elements: kv, dtype: act)), .memoryBound)
            p.add(.elementwise(Elementwise(name: "add", elements: kv, inputs: 2, dtype: act)), .memoryBound, count: Double(cp - 1))
        }
    }

    /// The attention core forward: flash kernel(s), or QKᵀ, (scale, mask,) softmax, dropout and
    /// P·V as separate kernels whose score matrix goes through memory (unfused, as Megatron-LM
    /// 2021 ran it with its fused scale-mask-softmax kernel; the full s² is computed, then masked).
    public func attentionForward(heads: Int) -> PassKernels {
        var p = PassKernels()
        let (hq, hkv) = attentionHeads
        if !unfused { return flashKernels(.fwd, heads: hq, kv: hkv) }
        let scores = b * hq * s * s
        p.add(.gemm(GEMM(m: s, n: s, k: model.headDim, batch: b * hq, dtype: mm)), .attention)
        if eager {
            p.add(.elementwise(Elementwise(name: "scale", elements: scores, dtype: act)), .attention)
            if model.causal { p.add(.elementwise(Elementwise(name: "mask", elements: scores, inputs: 2, dtype: act)), .attention) }
        }
        if eager || fusedSoftmaxRuns(heads: hq) {
            p.add(.rowwise(RowWise(.softmax, rows: b * hq * s, cols: s, dtype: act)), .attention)
        } else {
            // PyTorch's path: cast up, scale, masked fill and softmax in fp32, cast back.
            p.add(.elementwise(Elementwise(name: "cast", elements: scores, inputs: 1, outputs: 2, dtype: act)), .attention)
            p.add(.elementwise(Elementwise(name: "scale", elements: scores, dtype: .fp32)), .attention)
            p.add(.elementwise(Elementwise(name: "mask", elements: scores, inputs: 2, dtype: .fp32)), .attention)
            p.add(.rowwise(RowWise(.softmax, rows: b * hq * s, cols: s, dtype: .fp32)), .attention)
            p.add(.elementwise(Elementwise(name: "cast", elements: scores, inputs: 2, outputs: 1, dtype: act)), .attention)
        }
        if model.dropout {
            p.add(.elementwise(Elementwise(name: "dropout", elements: scores, inputs: 1, outputs: 2, dtype: act)), .attention)
        }
        p.add(.gemm(GEMM(m: s, n: model.headDim, k: s, batch: b * hq, dtype: mm)), .attention)
        return p
    }

    /// Whether Megatron's fused scale-mask-softmax kernel runs for this rank's attention core.
    /// Its warp-per-row kernels need 16 < s ≤ 2048, s a multiple of 4 and micro-batch × heads per
    /// rank a multiple of 4 (`FusedScaleMaskSoftmax.forward`, Megatron-LM since 2021 and the
    /// Megatron-DeepSpeed fork); otherwise the layer falls back to PyTorch ops, five kernels in
    /// each direction instead of one, in fp32 (`softmax_in_fp32`, forced by query-key layer scaling).
    /// With 16 heads at tp 8 and micro-batch 1 (2 attention batches a rank) the fallback runs.
    func fusedSoftmaxRuns(heads hq: Int) -> Bool {
        guard megatronSoftmaxRule else { return true }
        return s > 16 && s <= 2048 && s % 4 == 0 && (b * hq) % 4 == 0
    }

    /// The attention core backward: flash backward, or four batched GEMMs around the softmax and
    /// dropout backward.
    public func attentionBackward() -> PassKernels {
        var p = PassKernels()
        let (hq, hkv) = attentionHeads
        if !unfused { return flashKernels(.bwd, heads: hq, kv: hkv) }
        let scores = b * hq * s * s
        let d = model.headDim
        p.add(.gemm(GEMM(m: s, n: s, k: d, batch: b * hq, dtype: mm)), .attention)  // dP = dO·Vᵀ
        p.add(.gemm(GEMM(m: s, n: d, k: s, batch: b * hq, dtype: mm)), .attention)  // dV = Pᵀ·dO
        if model.dropout { p.add(.elementwise(Elementwise(name: "dropout", elements: scores, inputs: 2, dtype: act)), .attention) }
        if eager || fusedSoftmaxRuns(heads: hq) {
            p.add(.rowwise(RowWise(.softmax, rows: b * hq * s, cols: s, pass: .bwd, dtype: act)), .attention)
        } else {
            // The autograd backwards of PyTorch's path: cast, softmax, masked fill, scale, cast.
            p.add(.elementwise(Elementwise(name: "cast", elements: scores, inputs: 1, outputs: 2, dtype: act)), .attention)
            p.add(.rowwise(RowWise(.softmax, rows: b * hq * s, cols: s, pass: .bwd, dtype: .fp32)), .attention)
            p.add(.elementwise(Elementwise(name: "mask", elements: scores, inputs: 2, dtype: .fp32)), .attention)
            p.add(.elementwise(Elementwise(name: "scale", elements: scores, dtype: .fp32)), .attention)
            p.add(.elementwise(Elementwise(name: "cast", elements: scores, inputs: 2, outputs: 1, dtype: act)), .attention)
        }
        p.add(.gemm(GEMM(m: s, n: d, k: s, batch: b * hq, dtype: mm)), .attention)  // dQ = dS·K
        p.add(.gemm(GEMM(m: s, n: d, k: s, batch: b * hq, dtype: mm)), .attention)  // dK = dSᵀ·Q
        return p
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
        p.add(.embedding(Embedding(tokens: tokens, dModel: h, vocab: model.vocab / t, dtype: stream)), .memoryBound)
        if t > 1 { p.comm(settings.sequenceParallel ? .reduceScatter : .allReduce, bytes: hiddenBytes) }
        if model.position == .learned {
            p.add(.elementwise(Elementwise(name: "add", elements: localTokens * h, inputs: 2, dtype: stream)), .memoryBound)
        }
        if model.dropout && eager {
            p.add(.elementwise(Elementwise(name: "dropout", elements: localTokens * h, outputs: 2, dtype: act)), .memoryBound)
        }
        return p
    }

    public func inputBackward() -> PassKernels {
        var p = PassKernels()
        if let image = model.image {
            if !frozen {
                p.add(
                    .gemm(GEMM(m: image.channels * image.patch * image.patch, n: h, k: b * image.patches, transA: true, dtype: mm)), .gemm)
            }
            return p
        }
        if t > 1 && settings.sequenceParallel { p.comm(.allGather, bytes: hiddenBytes) }
        // A frozen embedding table takes no gradient.
        if !frozen {
            p.add(.embedding(Embedding(tokens: tokens, dModel: h, vocab: model.vocab / t, pass: .bwd, dtype: stream)), .memoryBound)
        }
        return p
    }

    /// Rows the output head sees: every token for a language model, the class token for ViT.
    var headRows: Int { model.image == nil ? tokens : b }

    /// Final norm, the output projection over the (vocabulary-parallel) vocabulary and the
    /// softmax cross-entropy in fp32 (its max and sum all-reduced over tensor-parallel ranks).
    /// Eager mixed precision materialises the fp32 logits first: `F.cross_entropy` is on
    /// autocast's fp32 list (PyTorch docs, "Automatic Mixed Precision", CUDA ops that autocast to
    /// float32), so the 16-bit logits are cast (read 2 bytes, write 4 per element).
    public func outputForward() -> PassKernels {
        var p = PassKernels()
        let v = model.image == nil ? model.vocab / t : model.vocab
        normForward(&p)
        if t > 1 && settings.sequenceParallel { p.comm(.allGather, bytes: hiddenBytes) }
        p.add(.gemm(GEMM(m: headRows, n: v, k: h, dtype: headMM)), .gemm)
        if eager && act.bytes == 2 {
            p.add(.elementwise(Elementwise(name: "cast", elements: headRows * v, inputs: 1, outputs: 2, dtype: act)), .memoryBound)
        }
        p.add(.rowwise(RowWise(.softmax, rows: headRows, cols: v, dtype: .fp32)), .memoryBound)
        if t > 1 && model.image == nil { p.comm(.allReduce, bytes: Double(headRows) * 4, count: 3) }
        return p
    }

    /// Eager: `nll_loss` backward writes a dense fp32 gradient of the logits (zero-filled, then the
    /// targets scattered) before the log-softmax backward, and the cast's backward returns it to
    /// 16 bits (read 4 bytes, write 2).
    public func outputBackward() -> PassKernels {
        var p = PassKernels()
        let v = model.image == nil ? model.vocab / t : model.vocab
        let castLogits = eager && act.bytes == 2
        if castLogits {
            p.add(.elementwise(Elementwise(name: "fill", elements: headRows * v, inputs: 0, outputs: 1, dtype: .fp32)), .memoryBound)
        }
        p.add(.rowwise(RowWise(.softmax, rows: headRows, cols: v, pass: .bwd, dtype: .fp32)), .memoryBound)
        if castLogits {
            p.add(.elementwise(Elementwise(name: "cast", elements: headRows * v, inputs: 2, outputs: 1, dtype: act)), .memoryBound)
        }
        p.add(.gemm(GEMM(m: headRows, n: h, k: v, dtype: headMM)), .gemm)
        if !frozen { p.add(.gemm(GEMM(m: h, n: v, k: headRows, transA: true, dtype: headMM)), .gemm) }
        if t > 1 { p.comm(settings.sequenceParallel ? .reduceScatter : .allReduce, bytes: hiddenBytes) }
        normBackward(&p)
        return p
    }

    // MARK: Parameters on one tensor-parallel rank

    /// A layer's parameters on one rank: the matrices split over tp; norms (and, with the row-
    /// parallel biases, a small part of the biases) replicated, counted whole for simplicity.
    public var layerParametersPerRank: Double { model.layerMatrixParameters / Double(t) + model.layerVectorParameters }
    public var largestWeightPerRank: Double {
        let projections = model.mla == nil ? linears : [linears[1], linears[2], linears[3]] + latentProjections.up
        let dense = Double(projections.map { $0.n * $0.k }.max() ?? 0)
        guard model.moe != nil else { return dense }
        // The grouped expert weights are one module (Megatron's GroupedMLP).
        return max(dense, Double(localExperts) * Double((model.gated ? 2 : 1) * expertFFN) * Double(h))
    }
    /// An MoE layer's weights on one rank outside the experts: attention, router, shared experts, norms.
    public var moeSharedParametersPerRank: Double {
        guard let moe = model.moe else { return layerParametersPerRank }
        let shared = Double(moe.sharedExperts) * model.mlpMatrixParameters(ffn: moe.expertFFN)
        return (model.attentionMatrixParameters + shared) / Double(t) + Double(h) * Double(moe.experts) + model.layerVectorParameters
    }
    /// An MoE layer's routed experts on one rank: experts / ep of them, each split over etp.
    public var expertParametersPerRank: Double {
        guard let moe = model.moe else { return 0 }
        return Double(localExperts) * (model.mlpMatrixParameters(ffn: moe.expertFFN) + model.mlpBiasParameters(ffn: moe.expertFFN))
            / Double(etp)
    }
    /// LoRA adapters of one layer on one rank (dense layer; MoE layers adapt attention only).
    public func adapterParametersPerRank(moe: Bool) -> Double {
        guard let r = lora?.rank else { return 0 }
        let targets: [LoRA.Target] = moe ? [.q, .k, .v, .o] : LoRA.Target.allCases
        return adapters(targets).reduce(0) { $0 + Double(r) * Double($1.k + $1.n) }
    }
    public var inputParametersPerRank: Double {
        model.image == nil
            ? Double(model.vocab) * Double(h) / Double(t) + (model.inputParameters - Double(model.vocab) * Double(h))
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
