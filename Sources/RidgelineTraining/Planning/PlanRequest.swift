import Ridgeline

/// What the planner ranks by.
public enum PlanObjective: String, CaseIterable, Sendable, Hashable {
    /// Wall-clock time to train.
    case time
    /// Device-hours × price per device-hour.
    case cost
    /// Device board power × devices × time.
    case energy
}

/// Which global batches (sequences, or images, per optimizer step) the planner may choose.
/// A global batch must be a multiple of micro-batch × dp, so the choices depend on the layout.
public enum GlobalBatchChoice: Sendable, Hashable {
    /// The usual batch (about 4M tokens; see `TrainingDefaults`): the multiple of micro-batch × dp
    /// nearest to it (halves round up), if that lies within half to twice the target. Rounding
    /// only up would let a layout take a batch of almost twice the target, which the model —
    /// blind to convergence — always prefers.
    case around(Int)
    /// Exactly this batch: layouts whose micro-batch × dp does not divide it are not generated.
    case fixed(Int)
    /// Every multiple of micro-batch × dp in the closed range.
    case range(Int, Int)

    /// Whether the first choice never shrinks as micro-batch × dp doubles (true when the choices
    /// are the multiples in a fixed set or range: multiples of 2n are multiples of n), which lets
    /// the planner stop at the first micro-batch whose activations do not fit.
    public var firstChoiceGrowsWithStep: Bool {
        if case .around = self { return false }
        return true
    }

    /// The largest global batch any layout may use.
    public var upperBound: Int {
        switch self {
        case .around(let g): return 2 * g
        case .fixed(let g): return g
        case .range(_, let b): return b
        }
    }

    /// The choices for micro-batch × dp = `perStep`: `first`, `first + perStep`, … (`count` of them).
    @inline(__always)
    public func choices(perStep: Int) -> (first: Int, count: Int) {
        switch self {
        case .around(let g):
            let first = max(1, (2 * g + perStep) / (2 * perStep)) * perStep
            return 2 * first >= g && first <= 2 * g ? (first, 1) : (0, 0)
        case .fixed(let g):
            return g % perStep == 0 ? (g, 1) : (0, 0)
        case .range(let a, let b):
            let first = ((a + perStep - 1) / perStep) * perStep
            let last = (b / perStep) * perStep
            return last >= first ? (first, (last - first) / perStep + 1) : (0, 0)
        }
    }
}

/// A capacity-planning question: train `model` on `tokens` on one of `hardware`, by a deadline,
/// within a budget — which device, how many, laid out how?
public struct PlanRequest: Sendable {
    public var model: ModelDefinition
    /// Candidate devices; each needs a price (cost and the Pareto front are in dollars).
    public var hardware: [HardwareProfile]
    /// Tokens to train on (images for image models).
    public var tokens: Double
    public var deadlineSeconds: Double?
    public var budgetUSD: Double?
    public var minDevices: Int
    public var maxDevices: Int
    public var objective: PlanObjective
    /// How many configurations `best` lists.
    public var top: Int
    public var globalBatch: GlobalBatchChoice
    public var seq: Int
    public var precision: Precision
    /// Micro-batches tried: the powers of two up to this.
    public var maxMicroBatch: Int
    public var assumptions: TrainingAssumptions
    /// Worker threads (nil: every core). Results do not depend on it.
    public var threads: Int?
    /// Skip configurations a memory lower bound rules out (off only to check that pruning loses nothing).
    public var pruneByMemory: Bool
    /// In a long run of global batches, evaluate only those a train-time lower bound cannot rule
    /// out (`PlanBatchBound.swift`; off only to check that the bound loses nothing).
    public var boundByTime: Bool
    /// Called from the workers as the search goes: the stage ("layer costs", then "layouts"),
    /// items done and items in all; `plan` shows it on a terminal. Must be thread-safe; nil: silent.
    public var progress: (@Sendable (_ stage: String, _ done: Int, _ total: Int) -> Void)?

