import Ridgeline

/// Multi-head latent attention's projections on one rank (`LatentAttention`): what replaces the
/// QKV projection of a layer when the model has `attention: mla`.
extension TransformerKernels {
    /// MLA's projections on one rank as (n, k, m): the down-projections to the latents (W_DQ, and
    /// W_DKV with the shared rope key) on this rank's 1/tp share of the tokens, their latents then
    /// all-gathered over tp (Megatron-core's MLA with sequence parallelism), and the column-
    /// parallel up-projections (W_UQ, W_UKV) on all tokens. Without a query latent W_Q is one
    /// column-parallel d × H·(nope + rope).
    var latentProjections: (down: [(n: Int, k: Int)], up: [(n: Int, k: Int)], latentWidth: Int) {
        guard let mla = model.mla else { return ([], [], 0) }
        let heads = model.heads / t
        var down: [(n: Int, k: Int)] = [(mla.kvLoraRank + mla.qkRopeDim, h)]
        var up: [(n: Int, k: Int)] = [(heads * (mla.qkNopeDim + mla.vHeadDim), mla.kvLoraRank)]
        if mla.qLoraRank > 0 {
            down.append((mla.qLoraRank, h))
            up.append((heads * mla.qkDim, mla.qLoraRank))
        } else {
            up.append((heads * mla.qkDim, h))
        }
        return (down, up, mla.kvLoraRank + mla.qkRopeDim + mla.qLoraRank)
    }

    func latentProjectionsForward() -> PassKernels {
        var p = PassKernels()
        guard let mla = model.mla else { return p }
        let (down, up, latent) = latentProjections
        let share = max(1, tokens / t)
        for d in down { gemmForward(&p, m: share, n: d.n, k: d.k) }
        p.add(.rowwise(RowWise(.rmsnorm, rows: share, cols: mla.kvLoraRank, dtype: act)), .memoryBound)
        if mla.qLoraRank > 0 { p.add(.rowwise(RowWise(.rmsnorm, rows: share, cols: mla.qLoraRank, dtype: act)), .memoryBound) }
        if t > 1 { p.comm(.allGather, bytes: Double(tokens) * Double(latent) * act.bytes) }
        for u in up { gemmForward(&p, m: tokens, n: u.n, k: u.k) }
        return p
    }

    func latentProjectionsBackward() -> PassKernels {
        var p = PassKernels()
        guard let mla = model.mla else { return p }
        let (down, up, latent) = latentProjections
        let share = max(1, tokens / t)
        for u in up { gemmBackward(&p, m: tokens, n: u.n, k: u.k, frozenWeight: frozen) }
        if t > 1 { p.comm(.reduceScatter, bytes: Double(tokens) * Double(latent) * act.bytes) }
        p.add(.rowwise(RowWise(.rmsnorm, rows: share, cols: mla.kvLoraRank, pass: .bwd, dtype: act)), .memoryBound)
        if mla.qLoraRank > 0 { p.add(.rowwise(RowWise(.rmsnorm, rows: share, cols: mla.qLoraRank, pass: .bwd, dtype: act)), .memoryBound) }
        for d in down { gemmBackward(&p, m: share, n: d.n, k: d.k, frozenWeight: frozen) }
        return p
    }
}
