import Ridgeline

/// Number formats of a training step. Mixed precision keeps fp32 master weights and optimizer
/// states (Micikevicius et al. 2018); fp8 runs the GEMMs in fp8 (Transformer Engine) and the
/// rest in bf16.
public enum Precision: String, CaseIterable, Sendable, Hashable {
    case bf16, fp16, fp8, fp32

    /// Storage of activations and working weights.
    public var activationDType: DType {
        switch self {
        case .bf16, .fp8: return .bf16
        case .fp16: return .fp16
        case .fp32: return .fp32
        }
    }

    /// The dtype the GEMMs run in.
    public var gemmDType: DType {
        switch self {
        case .fp8: return .fp8
        case .fp32: return .tf32
        default: return activationDType
        }
    }

    /// Bytes per parameter of the working weights and of the gradients.
    public var weightBytes: Double { activationDType.bytes }
    /// Whether fp32 master weights are kept besides the working copy.
    public var hasMasterWeights: Bool { self != .fp32 }
    /// Bytes per parameter of extra weight copies: fp8 keeps an fp8 copy (and its transpose for
    /// the backward GEMMs on Hopper, which take fp8 operands only as TN) of each GEMM weight
    /// beside the bf16 working weights (Transformer Engine's `Float8Tensor` weight cache).
    public var weightCopyBytes: Double { self == .fp8 ? 2 : 0 }
}

/// Fine-tuning instead of pre-training. `full` is pre-training arithmetic on a fine-tuning
/// dataset; LoRA (Hu et al. 2021) freezes the base weights and trains low-rank adapters W + B·A
/// (A: k×r, B: r×n) on the target projections.
public enum Finetune: Sendable, Hashable {
    case none
    case full
    case lora(LoRA)

    public var name: String {
        switch self {
        case .none: return "pretrain"
        case .full: return "full"
        case .lora: return "lora"
        }
    }
    public var lora: LoRA? { if case .lora(let l) = self { return l }; return nil }
}

/// LoRA's rank and target projections (Hugging Face PEFT's module names).
public struct LoRA: Sendable, Hashable {
    public enum Target: String, CaseIterable, Sendable, Hashable { case q, k, v, o, gate, up, down }
    public var rank: Int
    /// Bit i: `Target.allCases[i]` is adapted. A bit mask, not a `Set`, keeps `KernelSettings`
    /// (and the stage-1 costs that carry it) trivially copyable for the planner's hot loop.
    private var mask: UInt8
    public var targets: Set<Target> {
        get { Set(Target.allCases.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)) }
        set { mask = Self.mask(newValue) }
    }
    public func adapts(_ target: Target) -> Bool { mask & (1 << Self.bit(target)) != 0 }

    /// PEFT's `target_modules="all-linear"`: every projection of attention and MLP.
    public init(rank: Int = 16, targets: Set<Target> = Set(Target.allCases)) { self.rank = rank; self.mask = Self.mask(targets) }

    static func bit(_ t: Target) -> Int { Target.allCases.firstIndex(of: t) ?? 0 }
    static func mask(_ targets: Set<Target>) -> UInt8 { targets.reduce(0) { $0 | UInt8(1 << bit($1)) } }

    /// Parses `q,k,v,o,gate,up,down`, `attention`, `mlp` or `all`.
    public static func targets(_ text: String) throws -> Set<Target> {
        var out = Set<Target>()
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !part.isEmpty {
            switch part {
            case "all", "all-linear": out.formUnion(Target.allCases)
            case "attention", "attn": out.formUnion([.q, .k, .v, .o])
            case "mlp": out.formUnion([.gate, .up, .down])
            default:
                let name = part.hasSuffix("_proj") ? String(part.dropLast(5)) : part
                guard let t = Target(rawValue: name) else {
                    throw RidgelineError.invalidValue(
                        file: nil, field: "--lora-targets", value: String(part),
                        expected: "q, k, v, o, gate, up, down (or q_proj…), attention, mlp or all")
                }
                out.insert(t)
            }
        }
        guard !out.isEmpty else {
            throw RidgelineError.invalidValue(file: nil, field: "--lora-targets", value: text, expected: "at least one target")
        }
        return out
    }
}

/// Activation recomputation (Korthikanti et al. 2022): none keeps every activation, selective
/// recomputes the attention core in backward, full reruns each layer's forward from its input.
public enum Recompute: String, CaseIterable, Sendable, Hashable { case none, selective, full }

