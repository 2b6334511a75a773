import ArgumentParser
import Foundation
import Ridgeline
import RidgelineTraining

/// `--hardware ID|FILE`, resolved through the profile store.
struct HardwareOption: ParsableArguments {
    @Option(name: .long, help: "Hardware profile id (see `ridgeline profiles`) or path to a YAML profile.")
    var hardware: String

    func load() throws -> HardwareProfile {
        try detectHostIfMissing(hardware)
        return try ProfileStore.locate().hardware(hardware)
    }
}

/// Prints a record (`RecordCoding`: snake_case keys, sorted, indented) on stdout: the one way a
/// command prints JSON.
func printRecord<T: Encodable>(_ value: T) throws {
    print(try RecordCoding.json(value))
}

/// Prints `records` exactly as `printRecord(records)` would, a slice at a time, so that the
/// encoded document is never held whole (`predict --json` on 200,000 specs took 1 GB encoding one
/// array).
func printRecords<T: Encodable>(_ records: [T]) throws {
    guard !records.isEmpty else { return try printRecord(records) }
    let slice = 1024
    for start in stride(from: 0, to: records.count, by: slice) {
        // Each slice as an array is "[\n" + its elements + "\n]": the elements as the whole array has them.
        let end = min(start + slice, records.count)
        let data = try RecordCoding.encode(Array(records[start..<end]))
        let text = String(decoding: data.dropFirst(start == 0 ? 0 : 2).dropLast(end == records.count ? 0 : 2), as: UTF8.self)
        print(text, terminator: end == records.count ? "\n" : ",\n")
    }
}

/// Throws a `ValidationError` naming `--flag` when `value` lies outside `range` (see `CountBounds`).
func checkCount(_ flag: String, _ value: Int?, _ range: ClosedRange<Int>) throws {
    guard let value, !range.contains(value) else { return }
    throw ValidationError("--\(flag) must be \(CountBounds.describe(range)) (got \(value))")
}

/// Throws a `ValidationError` naming `--flag` unless `value` is a finite number within `range`.
func checkNumber(_ flag: String, _ value: Double?, _ range: ClosedRange<Double>, unit: String = "") throws {
    guard let value, !(value.isFinite && range.contains(value)) else { return }
    throw ValidationError("--\(flag) must be a number from \(CountBounds.describe(range))\(unit.isEmpty ? "" : " " + unit) (got \(value))")
}

/// `--tokens`: a plain number (2e12) or one with the SI prefix Ridgeline prints counts with
/// (`SI.format`: 10k, 115M, 300G, 2T), or B for billions as model cards write them (300B).
/// Range checks stay with `checkNumber`.
func tokenCount(_ argument: String) throws -> Double {
    let scales: [Character: Double] = ["k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "B": 1e9, "T": 1e12, "P": 1e15]
    var number = Substring(argument)
    var scale = 1.0
    if let last = number.last, let s = scales[last] {
        scale = s
        number = number.dropLast()
    }
    guard let value = Double(number) else {
        throw ValidationError("--tokens takes a number such as 2e12, 300B or 2T (got '\(argument)')")
    }
    return value * scale
}

/// " (1 to 1048576)": a count flag's bound for its help text.
func bound(_ range: ClosedRange<Int>) -> String { " (\(CountBounds.describe(range)))" }

/// `--mode` of `validate` and `calibrate`: the execution mode to judge measurements in, or `auto`
/// (eager when every measurement includes the framework's dispatch, as PyTorch's do).
enum JudgingMode: String, CaseIterable, ExpressibleByArgument {
    case auto, kernel, eager

    func resolve(for observations: [Observation]) -> ExecutionMode {
        switch self {
        case .auto: return .judging(observations.map(\.engine))
        case .kernel: return .kernel
        case .eager: return .eager
        }
    }
}

/// `--engine`: only the engines that measure (the reference rows were measured elsewhere).
extension Engine: ExpressibleByArgument {
    public init?(argument: String) {
        guard let engine = Engine(rawValue: argument), Engine.measurable.contains(engine) else { return nil }
        self = engine
    }
    public static var allValueStrings: [String] { measurable.map(\.rawValue) }
}
