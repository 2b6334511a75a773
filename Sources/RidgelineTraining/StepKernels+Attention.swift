import Ridgeline

/// The attention core of a layer on one rank: flash kernels (with the context-parallel ring) or the
/// unfused score, softmax and value GEMMs.
extension TransformerKernels {
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
}
