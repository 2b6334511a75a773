/// Activation memory of one transformer layer per micro-batch, after Korthikanti et al. 2022
/// ("Reducing Activation Recomputation in Large Transformer Models", §4, eq. 1–6), generalised
/// to grouped-query attention, gated MLPs and runs without dropout.
///
/// With 2-byte activations and 1-byte dropout masks, a GPT layer keeps
///   s·b·h·(34 + 5·a·s/h)   bytes (no parallelism),
///   s·b·h·(10 + 24/t + 5·a·s/(h·t))   with tensor parallelism t,
///   s·b·h/t·(34 + 5·a·s/h)   with tensor and sequence parallelism,
/// where 34 = attention 11 (QKV input 2, Q and K 4, V 2, projection input 2, dropout mask 1)
/// + MLP 19 (input 2, activation input 8, down-projection input 8, mask 1) + two norm inputs 4,
/// and 5·a·s/h is the score matrix: softmax output 2, dropout mask 1, dropout output 2.
/// Selective recomputation (and flash attention, which never stores the scores) drops the 5as/h
/// term; full recomputation keeps only each layer's input, 2·s·b·h (÷t with SP).
///
/// Context parallelism divides s by cp (each rank keeps its share of the sequence; Megatron-core).
/// An MoE layer (`moe`) keeps, instead of the dense MLP's, the routed copies of each token:
/// top_k × load of (permuted input 2h, activation input(s) and down-projection input of the
/// expert width) plus the shared experts' dense-MLP terms and the fp32 router logits.
public struct ActivationMemory: Sendable {
    public let model: TransformerModel
    public let settings: KernelSettings
    public let moe: Bool
    public let expertLoad: Double

    public init(model: TransformerModel, settings: KernelSettings, moe: Bool = false, expertLoad: Double = 1) {
        self.model = model; self.settings = settings; self.moe = moe && model.moe != nil; self.expertLoad = expertLoad
    }

    var t: Double { Double(settings.tp) }
    var seqPerRank: Double { Double(max(1, model.tokens(seq: settings.seq) / max(1, settings.cp))) }
    var sbh: Double { Double(settings.microBatch) * seqPerRank * Double(model.dModel) }
    /// Bytes per activation element relative to the formula's 2.
    var scale: Double { settings.precision.activationDType.bytes / 2 }
    var mask: Double { model.dropout ? 1 : 0 }

    /// Per-layer bytes outside the tensor-parallel regions (split only by sequence parallelism):
    /// two norm inputs, the attention and MLP inputs, two dropout masks.
    public var outsideTP: Double { sbh * (8 * scale + 2 * mask) }

    /// Per-layer bytes inside the tensor-parallel regions, score matrix excluded, before ÷t:
    /// Q, K, V, projection input; activation input(s) and down-projection input.
    public var insideTP: Double {
        let kvRatio = Double(model.kvDim) / Double(model.dModel)
        let ffnRatio = Double(model.ffn) / Double(model.dModel)
        var attention = 2 * (1 + kvRatio) + 2 * kvRatio + 2  // Q,K · V · projection input
        if let mla = model.mla {
            // Q and K at H·(nope + rope), V and the projection input at H·v, and the two latents
            // the up-projections read (counted inside tp: a slight underestimate when tp > 1).
            let d = Double(model.dModel), heads = Double(model.heads)
            attention =
                (2 * 2 * heads * Double(mla.qkDim) + 2 * 2 * heads * Double(mla.vHeadDim)
                    + 2 * Double(mla.kvLoraRank + mla.qLoraRank + mla.qkRopeDim)) / d
        }
        func mlp(_ ratio: Double) -> Double { 2 * ratio * (model.gated ? 2 : 1) + 2 * ratio }
        guard moe, let experts = model.moe else { return sbh * (attention + mlp(ffnRatio)) * scale }
        let expertRatio = Double(experts.expertFFN) / Double(model.dModel)
        let routed = Double(experts.topK) * expertLoad * (2 + mlp(expertRatio))
        let shared = Double(experts.sharedExperts) * mlp(expertRatio)
        let logits = 4 * Double(experts.experts) / Double(model.dModel) / scale * t  // fp32, not split by tp
        return sbh * (attention + routed + shared + logits) * scale
    }

    /// The score matrix unfused attention keeps: softmax output, and with dropout its mask and output.
    public var scores: Double {
        guard !settings.flashAttention else { return 0 }
        let a = Double(model.heads), s = seqPerRank, b = Double(settings.microBatch)
        return a * s * s * b * (2 * scale + (model.dropout ? 1 + 2 * scale : 0))
    }

    /// Everything one layer would keep without recomputation, on one rank.
    public var fullPerLayer: Double {
        outsideTP / (settings.sequenceParallel ? t : 1) + (insideTP + scores) / t
    }

    /// What one layer keeps for backward under the recompute policy, on one rank.
    public var storedPerLayer: Double {
        switch settings.recompute {
        case .none: return fullPerLayer
        case .selective: return outsideTP / (settings.sequenceParallel ? t : 1) + insideTP / t
        case .full: return 2 * sbh * scale / (settings.sequenceParallel ? t : 1)
        }
    }

    /// Embedding output and its dropout mask on the first stage (Korthikanti §4.3).
    public var inputSide: Double { sbh * (2 * scale + mask) / (settings.sequenceParallel ? t : 1) }

    /// The output side on the last stage: the final norm's input and the logits in fp32 for the
    /// cross-entropy, 4·s·b·V/t (Korthikanti §4.3). A classifier keeps one row per image.
    public var outputSide: Double {
        let rows = model.image == nil ? Double(settings.microBatch) * seqPerRank : Double(settings.microBatch)
        let vocab = model.image == nil ? Double(model.vocab) / t : Double(model.vocab)
        return 2 * sbh * scale / (settings.sequenceParallel ? t : 1) + 4 * rows * vocab
    }
}
