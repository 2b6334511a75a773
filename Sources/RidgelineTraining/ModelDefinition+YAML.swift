import Foundation
import Ridgeline

extension ModelDefinition {
    /// Every width, count of heads, vocabulary, sequence length or channel count is at most 2^24
    /// (16.8 M, 300 times today's largest vocabularies): anything larger is a typo, and the bound
    /// keeps every product of two of them far inside Int.
    static let largestDimension = 1...(1 << 24)

    static let transformerKeys: Set<String> = [
        "name", "kind", "layers", "d_model", "heads", "kv_heads", "ffn", "ffn_kind", "norm", "vocab", "max_seq",
        "position", "tied_embeddings", "bias", "causal", "dropout", "image", "published_parameters", "sources", "notes",
        "experts", "top_k", "expert_ffn", "shared_experts", "moe_every", "dense_layers", "attention",
        "kv_lora_rank", "q_lora_rank", "qk_rope_dim", "qk_nope_dim", "v_head_dim", "published_active_parameters",
    ]
    /// Fields of architectures Ridgeline does not model: named in the refusal, never approximated.
    static let unmodelledKeys: [String: String] = [
        "mamba": "Mamba / state-space layers", "ssm": "state-space layers", "ssm_state": "state-space layers",
        "d_state": "state-space layers", "d_conv": "state-space layers", "hybrid_pattern": "hybrid attention/state-space stacks",
        "sliding_window": "sliding-window attention", "linear_attention": "linear attention",
    ]
    static let mlaKeys = ["kv_lora_rank", "q_lora_rank", "qk_rope_dim", "qk_nope_dim", "v_head_dim"]
    static let cnnKeys: Set<String> = ["name", "kind", "image", "channels", "layers", "published_parameters", "sources", "notes"]

    /// Loads a model definition file; every error names the file, the field and the value.
    public static func load(path: String) throws -> ModelDefinition {
        let input = try TextInput(path: path)
        return try parse(input.text, file: input.name)
    }

    public static func parse(_ text: String, file: String?) throws -> ModelDefinition {
        let r = try FieldReader.parse(text, file: file)
        _ = try r.optionalDouble("published_parameters")
        _ = try r.strings("sources")
        let kind = try r.optionalString("kind") ?? "transformer"
        switch kind {
        case "transformer": return .transformer(try parseTransformer(r))
        case "cnn": return .cnn(try parseCNN(r))
        default:
            throw RidgelineError.invalidValue(file: file, field: "kind", value: kind, expected: "transformer or cnn")
        }
    }

