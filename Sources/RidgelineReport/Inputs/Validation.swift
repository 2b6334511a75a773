import Foundation
import Ridgeline

/// What a report shows of `ridgeline validate --json` (or `calibrate --json`): per-kernel rows
/// of predicted and measured seconds and the aggregate errors `median_ape` and `p90_ape`
/// (fractions). The file is read with the schema `validate` writes it with (`ValidationRecord`);
/// the numbers the report plots are checked.
public struct ValidationResult: Sendable {
    public struct Row: Sendable {
        public var label: String
        public var kernelClass: String
        /// Where the measurement came from ("run.jsonl:12").
        public var source: String
        public var predictedSeconds: Double
        public var measuredSeconds: Double
        public var bound: String
        public var ape: Double { absolutePercentageError(predicted: predictedSeconds, measured: measuredSeconds) }
    }

    public var hardware: String?
    public var rows: [Row]
    /// The aggregates as the file states them (nil when absent); the report also recomputes them.
    public var medianAPE: Double?
    public var p90APE: Double?

    public static func load(path: String) throws -> ValidationResult {
        let input = try InputFile.read(path)
        let text = input.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{") else {
            throw RidgelineError.unreadable(file: input.name, reason: "expected a JSON object, found '\(text.prefix(40))'")
        }
        return try ValidationResult(try RecordCoding.decode(ValidationRecord.self, from: text, file: input.name), file: input.name)
    }

    init(_ r: ValidationRecord, file: String) throws {
        guard !r.rows.isEmpty else {
            throw RidgelineError.invalidValue(file: file, field: "rows", value: "[]", expected: "a non-empty list of per-kernel rows")
        }
        func positive(_ value: Double, _ field: String) throws {
            guard !(value > 0 && value.isFinite) else { return }
            throw RidgelineError.invalidValue(file: file, field: field, value: "\(value)", expected: "a positive number")
        }
        rows = try r.rows.enumerated().map { i, row in
            try positive(row.measuredS, "rows[\(i)].measured_s")
            try positive(row.predictedS, "rows[\(i)].predicted_s")
            return Row(
                label: row.kernel, kernelClass: row.kernelClass, source: row.source, predictedSeconds: row.predictedS,
                measuredSeconds: row.measuredS, bound: row.bound)
        }
        for (value, field) in [(r.medianApe, "median_ape"), (r.p90Ape, "p90_ape")] {
            if let value, !(value >= 0) {
                throw RidgelineError.invalidValue(file: file, field: field, value: "\(value)", expected: "a number ≥ 0")
            }
        }
        hardware = r.hardware; medianAPE = r.medianApe; p90APE = r.p90Ape
    }
}
