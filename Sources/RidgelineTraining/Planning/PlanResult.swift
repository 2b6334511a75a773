/// One configuration the planner reports: the same estimate `ridgeline train` prints for it.
public struct PlanConfiguration: Sendable {
    public var estimate: TrainingEstimate
    /// Position in the full enumeration (ties in the ranking go to the lower index).
    public var index: UInt64
    public var meetsDeadline: Bool
    public var withinBudget: Bool
}

/// A configuration that does not fit in device memory, kept to say how close the plan came.
public struct PlanMemoryMiss: Sendable {
    public var hardware: String
    public var layout: Layout
    public var settings: KernelSettings
    public var neededBytes: Double
    public var capacityBytes: Double
    /// `neededBytes` counts weights, gradients, optimizer states and buffers only: the real need is higher.
    public var lowerBound: Bool
    public var shortBytes: Double { neededBytes - capacityBytes }
}

/// What the planner found on one hardware profile.
public struct HardwarePlan: Sendable {
    public var id: String
    public var name: String
    /// Why the profile was not searched (e.g. no fp8 peak for --precision fp8).
    public var unavailable: String?
    public var configurationsEvaluated: Int
    public var configurationsPruned: Int
    public var configurationsFitting: Int
    /// Fitting configurations a train-time lower bound ruled out of every answer without evaluating them.
    public var configurationsBounded: Int = 0
    public var fastest: PlanConfiguration?
    public var cheapest: PlanConfiguration?
    /// The cheapest configuration that meets the deadline (nil without a deadline or when none does).
    public var cheapestMeetingDeadline: PlanConfiguration?
    /// The fastest configuration within the budget (nil without a budget or when none is).
    public var fastestWithinBudget: PlanConfiguration?
    /// How much longer than the deadline the fastest configuration takes, when none meets it.
    public var deadlineMissSeconds: Double?
    /// The configuration that missed fitting by the least, when none fits.
    public var closestFit: PlanMemoryMiss?
}

/// The answer to a `PlanRequest`.
public struct PlanResult: Sendable {
    public var model: String
    public var tokens: Double
    public var objective: PlanObjective
    public var deadlineSeconds: Double?
    public var budgetUSD: Double?
    /// Full stage-2 evaluations (`StepModel.evaluate`), fitting or not.
    public var configurationsEvaluated: Int
    /// Configurations a memory lower bound ruled out without evaluating them.
    public var configurationsPruned: Int
    public var configurationsFitting: Int
    /// Fitting configurations a train-time lower bound ruled out of every answer without evaluating
    /// them: in a long run of global batches (`--global-batch-range`), only the batches that could
    /// be among the best, on the Pareto front or a hardware's answer are evaluated. How many are
    /// bounded rather than evaluated depends on how the search is sliced over threads; the answer does not.
    public var configurationsBounded: Int = 0
    /// Stage-1 computations (`LayerCosts.compute`), one per hardware × kernel-settings key.
    public var layerCostComputations: Int
    /// The whole plan: stage 1, the search, and rebuilding the reported estimates.
    public var elapsedSeconds: Double
    /// `LayerCosts` for every kernel-settings key, in parallel.
    public var stage1Seconds: Double
    /// Stage 2: enumeration, memory bounds, evaluation, ranking and merging.
    public var searchSeconds: Double
    public var threads: Int
    /// The best configurations by the objective that fit and meet the deadline and budget.
    public var best: [PlanConfiguration]
    /// Time vs cost: every fitting configuration no other is both faster and cheaper than
    /// (deadline and budget not applied; each entry says whether it meets them), fastest first.
    public var pareto: [PlanConfiguration]
    public var hardware: [HardwarePlan]
    /// Why `best` is empty, or what the constraints ruled out, in sentences; empty when all is well.
    public var explanation: [String]

    public var configurationsSearched: Int { configurationsEvaluated + configurationsPruned + configurationsBounded }
}

extension PlanConfiguration {
    /// "tp 8 · pp 4 (interleaved ×2) · dp 16, ZeRO-1, sequence parallel, micro-batch 1, global batch 1024, recompute selective".
    public var layoutDescription: String { describeLayout(estimate.layout, estimate.settings) }
    /// "1,024 × h100-sxm5-80gb, tp 8 · …".
    public var summary: String { "\(estimate.layout.devices) × \(estimate.hardware), \(layoutDescription)" }
}

/// The layout and kernel settings in words, as the planner's tables print them.
public func describeLayout(_ l: Layout, _ k: KernelSettings) -> String {
    var s = "tp \(l.tp) · pp \(l.pp)\(l.schedule.chunks > 1 ? " (interleaved ×\(l.schedule.chunks))" : "")"
    if l.cp > 1 { s += " · cp \(l.cp)" }
    s += " · dp \(l.dp)"
    if l.ep > 1 { s += " · ep \(l.ep)" }
    if l.etp != l.tp { s += " · etp \(l.etp)" }
    if l.zero > 0 { s += ", ZeRO-\(l.zero)" }
    if k.sequenceParallel { s += ", sequence parallel" }
    s += ", micro-batch \(l.microBatch), global batch \(l.globalBatch), recompute \(k.recompute.rawValue)"
    return s
}
