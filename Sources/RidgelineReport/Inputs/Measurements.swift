import Foundation
import Ridgeline

/// One record of `ridgeline measure` (JSON Lines, DESIGN.md): the fields a report shows. Fields a
/// report does not show are not checked here; the fields it does show must be well-formed.
public struct MeasuredKernel: Sendable {
    public var kernel: Kernel
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

    public static func load(path: String) throws -> [MeasuredKernel] {
        let records = try InputFile.jsonLines(path).map(parse)
        guard !records.isEmpty else { throw RidgelineError.unreadable(file: path, reason: "holds no measurement records (only blank or comment lines)") }
        return records
    }

    static func parse(_ r: FieldReader) throws -> MeasuredKernel {
        let host = try r.optionalChild("host")
        let counters = try r.optionalChild("counters")
        return MeasuredKernel(
            kernel: try Kernel.parse(try r.child("kernel")), medianSeconds: try r.double("median_s"),
            minSeconds: try r.optionalDouble("min_s"), engine: try r.optionalString("engine"),
            engineVersion: try r.optionalString("engine_version"), device: try r.optionalString("device"),
            threads: try r.optionalInt("threads"), fingerprint: try host?.optionalString("fingerprint"),
            counterSource: try counters?.optionalString("source"), source: r.file ?? "")
    }
}
