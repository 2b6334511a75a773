import Ridgeline
import RidgelineTraining

/// Predicted against measured for one published run.
public struct RunResult: Sendable {
    public var run: RunCase
    public var estimate: StepEstimate
    /// (predicted − measured) / measured step time: negative means predicted too fast.
    public var error: Double
    public var predictedSeconds: Double { estimate.stepSeconds }
}

/// Error figures of a set of runs: |error| mean, median and p90, and the signed median (bias).
public struct RunErrorSummary: Sendable, Equatable, Codable {
    public var count: Int
    public var refused: Int
    public var meanAPE: Double
    public var medianAPE: Double
    public var p90APE: Double
    /// Median signed error: negative = predictions too fast.
    public var bias: Double

    public init(errors: [Double], refused: Int) {
        let e = ErrorSummary(errors: errors.map(abs))
        count = errors.count; self.refused = refused
        meanAPE = e.meanAPE; medianAPE = e.medianAPE; p90APE = e.p90APE
        bias = percentile(errors, 0.5)
    }

    /// Keys as `RecordCoding` spells them: `count` is `n`, `meanAPE` is `mean_ape`. The error
    /// figures of an empty set are NaN, written as null.
    enum CodingKeys: String, CodingKey {
        case count = "n", refused, meanAPE = "meanApe", medianAPE = "medianApe", p90APE = "p90Ape", bias
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count); try c.encode(refused, forKey: .refused)
        for (key, v) in [(CodingKeys.meanAPE, meanAPE), (.medianAPE, medianAPE), (.p90APE, p90APE), (.bias, bias)] {
            try c.encode(v.isFinite ? v : nil, forKey: key)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func figure(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        count = try c.decode(Int.self, forKey: .count); refused = try c.decode(Int.self, forKey: .refused)
        meanAPE = try figure(.meanAPE); medianAPE = try figure(.medianAPE); p90APE = try figure(.p90APE); bias = try figure(.bias)
    }
}

/// Predicts every run of a source file with the shipped profiles and one set of assumptions.
public struct RunCheck: Sendable {
    public var file: RunSourceFile
    public var results: [RunResult]
    /// The file's refusals plus rows the train model rejected (a layout it cannot run).
    public var refusals: [Refusal]

    /// `profile(id)` loads a hardware profile (the shipped store in the CLI).
    public init(
        _ file: RunSourceFile, profile: (String) throws -> HardwareProfile,
        assumptions: TrainingAssumptions = TrainingAssumptions()
    ) throws {
        self.file = file
        var results: [RunResult] = [], refusals: [Refusal] = []
        var profiles: [String: HardwareProfile] = [:]
        let shared = file.assumptions.applied(to: assumptions)
        for outcome in file.outcomes {
            switch outcome {
            case .failure(let r): refusals.append(r)
            case .success(let run):
                let hardware: HardwareProfile
                if let p = profiles[run.hardware] {
                    hardware = p
                } else {
                    hardware = try profile(run.hardware); profiles[run.hardware] = hardware
                }
                var assumptions = shared
                if let bytes = run.gradientReduceBytes { assumptions.gradientReduceBytesMixed = bytes }
                if let bytes = run.shardedParameterBytes { assumptions.shardedParameterBytes = bytes }
                if let kernel = run.flashKernel { assumptions.flashKernel = kernel }
                do {
                    let estimate = try TrainingPredictor.predict(
                        model: run.model, profile: hardware, settings: run.settings,
                        layout: run.layout, tokens: 1, assumptions: assumptions)
                    results.append(
                        RunResult(
                            run: run, estimate: estimate.step,
                            error: (estimate.step.stepSeconds - run.measuredSeconds) / run.measuredSeconds))
                } catch {
                    refusals.append(Refusal(id: run.id, reason: "\(error)", origin: run.origin, group: run.group))
                }
            }
        }
        self.results = results; self.refusals = refusals
    }

    public var summary: RunErrorSummary { RunErrorSummary(errors: results.map(\.error), refused: refusals.count) }

    /// Per group (hardware × parallelism × precision), sorted by name, with the refusals whose
    /// group the source could tell ("other" for the rest).
    public var groups: [(name: String, summary: RunErrorSummary)] {
        var byGroup: [String: [Double]] = [:], refused: [String: Int] = [:]
        for r in results { byGroup[r.run.group, default: []].append(r.error) }
        for r in refusals { refused[r.group ?? "other", default: 0] += 1 }
        let names = Set(byGroup.keys).union(refused.keys).sorted()
        return names.map { ($0, RunErrorSummary(errors: byGroup[$0] ?? [], refused: refused[$0] ?? 0)) }
    }

    /// Refusals by kind (the reason up to its first ':', "invalid layout (global-batch)"), with
    /// their count and the first full reason as an example, most frequent first.
    public var refusalReasons: [(reason: String, count: Int, example: String)] {
        var counts: [String: (count: Int, example: String)] = [:]
        for r in refusals {
            let kind = r.reason.split(separator: ":", maxSplits: 1).first.map(String.init) ?? r.reason
            counts[kind, default: (0, r.reason)].count += 1
        }
        return counts.sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }.map { ($0.key, $0.value.count, $0.value.example) }
    }
}
