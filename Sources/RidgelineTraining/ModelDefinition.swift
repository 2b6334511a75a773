import Ridgeline

/// A model Ridgeline can train: a transformer described by its shape (decoder LMs, encoders,
/// vision transformers), or a CNN described by its list of layers.
public enum ModelDefinition: Sendable, Equatable {
    case transformer(TransformerModel)
    case cnn(CNNModel)

    public var name: String {
        switch self {
        case .transformer(let t): return t.name
        case .cnn(let c): return c.name
        }
    }

    /// Trainable parameters, counted the way the model's authors count them.
    public var parameterCount: Double {
        switch self {
        case .transformer(let t): return t.parameterCount
        case .cnn(let c): return c.parameterCount
        }
    }

    /// The same model with `layers` layers (proxy runs that truncate a model to fit fewer
    /// devices); nil keeps it. A CNN has no layer count to change.
    public func withLayers(_ layers: Int?) throws -> ModelDefinition {
        guard let layers else { return self }
        guard case .transformer(var t) = self else {
            throw RidgelineError.invalidValue(
                file: nil, field: "--layers", value: "\(layers)", expected: "a transformer model (a CNN lists its layers)")
        }
        guard layers >= 1 else {
            throw RidgelineError.invalidValue(file: nil, field: "--layers", value: "\(layers)", expected: "at least 1")
        }
        if let moe = t.moe, moe.count(in: 0..<layers) == 0 {
            throw RidgelineError.invalidValue(
                file: nil, field: "--layers", value: "\(layers)",
                expected: "enough layers to keep an MoE layer (dense_layers \(moe.denseLayers), moe_every \(moe.every))")
        }
        t.layers = layers
        t.name += " (\(layers) layers)"
        return .transformer(t)
    }

    /// Parameters one token passes through: all of them for a dense model, the routed top-k
    /// experts (and the shared ones) instead of all experts for a mixture of experts.
    public var activeParameterCount: Double {
        switch self {
        case .transformer(let t): return t.activeParameterCount
        case .cnn(let c): return c.parameterCount
        }
    }
}

/// A transformer by its shape (the Model YAML contract in DESIGN.md).
public struct TransformerModel: Sendable, Equatable, Hashable {
    public enum FFNKind: String, CaseIterable, Sendable { case gelu, swiglu, relu }
    public enum Norm: String, CaseIterable, Sendable { case layernorm, rmsnorm }
    public enum Position: String, CaseIterable, Sendable { case learned, rope, none }

    /// Images cut into patches (ViT): the token embedding is a patch projection and the output
    /// head a classifier over `vocab` classes.
    public struct Image: Sendable, Equatable, Hashable {
        public var size: Int
        public var patch: Int
        public var channels: Int
        public init(size: Int, patch: Int, channels: Int) { self.size = size; self.patch = patch; self.channels = channels }
        public var patches: Int { (size / patch) * (size / patch) }
    }

    public var name: String
    public var layers: Int
    public var dModel: Int
    public var heads: Int
    public var kvHeads: Int
    public var ffn: Int
    public var ffnKind: FFNKind
    public var norm: Norm
    /// Vocabulary (language models) or classes (image classifiers).
    public var vocab: Int
    public var maxSeq: Int
    public var position: Position
    public var tiedEmbeddings: Bool
    public var bias: Bool
    /// Decoders attend causally; encoders (BERT, ViT) do not.
    public var causal: Bool
    /// Dropout after attention and MLP (GPT-2/3, BERT, Megatron); it adds masks to the activations.
    public var dropout: Bool
    public var image: Image?
    /// Mixture-of-experts MLPs (nil: every layer has the dense MLP of width `ffn`).
    public var moe: MixtureOfExperts?
    /// Multi-head latent attention (nil: multi-head or grouped-query attention).
    public var mla: LatentAttention?

