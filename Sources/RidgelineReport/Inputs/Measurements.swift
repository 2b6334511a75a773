import Foundation
import Ridgeline

/// One measured time a report shows, from a record of `ridgeline measure` (JSON Lines, DESIGN.md)
/// or a row of the reference GPU measurements (`shared/reference/gpu-measurements`, rows with a
/// `section`). Fields a report does not show are not checked here; those it shows must be
/// well-formed.
public struct MeasuredKernel: Sendable {
    /// The kernels whose times add up to the measurement (a fwd+bwd attention row is two).
    public var kernels: [Kernel]
    public var medianSeconds: Double
    public var minSeconds: Double?
    public var engine: String?
    public var engineVersion: String?
    public var device: String?
    public var threads: Int?
    public var fingerprint: String?
    public var counterSource: String?
    /// `file:line` the record came from.
    public var source: String

    public var label: String { kernels.map(\.label).joined(separator: " + ") }

    public static func load(path: String) throws -> [MeasuredKernel] {
        let text = try InputFile.text(path)
        let first = text.split(separator: "\n").first { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") }
        let records: [MeasuredKernel]
        if let first, first.contains("\"section\"") {
            records = try ReferenceFile.parse(text, file: path).measurements.map {
                MeasuredKernel(kernels: $0.kernels, medianSeconds: $0.medianSeconds, minSeconds: $0.minSeconds, engine: "reference",
                               source: "\(path):\($0.line)")
            }
        } else {
            records = try InputFile.jsonLines(path).map(parse)
        }
        guard !records.isEmpty else { throw RidgelineError.unreadable(file: path, reason: "holds no measurement records (only blank or comment lines)") }
        return records
    }

    init(kernels: [Kernel], medianSeconds: Double, minSeconds: Double?, engine: String?, engineVersion: String? = nil, device: String? = nil,
         threads: Int? = nil, fingerprint: String? = nil, counterSource: String? = nil, source: String) {
        self.kernels = kernels; self.medianSeconds = medianSeconds; self.minSeconds = minSeconds; self.engine = engine
        self.engineVersion = engineVersion; self.device = device; self.threads = threads; self.fingerprint = fingerprint
        self.counterSource = counterSource; self.source = source
    }

    static func parse(_ r: FieldReader) throws -> MeasuredKernel {
        let host = try r.optionalChild("host")
        let counters = try r.optionalChild("counters")
        return MeasuredKernel(
            kernels: [try Kernel.parse(try r.child("kernel"))], medianSeconds: try r.double("median_s"),
            minSeconds: try r.optionalDouble("min_s"), engine: try r.optionalString("engine"),
            engineVersion: try r.optionalString("engine_version"), device: try r.optionalString("device"),
            threads: try r.optionalInt("threads"), fingerprint: try host?.optionalString("fingerprint"),
            counterSource: try counters?.optionalString("source"), source: r.file ?? "")
    }
}
