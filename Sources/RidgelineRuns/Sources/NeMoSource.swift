import Foundation
import Ridgeline
import RidgelineTraining

/// `nemo-h100-pretrain.csv` with the model shapes of `nemo-h100-models.csv` beside it: NeMo
/// (Megatron-core) pre-training on DGX H100. Column map and declared settings for this source,
/// in one place. Every row maps: context parallelism (`cp`), expert parallelism (`ep`, `etp`),
/// the mixture-of-experts shape (`experts`, `top_k` of the models file), fp8 and proxy layer counts.
enum NeMoSource {
    static let assumptions: SourceAssumptions = {
        var a = SourceAssumptions(
            mode: .compiled, flashAttention: true, overlapGradientReduction: true, sequenceParallel: true, zero: 1,
            rules: [
                "Megatron-core with Transformer Engine: fused kernels (compiled), flash attention, gradient reduction overlapped",
                "sequence parallelism whenever tp > 1, distributed optimizer (ZeRO 1), no recomputation (not stated per row)",
                "vp -> interleaved schedule with vp chunks; layers_used (proxy runs) replaces the model's layer count",
                "cp -> context parallelism, ep -> expert parallelism (ranks from dp·cp), etp -> expert tensor parallelism (empty: tp)",
                "model shape from nemo-h100-models.csv (model_key); experts/top_k -> mixture of experts with expert ffn = ffn, capacity factor 1",
                "experts one after another (SequentialMLP: per-expert GEMMs, activation and fp8 casts): the Grok-1 recipe sets moe_grouped_gemm false (dgxc-benchmarking grok1/grok1_314b.yaml)",
                "MoE decoder whose arch names neither MLP nor position (Grok-1): gated MLP, RMSNorm, RoPE, untied, no biases (profiles/models/grok-1.yaml)",
                "attention kernel by the recipe of release_first: NVTE_FUSED_ATTN=0 (Grok-1 v24.11.1-v25.04, GPT-3 v24.11.1, Nemotron-4 340B v24.11.1-v25.02) -> flash-attn 2.x (flash2), else cuDNN's (native)",
                "gradient_accumulation_fusion true (every recipe's yaml): weight-gradient GEMMs accumulate into fp32 main_grad",
                "ub_tp_comm_overlap true (every recipe with tp > 1, yaml or launch override): sequence-parallel all-gathers and reduce-scatters overlapped with their GEMMs, one of tp chunks exposed, the rest slowing the GEMMs by the overlap contention",
                "overlap_param_sync true (every v24.11-v25.02 recipe's distributed_fused_adam or mcore_distributed_optim; NeMo 2's overlap_param_gather): the distributed optimizer's parameter all-gather runs beside the next step's first forward",
                "gpu_type H100 -> h100-sxm5-80gb",
            ])
        // Transformer Engine's userbuffers overlap of the sequence-parallel collectives: the Llama
        // 3.1 70B/405B and GPT-3 yamls set `ub_tp_comm_overlap: true`, the Grok-1 and Nemotron-4
        // launch scripts pass `model.ub_tp_comm_overlap=true` (dgxc-benchmarking 35a9aecc,
        // 8f5cbb37); Megatron-core turns it off for the expert MLPs (`TELinear`, "Disable ub
        // overlap for experts"), whose all-gather and reduce-scatter stay exposed.
        a.tensorParallelCommOverlap = true
        // The distributed optimizer's parameter all-gather: every yaml of the v24.11.1 and v25.02
        // releases sets `optim.overlap_param_sync: true` (apex `distributed_fused_adam` for
        // Llama 3.1, Nemotron-4 and GPT-3, `mcore_distributed_optim` for Grok-1, which also sets
        // `overlap_param_gather_with_optimizer_step`); the NeMo 2 recipes of the later releases
        // pass Megatron-core's `DistributedDataParallelConfig(overlap_param_gather=True)` (NVIDIA/NeMo
        // nemo/collections/llm/recipes/llama31_8b.py, `trainer()`, as the other llm recipes).
        a.overlapParameterGather = true
        return a
    }()

    /// The only MoE recipe here (Grok-1) runs its experts as SequentialMLP: NeMo's
    /// `grok1_314b.yaml` (dgxc-benchmarking@35a9aecc) states `moe_grouped_gemm: false`.
    static let sequentialExperts = true

    static func read(_ csv: CSVTable) throws -> RunSourceFile {
        // The model shapes sit beside the runs file; runs read from standard input use the shipped ones.
        let beside = URL(fileURLWithPath: csv.file).deletingLastPathComponent().appendingPathComponent("nemo-h100-models.csv").path
        let modelsPath =
            FileManager.default.fileExists(atPath: beside) ? beside : try DataRoot.locate().reference("training-runs/nemo-h100-models.csv")
        let models = try CSVTable.load(path: modelsPath)
        var shapes: [String: Int] = [:]
        for i in 0..<models.rows.count { shapes[try models.string(i, "model_key")] = i }
        let outcomes = PublishedRuns.rows(csv) { i in try runCase(csv, i, models: models, shapes: shapes) }
        return RunSourceFile(path: csv.file, source: "NeMo / Megatron-core (DGX H100)", assumptions: assumptions, outcomes: outcomes)
    }