    public init(
        name: String, layers: Int, dModel: Int, heads: Int, kvHeads: Int? = nil, ffn: Int, ffnKind: FFNKind = .gelu,
        norm: Norm = .layernorm, vocab: Int, maxSeq: Int, position: Position = .learned, tiedEmbeddings: Bool = true,
        bias: Bool = true, causal: Bool = true, dropout: Bool = false, image: Image? = nil, moe: MixtureOfExperts? = nil,
        mla: LatentAttention? = nil
    ) {
        self.name = name; self.layers = layers; self.dModel = dModel; self.heads = heads; self.kvHeads = kvHeads ?? heads
        self.ffn = ffn; self.ffnKind = ffnKind; self.norm = norm; self.vocab = vocab; self.maxSeq = maxSeq
        self.position = position; self.tiedEmbeddings = tiedEmbeddings; self.bias = bias; self.causal = causal
        self.dropout = dropout; self.image = image; self.moe = moe; self.mla = mla
        if mla != nil { self.kvHeads = heads }
    }

    /// Width of one head in the attention core. With MLA, Q·K runs at nope + rope and P·V at
    /// v_head_dim; their mean gives the attention kernel exactly its FLOPs (2·s²·(qk + v) per head)
    /// and its Q, K, V, O bytes.
    public var headDim: Int { mla.map { ($0.qkNopeDim + $0.qkRopeDim + $0.vHeadDim) / 2 } ?? dModel / heads }
    /// Width of K and V together per token side: kv_heads · head_dim each.
    public var kvDim: Int { kvHeads * headDim }
    public var gated: Bool { ffnKind == .swiglu }

    // MARK: Parameters (counted from the shapes; tests compare with the published numbers)

    /// Matrix weights of one dense layer: Q and O (d×d), K and V (d×kv_dim), MLP (2 or, gated, 3 d×ffn).
    public var layerMatrixParameters: Double { attentionMatrixParameters + mlpMatrixParameters(ffn: ffn) }

    /// Q and O (d×d), K and V (d×kv_dim); or MLA's projections (`LatentAttention.matrixParameters`).
    public var attentionMatrixParameters: Double {
        if let mla { return mla.matrixParameters(dModel: dModel, heads: heads) }
        let d = Double(dModel), kv = Double(kvDim)
        return 2 * d * d + 2 * d * kv
    }

    /// One MLP of hidden width `ffn`: up and down, plus the gate when gated.
    public func mlpMatrixParameters(ffn: Int) -> Double { (gated ? 3 : 2) * Double(dModel) * Double(ffn) }

    /// Biases of one MLP of width `ffn` (up, gate when gated, down).
    func mlpBiasParameters(ffn: Int) -> Double { bias ? (gated ? 2 : 1) * Double(ffn) + Double(dModel) : 0 }

    /// Biases and norm weights of one layer.
    public var layerVectorParameters: Double {
        let d = Double(dModel), kv = Double(kvDim), f = Double(ffn)
        let biases = bias ? (d + 2 * kv) + d + (gated ? 2 : 1) * f + d : 0
        let norms = 2 * (norm == .layernorm ? 2 * d : d)
        // MLA normalises its two latents (RMSNorm weights).
        let latentNorms = mla.map { Double($0.qLoraRank + $0.kvLoraRank) } ?? 0
        return biases + norms + latentNorms
    }

    public var layerParameters: Double { layerMatrixParameters + layerVectorParameters }

    /// Input side: token (or patch) embedding, learned positions, class token.
    public var inputParameters: Double {
        let d = Double(dModel)
        if let image {
            let patchProjection = Double(image.channels) * Double(image.patch) * Double(image.patch) * d + d
            return patchProjection + d + Double(image.patches + 1) * d
        }
        return Double(vocab) * d + (position == .learned ? Double(maxSeq) * d : 0)
    }

    /// Output side: the final norm and the LM head (none when tied) or classifier.
    public var outputParameters: Double {
        let d = Double(dModel)
        let finalNorm = norm == .layernorm ? 2 * d : d
        if image != nil { return finalNorm + Double(vocab) * d + Double(vocab) }
        return finalNorm + (tiedEmbeddings ? 0 : Double(vocab) * d)
    }

    /// One MoE layer: attention, norms and biases as a dense layer, the router (d × experts), and
    /// `routed` of the routed experts plus every shared expert in place of the dense MLP.
    public func moeLayerParameters(routed: Int) -> Double {
        guard let moe else { return layerParameters }
        let expert = mlpMatrixParameters(ffn: moe.expertFFN) + mlpBiasParameters(ffn: moe.expertFFN)
        let dense = layerParameters - mlpMatrixParameters(ffn: ffn) - mlpBiasParameters(ffn: ffn)
        return dense + Double(dModel) * Double(moe.experts) + Double(routed + moe.sharedExperts) * expert
    }