    static func parseTransformer(_ r: FieldReader) throws -> TransformerModel {
        for key in r.keys.sorted() {
            if let what = unmodelledKeys[key] {
                throw RidgelineError.unavailable(
                    what: "\(r.file ?? "model"): field '\(key)'",
                    reason: "\(what) are not modelled by Ridgeline; the model cannot be estimated without a silent approximation")
            }
        }
        try r.rejectUnknownKeys(transformerKeys)
        _ = try r.optionalDouble("published_active_parameters")
        // Multi-head latent attention (DeepSeek-V2/V3) changes the attention projections, the
        // attention core's head widths and the KV cache: refused rather than approximated.
        let attention = try r.optionalString("attention") ?? "mha"
        var mla: LatentAttention?
        switch attention {
        case "mha", "gqa":
            if let key = mlaKeys.first(where: { r.has($0) }) {
                throw RidgelineError.inconsistent(
                    file: r.file, field: key, detail: "\(key) belongs to multi-head latent attention: it needs attention: mla")
            }
        case "mla":
            if r.has("kv_heads") {
                throw RidgelineError.inconsistent(
                    file: r.file, field: "kv_heads", detail: "multi-head latent attention has a key and value per head: leave kv_heads out")
            }
            mla = LatentAttention(
                qLoraRank: try r.optionalInt("q_lora_rank", in: 0...Self.largestDimension.upperBound) ?? 0,
                kvLoraRank: try r.int("kv_lora_rank", in: Self.largestDimension),
                qkRopeDim: try r.int("qk_rope_dim", in: Self.largestDimension),
                qkNopeDim: try r.int("qk_nope_dim", in: Self.largestDimension), vHeadDim: try r.int("v_head_dim", in: Self.largestDimension)
            )
        default:
            throw RidgelineError.invalidValue(
                file: r.file, field: "attention", value: attention,
                expected: "mha (multi-head, or grouped-query via kv_heads) or mla (multi-head latent attention)")
        }
        let dModel = try r.int("d_model", in: Self.largestDimension)
        let heads = try r.int("heads", in: Self.largestDimension)
        guard dModel % heads == 0 else {
            throw RidgelineError.inconsistent(
                file: r.file, field: "heads",
                detail: "d_model \(dModel) is not divisible by heads \(heads)")
        }
        let kvHeads = try r.optionalInt("kv_heads", in: Self.largestDimension) ?? heads
        guard heads % kvHeads == 0 else {
            throw RidgelineError.inconsistent(
                file: r.file, field: "kv_heads",
                detail: "heads \(heads) is not a multiple of kv_heads \(kvHeads)")
        }
        let image = try r.optionalChild("image").map { i -> TransformerModel.Image in
            try i.rejectUnknownKeys(["size", "patch", "channels"])
            let size = try i.int("size", in: Self.largestDimension), patch = try i.int("patch", in: Self.largestDimension)
            guard size % patch == 0 else {
                throw RidgelineError.inconsistent(
                    file: r.file, field: "image.patch", detail: "image size \(size) is not a multiple of patch \(patch)")
            }
            return .init(size: size, patch: patch, channels: try i.optionalInt("channels", in: Self.largestDimension) ?? 3)
        }
        let layers = try r.int("layers", in: 1...100_000)
        let ffn = try r.int("ffn", in: Self.largestDimension)
        let moe = try parseMoE(r, layers: layers, ffn: ffn)
        return TransformerModel(
            name: try r.string("name"), layers: layers, dModel: dModel, heads: heads,
            kvHeads: kvHeads, ffn: ffn, ffnKind: try r.enumValue("ffn_kind", TransformerModel.FFNKind.self),
            norm: try r.enumValue("norm", TransformerModel.Norm.self), vocab: try r.int("vocab", in: Self.largestDimension),
            maxSeq: try r.int("max_seq", in: Self.largestDimension), position: try r.enumValue("position", TransformerModel.Position.self),
            tiedEmbeddings: try r.optionalBool("tied_embeddings") ?? true, bias: try r.optionalBool("bias") ?? true,
            causal: try r.optionalBool("causal") ?? true, dropout: try r.optionalBool("dropout") ?? false, image: image,
            moe: moe, mla: mla)
    }

    /// The mixture-of-experts fields: all optional, absent for a dense model; `top_k` and the
    /// layout fields need `experts`.
    static func parseMoE(_ r: FieldReader, layers: Int, ffn: Int) throws -> MixtureOfExperts? {
        let moeFields = ["top_k", "expert_ffn", "shared_experts", "moe_every", "dense_layers"]
        guard let experts = try r.optionalInt("experts", in: 1...1_000_000) else {
            if let field = moeFields.first(where: { r.has($0) }) {
                throw RidgelineError.inconsistent(
                    file: r.file, field: field, detail: "\(field) is a mixture-of-experts field but 'experts' is not given")
            }
            return nil
        }
        guard experts >= 2 else {
            throw RidgelineError.invalidValue(
                file: r.file, field: "experts", value: "\(experts)", expected: "at least 2 routed experts (leave it out for a dense model)")
        }
        let topK = try r.optionalInt("top_k", in: 1...1_000_000) ?? 1
        guard topK <= experts else {
            throw RidgelineError.inconsistent(file: r.file, field: "top_k", detail: "top_k \(topK) is more than experts \(experts)")
        }
        let every = try r.optionalInt("moe_every", in: 1...100_000) ?? 1
        let dense = try r.optionalInt("dense_layers", in: 0...100_000) ?? 0
        let moe = MixtureOfExperts(
            experts: experts, topK: topK, expertFFN: try r.optionalInt("expert_ffn", in: Self.largestDimension) ?? ffn,
            sharedExperts: try r.optionalInt("shared_experts", in: 0...1_000_000) ?? 0, every: every, denseLayers: dense)
        guard moe.count(in: 0..<layers) >= 1 else {
            throw RidgelineError.inconsistent(
                file: r.file, field: "dense_layers",
                detail: "dense_layers \(dense) and moe_every \(every) leave no MoE layer among \(layers) layers")
        }
        return moe
    }

