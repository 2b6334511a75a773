import Foundation
import Ridgeline
import RidgelineTraining

/// `gpu-measurements/h100-sxm5-more.jsonl`, section `train_step`: whole single-GPU training steps
/// in eager PyTorch 2.x on one H100 SXM5 (reference/README.md describes each model). Column map
/// and declared settings for this source, in one place; the file's other sections are kernel
/// timings and are skipped. A row with a transformer's shape (`vocab`, `layers`, ...) is built from
/// its columns; a CNN row names its network, which is the shipped model profile of `cnnModels`.
enum TrainStepSource {
    static let assumptions = SourceAssumptions(
        mode: .eager, flashAttention: true, overlapGradientReduction: true, sequenceParallel: false, zero: 0,
        rules: [
            "eager PyTorch 2.x, one GPU; torch.autocast(bf16) over fp32 parameters: fp32 residual stream and norms, 16-bit casts before each linear layer, weight gradients cast back to fp32; F.scaled_dot_product_attention (flash); precision must be bf16-autocast; optimizer adamw-fused -> fused AdamW, sgd-momentum -> SGD with momentum",
            "GPT rows: learned positions, LayerNorm, GELU, biases, untied head; Llama rows: RMSNorm, SwiGLU (ffn), GQA (kv_heads), no biases, no position cost, untied head",
            "micro-batch = batch (one micro-batch per step); hardware: the GPU the record's `device` names, else the file's device row, else h100-sxm5-80gb",
            "resnet50, resnet18, vgg16 -> the shipped resnet-50, resnet-18, vgg-16 (torchvision's networks; scripts/train-step-profile.py runs all three), channels-last, cudnn.benchmark (autotuned convolutions), autocast over fp32 parameters, SGD with momentum; image must be the model's (224); other rows without vocab are refused",
        ])

    /// CNN rows by their `model` value: the shipped model profile (`profiles/models/`) that is the
    /// network the row's script built (reference/README.md, `train_step`: torchvision `resnet50`;
    /// scripts/train-step-profile.py also runs `resnet18` and `vgg16`).
    static let cnnModels = ["resnet50": "resnet-50", "resnet18": "resnet-18", "vgg16": "vgg-16"]

    /// Whether `text` holds `train_step` records.
    static func recognises(_ text: String) -> Bool {
        text.contains("\"section\": \"train_step\"") || text.contains("\"section\":\"train_step\"")
    }