public enum OptimizerKind: String, CaseIterable, Sendable, Hashable { case adamw, sgd }

/// `compiled`: fused element-wise chains, CUDA graphs, device time only. `eager`: one dispatch
/// per op, each no faster than the framework's per-op floor.
public enum StepMode: String, CaseIterable, Sendable, Hashable {
    case compiled, eager
    public var execution: ExecutionMode { self == .compiled ? .kernel : .eager }
}

/// What the per-layer costs depend on: the key of stage 1 (see `LayerCosts`). Everything here
/// changes the kernels of one layer; everything in `Layout` only changes how they combine.
public struct KernelSettings: Sendable, Hashable {
    public var tp: Int
    public var sequenceParallel: Bool
    public var microBatch: Int
    public var seq: Int
    public var precision: Precision
    public var recompute: Recompute
    public var flashAttention: Bool
    public var mode: StepMode
    public var optimizer: OptimizerKind
    /// Context-parallel ranks the sequence is split over (1: none).
    public var cp: Int
    /// Expert-parallel ranks the experts are split over (1: every rank holds every expert).
    public var ep: Int
    /// Expert capacity as a multiple of the even share of routed tokens (GShard/Switch); see
    /// `TrainingAssumptions.expertLoadImbalance` for how it sets the busiest rank's load.
    public var capacityFactor: Double
    public var finetune: Finetune
    /// Tensor-parallel size of the expert MLPs (Megatron-core's `expert_tensor_parallel_size`);
    /// nil: the same as `tp`.
    public var expertTP: Int?
    /// The expert MLPs' tensor-parallel size.
    public var etp: Int { expertTP ?? tp }
    /// Plain `torch.autocast` over fp32 parameters (no 16-bit copy of the model): the embedding
    /// returns fp32, so the residual stream, its norms and its gradient stay fp32, each linear
    /// layer casts its fp32 input (and autocast its fp32 weight) to 16 bits, and each weight
    /// gradient comes back to fp32 for the fp32 parameter. Megatron, NeMo and FSDP's mixed
    /// precision keep 16-bit parameters and activations instead (false).
    public var autocastFP32Parameters = false
    /// The local experts run one after another, each its own MLP (Megatron-core's `SequentialMLP`,
    /// what `moe_grouped_gemm: false` selects): per expert its own GEMMs over the tokens routed to
    /// it, its own activation and, under fp8, its own Transformer Engine casts. false: one grouped
    /// GEMM per projection over all local experts (`GroupedMLP`/`TEGroupedMLP`). With one local
    /// expert both are the same kernels.
    public var sequentialExperts = false
    /// Megatron's `gradient_accumulation_fusion`: each weight-gradient GEMM accumulates straight
    /// into the parameter's fp32 `main_grad` (`fused_weight_gradient_mlp_cuda`; Transformer
    /// Engine's `fuse_wgrad_accumulation`), so its epilogue reads and writes 4 bytes per element
    /// of dW every micro-batch where a plain GEMM writes its own dtype once. false: the plain store.
    public var fusedWeightGradientAccumulation = false

    public init(
        tp: Int = 1, sequenceParallel: Bool = false, microBatch: Int = 1, seq: Int, precision: Precision = .bf16,
        recompute: Recompute = .none, flashAttention: Bool = true, mode: StepMode = .compiled,
        optimizer: OptimizerKind = .adamw, cp: Int = 1, ep: Int = 1, capacityFactor: Double = 1.0,
        finetune: Finetune = .none, expertTP: Int? = nil
    ) {
        self.tp = tp; self.sequenceParallel = sequenceParallel; self.microBatch = microBatch; self.seq = seq
        self.precision = precision; self.recompute = recompute; self.flashAttention = flashAttention; self.mode = mode
        self.optimizer = optimizer; self.cp = cp; self.ep = ep; self.capacityFactor = capacityFactor; self.finetune = finetune
        self.expertTP = expertTP
    }
}

/// Pipeline schedule: 1F1B (PipeDream-Flush), or interleaved with `v` model chunks per device.
public enum PipelineSchedule: Sendable, Hashable {
    case oneFOneB
    case interleaved(chunks: Int)
    public var chunks: Int {
        if case .interleaved(let v) = self { return v }
        return 1
    }
}

