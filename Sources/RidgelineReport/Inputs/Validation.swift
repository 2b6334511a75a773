import Foundation
import Ridgeline

/// The output of `ridgeline validate --json`: per-kernel rows of predicted and measured seconds
/// and the aggregate errors `median_ape` and `p90_ape` (fractions).
public struct ValidationResult: Sendable {
    public struct Row: Sendable {
        public var label: String
        public var kernelClass: String
        /// The spec, when the row carries one (`kernel` as an object, or `spec`); `ridgeline
        /// validate` writes the label only, and such rows are not placed on the roofline.
        public var kernel: Kernel?
        /// Where the measurement came from ("run.jsonl:12").
        public var source: String?
        public var predictedSeconds: Double
        public var measuredSeconds: Double
        public var bound: String?
        public var ape: Double { absolutePercentageError(predicted: predictedSeconds, measured: measuredSeconds) }
    }

    public var hardware: String?
    public var engine: String?
    public var rows: [Row]
    /// The aggregates as the file states them (nil when absent); the report also recomputes them.
    public var medianAPE: Double?
    public var p90APE: Double?

    /// Rows are read from `rows` (or `kernels`); measured time from `measured_s` (or `median_s`),
    /// predicted time from `predicted_s` (or `time_s`).
    public static func load(path: String) throws -> ValidationResult {
        let r = try InputFile.jsonObject(path)
        let key = r.has("rows") ? "rows" : (r.has("kernels") ? "kernels" : "rows")
        let readers = try r.list(key)
        guard !readers.isEmpty else {
            throw RidgelineError.invalidValue(
                file: path, field: key, value: r.has(key) ? "[]" : "(absent)", expected: "a non-empty list of per-kernel rows")
        }
        let rows = try readers.map { row -> Row in
            let measuredKey = row.has("measured_s") || !row.has("median_s") ? "measured_s" : "median_s"
            let predictedKey = row.has("predicted_s") || !row.has("time_s") ? "predicted_s" : "time_s"
            // `kernel` is a spec object or a label; a spec may also sit under `spec`.
            var kernel = try row.optionalChild("spec").map(Kernel.parse)
            let label: String
            if let object = try? row.optionalChild("kernel") {
                kernel = try Kernel.parse(object)
                label = kernel!.label
            } else if let kernel, !row.has("kernel") {
                label = kernel.label
            } else {
                label = try row.string("kernel")
            }
            let kernelClass = try row.optionalString("kernel_class") ?? kernel?.kernelClass.rawValue ?? "unknown"
            return Row(
                label: label, kernelClass: kernelClass, kernel: kernel, source: try row.optionalString("source"),
                predictedSeconds: try row.double(predictedKey), measuredSeconds: try row.double(measuredKey),
                bound: try row.optionalString("bound"))
        }
        let unit = 0...Double.greatestFiniteMagnitude
        return ValidationResult(
            hardware: try r.optionalString("hardware"), engine: try r.optionalString("engine"), rows: rows,
            medianAPE: try r.optionalDouble("median_ape", in: unit), p90APE: try r.optionalDouble("p90_ape", in: unit))
    }
}