    /// `models` loads a shipped model profile by id (`ProfileStore.model`) for the CNN rows.
    static func read(
        text: String, file: String, models: (String) throws -> ModelDefinition = { try ProfileStore.locate().model($0) }
    ) throws -> RunSourceFile {
        var outcomes: [Result<RunCase, Refusal>] = []
        // The reference file names its GPU once, in a `device` row; scripts/train-step-profile.py
        // names it in each record.
        var fileDevice: String?
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let data = line.data(using: .utf8), !line.isEmpty,
                let row = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { continue }
            if row["section"] as? String == "device" { fileDevice = row["name"] as? String }
            guard row["section"] as? String == "train_step" else { continue }
            let origin = "\(file):\(n + 1)"
            let id = row["model"] as? String ?? "line \(n + 1)"
            outcomes.append(
                Result { try runCase(row, id: id, origin: origin, device: fileDevice, models: models) }.mapError { error in
                    (error as? Refusal) ?? Refusal(id: id, reason: "\(error)", origin: origin)
                })
        }
        return RunSourceFile(
            path: file, source: "PyTorch 2.x eager train steps (one GPU)", assumptions: assumptions, outcomes: outcomes)
    }

    /// The record's GPU: its own `device`, else the file's device row, else the H100 SXM5 the
    /// reference steps ran on.
    static func hardware(_ row: [String: Any], device: String?, origin: String) throws -> String {
        if let own = row["device"] as? String { return try PublishedRuns.hardware(own, origin: origin, field: "device") }
        if let device { return try PublishedRuns.hardware(device, origin: origin, field: "device (the file's device row)") }
        return "h100-sxm5-80gb"
    }

    static func runCase(
        _ row: [String: Any], id: String, origin: String, device: String? = nil, models: (String) throws -> ModelDefinition
    ) throws -> RunCase {
        func int(_ key: String) throws -> Int {
            guard let v = row[key] as? Int else { throw RidgelineError.missingField(file: origin, field: key) }
            return v
        }
        guard let ms = row["ms_median"] as? Double else { throw RidgelineError.missingField(file: origin, field: "ms_median") }
        guard ms > 0, ms.isFinite else {
            throw RidgelineError.invalidValue(
                file: origin, field: "ms_median", value: "\(ms)", expected: "a positive number of milliseconds")
        }
        let batch = try int("batch")
        // Every row ran under torch.autocast(bf16) over fp32 parameters: the source's one precision.
        let precision = row["precision"] as? String
        guard precision == "bf16-autocast" else {
            throw RidgelineError.invalidValue(file: origin, field: "precision", value: precision ?? "none", expected: "bf16-autocast")
        }
        let optimizerName = row["optimizer"] as? String ?? "none"
        let optimizer: OptimizerKind
        if optimizerName.hasPrefix("adamw") {
            optimizer = .adamw
        } else if optimizerName.hasPrefix("sgd") {
            optimizer = .sgd
        } else {
            throw RidgelineError.invalidValue(
                file: origin, field: "optimizer", value: optimizerName, expected: "adamw-fused or sgd-momentum")
        }
        let model: ModelDefinition, seq: Int
        if row["vocab"] != nil {
            let llama = id.lowercased().contains("llama")
            let d = try int("d_model")
            seq = try int("seq")
            model = .transformer(
                TransformerModel(
                    name: id, layers: try int("layers"), dModel: d, heads: try int("heads"), kvHeads: row["kv_heads"] as? Int,
                    ffn: (row["ffn"] as? Int) ?? 4 * d, ffnKind: llama ? .swiglu : .gelu, norm: llama ? .rmsnorm : .layernorm,
                    vocab: try int("vocab"), maxSeq: seq, position: llama ? .none : .learned, tiedEmbeddings: false,
                    bias: !llama, causal: true, dropout: false))
        } else if let shipped = cnnModels[id] {
            let definition = try models(shipped)
            guard case .cnn(let cnn) = definition else {
                throw Refusal(id: id, reason: "model profile \(shipped) is not a CNN", origin: origin)
            }
            let image = try int("image")
            guard image == cnn.image else {
                throw RidgelineError.invalidValue(
                    file: origin, field: "image", value: "\(image)", expected: "\(cnn.image), the image size of \(shipped)")
            }
            // The row's parameter count is the script's network's: the shipped model must count the same.
            if let params = row["params"] as? Int, Double(params) != cnn.parameterCount {
                throw RidgelineError.invalidValue(
                    file: origin, field: "params", value: "\(params)",
                    expected: "\(Int(cnn.parameterCount)), the parameters of \(shipped)")
            }
            model = definition
            seq = TrainingDefaults(model: definition).seq  // a CNN has no sequence
        } else {
            throw Refusal(
                id: id,
                reason:
                    "unknown model \(id): neither a transformer's shape (vocab, d_model, layers) nor a CNN this source maps (\(cnnModels.keys.sorted().joined(separator: ", ")))",
                origin: origin)
        }
        let layout = Layout(devices: 1, globalBatch: batch, microBatch: batch)
        var settings = KernelSettings(
            microBatch: batch, seq: seq, precision: .bf16, recompute: .none,
            flashAttention: assumptions.flashAttention, mode: assumptions.mode, optimizer: optimizer)
        settings.autocastFP32Parameters = true
        return RunCase(
            id: id, model: model, layout: layout, settings: settings, hardware: try hardware(row, device: device, origin: origin),
            measuredSeconds: ms / 1000, origin: origin
        )
    }
}
