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

    public init(tp: Int = 1, sequenceParallel: Bool = false, microBatch: Int = 1, seq: Int, precision: Precision = .bf16,
                recompute: Recompute = .none, flashAttention: Bool = true, mode: StepMode = .compiled,
                optimizer: OptimizerKind = .adamw) {
        self.tp = tp; self.sequenceParallel = sequenceParallel; self.microBatch = microBatch; self.seq = seq
        self.precision = precision; self.recompute = recompute; self.flashAttention = flashAttention; self.mode = mode
        self.optimizer = optimizer
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
    public var dp: Int
    public var schedule: PipelineSchedule
    /// 0 (plain data parallel), 1 (optimizer states sharded), 2 (+ gradients), 3 (+ parameters; FSDP).
    public var zero: Int
    public var globalBatch: Int
    public var microBatch: Int
    /// Gradient reduction overlapped with backward (PyTorch DDP/FSDP buckets, Megatron-core);
    /// Megatron-LM 2021 reduced after the step's backward without overlap.
    public var overlapGradientReduction: Bool

    public init(devices: Int, tp: Int = 1, pp: Int = 1, dp: Int? = nil, schedule: PipelineSchedule = .oneFOneB, zero: Int = 0,
                globalBatch: Int, microBatch: Int = 1, overlapGradientReduction: Bool = true) {
        self.devices = devices; self.tp = tp; self.pp = pp; self.dp = dp ?? max(1, devices / max(1, tp * pp))
        self.schedule = schedule; self.zero = zero; self.globalBatch = globalBatch; self.microBatch = microBatch
        self.overlapGradientReduction = overlapGradientReduction
    }

    /// Micro-batches each pipeline runs per step.
    public var microBatchesPerStep: Int { globalBatch / (microBatch * dp) }
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
        guard tp * pp * dp == devices else {
            throw LayoutError(field: "gpus", detail: "tp·pp·dp = \(tp)·\(pp)·\(dp) = \(tp * pp * dp) but --gpus is \(devices)")
        }
        guard microBatch >= 1, globalBatch >= 1 else {
            throw LayoutError(field: "batch", detail: "micro-batch \(microBatch) and global batch \(globalBatch) must be at least 1")
        }
        guard globalBatch % (microBatch * dp) == 0 else {
            throw LayoutError(field: "global-batch", detail: "global batch \(globalBatch) is not divisible by micro-batch × dp = \(microBatch) × \(dp) = \(microBatch * dp)")
        }
        guard (0...3).contains(zero) else { throw LayoutError(field: "zero", detail: "ZeRO stage \(zero) is not 0, 1, 2 or 3") }
        switch model {
        case .transformer(let t):
            guard t.heads % tp == 0 else {
                throw LayoutError(field: "tp", detail: "\(t.name) has \(t.heads) attention heads, not divisible by tp \(tp)")
            }
            guard t.layers % pp == 0 else {
                throw LayoutError(field: "pp", detail: "\(t.name) has \(t.layers) layers, not divisible by pp \(pp)")
            }
            let v = schedule.chunks
            guard v >= 1, (t.layers / pp) % v == 0 else {
                throw LayoutError(field: "interleave", detail: "\(t.layers / pp) layers per stage cannot be split into \(v) chunks")
            }
            if v > 1 && microBatchesPerStep % pp != 0 {
                throw LayoutError(field: "interleave", detail: "the interleaved schedule needs micro-batches per step (\(microBatchesPerStep)) to be a multiple of pp (\(pp))")
            }
        case .cnn(let c):
            guard tp == 1, pp == 1 else {
                throw LayoutError(field: "tp/pp", detail: "\(c.name) is a CNN: only data parallelism is modelled (tp and pp must be 1)")
            }
        }
    }
}