    public init(
        model: ModelDefinition, hardware: [HardwareProfile], tokens: Double? = nil, deadlineSeconds: Double? = nil,
        budgetUSD: Double? = nil, minDevices: Int = 1, maxDevices: Int = 1024, objective: PlanObjective = .time,
        top: Int = 10, globalBatch: GlobalBatchChoice? = nil, seq: Int? = nil, precision: Precision = .bf16,
        maxMicroBatch: Int = 16, assumptions: TrainingAssumptions = TrainingAssumptions(), threads: Int? = nil,
        pruneByMemory: Bool = true, boundByTime: Bool = true
    ) {
        let defaults = TrainingDefaults(model: model, seq: seq)
        self.model = model; self.hardware = hardware; self.tokens = tokens ?? defaults.tokens
        self.deadlineSeconds = deadlineSeconds; self.budgetUSD = budgetUSD
        self.minDevices = minDevices; self.maxDevices = maxDevices; self.objective = objective; self.top = top
        self.globalBatch = globalBatch ?? .around(defaults.globalBatch); self.seq = defaults.seq
        self.precision = precision; self.maxMicroBatch = maxMicroBatch; self.assumptions = assumptions
        self.threads = threads; self.pruneByMemory = pruneByMemory; self.boundByTime = boundByTime
    }

    /// Widest `--global-batch-range` (B − A): the enumeration index keeps the batch in 16 bits.
    public static let maxGlobalBatchSpan = 65_536

    /// Throws the first input error, naming the option and the value.
    public func validate() throws {
        func bad(_ field: String, _ value: String, _ expected: String) -> RidgelineError {
            .invalidValue(file: nil, field: field, value: value, expected: expected)
        }
        guard !hardware.isEmpty else { throw bad("--hardware", "", "at least one hardware profile") }
        guard tokens.isFinite, CountBounds.tokens.contains(tokens) else {
            throw bad("--tokens", "\(tokens)", "a number from \(CountBounds.describe(CountBounds.tokens))")
        }
        guard CountBounds.devices.contains(minDevices) else {
            throw bad("--min-devices", "\(minDevices)", CountBounds.describe(CountBounds.devices))
        }
        guard CountBounds.devices.contains(maxDevices) else {
            throw bad("--max-devices", "\(maxDevices)", CountBounds.describe(CountBounds.devices))
        }
        guard maxDevices >= minDevices else { throw bad("--max-devices", "\(maxDevices)", "at least --min-devices (\(minDevices))") }
        guard CountBounds.top.contains(top) else { throw bad("--top", "\(top)", CountBounds.describe(CountBounds.top)) }
        guard CountBounds.seq.contains(seq) else { throw bad("--seq", "\(seq)", CountBounds.describe(CountBounds.seq)) }
        guard (1...1024).contains(maxMicroBatch) else { throw bad("--max-micro-batch", "\(maxMicroBatch)", "1 to 1024") }
        if let d = deadlineSeconds, !(d > 0 && d.isFinite) { throw bad("--deadline", "\(d / 86400)", "a positive number of days") }
        if let b = budgetUSD, !(b > 0 && b.isFinite) { throw bad("--budget", "\(b)", "a positive number of dollars") }
        if let t = threads, !(1...1024).contains(t) { throw bad("--threads", "\(t)", "1 to 1024") }
        switch globalBatch {
        case .around(let g), .fixed(let g):
            guard CountBounds.globalBatch.contains(g) else {
                throw bad("--global-batch", "\(g)", CountBounds.describe(CountBounds.globalBatch))
            }
        case .range(let a, let b):
            guard a >= 1, b >= a, b <= CountBounds.globalBatch.upperBound else {
                throw bad("--global-batch-range", "\(a):\(b)", "A:B with 1 ≤ A ≤ B ≤ \(CountBounds.globalBatch.upperBound)")
            }
            // Bounds the enumeration index's global-batch field (16 bits).
            guard b - a < Self.maxGlobalBatchSpan else {
                throw bad("--global-batch-range", "\(a):\(b)", "a range of fewer than \(Self.maxGlobalBatchSpan) sequences")
            }
        }
        do {
            try CountBounds.checkKernelSize(
                model: model, settings: KernelSettings(microBatch: maxMicroBatch, seq: seq, precision: precision))
        } catch let e as LayoutError {
            throw bad(
                "--max-micro-batch", "\(maxMicroBatch)",
                "a micro-batch whose largest tensor stays within \(CountBounds.short(CountBounds.kernelElements)) elements at --seq \(seq) (\(e.detail))"
            )
        }
        var ids = Set<String>()
        for p in hardware {
            guard ids.insert(p.id).inserted else { throw bad("--hardware", p.id, "each profile once") }
            guard p.pricePerHourUSD != nil else {
                throw RidgelineError.missingField(
                    file: "hardware profile \(p.id)", field: "price_per_hour_usd (plan ranks and compares by cost)")
            }
        }
    }
}
