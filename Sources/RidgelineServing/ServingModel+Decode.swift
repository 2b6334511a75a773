import Foundation
import Ridgeline
import RidgelineTraining

/// One decode step: every sequence of the batch generates one token. Each layer's attention reads
/// its sequences' KV caches, its MLP (dense, or a mixture of experts reading only the experts the
/// batch routes to) reads the weights once for the batch, and the step adds the tensor-, expert-
/// and pipeline-parallel communication, the embedding and LM head, and the step's fixed overhead.
extension ServingPredictor {
    /// Distinct experts the `tokens` × top-k routings of a decode step touch, on average, with
    /// uniform routing: E·(1 − (1 − k/E)^tokens).
    static func expertsTouched(experts: Int, topK: Int, tokens: Int) -> Double {
        let e = Double(experts)
        return e * (1 - pow(1 - Double(topK) / e, Double(tokens)))
    }

    /// How many tiles of `tileRows` rows an expert that `tokens` tokens reach gets, with the
    /// probability of each: with uniform top-k routing an expert's share is binomial, m ~ B(tokens,
    /// k/E) (each token picks k distinct experts of E), and a grouped GEMM rounds each expert's m up
    /// to whole tiles, so the tiles are ⌈m/T⌉ given m ≥ 1 (an expert no token reaches is not run).
    /// Near a tile boundary the routing's spread adds tiles a mean share would not.
    static func expertTiles(tokens: Int, experts: Int, topK: Int, tileRows: Int) -> [(tiles: Int, probability: Double)] {
        let n = max(1, tokens), rows = max(1, tileRows)
        let p = min(1, Double(topK) / Double(max(1, experts)))
        guard p < 1 else { return [((n + rows - 1) / rows, 1)] }
        // The binomial's mass within ten standard deviations of its mean (the rest is below 1e-20),
        // walked out from the mode with pmf(m + 1) = pmf(m)·(n − m)/(m + 1)·p/(1 − p).
        let mean = Double(n) * p, spread = 10 * (mean * (1 - p)).squareRoot() + 1
        let lo = max(1, Int((mean - spread).rounded(.down))), hi = min(n, Int((mean + spread).rounded(.up)))
        let mode = min(hi, max(lo, Int((Double(n + 1) * p).rounded(.down))))
        let odds = p / (1 - p)
        let atMode = exp(
            lgamma(Double(n + 1)) - lgamma(Double(mode + 1)) - lgamma(Double(n - mode + 1)) + Double(mode) * log(p)
                + Double(n - mode) * log1p(-p))
        var byTiles: [Int: Double] = [:]
        var mass = atMode
        for m in mode...hi {
            byTiles[(m + rows - 1) / rows, default: 0] += mass
            mass *= Double(n - m) / Double(m + 1) * odds
        }
        mass = atMode
        var m = mode
        while m > lo {
            mass *= Double(m) / (Double(n - m + 1) * odds)
            m -= 1
            byTiles[(m + rows - 1) / rows, default: 0] += mass
        }
        // Summed in tile order: a dictionary's own order changes with the process's hash seed, and
        // so would the last digits of every prediction built on this.
        let tiles = byTiles.keys.sorted()
        let reached = tiles.reduce(0) { $0 + byTiles[$1]! }
        guard reached > 0 else { return [(1, 1)] }
        return tiles.map { ($0, byTiles[$0]! / reached) }
    }

    /// Rows a grouped (per-expert) GEMM's tile covers on this device: the profile's
    /// `grouped_gemm_tile_rows`, else its smallest GEMM tile's (a CPU's micro-kernel rows).
    var groupedTileRows: Int {
        let compute = config.profile.compute
        if let rows = compute.groupedGEMMTileRows { return rows }
        if config.profile.kind == .cpu { return roofline.assumptions.cpuMicroKernelRows }
        let tiles = compute.gemmTiles.isEmpty ? [roofline.assumptions.defaultGEMMTile] : compute.gemmTiles
        return tiles.map(\.m).min() ?? roofline.assumptions.defaultGEMMTile.m
    }

