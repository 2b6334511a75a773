import Foundation
import Ridgeline

extension ModelDefinition {
    static let transformerKeys: Set<String> = [
        "name", "kind", "layers", "d_model", "heads", "kv_heads", "ffn", "ffn_kind", "norm", "vocab", "max_seq",
        "position", "tied_embeddings", "bias", "causal", "dropout", "image", "published_parameters", "sources", "notes",
    ]
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
        try r.rejectUnknownKeys(transformerKeys)
        let dModel = try r.int("d_model")
        let heads = try r.int("heads")
        guard dModel % heads == 0 else {
            throw RidgelineError.inconsistent(file: r.file, field: "heads",
                                              detail: "d_model \(dModel) is not divisible by heads \(heads)")
        }
        let kvHeads = try r.optionalInt("kv_heads") ?? heads
        guard heads % kvHeads == 0 else {
            throw RidgelineError.inconsistent(file: r.file, field: "kv_heads",
                                              detail: "heads \(heads) is not a multiple of kv_heads \(kvHeads)")
        }
        let image = try r.optionalChild("image").map { i -> TransformerModel.Image in
            try i.rejectUnknownKeys(["size", "patch", "channels"])
            let size = try i.int("size"), patch = try i.int("patch")
            guard size % patch == 0 else {
                throw RidgelineError.inconsistent(file: r.file, field: "image.patch", detail: "image size \(size) is not a multiple of patch \(patch)")
            }
            return .init(size: size, patch: patch, channels: try i.optionalInt("channels") ?? 3)
        }
        return TransformerModel(
            name: try r.string("name"), layers: try r.int("layers", in: 1...100_000), dModel: dModel, heads: heads,
            kvHeads: kvHeads, ffn: try r.int("ffn"), ffnKind: try r.enumValue("ffn_kind", TransformerModel.FFNKind.self),
            norm: try r.enumValue("norm", TransformerModel.Norm.self), vocab: try r.int("vocab"),
            maxSeq: try r.int("max_seq"), position: try r.enumValue("position", TransformerModel.Position.self),
            tiedEmbeddings: try r.optionalBool("tied_embeddings") ?? true, bias: try r.optionalBool("bias") ?? true,
            causal: try r.optionalBool("causal") ?? true, dropout: try r.optionalBool("dropout") ?? false, image: image)
    }

    static func parseCNN(_ r: FieldReader) throws -> CNNModel {
        try r.rejectUnknownKeys(cnnKeys)
        var layers: [CNNModel.Layer] = []
        let items = try r.list("layers")
        guard !items.isEmpty else { throw RidgelineError.missingField(file: r.file, field: "layers") }
        for item in items {
            let repeatCount = try item.optionalInt("repeat", in: 1...10_000) ?? 1   // the layer list is built whole
            let layer: CNNModel.Layer
            if item.has("conv") {
                try item.rejectUnknownKeys(["conv", "kernel", "stride", "batch_norm", "repeat"])
                layer = .conv(out: try item.int("conv"), kernel: try item.optionalInt("kernel") ?? 3,
                              stride: try item.optionalInt("stride") ?? 1, batchNorm: try item.optionalBool("batch_norm") ?? true)
            } else if item.has("maxpool") {
                try item.rejectUnknownKeys(["maxpool", "stride", "repeat"])
                layer = .maxPool(kernel: try item.int("maxpool"), stride: try item.optionalInt("stride") ?? 2)
            } else if item.has("avgpool") {
                try item.rejectUnknownKeys(["avgpool", "repeat"])
                layer = .globalAvgPool
            } else if item.has("bottleneck") {
                try item.rejectUnknownKeys(["bottleneck", "out", "stride", "repeat"])
                let mid = try item.int("bottleneck"), out = try item.int("out"), stride = try item.optionalInt("stride") ?? 1
                // Only the first block of a stage strides; the repeats keep the resolution.
                layers.append(.bottleneck(mid: mid, out: out, stride: stride))
                for _ in 1..<max(1, repeatCount) { layers.append(.bottleneck(mid: mid, out: out, stride: 1)) }
                continue
            } else if item.has("fc") {
                try item.rejectUnknownKeys(["fc", "repeat"])
                layer = .fc(out: try item.int("fc"))
            } else {
                throw RidgelineError.invalidValue(file: r.file, field: item.path, value: item.keys.joined(separator: ","),
                                                  expected: "a layer with one of conv, maxpool, avgpool, bottleneck, fc")
            }
            for _ in 0..<repeatCount { layers.append(layer) }
        }
        return CNNModel(name: try r.string("name"), image: try r.int("image"), channels: try r.optionalInt("channels") ?? 3,
                        layers: layers)
    }
}

extension ProfileStore {
    /// Loads a model by id (a file in `profiles/models/`) or by path.
    public func model(_ reference: String) throws -> ModelDefinition {
        try ModelDefinition.load(path: try resolve(reference, in: modelsDirectory, kind: "model"))
    }
}
