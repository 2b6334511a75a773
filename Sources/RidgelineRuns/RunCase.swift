import Ridgeline
import RidgelineTraining

/// One published run turned into the inputs of `ridgeline train` (`TrainingPredictor.predict`):
/// model, layout, kernel settings and hardware, with the measured step time it is judged against.
public struct RunCase: Sendable {
    public var id: String
    /// A transformer (every training-runs source) or a CNN (the ResNet-50 train step).
    public var model: ModelDefinition
    public var layout: Layout
    public var settings: KernelSettings
    /// A shipped hardware profile id.
    public var hardware: String
    /// Measured (or, where the source says so, derived) seconds per optimizer step.
    public var measuredSeconds: Double
    /// Where it came from, "file:line".
    public var origin: String
    /// What the row's framework version did with mixed precision where it differs from the
    /// defaults (`TrainingAssumptions`): bytes per gradient element reduced, bytes per parameter
    /// ZeRO-3/FSDP gathers. nil: the defaults. Facts of the row's stated version, not knobs.
    public var gradientReduceBytes: Double? = nil
    public var shardedParameterBytes: Double? = nil
    /// The flash-attention kernel the row's framework version ran (`TrainingAssumptions.flashKernel`),
    /// where its pinned code says; nil: the default.
    public var flashKernel: FlashKernel? = nil

    public init(
        id: String, model: ModelDefinition, layout: Layout, settings: KernelSettings, hardware: String,
        measuredSeconds: Double, origin: String
    ) {
        self.id = id; self.model = model; self.layout = layout; self.settings = settings; self.hardware = hardware
        self.measuredSeconds = measuredSeconds; self.origin = origin
    }

    /// Which parallel dimensions the run uses: "tp+pp+dp", "tp(sp)+cp+ep+dp", "fsdp" (ZeRO-3 data
    /// parallel), "single".
    public var parallelism: String {
        var parts: [String] = []
        if layout.tp > 1 { parts.append(settings.sequenceParallel ? "tp(sp)" : "tp") }
        if layout.pp > 1 { parts.append(layout.schedule.chunks > 1 ? "pp(vp)" : "pp") }
        if layout.cp > 1 { parts.append("cp") }
        if layout.ep > 1 { parts.append(layout.etp != layout.tp ? "ep(etp \(layout.etp))" : "ep") }
        if layout.dp > 1 { parts.append(layout.zero >= 3 ? "fsdp" : "dp") }
        return parts.isEmpty ? "single" : parts.joined(separator: "+")
    }

    /// The report's group: hardware × parallelism kind × precision.
    public var group: String { "\(hardware) \(parallelism) \(settings.precision.rawValue)" }
}

/// A row the train model cannot express yet (or the source does not state enough of), with the
/// reason in words.
public struct Refusal: Sendable, Error {
    public var id: String
    public var reason: String
    public var origin: String
    /// The report group the run would belong to, where the source can tell.
    public var group: String?
    public init(id: String, reason: String, origin: String, group: String? = nil) {
        self.id = id; self.reason = reason; self.origin = origin; self.group = group
    }
}

/// What a source's framework does that its rows do not state: one declared setting per source,
/// printed with the report, never a per-row knob.
public struct SourceAssumptions: Sendable {
    /// eager (PyTorch ops dispatched one by one) or compiled (fused kernels, device time).
    public var mode: StepMode
    public var flashAttention: Bool
    /// Gradient reduction overlapped with backward.
    public var overlapGradientReduction: Bool
    /// Sequence parallelism whenever tp > 1.
    public var sequenceParallel: Bool
    /// ZeRO stage where the row does not say (Megatron-core's distributed optimizer is 1).
    public var zero: Int
    /// Eager mode: the framework's host seconds per op (`TrainingAssumptions.hostSecondsPerOp`);
    /// nil: each op floored at the profile's dispatch latency.
    public var hostSecondsPerOp: Double?
    /// Host seconds per collective call (`TrainingAssumptions.hostSecondsPerCollective`); nil: the default.
    public var hostSecondsPerCollective: Double?
    /// ZeRO-3/FSDP collectives run hierarchically across nodes (`TrainingAssumptions.hierarchicalZeRO3`); nil: the default.
    public var hierarchicalZeRO3: Bool?
    /// Whether ZeRO-3/FSDP gathers a layer's parameters again for its recomputed forward
    /// (`TrainingAssumptions.zero3RegatherForRecompute`); nil: the default.
    public var zero3RegatherForRecompute: Bool?
    /// Megatron's fused-softmax shape rule (`TrainingAssumptions.megatronSoftmaxRule`).
    public var megatronSoftmaxRule: Bool
    /// Tensor-parallel collectives overlapped with GEMMs (`TrainingAssumptions.tensorParallelCommOverlap`).
    public var tensorParallelCommOverlap = false
    /// ZeRO-1/2 parameter all-gather overlapped with the next forward (`TrainingAssumptions.overlapParameterGather`).
    public var overlapParameterGather = false
    /// Further rules every row of the source follows, in words.
    public var rules: [String]