    /// The routed experts' MLP of one MoE layer on this rank for a decode step of `b` tokens: each
    /// projection is one grouped GEMM over the experts the tokens reach (E·(1 − (1 − k/E)^b), split
    /// over ep ranks), each expert's rows rounded up to whole tiles of its binomial share
    /// (`expertTiles`): the weights are read once per reached expert, and below a tile the rows are
    /// padded, so an expert GEMM costs at least a tile's arithmetic however few tokens reach it.
    func routedExperts(_ moe: MixtureOfExperts, tokens b: Int) -> Tally {
        let f = max(1, moe.expertFFN / (t / config.ep))
        let touched = Self.expertsTouched(experts: moe.experts, topK: moe.topK, tokens: b)
        let onRank = max(1, Int((touched / Double(config.ep)).rounded(.up)))
        let rows = groupedTileRows
        var x = Tally()
        for (tiles, probability) in Self.expertTiles(tokens: b, experts: moe.experts, topK: moe.topK, tileRows: rows) {
            var g = Tally()
            let m = tiles * rows
            g.add(predict(weightGEMM(m: m, n: (model.gated ? 2 : 1) * f, k: h, batch: onRank)), count: 1)
            g.add(predict(weightGEMM(m: m, n: h, k: f, batch: onRank)), count: 1)
            x += g.scaled(probability)
        }
        // The activation runs on the routed tokens only, not on the padding.
        let routed = max(1, Int((Double(b * moe.topK) / Double(config.ep)).rounded(.up)))
        x.add(
            predict(
                .elementwise(
                    Elementwise(
                        name: model.gated ? "swiglu" : "gelu", elements: routed * f, inputs: model.gated ? 2 : 1, dtype: act))),
            count: 1)
        return x
    }

    /// One decode step of `batch` sequences whose cache holds `context` tokens each: every weight
    /// matrix read once for the batch (GEMMs with m = batch), each sequence's KV cache read by
    /// attention over its context, MoE layers reading only the experts the batch routes to.
    public func decodeStep(batch b: Int, context: Int) -> ServingPhase {
        var layers = Tally()
        layers += decodeAttention(batch: b, context: context).scaled(layersPerStage)
        layers += decodeDenseMLP(batch: b).scaled(denseLayersPerStage)
        if let moe = model.moe, moeLayersPerStage > 0 { layers += decodeMoE(moe, batch: b).scaled(moeLayersPerStage) }
        // Pipeline: the batch is split over the pp stages' micro-batches, so one step of every
        // sequence takes pp stage times (each stage busy all the time) plus the sends.
        var step = layers.scaled(Double(config.pp))
        step += decodeEnds(batch: b)
        if config.pp > 1 { step.addComm(decodePipelineSends(batch: b)) }
        step.addStepOverhead(config.assumptions.stepOverhead)
        return step.phase(tokens: b)
    }

    /// One layer's attention block for `b` tokens: the norm, the QKV projection (MLA's down and up
    /// projections together), attention over each sequence's `context` cached tokens, the output
    /// projection, the tensor-parallel all-reduce and the residual add.
    func decodeAttention(batch b: Int, context: Int) -> Tally {
        let attnParams = model.attentionMatrixParameters
        let outWidth = Double(model.mla.map { model.heads * $0.vHeadDim } ?? h)
        let qkvN = max(1, Int((attnParams - outWidth * Double(h)) / Double(h)) / t)
        var attention = Tally()
        attention.add(predict(.rowwise(RowWise(normOp, rows: b, cols: h, dtype: act))), count: 1)
        attention.add(predict(weightGEMM(m: b, n: qkvN, k: h)), count: 1)
        attention.add(predict(.attention(cachedAttention(batch: b, context: context)), streamingAttention: true), count: 1)
        attention.add(predict(weightGEMM(m: b, n: h, k: max(1, Int(outWidth) / t))), count: 1)
        attention.addComm(tensorAllReduce(tokens: b))
        attention.add(predict(.elementwise(Elementwise(name: "add", elements: b * h, inputs: 2, dtype: act))), count: 1)
        return attention
    }

