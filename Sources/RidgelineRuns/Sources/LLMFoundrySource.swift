import Ridgeline
import RidgelineTraining

/// `llmfoundry-mpt-fsdp.csv`: MPT models trained with PyTorch FSDP (Composer) on A100-40GB/80GB
/// and H100-80GB. Column map and declared settings for this source, in one place.
enum LLMFoundrySource {
    static let assumptions = SourceAssumptions(
        mode: .eager, flashAttention: true, overlapGradientReduction: true, sequenceParallel: false, zero: 3,
        hierarchicalZeRO3: true, zero3RegatherForRecompute: false,
        rules: [
            "PyTorch FSDP (Composer) in eager mode; FSDP prefetch overlaps gathers and reductions",
            "FSDP gathers and reduce-scatters each unit as one NCCL collective over the whole group: multi-channel rings, one NIC each, cross the network hierarchically",
            "activation checkpointing inside each FSDP unit (Composer wraps FSDP(CheckpointWrapper(MPTBlock))): the unit's pre-backward all-gather serves its recomputed forward and its backward, "
                + "so a micro-batch gathers twice, not three times",
            "mp_mode (Composer's FSDP mixed precision) by the Composer the row's llm-foundry commit pins (first_seen): DEFAULT before Composer 0.14 "
                + "(first seen before 2023-05-01) keeps and gathers fp32 parameters, reduces in bf16; DEFAULT from Composer 0.16.4 "
                + "(first seen from 2023-10-11) gathers bf16, reduces in fp32; PURE gathers and reduces bf16",
            "DEFAULT before Composer 0.14: autocast computes with the gathered fp32 parameters (fp32 embedding, residual stream and LayerNorm, a cast before every linear layer)",
            "attn_impl by the row's llm-foundry commit (first_seen): before 2023-03 the yamls' flash on flash-attn 0.2.x (FlashAttention 1, half FlashAttention-2's rate, Dao 2023); "
                + "from 2023-04 submit_benchmarks.py's default triton (the Triton port on pre-MLIR Triton, 0.72 of FlashAttention-2, measured on the A100 rows), "
                + "in 2024-01 sweep.py's triton for MPT-13B/30B and flash-attn 2.x for the rest: sm80 kernels, on H100 times 0.62 of the profile's Hopper kernels (Shah et al. 2024)",
            "sharding_strategy FULL_SHARD -> ZeRO 3, SHARD_GRAD_OP -> ZeRO 2, NO_SHARD -> 0",
            "MPT decoder as the benchmark yamls build it (MPTConfig defaults: learned_pos_emb, no_bias false): learned positions, GELU, LayerNorm, "
                + "biases, tied embeddings; every row's NumParams is this count exactly",
            "A100-40GB -> a100-sxm4-40gb, A100-80GB -> a100-sxm4-80gb, H100-80GB -> h100-sxm5-80gb",
            "measured_iteration_s is derived by the source from the published throughput (notes)",
        ])

