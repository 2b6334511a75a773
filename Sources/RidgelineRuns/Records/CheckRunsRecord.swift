import Ridgeline
import RidgelineTraining

/// `ridgeline check-runs --json`: per published-runs file, the error over all runs and per group
/// (n, refused, mean/median/p90 |error|, the signed median as `bias`), the refusals by reason,
/// every predicted run, and with `--verbose` every refusal.
public struct CheckRunsRecord: Codable, Sendable, Equatable {
    public var sources: [Source]

    public struct Source: Codable, Sendable, Equatable {
        public var file, source: String
        /// The framework settings assumed for the whole source, and the rules it applies.
        public var assumptions: String
        public var rules: [String]
        public var summary: RunErrorSummary
        public var groups: [Group]
        /// Refusals by kind of reason.
        public var refusalReasons: [String: Int]
        public var rows: [Row]
        /// `--verbose`: every refusal.
        public var refused: [Refused]?
    }

    public struct Group: Codable, Sendable, Equatable {
        public var group: String
        public var summary: RunErrorSummary
    }

    /// One predicted run: its layout, measured and predicted step time, the predicted breakdown.
    public struct Row: Codable, Sendable, Equatable {
        public var runId, group, origin: String
        public var gpus, tp, pp, dp, interleave, zero, microBatch, globalBatch, seq: Int
        public var measuredStepS, predictedStepS: Double
        /// (predicted − measured) / measured: negative when predicted too fast.
        public var error: Double
        public var breakdown: TrainRecord.Breakdown
        public var fitsInMemory: Bool
    }

    public struct Refused: Codable, Sendable, Equatable {
        public var runId, reason, origin: String
    }

    public init(_ checks: [RunCheck], verbose: Bool) {
        sources = checks.map { c in
            Source(
                file: c.file.path, source: c.file.source, assumptions: c.file.assumptions.summary, rules: c.file.assumptions.rules,
                summary: c.summary, groups: c.groups.map { Group(group: $0.name, summary: $0.summary) },
                refusalReasons: Dictionary(uniqueKeysWithValues: c.refusalReasons.map { ($0.reason, $0.count) }),
                rows: c.results.map { r in
                    let l = r.run.layout
                    return Row(
                        runId: r.run.id, group: r.run.group, origin: r.run.origin, gpus: l.devices, tp: l.tp, pp: l.pp, dp: l.dp,
                        interleave: l.schedule.chunks, zero: l.zero, microBatch: l.microBatch, globalBatch: l.globalBatch,
                        seq: r.run.settings.seq, measuredStepS: r.run.measuredSeconds, predictedStepS: r.predictedSeconds,
                        error: r.error, breakdown: TrainRecord.Breakdown(r.estimate.breakdown), fitsInMemory: r.estimate.memory.fits)
                },
                refused: verbose ? c.refusals.map { Refused(runId: $0.id, reason: $0.reason, origin: $0.origin) } : nil)
        }
    }
}