    public init(
        mode: StepMode, flashAttention: Bool, overlapGradientReduction: Bool, sequenceParallel: Bool, zero: Int,
        hostSecondsPerOp: Double? = nil, hostSecondsPerCollective: Double? = nil, hierarchicalZeRO3: Bool? = nil,
        zero3RegatherForRecompute: Bool? = nil, megatronSoftmaxRule: Bool = false, rules: [String]
    ) {
        self.mode = mode; self.flashAttention = flashAttention; self.overlapGradientReduction = overlapGradientReduction
        self.sequenceParallel = sequenceParallel; self.zero = zero; self.hostSecondsPerOp = hostSecondsPerOp
        self.hostSecondsPerCollective = hostSecondsPerCollective
        self.hierarchicalZeRO3 = hierarchicalZeRO3; self.zero3RegatherForRecompute = zero3RegatherForRecompute
        self.megatronSoftmaxRule = megatronSoftmaxRule; self.rules = rules
    }

    /// These settings applied to the framework assumptions every row of the source shares.
    public func applied(to base: TrainingAssumptions) -> TrainingAssumptions {
        var a = base
        if let host = hostSecondsPerOp { a.hostSecondsPerOp = host }
        if let host = hostSecondsPerCollective { a.hostSecondsPerCollective = host }
        if let z3 = hierarchicalZeRO3 { a.hierarchicalZeRO3 = z3 }
        if let regather = zero3RegatherForRecompute { a.zero3RegatherForRecompute = regather }
        if megatronSoftmaxRule { a.megatronSoftmaxRule = true }
        if tensorParallelCommOverlap { a.tensorParallelCommOverlap = true }
        if overlapParameterGather { a.overlapParameterGather = true }
        return a
    }

    public var summary: String {
        let calls = hostSecondsPerCollective.map { ", \(String(format: "%.0f", $0 * 1e6)) µs per collective call" } ?? ""
        let host = hostSecondsPerOp.map { ", host \(String(format: "%.0f", $0 * 1e6)) µs per op\(calls) (queued)" } ?? ""
        return
            "mode \(mode.rawValue)\(host), \(flashAttention ? "flash" : "unfused") attention, gradient reduction \(overlapGradientReduction ? "overlapped" : "not overlapped"), "
            + "sequence parallel \(sequenceParallel ? "with tp" : "off"), ZeRO \(zero) unless stated"
            + (hierarchicalZeRO3 == true ? ", ZeRO-3 gathers hierarchical across nodes" : "")
            + (zero3RegatherForRecompute == false ? ", one ZeRO-3 gather for backward and its recompute" : "")
            + (megatronSoftmaxRule ? ", Megatron fused-softmax shape rule" : "")
            + (tensorParallelCommOverlap ? ", tensor-parallel all-gathers and reduce-scatters overlapped with GEMMs" : "")
            + (overlapParameterGather ? ", parameter all-gather overlapped with the next forward" : "")
    }
}

/// A published-runs file read through its source's column map.
public struct RunSourceFile: Sendable {
    public var path: String
    /// The source's name ("vTrain (Megatron-DeepSpeed)").
    public var source: String
    public var assumptions: SourceAssumptions
    public var outcomes: [Result<RunCase, Refusal>]
}