/// How devices are arranged and the batch is split: the inputs of stage 2 (`StepModel`).
public struct Layout: Sendable, Hashable {
    public var devices: Int
    public var tp: Int
    public var pp: Int
    /// Context-parallel ranks (the sequence split; weights replicated, gradients reduced over dp·cp).
    public var cp: Int
    public var dp: Int
    /// Expert-parallel ranks, taken from the dp·cp ranks as Megatron-core does.
    public var ep: Int
    /// Tensor-parallel size of the expert MLPs (nil: tp).
    public var expertTP: Int?
    public var etp: Int { expertTP ?? tp }
    /// Layers on the first and the last pipeline stage when set; the rest spread evenly.
    public var firstStageLayers: Int?
    public var lastStageLayers: Int?
    public var schedule: PipelineSchedule
    /// 0 (plain data parallel), 1 (optimizer states sharded), 2 (+ gradients), 3 (+ parameters; FSDP).
    public var zero: Int
    public var globalBatch: Int
    public var microBatch: Int
    /// Gradient reduction overlapped with backward (PyTorch DDP/FSDP buckets, Megatron-core);
    /// Megatron-LM 2021 reduced after the step's backward without overlap.
    public var overlapGradientReduction: Bool

    public init(
        devices: Int, tp: Int = 1, pp: Int = 1, cp: Int = 1, dp: Int? = nil, ep: Int = 1, schedule: PipelineSchedule = .oneFOneB,
        zero: Int = 0, globalBatch: Int, microBatch: Int = 1, overlapGradientReduction: Bool = true,
        firstStageLayers: Int? = nil, lastStageLayers: Int? = nil, expertTP: Int? = nil
    ) {
        self.devices = devices; self.tp = tp; self.pp = pp; self.cp = cp;
        self.dp = dp ?? max(1, Int(Double(devices) / max(1, Double(tp) * Double(pp) * Double(cp))))
        self.ep = ep
        self.schedule = schedule; self.zero = zero; self.globalBatch = globalBatch; self.microBatch = microBatch
        self.overlapGradientReduction = overlapGradientReduction
        self.firstStageLayers = firstStageLayers; self.lastStageLayers = lastStageLayers
        self.expertTP = expertTP
    }

    /// Sequences the busiest data-parallel rank runs per step: the global batch over dp, rounded
    /// up when dp does not divide it (PyTorch's DistributedSampler pads the shorter ranks).
    public var sequencesPerRank: Int { (globalBatch + dp - 1) / max(1, dp) }

    /// Micro-batches each pipeline runs per step, the last one possibly smaller.
    public var microBatchesPerStep: Int { (sequencesPerRank + microBatch - 1) / max(1, microBatch) }

    /// Micro-batches per step counting a smaller last one as its fraction of a full one: a
    /// partial micro-batch costs in proportion to its tokens (the GEMMs' m dimension and the
    /// attention batch scale with it), as FSDP, Composer and Hugging Face run it.
    public var microBatchEquivalents: Double { Double(sequencesPerRank) / Double(max(1, microBatch)) }

    /// Ranks gradients of dense (non-expert) weights are reduced over and ZeRO shards over:
    /// data and context parallel ranks hold the same weights (Megatron-core's dp·cp group).
    public var gradientGroup: Int { dp * cp }

    /// Ranks each expert's weights are replicated over (Megatron-core's expert data parallel group:
    /// the devices over etp·ep·pp; dp·cp/ep when etp = tp).
    public var expertDataParallel: Int { max(1, devices / max(1, etp * ep * pp)) }
}

/// Which layers each pipeline stage holds. Without `first`/`last`, layers spread as evenly as
/// possible: stages differ by at most one, and the stages holding one fewer are the first and
/// then the last (they also hold the embedding and the head; Megatron-core's
/// `account_for_embedding_in_pipeline_split` and `account_for_loss_in_pipeline_split` give the
/// same split, e.g. Llama 3.1 405B's 126 layers on 16 stages as 7, 14 × 8, 7). `first` and
/// `last` fix the end stages; the rest spread evenly over the others, extra layers to the
/// earliest middle stages.
public struct PipelineSplit: Sendable, Hashable {
    public let layers: Int
    public let stages: Int
    public let first: Int?
    public let last: Int?

    public init(layers: Int, stages: Int, first: Int? = nil, last: Int? = nil) {
        self.layers = layers; self.stages = max(1, stages)
        self.first = self.stages > 1 ? first : nil
        self.last = self.stages > 1 ? last : nil
    }

    public var isEven: Bool { first == nil && last == nil && layers % stages == 0 }

