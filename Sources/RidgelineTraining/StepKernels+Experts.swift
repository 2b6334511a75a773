import Ridgeline

/// The mixture-of-experts half of an MoE layer on one rank: routing, token dispatch and combine
/// over the expert-parallel group, and the experts as grouped GEMMs or one expert after another.
extension TransformerKernels {
    /// Experts on this rank.
    var localExperts: Int { (model.moe?.experts ?? 1) / max(1, settings.ep) }
    /// Tokens this rank routes: the micro-batch's tokens split over the tensor-parallel ranks
    /// (Megatron-core runs MoE with sequence parallelism, so each TP rank dispatches its share).
    var routingTokens: Int { max(1, tokens / t) }
    /// Expert tensor-parallel size (Megatron-core's etp; tp unless set).
    var etp: Int { settings.etp }
    /// Routed token copies arriving at this rank's experts after the dispatch and the expert
    /// tensor-parallel all-gather: routed tokens · etp · top_k · load (its even share). The expert
    /// FLOPs per rank, tokens × width/etp, do not depend on etp.
    var expertTokens: Double { Double(routingTokens * etp) * Double(model.moe?.topK ?? 1) * expertLoad }
    /// Rows per expert in the grouped GEMM (the busiest rank's experts, padded to equal groups).
    var tokensPerExpert: Int { max(1, Int((expertTokens / Double(max(1, localExperts))).rounded(.up))) }
    var expertFFN: Int { (model.moe?.expertFFN ?? model.ffn) / etp }
    /// Shared experts run as a dense MLP on the tensor-parallel ranks.
    var sharedFFN: Int { (model.moe?.sharedExperts ?? 0) * (model.moe?.expertFFN ?? 0) / t }
    /// Bytes of the routed hidden states a rank sends in one dispatch (or combine) all-to-all.
    var dispatchBytes: Double { Double(routingTokens) * Double(model.moe?.topK ?? 1) * expertLoad * Double(h) * act.bytes }

    /// The local experts' MLPs forward (up, activation, down): grouped GEMMs over the local
    /// experts, or with `sequentialExperts` each expert's own kernels, one expert after another.
    func expertsForward(_ p: inout PassKernels, gate: Int) {
        let g = localExperts, m = tokensPerExpert
        guard settings.sequentialExperts && g > 1 else {
            gemmForward(&p, m: m, n: gate * expertFFN, k: h, batch: g)
            p.kernels += activation(elements: m * g * expertFFN).kernels
            gemmForward(&p, m: m, n: h, k: expertFFN, batch: g)
            return
        }
        var one = PassKernels()
        gemmForward(&one, m: m, n: gate * expertFFN, k: h)
        one.kernels += activation(elements: m * expertFFN).kernels
        gemmForward(&one, m: m, n: h, k: expertFFN)
        p.kernels += one.kernels.map { StepKernel($0.kernel, $0.category, count: $0.count * Double(g)) }
    }

    /// The local experts' MLPs backward, grouped or one expert after another as forward.
    /// Experts are frozen under LoRA too (adapters go on attention and dense MLPs).
    func expertsBackward(_ p: inout PassKernels, gate: Int) {
        let g = localExperts, m = tokensPerExpert
        guard settings.sequentialExperts && g > 1 else {
            gemmBackward(&p, m: m, n: h, k: expertFFN, batch: g, frozenWeight: frozen)
            p.kernels += activationBackward(elements: m * g * expertFFN).kernels
            gemmBackward(&p, m: m, n: gate * expertFFN, k: h, batch: g, frozenWeight: frozen)
            return
        }
        var one = PassKernels()
        gemmBackward(&one, m: m, n: h, k: expertFFN, frozenWeight: frozen)
        one.kernels += activationBackward(elements: m * expertFFN).kernels
        gemmBackward(&one, m: m, n: gate * expertFFN, k: h, frozenWeight: frozen)
        p.kernels += one.kernels.map { StepKernel($0.kernel, $0.category, count: $0.count * Double(g)) }
    }