    /// One query token per sequence attending to its `context` cached tokens in the KV cache's
    /// precision. MLA caches one latent of kv_lora_rank + qk_rope_dim values per token: one KV head
    /// of half that width, since the kernel reads a K and a V of head_dim each (`Attention.bytes`).
    func cachedAttention(batch b: Int, context: Int) -> Attention {
        let kvHeads = model.mla != nil ? 1 : max(1, model.kvHeads / t)
        let kvHeadDim = model.mla.map { ($0.kvLoraRank + $0.qkRopeDim) / 2 } ?? model.headDim
        return Attention(
            batch: b, heads: model.heads / t, kvHeads: kvHeads, seq: 1, seqKV: max(1, context),
            headDim: kvHeadDim, causal: false, impl: .flash, dtype: config.kvDType)
    }

    /// One dense layer's MLP block for `b` tokens: the norm, the MLP split over tp, its all-reduce.
    func decodeDenseMLP(batch b: Int) -> Tally {
        var dense = Tally()
        dense.add(predict(.rowwise(RowWise(normOp, rows: b, cols: h, dtype: act))), count: 1)
        dense += decodeMLP(ffn: model.ffn, m: b, split: t)
        dense.addComm(tensorAllReduce(tokens: b))
        return dense
    }

    /// An MLP of `ffn` width split `split` ways on `m` rows: the up (and gate) projection, the
    /// activation, the down projection.
    func decodeMLP(ffn: Int, m: Int, split: Int) -> Tally {
        var x = Tally()
        let f = max(1, ffn / split)
        x.add(predict(weightGEMM(m: m, n: (model.gated ? 2 : 1) * f, k: h)), count: 1)
        x.add(
            predict(
                .elementwise(
                    Elementwise(
                        name: model.gated ? "swiglu" : "gelu", elements: m * f, inputs: model.gated ? 2 : 1, dtype: act))),
            count: 1)
        x.add(predict(weightGEMM(m: m, n: h, k: f)), count: 1)
        return x
    }

    /// One MoE layer's MLP block for `b` tokens: the norm, the router, the routed experts
    /// (`routedExperts`), the shared experts, the expert-parallel all-to-all there and back, and
    /// the tensor-parallel all-reduce.
    func decodeMoE(_ moe: MixtureOfExperts, batch b: Int) -> Tally {
        var x = Tally()
        x.add(predict(.rowwise(RowWise(normOp, rows: b, cols: h, dtype: act))), count: 1)
        x.add(predict(.gemm(GEMM(m: b, n: moe.experts, k: h, dtype: act))), count: 1)
        // The router's softmax and the token permutation into expert order and back (the
        // kernels the prefill's MoE forward, `moeBlockForward`, has too).
        x.add(predict(.rowwise(RowWise(.softmax, rows: b, cols: moe.experts, dtype: .fp32))), count: 1)
        x.add(predict(.elementwise(Elementwise(name: "permute", elements: b * moe.topK * h, dtype: act))), count: 1)
        x += routedExperts(moe, tokens: b)
        x.add(predict(.elementwise(Elementwise(name: "unpermute", elements: b * moe.topK * h, inputs: 2, dtype: act))), count: 1)
        if moe.sharedExperts > 0 { x += decodeMLP(ffn: moe.expertFFN * moe.sharedExperts, m: b, split: t) }
        if config.ep > 1 {
            let bytes = Double(b * moe.topK) * Double(h) * act.bytes
            x.addComm(2 * network.time(.allToAll, bytes: bytes, group: group(.expert)))
        }
        x.addComm(tensorAllReduce(tokens: b))
        return x
    }

    /// The ends of the model for `b` tokens, once per step: the embedding lookup, the final norm
    /// and the LM head (`headTally`).
    func decodeEnds(batch b: Int) -> Tally {
        var ends = Tally()
        ends.add(predict(.embedding(Embedding(tokens: b, dModel: h, vocab: max(1, model.vocab / t), dtype: act))), count: 1)
        ends += headTally(rows: b)
        return ends
    }

    /// The pp − 1 sends of the batch's activations from one pipeline stage to the next.
    func decodePipelineSends(batch b: Int) -> Double {
        Double(config.pp - 1)
            * network.time(.sendRecv, bytes: Double(b) * Double(h) * act.bytes, group: CommGroup(ranks: 2, ranksPerNode: 2))
    }
}
