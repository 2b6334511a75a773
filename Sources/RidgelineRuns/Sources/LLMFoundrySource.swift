import Ridgeline
import RidgelineTraining

/// `llmfoundry-mpt-fsdp.csv`: MPT models trained with PyTorch FSDP (Composer) on A100-40GB/80GB
/// and H100-80GB. Column map and declared settings for this source, in one place.
enum LLMFoundrySource {
    static let assumptions = SourceAssumptions(
        mode: .eager, flashAttention: true, overlapGradientReduction: true, sequenceParallel: false, zero: 3,
        rules: ["PyTorch FSDP (Composer) in eager mode; attn_impl flash (the benchmark default, notes); FSDP prefetch overlaps gathers and reductions",
                "sharding_strategy FULL_SHARD -> ZeRO 3, SHARD_GRAD_OP -> ZeRO 2, NO_SHARD -> 0",
                "MPT decoder: ALiBi (no position embedding), GELU, LayerNorm, no biases, tied embeddings",
                "A100-40GB -> a100-sxm4-40gb, A100-80GB -> a100-sxm4-80gb, H100-80GB -> h100-sxm5-80gb",
                "measured_iteration_s is derived by the source from the published throughput (notes)"])

    static func read(_ csv: CSVTable) throws -> RunSourceFile {
        let a = assumptions
        let outcomes = PublishedRuns.rows(csv) { i in
            let id = try csv.string(i, "run_id"), origin = "\(csv.file):\(i + 2)"
            let seq = try csv.int(i, "seq_len")
            let model = TransformerModel(name: try csv.string(i, "model_name"), layers: try csv.int(i, "layers"), dModel: try csv.int(i, "hidden"),
                                         heads: try csv.int(i, "heads"), ffn: try csv.int(i, "ffn"), ffnKind: .gelu, norm: .layernorm,
                                         vocab: try csv.int(i, "vocab"), maxSeq: seq, position: .none, tiedEmbeddings: true, bias: false,
                                         causal: true, dropout: false)
            let offload = try csv.string(i, "activation_cpu_offload").lowercased()
            if offload == "true" { throw Refusal(id: id, reason: "activation CPU offload is not modelled", origin: origin) }
            let zero: Int
            switch try csv.string(i, "sharding_strategy") {
            case "FULL_SHARD", "HYBRID_SHARD": zero = 3
            case "SHARD_GRAD_OP": zero = 2
            case "NO_SHARD": zero = 0
            case let other: throw Refusal(id: id, reason: "sharding strategy \(other) is not mapped", origin: origin)
            }
            let tp = try csv.int(i, "tp"), pp = try csv.int(i, "pp"), micro = try csv.int(i, "micro_batch")
            let layout = Layout(devices: try csv.int(i, "gpus"), tp: tp, pp: pp, dp: try csv.int(i, "dp"), zero: zero,
                                globalBatch: try csv.int(i, "global_batch"), microBatch: micro, overlapGradientReduction: a.overlapGradientReduction)
            let settings = KernelSettings(tp: tp, sequenceParallel: a.sequenceParallel && tp > 1, microBatch: micro, seq: seq,
                                          precision: try PublishedRuns.precision(try csv.string(i, "precision"), file: csv.file, row: i),
                                          recompute: try PublishedRuns.recompute(try csv.string(i, "recompute"), file: csv.file, row: i),
                                          flashAttention: a.flashAttention, mode: a.mode)
            return RunCase(id: id, model: model, layout: layout, settings: settings,
                           hardware: try PublishedRuns.hardware(try csv.string(i, "gpu_type"), file: csv.file, row: i),
                           measuredSeconds: try csv.double(i, "measured_iteration_s"), origin: origin)
        }
        return RunSourceFile(path: csv.file, source: "LLM Foundry (MPT, PyTorch FSDP)", assumptions: a, outcomes: outcomes)
    }
}
