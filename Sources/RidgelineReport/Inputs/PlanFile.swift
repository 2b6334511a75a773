import Foundation
import Ridgeline
import RidgelineTraining

/// What a report shows of a `ridgeline plan --json` file: ranked configurations (`best`) and the
/// Pareto front between time and cost (`pareto`). The file is read with the schema `plan` writes
/// it with (`PlanRecord`); this is the report's view of it, with the numbers it plots checked.
public struct PlanFile: Sendable {
    public struct Configuration: Sendable {
        public var hardware: String
        public var devices: Int
        /// `layout_description`, or the layout fields the file carries, as text.
        public var layout: String
        public var stepSeconds: Double
        public var trainSeconds: Double
        public var costUSD: Double?
        public var mfu: Double?
        public var tokensPerSecond: Double?
        public var energyKWh: Double?
        public var fitsInMemory: Bool?
        public var meetsDeadline: Bool?
        public var withinBudget: Bool?
        public var breakdown: [(String, Double)]
        public var source: String

        /// Identity for matching `best` rows against `pareto` rows.
        var key: String { "\(hardware)|\(devices)|\(layout)" }
    }

    public var model: String?
    /// What `tokens` counts: tokens, or images for image models.
    public var unit: String
    public var tokens: Double?
    public var evaluated: Int?
    public var elapsedSeconds: Double?
    public var objective: String?
    public var deadlineDays: Double?
    public var budgetUSD: Double?
    public var best: [Configuration]
    public var pareto: [Configuration]
    public var explanation: [String]

    public static func load(path: String) throws -> PlanFile {
        let input = try InputFile.read(path)
        let text = input.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{") else {
            throw RidgelineError.unreadable(file: input.name, reason: "expected a JSON object, found '\(text.prefix(40))'")
        }
        let record = try RecordCoding.decode(PlanRecord.self, from: text, file: input.name)
        return try PlanFile(record, file: input.name)
    }

    init(_ r: PlanRecord, file: String) throws {
        guard !r.best.isEmpty else {
            throw RidgelineError.invalidValue(
                file: file, field: "best", value: "[]", expected: "at least one configuration (did the search find none that fits?)")
        }
        func check(_ value: Double?, _ field: String, positive: Bool = false) throws {
            guard let value, !(value >= 0 && (!positive || value > 0) && value.isFinite) else { return }
            throw RidgelineError.invalidValue(
                file: file, field: field, value: "\(value)", expected: positive ? "a positive number" : "a number ≥ 0")
        }
        try check(r.tokens, "tokens", positive: true)
        try check(r.elapsedS, "elapsed_s")
        try check(r.deadlineDays, "deadline_days", positive: true)
        try check(r.budgetUsd, "budget_usd", positive: true)
        func configurations(_ list: [PlanRecord.Configuration], _ name: String) throws -> [Configuration] {
            try list.enumerated().map { i, c in try Self.configuration(c, path: "\(name)[\(i)]", file: file, check: check) }
        }
        self.init(
            model: r.model, unit: r.unit ?? "tokens", tokens: r.tokens, evaluated: r.configurationsEvaluated, elapsedSeconds: r.elapsedS,
            objective: r.objective, deadlineDays: r.deadlineDays, budgetUSD: r.budgetUsd, best: try configurations(r.best, "best"),
            pareto: try configurations(r.pareto, "pareto"), explanation: r.explanation ?? [])
    }

    init(
        model: String?, unit: String, tokens: Double?, evaluated: Int?, elapsedSeconds: Double?, objective: String?,
        deadlineDays: Double?, budgetUSD: Double?, best: [Configuration], pareto: [Configuration], explanation: [String]
    ) {
        self.model = model; self.unit = unit; self.tokens = tokens; self.evaluated = evaluated; self.elapsedSeconds = elapsedSeconds
        self.objective = objective; self.deadlineDays = deadlineDays; self.budgetUSD = budgetUSD
        self.best = best; self.pareto = pareto; self.explanation = explanation
    }

    static func configuration(
        _ c: PlanRecord.Configuration, path: String, file: String,
        check: (Double?, String, Bool) throws -> Void
    ) throws -> Configuration {
        let t = c.train
        try check(t.stepTimeS, path + ".step_time_s", true)
        try check(t.trainTimeS, path + ".train_time_s", true)
        try check(t.costUsd, path + ".cost_usd", false)
        try check(t.mfu, path + ".mfu", false)
        try check(t.tokensPerS, path + ".tokens_per_s", true)
        try check(t.energyKwh, path + ".energy_kwh", false)
        for (key, seconds) in t.breakdown.components { try check(seconds, path + ".breakdown." + key, false) }
        return Configuration(
            hardware: t.hardware, devices: t.layout?.gpus ?? 1, layout: c.layoutDescription ?? t.layout.map(describe) ?? "",
            stepSeconds: t.stepTimeS, trainSeconds: t.trainTimeS, costUSD: t.costUsd, mfu: t.mfu,
            tokensPerSecond: t.tokensPerS, energyKWh: t.energyKwh, fitsInMemory: t.fitsInMemory,
            meetsDeadline: c.meetsDeadline, withinBudget: c.withinBudget, breakdown: t.breakdown.components, source: path)
    }

    /// The layout as `key=value` pairs, for a file without `layout_description`.
    static func describe(_ l: TrainRecord.Layout) -> String {
        [
            "tp=\(l.tp)", "pp=\(l.pp)", "dp=\(l.dp)", "interleave=\(l.interleave)", "micro_batch=\(l.microBatch)",
            "global_batch=\(l.globalBatch)",
            "seq=\(l.seq)", "recompute=\(l.recompute)", "zero=\(l.zero)", "precision=\(l.precision)",
            "sequence_parallel=\(l.sequenceParallel)",
        ]
        .joined(separator: " ")
    }
}