    static func parseCNN(_ r: FieldReader) throws -> CNNModel {
        try r.rejectUnknownKeys(cnnKeys)
        var layers: [CNNModel.Layer] = []
        let items = try r.list("layers")
        guard !items.isEmpty else { throw RidgelineError.missingField(file: r.file, field: "layers") }
        for item in items {
            let repeatCount = try item.optionalInt("repeat", in: 1...10_000) ?? 1  // the layer list is built whole
            let layer: CNNModel.Layer
            if item.has("conv") {
                try item.rejectUnknownKeys(["conv", "kernel", "stride", "pad", "batch_norm", "repeat"])
                let kernel = try item.optionalInt("kernel", in: Self.largestDimension) ?? 3
                layer = .conv(
                    out: try item.int("conv", in: Self.largestDimension), kernel: kernel,
                    stride: try item.optionalInt("stride", in: Self.largestDimension) ?? 1,
                    pad: try item.optionalInt("pad", in: 0...Self.largestDimension.upperBound) ?? kernel / 2,
                    batchNorm: try item.optionalBool("batch_norm") ?? true)
            } else if item.has("maxpool") {
                try item.rejectUnknownKeys(["maxpool", "stride", "pad", "repeat"])
                let kernel = try item.int("maxpool", in: Self.largestDimension)
                // PyTorch's own bound: "pad should be at most half of effective kernel size".
                layer = .maxPool(
                    kernel: kernel, stride: try item.optionalInt("stride", in: Self.largestDimension) ?? 2,
                    pad: try item.optionalInt("pad", in: 0...kernel / 2) ?? kernel / 2)
            } else if item.has("avgpool") {
                try item.rejectUnknownKeys(["avgpool", "repeat"])
                layer = .globalAvgPool
            } else if item.has("bottleneck") {
                try item.rejectUnknownKeys(["bottleneck", "out", "stride", "repeat"])
                let mid = try item.int("bottleneck", in: Self.largestDimension), out = try item.int("out", in: Self.largestDimension),
                    stride = try item.optionalInt("stride", in: Self.largestDimension) ?? 1
                // Only the first block of a stage strides; the repeats keep the resolution.
                layers.append(.bottleneck(mid: mid, out: out, stride: stride))
                for _ in 1..<max(1, repeatCount) { layers.append(.bottleneck(mid: mid, out: out, stride: 1)) }
                continue
            } else if item.has("basic") {
                try item.rejectUnknownKeys(["basic", "stride", "repeat"])
                let out = try item.int("basic", in: Self.largestDimension)
                let stride = try item.optionalInt("stride", in: Self.largestDimension) ?? 1
                // As for bottlenecks, only a stage's first block strides.
                layers.append(.basic(out: out, stride: stride))
                for _ in 1..<max(1, repeatCount) { layers.append(.basic(out: out, stride: 1)) }
                continue
            } else if item.has("fc") {
                try item.rejectUnknownKeys(["fc", "repeat"])
                layer = .fc(out: try item.int("fc", in: Self.largestDimension))
            } else {
                throw RidgelineError.invalidValue(
                    file: r.file, field: item.path, value: item.keys.joined(separator: ","),
                    expected: "a layer with one of conv, maxpool, avgpool, bottleneck, basic, fc")
            }
            for _ in 0..<repeatCount { layers.append(layer) }
        }
        let model = CNNModel(
            name: try r.string("name"), image: try r.int("image", in: Self.largestDimension),
            channels: try r.optionalInt("channels", in: Self.largestDimension) ?? 3,
            layers: layers)
        if let (index, size) = model.shapeProblem() {
            throw RidgelineError.inconsistent(
                file: r.file, field: "layers",
                detail:
                    "layer \(index + 1) (\(model.layers[index])) gets a \(size)x\(size) feature map, smaller than its window with its padding: no output"
            )
        }
        return model
    }
}

extension ProfileStore {
    /// Loads a model by id (a file in `profiles/models/`) or by path.
    public func model(_ reference: String) throws -> ModelDefinition {
        try ModelDefinition.load(path: try resolve(reference, in: modelsDirectory, kind: "model"))
    }
}