    /// Layers on stage `i` (from 0), allocation-free.
    @inline(__always)
    public func layers(stage i: Int) -> Int {
        let p = stages
        if p == 1 { return layers }
        if i == 0, let first { return first }
        if i == p - 1, let last { return last }
        // The stages not fixed: middle ones in order, then the last, then the first.
        let freeCount = p - (first == nil ? 0 : 1) - (last == nil ? 0 : 1)
        let remaining = layers - (first ?? 0) - (last ?? 0)
        guard freeCount > 0 else { return 0 }
        let base = remaining / freeCount, extra = remaining % freeCount
        // Rank of stage i in the order that receives extra layers.
        let rank: Int
        if i > 0 && i < p - 1 { rank = i - 1 } else if i == p - 1 { rank = p - 2 } else { rank = p - 2 + (last == nil ? 1 : 0) }
        return base + (rank < extra ? 1 : 0)
    }

    public var stageLayers: [Int] { (0..<stages).map { layers(stage: $0) } }
}

/// A layout that cannot run, with the reason in words.
public struct LayoutError: Error, CustomStringConvertible, Equatable, Sendable {
    public let field: String
    public let detail: String
    public init(field: String, detail: String) { self.field = field; self.detail = detail }
    public var description: String { "invalid layout (\(field)): \(detail)" }
}

extension Layout {
    /// Checks the layout against the model; throws the first rule broken, in words.
    public func validate(model: ModelDefinition) throws {
        guard tp >= 1, pp >= 1, dp >= 1 else {
            throw LayoutError(field: "tp/pp/dp", detail: "parallel sizes must be at least 1 (tp \(tp), pp \(pp), dp \(dp))")
        }
        guard cp >= 1, ep >= 1, etp >= 1 else {
            throw LayoutError(
                field: "cp/ep/etp", detail: "context- and expert-parallel sizes must be at least 1 (cp \(cp), ep \(ep), etp \(etp))")
        }
        try checkBounds()
        let product = try CountBounds.product(
            "gpus", [("tp", tp), ("pp", pp), ("cp", cp), ("dp", dp)], limit: CountBounds.devices.upperBound)
        guard product == devices else {
            throw LayoutError(field: "gpus", detail: "tp·pp·cp·dp = \(tp)·\(pp)·\(cp)·\(dp) = \(product) but --gpus is \(devices)")
        }
        // Megatron-core (parallel_state.initialize_model_parallel): the expert layers are laid out
        // over ETP·EP·PP ranks, which must divide the world size; with ETP = TP that is EP
        // dividing dp·cp: the expert-parallel ranks are taken from the data- and context-parallel ones.
        if (ep > 1 || etp != tp) && devices % (ep * etp * pp) != 0 {
            let etpText = expertTP == nil ? "tp" : "etp"
            throw LayoutError(
                field: "ep",
                detail:
                    "ep·\(etpText)·pp = \(ep)·\(etp)·\(pp) = \(ep * etp * pp) does not divide the \(devices) devices (tp·pp·cp = \(tp * pp * cp)); expert parallelism takes its ranks from dp·cp = \(dp * cp)\(expertTP == nil ? ", so ep must divide it" : "")"
            )
        }
        guard microBatch >= 1, globalBatch >= 1 else {
            throw LayoutError(field: "batch", detail: "micro-batch \(microBatch) and global batch \(globalBatch) must be at least 1")
        }
        guard globalBatch >= dp else {
            throw LayoutError(
                field: "global-batch",
                detail: "global batch \(globalBatch) is smaller than dp \(dp): some data-parallel ranks would have no sequence")
        }
        guard (0...3).contains(zero) else { throw LayoutError(field: "zero", detail: "ZeRO stage \(zero) is not 0, 1, 2 or 3") }
        switch model {
        case .transformer(let t):
            guard t.heads % tp == 0 else {
                throw LayoutError(field: "tp", detail: "\(t.name) has \(t.heads) attention heads, not divisible by tp \(tp)")
            }
            try validateStages(t)
            try validateParallel(t)
            try validateInterleave(t)
        case .cnn(let c):
            guard tp == 1, pp == 1, cp == 1, ep == 1 else {
                throw LayoutError(
                    field: "tp/pp/cp/ep", detail: "\(c.name) is a CNN: only data parallelism is modelled (tp, pp, cp and ep must be 1)")
            }
            if firstStageLayers != nil || lastStageLayers != nil {
                throw LayoutError(field: "first-stage-layers", detail: "\(c.name) is a CNN: it has no pipeline stages")
            }
        }
    }