    /// Layers with a mixture-of-experts MLP (0 for a dense model).
    public var moeLayerCount: Int { moe.map { $0.count(in: 0..<layers) } ?? 0 }

    public var parameterCount: Double { parameters(routed: moe?.experts ?? 0) }

    /// What one token uses: the top-k routed experts of each MoE layer (Mixtral 8x7B: 12.9B of 46.7B).
    public var activeParameterCount: Double { parameters(routed: moe?.topK ?? 0) }

    func parameters(routed: Int) -> Double {
        let moeLayers = Double(moeLayerCount)
        return inputParameters + (Double(layers) - moeLayers) * layerParameters + moeLayers * moeLayerParameters(routed: routed)
            + outputParameters
    }

    /// Tokens one sequence has: patches + class token for images, else the sequence length.
    public func tokens(seq: Int) -> Int { image.map { $0.patches + 1 } ?? seq }
}

/// Multi-head latent attention (DeepSeek-AI 2024, DeepSeek-V2 §2.1; V3 §2.1.1): queries and keys/
/// values go through low-rank latents. Per layer: W_DQ (d × q_lora) and W_UQ (q_lora × H·(nope +
/// rope)), or one d × H·(nope + rope) when q_lora_rank is 0; W_DKV (d × (kv_lora + rope), the
/// rope part a shared key) and W_UKV (kv_lora × H·(nope + v)); W_O (H·v × d).
public struct LatentAttention: Sendable, Equatable, Hashable {
    public var qLoraRank: Int
    public var kvLoraRank: Int
    public var qkRopeDim: Int
    public var qkNopeDim: Int
    public var vHeadDim: Int

    public init(qLoraRank: Int, kvLoraRank: Int, qkRopeDim: Int, qkNopeDim: Int, vHeadDim: Int) {
        self.qLoraRank = qLoraRank; self.kvLoraRank = kvLoraRank; self.qkRopeDim = qkRopeDim
        self.qkNopeDim = qkNopeDim; self.vHeadDim = vHeadDim
    }

    public var qkDim: Int { qkNopeDim + qkRopeDim }

    public func matrixParameters(dModel: Int, heads: Int) -> Double {
        let d = Double(dModel), h = Double(heads), qk = Double(qkDim)
        let q = qLoraRank > 0 ? d * Double(qLoraRank) + Double(qLoraRank) * h * qk : d * h * qk
        let kv = d * Double(kvLoraRank + qkRopeDim) + Double(kvLoraRank) * h * Double(qkNopeDim + vHeadDim)
        return q + kv + h * Double(vHeadDim) * d
    }
}

/// Mixture-of-experts MLPs (Shazeer et al. 2017; GShard, Lepikhin et al. 2021; Mixtral, Jiang et
/// al. 2024; DeepSeek-V3 2024): a router sends each token to `topK` of `experts` MLPs of width
/// `expertFFN`, and `sharedExperts` more see every token. Layer i (from 0) is MoE when
/// i ≥ `denseLayers` and (i − denseLayers) mod `every` = every − 1: `every` 1 makes every layer
/// after the dense ones MoE, 2 every other one (GShard, Switch).
public struct MixtureOfExperts: Sendable, Equatable, Hashable {
    public var experts: Int
    public var topK: Int
    public var expertFFN: Int
    public var sharedExperts: Int
    public var every: Int
    public var denseLayers: Int

    public init(experts: Int, topK: Int, expertFFN: Int, sharedExperts: Int = 0, every: Int = 1, denseLayers: Int = 0) {
        self.experts = experts; self.topK = topK; self.expertFFN = expertFFN; self.sharedExperts = sharedExperts
        self.every = max(1, every); self.denseLayers = max(0, denseLayers)
    }

    public func isMoE(layer i: Int) -> Bool { i >= denseLayers && (i - denseLayers) % every == every - 1 }

    /// MoE layers among `range` (closed form: no loop, for the planner's stage sums).
    public func count(in range: Range<Int>) -> Int {
        func upTo(_ n: Int) -> Int {  // MoE layers in 0..<n
            let m = n - denseLayers
            return m <= 0 ? 0 : m / every
        }
        return max(0, upTo(range.upperBound) - upTo(range.lowerBound))
    }
}

