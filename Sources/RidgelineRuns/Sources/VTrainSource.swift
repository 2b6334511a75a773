import Ridgeline
import RidgelineTraining

/// `vtrain-a100-single-node.csv`: GPT models on 2-8 A100s of one node with Megatron-DeepSpeed
/// (the vTrain artifact). Column map and declared settings for this source, in one place.
enum VTrainSource {
    static let assumptions = SourceAssumptions(
        mode: .compiled, flashAttention: false, overlapGradientReduction: false, sequenceParallel: false, zero: 0,
        hostSecondsPerOp: hostSecondsPerOp, hostSecondsPerCollective: hostSecondsPerCollective, megatronSoftmaxRule: true,
        rules: [
            "Megatron-DeepSpeed; unfused attention core (fused scale-mask-softmax); 'no gradient bucketing' (notes): reduction after backward",
            "fused softmax only where micro-batch × heads per rank is a multiple of 4 (Megatron's kernel rule), else PyTorch's fp32 ops",
            "tensor-parallel all-reduces are host calls queued in program order with the kernels (HostQueue)",
            "Megatron's fused kernels (compiled list) issued one by one by the host at 68 µs each, 56 µs per NCCL call: PyTorch 1.x eager, no CUDA graphs (derived by scripts/vtrain-host-cost.py)",
            "GPT-2/3-style decoder (notes): learned positions, GELU, biases, dropout, tied embeddings",
            "gpu_type A100 -> a100-sxm4-80gb (SXM assumed by the source)",
        ])

    /// Host seconds per kernel of Megatron-DeepSpeed on PyTorch 1.x: Megatron's fused kernels
    /// (apex layer norm, fused scale-mask-softmax, jit bias-GeLU and bias-dropout-add: the
    /// `compiled` kernel list) issued one by one from Python with autograd, not captured in CUDA
    /// graphs. Small models of this file are bound by it, not by the GPU. Derived from a count
    /// (`scripts/vtrain-host-cost.py`): in the host-bound rows (hidden 1024, micro-batch 1, no
    /// pipeline, tp 1) the step time per micro-batch grows by 3.073 ms a layer (median slope over
    /// 12–24 layers, 12 series); a layer lists 45 kernels (forward, recompute, backward), so
    /// 68.3 µs each. The kernels absorb the ops Ridgeline does not list (views, transposes,
    /// RNG-state forks, autograd bookkeeping).
    static let hostSecondsPerOp = 68e-6

    /// Host seconds per collective call (the autograd function around `torch.distributed` and
    /// NCCL's enqueue), derived the same way: the layer slope at tp 2 and tp 4 exceeds tp 1's by
    /// 0.288 and 0.387 ms for the 6 all-reduce calls a layer adds, 48 and 65 µs a call; 56 µs.
    static let hostSecondsPerCollective = 56e-6

    static func read(_ csv: CSVTable) throws -> RunSourceFile {
        let a = assumptions
        let outcomes = PublishedRuns.rows(csv) { i in
            let seq = try csv.int(i, "seq_len")
            let model = TransformerModel(
                name: try csv.string(i, "model_name"), layers: try csv.int(i, "layers"), dModel: try csv.int(i, "hidden"),
                heads: try csv.int(i, "heads"), ffn: try csv.int(i, "ffn"), ffnKind: .gelu, norm: .layernorm,
                vocab: try csv.int(i, "vocab"), maxSeq: seq, position: .learned, tiedEmbeddings: true, bias: true,
                causal: true, dropout: true)
            let tp = try csv.int(i, "tp"), pp = try csv.int(i, "pp"), dp = try csv.int(i, "dp"), micro = try csv.int(i, "micro_batch")
            let recompute = try PublishedRuns.recompute(try csv.string(i, "recompute"), file: csv.file, row: i)
            let layout = Layout(
                devices: try csv.int(i, "gpus"), tp: tp, pp: pp, dp: dp, zero: a.zero, globalBatch: try csv.int(i, "global_batch"),
                microBatch: micro, overlapGradientReduction: a.overlapGradientReduction)
            let settings = KernelSettings(
                tp: tp, sequenceParallel: a.sequenceParallel && tp > 1, microBatch: micro, seq: seq,
                precision: try PublishedRuns.precision(try csv.string(i, "precision"), file: csv.file, row: i),
                recompute: recompute, flashAttention: a.flashAttention, mode: a.mode)
            return RunCase(
                id: try csv.string(i, "run_id"), model: .transformer(model), layout: layout, settings: settings,
                hardware: try PublishedRuns.hardware(try csv.string(i, "gpu_type"), origin: "\(csv.file):\(i + 2)", field: "gpu_type"),
                measuredSeconds: try csv.positiveDouble(i, "measured_iteration_s"), origin: "\(csv.file):\(i + 2)")
        }
        return RunSourceFile(path: csv.file, source: "vTrain (Megatron-DeepSpeed, one DGX-A100 node)", assumptions: a, outcomes: outcomes)
    }
}
