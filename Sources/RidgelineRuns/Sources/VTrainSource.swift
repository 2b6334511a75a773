import Ridgeline
import RidgelineTraining

/// `vtrain-a100-single-node.csv`: GPT models on 2-8 A100s of one node with Megatron-DeepSpeed
/// (the vTrain artifact). Column map and declared settings for this source, in one place.
enum VTrainSource {
    static let assumptions = SourceAssumptions(
        mode: .eager, flashAttention: false, overlapGradientReduction: false, sequenceParallel: false, zero: 0,
        rules: ["Megatron-DeepSpeed in eager PyTorch; unfused attention; 'no gradient bucketing' (notes): reduction after backward",
                "GPT-2/3-style decoder (notes): learned positions, GELU, biases, dropout, tied embeddings",
                "gpu_type A100 -> a100-sxm4-80gb (SXM assumed by the source)"])

    static func read(_ csv: CSVTable) throws -> RunSourceFile {
        let a = assumptions
        let outcomes = PublishedRuns.rows(csv) { i in
            let seq = try csv.int(i, "seq_len")
            let model = TransformerModel(name: try csv.string(i, "model_name"), layers: try csv.int(i, "layers"), dModel: try csv.int(i, "hidden"),
                                         heads: try csv.int(i, "heads"), ffn: try csv.int(i, "ffn"), ffnKind: .gelu, norm: .layernorm,
                                         vocab: try csv.int(i, "vocab"), maxSeq: seq, position: .learned, tiedEmbeddings: true, bias: true,
                                         causal: true, dropout: true)
            let tp = try csv.int(i, "tp"), pp = try csv.int(i, "pp"), dp = try csv.int(i, "dp"), micro = try csv.int(i, "micro_batch")
            let recompute = try PublishedRuns.recompute(try csv.string(i, "recompute"), file: csv.file, row: i)
            let layout = Layout(devices: try csv.int(i, "gpus"), tp: tp, pp: pp, dp: dp, zero: a.zero, globalBatch: try csv.int(i, "global_batch"),
                                microBatch: micro, overlapGradientReduction: a.overlapGradientReduction)
            let settings = KernelSettings(tp: tp, sequenceParallel: a.sequenceParallel && tp > 1, microBatch: micro, seq: seq,
                                          precision: try PublishedRuns.precision(try csv.string(i, "precision"), file: csv.file, row: i),
                                          recompute: recompute, flashAttention: a.flashAttention, mode: a.mode)
            return RunCase(id: try csv.string(i, "run_id"), model: model, layout: layout, settings: settings,
                           hardware: try PublishedRuns.hardware(try csv.string(i, "gpu_type"), file: csv.file, row: i),
                           measuredSeconds: try csv.double(i, "measured_iteration_s"), origin: "\(csv.file):\(i + 2)")
        }
        return RunSourceFile(path: csv.file, source: "vTrain (Megatron-DeepSpeed, one DGX-A100 node)", assumptions: a, outcomes: outcomes)
    }
}
