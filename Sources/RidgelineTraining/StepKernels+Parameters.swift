import Ridgeline

/// Parameters on one tensor-parallel rank, by part of the model.
extension TransformerKernels {
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