    static func read(_ csv: CSVTable) throws -> RunSourceFile {
        let a = assumptions
        let outcomes = PublishedRuns.rows(csv) { i in
            let id = try csv.string(i, "run_id"), origin = "\(csv.file):\(i + 2)"
            let seq = try csv.int(i, "seq_len")
            let model = TransformerModel(
                name: try csv.string(i, "model_name"), layers: try csv.int(i, "layers"), dModel: try csv.int(i, "hidden"),
                heads: try csv.int(i, "heads"), ffn: try csv.int(i, "ffn"), ffnKind: .gelu, norm: .layernorm,
                vocab: try csv.int(i, "vocab"), maxSeq: seq, position: .learned, tiedEmbeddings: true, bias: true,
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
            let layout = Layout(
                devices: try csv.int(i, "gpus"), tp: tp, pp: pp, dp: try csv.int(i, "dp"), zero: zero,
                globalBatch: try csv.int(i, "global_batch"), microBatch: micro, overlapGradientReduction: a.overlapGradientReduction)
            var settings = KernelSettings(
                tp: tp, sequenceParallel: a.sequenceParallel && tp > 1, microBatch: micro, seq: seq,
                precision: try PublishedRuns.precision(try csv.string(i, "precision"), file: csv.file, row: i),
                recompute: try PublishedRuns.recompute(try csv.string(i, "recompute"), file: csv.file, row: i),
                flashAttention: a.flashAttention, mode: a.mode)
            let numerics = try mixedPrecision(csv, i)
            // fp32 parameters gathered (Composer's DEFAULT before 0.14) are what autocast computes
            // with: the fp32 embedding makes the residual stream fp32, every linear layer casts.
            settings.autocastFP32Parameters = numerics.gather == 4
            var run = RunCase(
                id: id, model: .transformer(model), layout: layout, settings: settings,
                hardware: try PublishedRuns.hardware(try csv.string(i, "gpu_type"), origin: "\(csv.file):\(i + 2)", field: "gpu_type"),
                measuredSeconds: try csv.positiveDouble(i, "measured_iteration_s"), origin: origin)
            run.flashKernel = try flashKernel(csv, i)
            run.shardedParameterBytes = numerics.gather
            run.gradientReduceBytes = numerics.reduce
            return run
        }
        return RunSourceFile(path: csv.file, source: "LLM Foundry (MPT, PyTorch FSDP)", assumptions: a, outcomes: outcomes)
    }

    /// Bytes per parameter FSDP gathers and per gradient element it reduces, from the row's
    /// `mp_mode` and the Composer release its llm-foundry commit pins (the date in `first_seen`).
    /// Composer's `DEFAULT` left `param_dtype` at fp32 until 0.14 (2023-05-01: "update fsdp mixed
    /// precision", #2047) and set `reduce_dtype` to fp32 from 0.16.4 (2023-10-11: "patch default",
    /// #2628); in between, and in `PURE`, both are bf16. nil: the defaults (2 and 2 bytes).
    static func mixedPrecision(_ csv: CSVTable, _ i: Int) throws -> (gather: Double?, reduce: Double?) {
        guard csv.header.contains("mp_mode"), csv.header.contains("first_seen") else { return (nil, nil) }
        let mode = try csv.string(i, "mp_mode").uppercased()
        let date = try firstSeen(csv, i)
        switch mode {
        case "DEFAULT":
            if date < "2023-05-01" { return (4, nil) }
            if date >= "2023-10-11" { return (nil, 4) }
            return (nil, nil)
        case "PURE": return (nil, nil)
        case "FULL": return (4, 4)
        default:
            throw RidgelineError.invalidValue(
                file: "\(csv.file):\(i + 2)", field: "mp_mode", value: mode, expected: "DEFAULT, PURE or FULL")
        }
    }

    /// The date of the llm-foundry commit whose README first shows the row (`first_seen`,
    /// "COMMIT YYYY-MM-DD").
    static func firstSeen(_ csv: CSVTable, _ i: Int) throws -> String {
        let seen = try csv.string(i, "first_seen")
        guard let date = seen.split(separator: " ").last.map(String.init), date.count == 10, date.hasPrefix("20") else {
            throw RidgelineError.invalidValue(
                file: "\(csv.file):\(i + 2)", field: "first_seen", value: seen, expected: "'COMMIT YYYY-MM-DD'")
        }
        return date
    }

    /// The flash-attention kernel the row's llm-foundry commit ran (`first_seen`). Before 2023-03
    /// the model yamls set `attn_impl: flash` over HazyResearch flash-attn 0.2.x (the
    /// requirements pin 0.2.2, then 0.2.8): FlashAttention 1. From 2023-04 `submit_benchmarks.py`
    /// defaults to `--attn_impl triton`: llm-foundry's Triton port of FlashAttention on
    /// `triton-pre-mlir` (`FlashKernel.tritonPort`; the fp8 runs too: `fc_type: te` swaps only
    /// the linear layers). The 2024-01 table's `sweep.py` (5e85bd62d) passes `--attn_impl triton`
    /// for MPT-13B and MPT-30B and `flash` (flash-attn 2.x) for the others: `flash2`.
    /// nil: a file without `first_seen` (the default kernel).
    static func flashKernel(_ csv: CSVTable, _ i: Int) throws -> FlashKernel? {
        guard csv.header.contains("first_seen") else { return nil }
        let date = try firstSeen(csv, i)
        if date < "2023-03-01" { return .flash1 }
        if date < "2024-01-01" { return .tritonPort }
        return Self.sweepTritonModels.contains(try csv.string(i, "model_name")) ? .tritonPort : .flash2
    }

    /// The models the 2024-01 table's `sweep.py` runs with `--attn_impl triton`.
    static let sweepTritonModels: Set<String> = ["MPT-13B", "MPT-30B"]
}
