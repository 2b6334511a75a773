import Foundation
import Ridgeline
import RidgelineTraining

/// `gpu-measurements/h100-sxm5-more.jsonl`, section `train_step`: whole single-GPU training steps
/// in eager PyTorch 2.x on one H100 SXM5 (reference/README.md describes each model). Column map
/// and declared settings for this source, in one place; the file's other sections are kernel
/// timings and are skipped.
enum TrainStepSource {
    static let assumptions = SourceAssumptions(
        mode: .eager, flashAttention: true, overlapGradientReduction: true, sequenceParallel: false, zero: 0,
        rules: [
            "eager PyTorch 2.x, one GPU; torch.autocast(bf16) over fp32 parameters: fp32 residual stream and norms, 16-bit casts before each linear layer, weight gradients cast back to fp32; F.scaled_dot_product_attention (flash); fused AdamW",
            "GPT rows: learned positions, LayerNorm, GELU, biases, untied head; Llama rows: RMSNorm, SwiGLU (ffn), GQA (kv_heads), no biases, no position cost, untied head",
            "micro-batch = batch (one micro-batch per step); hardware h100-sxm5-80gb",
            "resnet50 (a CNN) is refused: a run here is a transformer",
        ])

    /// Whether `text` holds `train_step` records.
    static func recognises(_ text: String) -> Bool {
        text.contains("\"section\": \"train_step\"") || text.contains("\"section\":\"train_step\"")
    }

    static func read(text: String, file: String) throws -> RunSourceFile {
        var outcomes: [Result<RunCase, Refusal>] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let data = line.data(using: .utf8), !line.isEmpty,
                let row = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                row["section"] as? String == "train_step"
            else { continue }
            let origin = "\(file):\(n + 1)"
            let id = row["model"] as? String ?? "line \(n + 1)"
            outcomes.append(
                Result { try runCase(row, id: id, origin: origin) }.mapError { error in
                    (error as? Refusal) ?? Refusal(id: id, reason: "\(error)", origin: origin)
                })
        }
        return RunSourceFile(
            path: file, source: "PyTorch 2.x eager train steps (one H100 SXM5)", assumptions: assumptions, outcomes: outcomes)
    }

    static func runCase(_ row: [String: Any], id: String, origin: String) throws -> RunCase {
        func int(_ key: String) throws -> Int {
            guard let v = row[key] as? Int else { throw RidgelineError.missingField(file: origin, field: key) }
            return v
        }
        guard row["vocab"] != nil else {
            throw Refusal(
                id: id, reason: "not a transformer (no vocab, layers): CNN steps are checked by ridgeline train, not here", origin: origin)
        }
        let llama = id.lowercased().contains("llama")
        let d = try int("d_model"), seq = try int("seq"), batch = try int("batch")
        let model = TransformerModel(
            name: id, layers: try int("layers"), dModel: d, heads: try int("heads"), kvHeads: row["kv_heads"] as? Int,
            ffn: (row["ffn"] as? Int) ?? 4 * d, ffnKind: llama ? .swiglu : .gelu, norm: llama ? .rmsnorm : .layernorm,
            vocab: try int("vocab"), maxSeq: seq, position: llama ? .none : .learned, tiedEmbeddings: false,
            bias: !llama, causal: true, dropout: false)
        let layout = Layout(devices: 1, globalBatch: batch, microBatch: batch)
        var settings = KernelSettings(
            microBatch: batch, seq: seq, precision: .bf16, recompute: .none,
            flashAttention: assumptions.flashAttention, mode: assumptions.mode)
        settings.autocastFP32Parameters = true
        guard let ms = row["ms_median"] as? Double else { throw RidgelineError.missingField(file: origin, field: "ms_median") }
        return RunCase(
            id: id, model: model, layout: layout, settings: settings, hardware: "h100-sxm5-80gb", measuredSeconds: ms / 1000, origin: origin
        )
    }
}