    static func runCase(_ csv: CSVTable, _ i: Int, models: CSVTable, shapes: [String: Int]) throws -> RunCase {
        let a = assumptions
        let id = try csv.string(i, "run_id"), origin = "\(csv.file):\(i + 2)"
        let key = try csv.string(i, "model_key")
        guard let m = shapes[key] else {
            throw RidgelineError.invalidValue(file: origin, field: "model_key", value: key, expected: "a model_key of \(models.file)")
        }
        let cp = try csv.optionalInt(i, "cp") ?? 1, ep = try csv.optionalInt(i, "ep") ?? 1, etp = try csv.optionalInt(i, "etp")
        let tp = try csv.int(i, "tp"), pp = try csv.int(i, "pp"), micro = try csv.int(i, "micro_batch")
        let vp = try csv.optionalInt(i, "vp") ?? 1
        let hardware = try PublishedRuns.hardware(try csv.string(i, "gpu_type"), origin: "\(csv.file):\(i + 2)", field: "gpu_type")
        let precision = try PublishedRuns.precision(try csv.string(i, "precision"), file: csv.file, row: i)
        var moe: MixtureOfExperts?
        if let experts = try models.optionalInt(m, "experts"), experts > 1 {
            moe = MixtureOfExperts(experts: experts, topK: try models.optionalInt(m, "top_k") ?? 1, expertFFN: try models.int(m, "ffn"))
        }
        let arch = try models.string(m, "arch").lowercased()
        // Grok-1's row says only "MoE decoder, GQA": its shipped model's gated MLP, RMSNorm and RoPE.
        let modern = arch.contains("rope") || moe != nil
        let swiglu = arch.contains("swiglu") || (moe != nil && !arch.contains("relu") && !arch.contains("gelu"))
        let relu = arch.contains("relu")
        let seq = try csv.int(i, "seq_len")
        let model = TransformerModel(
            name: try csv.string(i, "model"), layers: try csv.optionalInt(i, "layers_used") ?? models.int(m, "layers"),
            dModel: try models.int(m, "hidden"), heads: try models.int(m, "heads"), kvHeads: try models.optionalInt(m, "kv_heads"),
            ffn: try models.int(m, "ffn"), ffnKind: swiglu ? .swiglu : relu ? .relu : .gelu, norm: modern ? .rmsnorm : .layernorm,
            vocab: try models.int(m, "vocab"), maxSeq: seq, position: modern ? .rope : .learned, tiedEmbeddings: !modern, bias: !modern,
            causal: true, dropout: false, moe: moe)
        let layout = Layout(
            devices: try csv.int(i, "gpus"), tp: tp, pp: pp, cp: cp, dp: try csv.int(i, "dp"), ep: ep,
            schedule: vp > 1 && pp > 1 ? .interleaved(chunks: vp) : .oneFOneB, zero: a.zero,
            globalBatch: try csv.int(i, "global_batch"), microBatch: micro, overlapGradientReduction: a.overlapGradientReduction,
            expertTP: etp)
        var settings = KernelSettings(
            tp: tp, sequenceParallel: a.sequenceParallel && tp > 1, microBatch: micro, seq: seq,
            precision: precision, recompute: .none, flashAttention: a.flashAttention, mode: a.mode,
            cp: cp, ep: ep, expertTP: etp)
        settings.sequentialExperts = sequentialExperts
        settings.fusedWeightGradientAccumulation = true
        var run = RunCase(
            id: id, model: .transformer(model), layout: layout, settings: settings, hardware: hardware,
            measuredSeconds: try csv.positiveDouble(i, "measured_step_s"), origin: origin)
        if try flashAttentionRecipe(model: key, release: releaseCommit(csv, i)) { run.flashKernel = .flash2 }
        return run
    }

    /// The dgxc-benchmarking commit of the release that first published the row (`release_first`,
    /// "v24.11.1 (35a9aecc, 2025-05-21)"); nil where the column is absent or names no commit.
    static func releaseCommit(_ csv: CSVTable, _ i: Int) throws -> String? {
        guard csv.header.contains("release_first") else { return nil }
        let text = try csv.string(i, "release_first")
        guard let open = text.firstIndex(of: "("), let comma = text[open...].firstIndex(of: ",") else { return nil }
        return String(text[text.index(after: open)..<comma]).trimmingCharacters(in: .whitespaces)
    }

    /// Recipes whose launch scripts export `NVTE_FUSED_ATTN=0`, so Transformer Engine's
    /// `DotProductAttention` skips cuDNN's fused attention and calls flash-attn 2.x (Dao's
    /// package; TE 1.10-1.13 accept flash-attn up to 2.5.8/2.6.3, FlashAttention-3 only as the
    /// separate `flashattn-hopper` package): `FlashKernel.flash2`, on Hopper 0.62 of the
    /// profile's cuDNN rate. Read at the release commits of NVIDIA/dgxc-benchmarking:
    /// `grok1/configure.sh` (35a9aecc, 8f5cbb37, 741c8860), `nemo_megatron/launch.sh`
    /// (35a9aecc; its `configure.sh` sets 1 from 8f5cbb37), `nemotron/configure.sh` for 340b
    /// (35a9aecc, 8f5cbb37; 15b sets 1). The Llama 3.1 recipes set `NVTE_FUSED_ATTN=1`; the
    /// NeMo 2 launchers of later releases set no such variable (cuDNN, the default).
    static let flashAttentionRecipes: [String: Set<String>] = [
        "grok1_314b": ["35a9aecc", "8f5cbb37", "741c8860"],
        "gpt3_175b": ["35a9aecc"],
        "nemotron4_340b": ["35a9aecc", "8f5cbb37"],
    ]

    static func flashAttentionRecipe(model key: String, release: String?) -> Bool {
        guard let release else { return false }
        return flashAttentionRecipes[key]?.contains(release) ?? false
    }
}