    /// The interleaved schedule's rules: every stage's layers split into the chunks (the first and
    /// last stage may give one chunk to the embedding or the head), and whole rounds of pp
    /// micro-batches.
    func validateInterleave(_ t: TransformerModel) throws {
        let v = schedule.chunks
        let split = PipelineSplit(layers: t.layers, stages: pp, first: firstStageLayers, last: lastStageLayers)
        if split.isEven {
            guard v >= 1, (t.layers / pp) % v == 0 else {
                throw LayoutError(field: "interleave", detail: "\(t.layers / pp) layers per stage cannot be split into \(v) chunks")
            }
        } else if v > 1 {
            // Uneven stages: the first and last stage may give one chunk to the embedding or the head.
            for i in 0..<pp {
                let n = split.layers(stage: i), need = (i == 0 || i == pp - 1) ? v - 1 : v
                guard n >= need else {
                    throw LayoutError(field: "interleave", detail: "stage \(i) has \(n) layers, too few for \(v) chunks")
                }
            }
        }
        if v > 1 && microBatchesPerStep % pp != 0 {
            throw LayoutError(
                field: "interleave",
                detail: "the interleaved schedule needs micro-batches per step (\(microBatchesPerStep)) to be a multiple of pp (\(pp))")
        }
    }

    /// Every count within `CountBounds`, so that the products formed below cannot overflow.
    func checkBounds() throws {
        for (field, value) in [("gpus", devices), ("tp", tp), ("pp", pp), ("cp", cp), ("dp", dp), ("ep", ep), ("etp", etp)] {
            try CountBounds.check(field, value, CountBounds.devices)
        }
        try CountBounds.check("micro-batch", microBatch, CountBounds.microBatch)
        try CountBounds.check("global-batch", globalBatch, CountBounds.globalBatch)
        try CountBounds.check("interleave", schedule.chunks, CountBounds.interleave)
        try CountBounds.check("first-stage-layers", firstStageLayers, CountBounds.layers)
        try CountBounds.check("last-stage-layers", lastStageLayers, CountBounds.layers)
    }

    /// Uneven pipeline stages: every stage holds at least one layer.
    func validateStages(_ t: TransformerModel) throws {
        guard pp <= t.layers else {
            throw LayoutError(field: "pp", detail: "\(t.name) has \(t.layers) layers, fewer than pp \(pp) stages")
        }
        if pp == 1 && (firstStageLayers != nil || lastStageLayers != nil) {
            throw LayoutError(field: "first-stage-layers", detail: "--first-stage-layers and --last-stage-layers need pp > 1 (pp is 1)")
        }
        for (name, value) in [("first-stage-layers", firstStageLayers), ("last-stage-layers", lastStageLayers)] {
            if let value, value < 1 {
                throw LayoutError(field: name, detail: "--\(name) \(value) must be at least 1")
            }
        }
        let fixed = (firstStageLayers ?? 0) + (lastStageLayers ?? 0)
        let free = pp - (firstStageLayers == nil ? 0 : 1) - (lastStageLayers == nil ? 0 : 1)
        if fixed > t.layers || (free == 0 && fixed != t.layers) || (free > 0 && t.layers - fixed < free) {
            throw LayoutError(
                field: "first-stage-layers",
                detail:
                    "first/last stage layers (\(firstStageLayers.map(String.init) ?? "-")/\(lastStageLayers.map(String.init) ?? "-")) leave \(t.layers - fixed) of \(t.name)'s \(t.layers) layers for \(free) other stage(s), which need at least one each"
            )
        }
    }

    /// Context and expert parallelism against the model.
    func validateParallel(_ t: TransformerModel) throws {
        if let etp = expertTP, etp != tp, t.moe == nil {
            throw LayoutError(field: "etp", detail: "--etp \(etp) needs a mixture-of-experts model; \(t.name) has no experts")
        }
        if ep > 1 {
            guard let moe = t.moe else {
                throw LayoutError(field: "ep", detail: "--ep \(ep) needs a mixture-of-experts model; \(t.name) has no experts")
            }
            guard moe.experts % ep == 0 else {
                throw LayoutError(field: "ep", detail: "\(t.name) has \(moe.experts) experts, not divisible by ep \(ep)")
            }
        }
    }
}