/// A convolutional network as a list of layers (ResNet-style bottleneck blocks expand to their
/// convolutions). Used for data-parallel training estimates only.
public struct CNNModel: Sendable, Equatable, Hashable {
    public enum Layer: Sendable, Equatable, Hashable {
        /// Convolution with batch norm after it (the ResNet convention: no conv bias), or with a
        /// bias and no batch norm. `pad` pixels of zeros on each side (ResNet's k/2).
        case conv(out: Int, kernel: Int, stride: Int, pad: Int, batchNorm: Bool)
        /// Max pooling with `pad` on each side (ResNet's 3/2 pads 1; VGG's 2/2 and AlexNet's 3/2, 0).
        case maxPool(kernel: Int, stride: Int, pad: Int)
        case globalAvgPool
        /// Bottleneck residual block (He et al. 2016): 1×1 mid, 3×3 mid (stride here, as in
        /// torchvision's ResNet v1.5), 1×1 out; a projection shortcut when shape changes.
        case bottleneck(mid: Int, out: Int, stride: Int)
        /// Basic residual block (He et al. 2016; torchvision's ResNet-18/34 `BasicBlock`): two 3×3
        /// convolutions (the first strided), a projection shortcut when shape changes.
        case basic(out: Int, stride: Int)
        /// A fully connected layer over the flattened feature map (torchvision's
        /// `torch.flatten(x, 1)` before the classifier): channels × side² inputs, which after a
        /// global average pool are the channels.
        case fc(out: Int)

        /// The feature map's channels and side after this layer, given its input's, as
        /// `Conv2D.outH` computes them (PyTorch's floor rounding). A window larger than the
        /// padded input leaves no output: side 0 (`CNNModel.shapeProblem` refuses it).
        func output(channels: Int, size: Int) -> (channels: Int, size: Int) {
            func strided(_ kernel: Int, _ stride: Int, _ pad: Int) -> Int {
                let span = size + 2 * pad - kernel
                return span < 0 ? 0 : span / stride + 1
            }
            switch self {
            case .conv(let out, let kernel, let stride, let pad, _): return (out, strided(kernel, stride, pad))
            case .maxPool(let kernel, let stride, let pad): return (channels, strided(kernel, stride, pad))
            case .globalAvgPool: return (channels, 1)
            case .bottleneck(_, let out, let stride), .basic(let out, let stride): return (out, strided(3, stride, 1))
            case .fc(let out): return (out, 1)
            }
        }
    }

    public var name: String
    public var image: Int
    public var channels: Int
    public var layers: [Layer]

    public init(name: String, image: Int, channels: Int, layers: [Layer]) {
        self.name = name; self.image = image; self.channels = channels; self.layers = layers
    }

    /// Conv weights (k·c·r·s), BN scale and shift (2 per channel), FC weights (over the flattened
    /// feature map) and bias.
    public var parameterCount: Double {
        var total = 0.0
        var c = channels, size = image
        func conv(_ cin: Int, _ cout: Int, _ k: Int) -> Double { Double(cout) * Double(cin) * Double(k) * Double(k) + 2 * Double(cout) }
        for layer in layers {
            switch layer {
            case .conv(let out, let kernel, _, _, let bn):
                total += Double(out) * Double(c) * Double(kernel) * Double(kernel) + (bn ? 2 * Double(out) : Double(out))
            case .maxPool, .globalAvgPool: break
            case .bottleneck(let mid, let out, let stride):
                total += conv(c, mid, 1) + conv(mid, mid, 3) + conv(mid, out, 1)
                if stride != 1 || c != out { total += conv(c, out, 1) }
            case .basic(let out, let stride):
                total += conv(c, out, 3) + conv(out, out, 3)
                if stride != 1 || c != out { total += conv(c, out, 1) }
            case .fc(let out):
                total += Double(c) * Double(size) * Double(size) * Double(out) + Double(out)
            }
            (c, size) = layer.output(channels: c, size: size)
        }
        return total
    }

    /// The first layer whose window does not fit its padded input, with the side it gets: nil
    /// when every layer has an output.
    public func shapeProblem() -> (index: Int, size: Int)? {
        var c = channels, size = image
        for (index, layer) in layers.enumerated() {
            let next = layer.output(channels: c, size: size)
            if next.size < 1 { return (index, size) }
            (c, size) = next
        }
        return nil
    }
}
