import Ridgeline

/// `ridgeline plan --json`: written by `plan`, read back by `ridgeline report --plan` (keys
/// snake_case, see `RecordCoding`). The fields DESIGN.md promises (`best`, `pareto`,
/// `configurations_evaluated`, `elapsed_s`) come first and are required; the rest are optional so
/// that a file with the contract's fields reads.
public struct PlanRecord: Codable, Sendable, Equatable {
    /// The best configurations by the objective, meeting the deadline and budget where given.
    public var best: [Configuration]
    /// The configurations no other beats on both time and cost.
    public var pareto: [Configuration]
    public var configurationsEvaluated: Int
    public var elapsedS: Double

    public var model: String?
    /// What `tokens` counts: tokens, or images for image models.
    public var unit: String?
    public var tokens: Double?
    public var objective: String?
    public var deadlineDays: Double?
    public var budgetUsd: Double?
    public var configurationsPruned, configurationsSearched, configurationsFitting, layerCostComputations, threads: Int?
    /// Batches the search skipped because a train-time bound showed they could not win (`PlanBatchBound`).
    public var configurationsBounded: Int?
    public var stage1S, searchS: Double?
    /// The answer per hardware.
    public var hardware: [Hardware]?
    /// Why the answer is what it is, one line each.
    public var explanation: [String]?

    /// A `train --json` object plus its standing against the deadline and budget, side by side in
    /// one JSON object.
    public struct Configuration: Codable, Sendable, Equatable {
        public var train: TrainRecord
        public var meetsDeadline: Bool?
        public var withinBudget: Bool?
        public var layoutDescription: String?

        public init(_ c: PlanConfiguration, unit: String) {
            train = TrainRecord(c.estimate, unit: unit); meetsDeadline = c.meetsDeadline; withinBudget = c.withinBudget
            layoutDescription = c.layoutDescription
        }

        enum Keys: String, CodingKey { case meetsDeadline, withinBudget, layoutDescription }

        public func encode(to encoder: any Encoder) throws {
            try train.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encodeIfPresent(meetsDeadline, forKey: .meetsDeadline)
            try c.encodeIfPresent(withinBudget, forKey: .withinBudget)
            try c.encodeIfPresent(layoutDescription, forKey: .layoutDescription)
        }

        public init(from decoder: any Decoder) throws {
            train = try TrainRecord(from: decoder)
            let c = try decoder.container(keyedBy: Keys.self)
            meetsDeadline = try c.decodeIfPresent(Bool.self, forKey: .meetsDeadline)
            withinBudget = try c.decodeIfPresent(Bool.self, forKey: .withinBudget)
            layoutDescription = try c.decodeIfPresent(String.self, forKey: .layoutDescription)
        }
    }

    /// The layout that came closest to fitting in memory on a device where nothing fits.
    public struct Miss: Codable, Sendable, Equatable {
        public var layout: TrainRecord.Layout
        public var neededBytes, capacityBytes, shortBytes: Double
        /// `needed_bytes` leaves out activations: the real need is higher.
        public var lowerBound: Bool
    }

    /// The search's answer on one hardware profile.
    public struct Hardware: Codable, Sendable, Equatable {
        public var id, name: String
        public var unavailable: String?
        public var configurationsEvaluated, configurationsPruned, configurationsFitting: Int
        public var configurationsBounded: Int?
        public var fastest, cheapest, cheapestMeetingDeadline, fastestWithinBudget: Configuration?
        public var deadlineMissS: Double?
        public var closestFit: Miss?
    }

    public init(_ r: PlanResult, unit: String) {
        func record(_ c: PlanConfiguration) -> Configuration { Configuration(c, unit: unit) }
        best = r.best.map(record); pareto = r.pareto.map(record)
        configurationsEvaluated = r.configurationsEvaluated; elapsedS = r.elapsedSeconds
        model = r.model; self.unit = unit; tokens = r.tokens; objective = r.objective.rawValue
        deadlineDays = r.deadlineSeconds.map { $0 / 86400 }; budgetUsd = r.budgetUSD
        configurationsPruned = r.configurationsPruned; configurationsSearched = r.configurationsSearched
        configurationsBounded = r.configurationsBounded
        configurationsFitting = r.configurationsFitting; layerCostComputations = r.layerCostComputations; threads = r.threads
        stage1S = r.stage1Seconds; searchS = r.searchSeconds
        hardware = r.hardware.map { h in
            Hardware(
                id: h.id, name: h.name, unavailable: h.unavailable, configurationsEvaluated: h.configurationsEvaluated,
                configurationsPruned: h.configurationsPruned, configurationsFitting: h.configurationsFitting,
                configurationsBounded: h.configurationsBounded,
                fastest: h.fastest.map(record), cheapest: h.cheapest.map(record),
                cheapestMeetingDeadline: h.cheapestMeetingDeadline.map(record), fastestWithinBudget: h.fastestWithinBudget.map(record),
                deadlineMissS: h.deadlineMissSeconds,
                closestFit: h.closestFit.map { m in
                    Miss(
                        layout: TrainRecord.Layout(m.layout, m.settings, stageLayers: []), neededBytes: m.neededBytes,
                        capacityBytes: m.capacityBytes, shortBytes: m.shortBytes, lowerBound: m.lowerBound)
                })
        }
        explanation = r.explanation
    }
}