    /// An MoE layer's MLP half (Megatron-core `MoELayer` with the all-to-all token dispatcher):
    /// norm → router GEMM and softmax/top-k → permute → all-to-all dispatch over the EP group →
    /// all-gather over TP → expert GEMMs (up, activation, down; `expertsForward`) →
    /// reduce-scatter over TP → all-to-all combine → unpermute and weighted sum → shared experts
    /// (a dense MLP every token passes through) → residual.
    func moeBlockForward() -> PassKernels {
        var p = PassKernels()
        guard let moe = model.moe else { return mlpBlockForward() }
        let gate = model.gated ? 2 : 1
        normForward(&p)
        p.add(.gemm(GEMM(m: routingTokens, n: moe.experts, k: h, dtype: act)), .gemm)
        p.add(.rowwise(RowWise(.softmax, rows: routingTokens, cols: moe.experts, dtype: .fp32)), .memoryBound)
        p.add(.elementwise(Elementwise(name: "permute", elements: routingTokens * moe.topK * h, dtype: act)), .memoryBound)
        if settings.ep > 1 { p.comm(.allToAll, bytes: dispatchBytes, group: .expert) }
        if etp > 1 { p.comm(.allGather, bytes: dispatchBytes * Double(etp), group: .expertTensor) }
        expertsForward(&p, gate: gate)
        if etp > 1 { p.comm(.reduceScatter, bytes: dispatchBytes * Double(etp), group: .expertTensor) }
        if settings.ep > 1 { p.comm(.allToAll, bytes: dispatchBytes, group: .expert) }
        p.add(.elementwise(Elementwise(name: "unpermute", elements: routingTokens * moe.topK * h, inputs: 2, dtype: act)), .memoryBound)
        if sharedFFN > 0 {
            // Shared experts run as a dense tensor-parallel MLP; Megatron-core overlaps their
            // reduction with the routed experts' (no collective of their own here).
            gemmForward(&p, m: tokens, n: gate * sharedFFN, k: h)
            p.kernels += activation(elements: tokens * sharedFFN).kernels
            gemmForward(&p, m: tokens, n: h, k: sharedFFN)
        }
        p.kernels += residual(elements: localTokens * h).kernels
        return p
    }

    func moeBlockBackward() -> PassKernels {
        var p = PassKernels()
        guard let moe = model.moe else { return mlpBlockBackward() }
        let gate = model.gated ? 2 : 1
        p.add(.elementwise(Elementwise(name: "unpermute", elements: routingTokens * moe.topK * h, inputs: 2, dtype: act)), .memoryBound)
        if settings.ep > 1 { p.comm(.allToAll, bytes: dispatchBytes, group: .expert) }
        if etp > 1 { p.comm(.allGather, bytes: dispatchBytes * Double(etp), group: .expertTensor) }
        expertsBackward(&p, gate: gate)
        if etp > 1 { p.comm(.reduceScatter, bytes: dispatchBytes * Double(etp), group: .expertTensor) }
        if settings.ep > 1 { p.comm(.allToAll, bytes: dispatchBytes, group: .expert) }
        p.add(.elementwise(Elementwise(name: "permute", elements: routingTokens * moe.topK * h, dtype: act)), .memoryBound)
        p.add(.rowwise(RowWise(.softmax, rows: routingTokens, cols: moe.experts, pass: .bwd, dtype: .fp32)), .memoryBound)
        p.add(.gemm(GEMM(m: routingTokens, n: h, k: moe.experts, dtype: act)), .gemm)
        if !frozen { p.add(.gemm(GEMM(m: h, n: moe.experts, k: routingTokens, transA: true, dtype: act)), .gemm) }
        if sharedFFN > 0 {
            gemmBackward(&p, m: tokens, n: h, k: sharedFFN, frozenWeight: frozen)
            p.kernels += activationBackward(elements: tokens * sharedFFN).kernels
            gemmBackward(&p, m: tokens, n: gate * sharedFFN, k: h, frozenWeight: frozen)
        }
        normBackward(&p)
        let dropoutOps: Double = model.dropout ? 1 : 0
        p.add(
            .elementwise(Elementwise(name: "add", elements: localTokens * h, inputs: 2, dtype: act)), .memoryBound,
            count: eager ? 1 + dropoutOps : 1)
        return p
    }
}
