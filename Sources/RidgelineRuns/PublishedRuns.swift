import Foundation
import Ridgeline
import RidgelineTraining

/// Reads a file of published training runs in the schema of `reference/training-runs/`, picking
/// the source's column map by the file's columns. Each source's map is one file under
/// `Sources/` (`MegatronSource`, `VTrainSource`, `LLMFoundrySource`, `NeMoSource`, and
/// `TrainStepSource` for the JSON-lines single-GPU train steps): the only place
/// that knows that source's column names.
public enum PublishedRuns {
    public static func load(path: String) throws -> RunSourceFile {
        if path.hasSuffix(".jsonl") {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RidgelineError.unreadable(file: path, reason: "cannot read the file")
            }
            if TrainStepSource.recognises(text) { return try TrainStepSource.read(text: text, file: path) }
            throw RidgelineError.unreadable(
                file: path,
                reason: "no train_step records (the JSON-lines runs file Ridgeline knows is gpu-measurements/h100-sxm5-more.jsonl)")
        }
        let csv = try CSVTable.load(path: path)
        let columns = Set(csv.header)
        if columns.contains("derived_fields") && columns.contains("reported_tflops_per_gpu") { return try MegatronSource.read(csv) }
        if columns.contains("model_key") && columns.contains("measured_step_s") { return try NeMoSource.read(csv) }
        if columns.contains("sharding_strategy") { return try LLMFoundrySource.read(csv) }
        if columns.contains("measured_iteration_s") && !csv.rows.isEmpty && ((try? csv.string(0, "source"))?.contains("vTrain") ?? false) {
            return try VTrainSource.read(csv)
        }
        throw RidgelineError.unreadable(
            file: path,
            reason:
                "not a published-runs file Ridgeline knows (the columns of reference/training-runs: megatron-a100, vtrain-a100-single-node, llmfoundry-mpt-fsdp, nemo-h100-pretrain)"
        )
    }

    /// Maps every row, turning a row's error into a refusal with the error's words.
    static func rows(_ csv: CSVTable, _ map: (Int) throws -> RunCase) -> [Result<RunCase, Refusal>] {
        (0..<csv.rows.count).map { i in
            let id = (try? csv.string(i, "run_id")) ?? "row \(i + 1)"
            do { return .success(try map(i)) } catch let refusal as Refusal {
                return .failure(refusal)
            } catch {
                return .failure(Refusal(id: id, reason: "\(error)", origin: "\(csv.file):\(i + 2)"))
            }
        }
    }

    /// The shipped profile for a source's GPU name ("A100", "H100 80GB", or as CUDA names the
    /// device: "NVIDIA H100 80GB HBM3"); `origin` and `field` say where the name was read.
    static func hardware(_ gpu: String, origin: String, field: String) throws -> String {
        var g = gpu.uppercased()
        if g.hasPrefix("NVIDIA ") { g.removeFirst("NVIDIA ".count) }
        if g.hasPrefix("A100") { return g.contains("40GB") ? "a100-sxm4-40gb" : "a100-sxm4-80gb" }
        if g.hasPrefix("H100") { return g.contains("PCIE") ? "h100-pcie-80gb" : "h100-sxm5-80gb" }
        if g.hasPrefix("H200") { return "h200-sxm-141gb" }
        if g.hasPrefix("V100") { return "v100-sxm2-32gb" }
        throw RidgelineError.invalidValue(file: origin, field: field, value: gpu, expected: "A100, H100, H200 or V100")
    }

    /// Numerics by their published names (fp16, bf16, amp_bf16, amp_fp8, BF16, FP8, "mixed 16-bit").
    static func precision(_ text: String, file: String, row: Int) throws -> Precision {
        let t = text.lowercased()
        if t.contains("fp8") { return .fp8 }
        if t.contains("bf16") { return .bf16 }
        if t.contains("fp16") || t.contains("16-bit") { return .fp16 }
        if t.contains("fp32") { return .fp32 }
        throw RidgelineError.invalidValue(file: "\(file):\(row + 2)", field: "precision", value: text, expected: "fp16, bf16, fp8 or fp32")
    }

    /// Recomputation by its published names ("full", "full (activation_checkpointing=True)", "none").
    static func recompute(_ text: String, file: String, row: Int) throws -> Recompute {
        let t = text.lowercased()
        if t.hasPrefix("full") { return .full }
        if t.hasPrefix("selective") { return .selective }
        if t.hasPrefix("none") || t.hasPrefix("no") { return .none }
        throw RidgelineError.invalidValue(file: "\(file):\(row + 2)", field: "recompute", value: text, expected: "full, selective or none")
    }
}
