import Foundation
import Ridgeline

/// One measured time a report shows, from a record of `ridgeline measure` (JSON Lines, DESIGN.md)
/// or a row of the reference GPU measurements (`reference/gpu-measurements`, rows with a
/// `section`). Fields a report does not show are not checked here; those it shows must be
/// well-formed.
public struct MeasuredKernel: Sendable {
    /// The kernels whose times add up to the measurement (a fwd+bwd attention row is two).
    public var kernels: [Kernel]
    public var medianSeconds: Double
    public var minSeconds: Double?
    public var engine: Engine?
    public var engineVersion: String?
    public var device: String?
    public var threads: Int?
    public var fingerprint: String?
    public var counterSource: String?
    /// `file:line` the record came from.
    public var source: String

    public var label: String { kernels.map(\.label).joined(separator: " + ") }

    public static func load(path: String) throws -> [MeasuredKernel] {
        let input = try InputFile.read(path)
        let (text, file) = (input.text, input.name)
        let first = TextInput.contentLines(text).first?.text
        let records: [MeasuredKernel]
        if let first, first.contains("\"section\"") {
            records = try ReferenceFile.parse(text, file: file).measurements.map {
                MeasuredKernel(
                    kernels: $0.kernels, medianSeconds: $0.medianSeconds, minSeconds: $0.minSeconds, engine: .reference,
                    source: "\(file):\($0.line)")
            }
        } else {
            // Records are read by the contract's own parser (`MeasurementRecord`), so a report
            // accepts exactly what `ridgeline measure` and `validate` accept.
            records = try InputFile.jsonLines(input).map {
                MeasuredKernel(record: try MeasurementRecord.parse($0), source: $0.file ?? file)
            }
        }
        guard !records.isEmpty else {
            throw RidgelineError.unreadable(file: file, reason: "holds no measurement records (only blank or comment lines)")
        }
        return records
    }

    init(
        kernels: [Kernel], medianSeconds: Double, minSeconds: Double?, engine: Engine?, engineVersion: String? = nil, device: String? = nil,
        threads: Int? = nil, fingerprint: String? = nil, counterSource: String? = nil, source: String
    ) {
        self.kernels = kernels; self.medianSeconds = medianSeconds; self.minSeconds = minSeconds; self.engine = engine
        self.engineVersion = engineVersion; self.device = device; self.threads = threads; self.fingerprint = fingerprint
        self.counterSource = counterSource; self.source = source
    }

    init(record r: MeasurementRecord, source: String) {
        self.init(
            kernels: [r.kernel], medianSeconds: r.medianSeconds, minSeconds: r.minSeconds, engine: r.engine,
            engineVersion: r.engineVersion, device: r.device, threads: r.threads, fingerprint: r.host.fingerprint,
            counterSource: r.counterSource, source: source)
    }

    /// The profile to predict `records` with: a CPU profile cut down to the cores they ran on
    /// when they all ran on the CPU with the same, smaller thread count (as `ridgeline validate`).
    public static func profile(_ profile: HardwareProfile, for records: [MeasuredKernel]) -> HardwareProfile {
        let counts = Set(records.map { $0.device == "cpu" ? $0.threads : nil })
        guard counts.count == 1, let threads = counts.first ?? nil else { return profile }
        return profile.restricted(toUnits: threads)
    }
}
