import Foundation
import Ridgeline

/// The output of `ridgeline plan --json`: ranked configurations (`best`) and the Pareto front
/// between time and cost (`pareto`), each a `train --json` object (its layout under `layout`, or
/// at the top) plus `meets_deadline`, `within_budget` and `layout_description` where the planner
/// writes them; `explanation` lines say why the answer is what it is.
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

    static let layoutKeys = ["gpus", "tp", "pp", "dp", "interleave", "micro_batch", "global_batch", "seq", "recompute", "zero", "precision", "sequence_parallel"]

    public static func load(path: String) throws -> PlanFile {
        let r = try InputFile.jsonObject(path)
        guard r.has("best") else { throw RidgelineError.missingField(file: path, field: "best") }
        let best = try r.list("best").map(configuration)
        guard !best.isEmpty else {
            throw RidgelineError.invalidValue(file: path, field: "best", value: "[]", expected: "at least one configuration (did the search find none that fits?)")
        }
        let pareto = try r.list("pareto").map(configuration)
        let count = 0...Int.max
        return PlanFile(model: try r.optionalString("model"), unit: try r.optionalString("unit") ?? "tokens", tokens: try number(r, "tokens"),
                        evaluated: try r.optionalInt("configurations_evaluated", in: count), elapsedSeconds: try number(r, "elapsed_s", allowZero: true),
                        objective: try r.optionalString("objective"), deadlineDays: try number(r, "deadline_days"),
                        budgetUSD: try number(r, "budget_usd"), best: best, pareto: pareto, explanation: try r.strings("explanation"))
    }

    /// A number that may be JSON `null` (absent); anything else that is not a number is an error.
    static func number(_ r: FieldReader, _ key: String, allowZero: Bool = false) throws -> Double? {
        if let text = try? r.optionalString(key), text == "null" || text == "~" { return nil }
        return try r.optionalDouble(key, in: allowZero ? 0...Double.greatestFiniteMagnitude : Double.leastNonzeroMagnitude...Double.greatestFiniteMagnitude)
    }

    static func configuration(_ c: FieldReader) throws -> Configuration {
        // The layout may sit under `layout` (train --json) or at the top of the configuration.
        let layoutReader = try c.optionalChild("layout") ?? c
        var layout: [String] = []
        for key in layoutKeys where key != "gpus" && layoutReader.has(key) {
            if let v = try? layoutReader.optionalString(key) { layout.append("\(key)=\(v ?? "")") }
        }
        var breakdown: [(String, Double)] = []
        if let b = try c.optionalChild("breakdown") {
            for key in b.keys { breakdown.append((key, try b.double(key, in: 0...Double.greatestFiniteMagnitude))) }
        }
        let devices = try c.optionalInt("gpus") ?? c.optionalInt("devices") ?? layoutReader.optionalInt("gpus") ?? 1
        return Configuration(hardware: try c.string("hardware"), devices: devices,
                             layout: try c.optionalString("layout_description") ?? layout.joined(separator: " "),
                             stepSeconds: try c.double("step_time_s"), trainSeconds: try c.double("train_time_s"),
                             costUSD: try number(c, "cost_usd", allowZero: true), mfu: try number(c, "mfu", allowZero: true),
                             tokensPerSecond: try number(c, "tokens_per_s"), energyKWh: try number(c, "energy_kwh", allowZero: true),
                             fitsInMemory: try c.optionalBool("fits_in_memory"), meetsDeadline: try c.optionalBool("meets_deadline"),
                             withinBudget: try c.optionalBool("within_budget"), breakdown: breakdown, source: c.path)
    }
}
