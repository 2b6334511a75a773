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

/// The encoder of `printJSON` and `printJSONArray`: pretty, key-sorted, slashes as written.
private func prettyJSONEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return encoder
}

/// Prints an Encodable as pretty, key-sorted JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    print(String(decoding: try prettyJSONEncoder().encode(value), as: UTF8.self))
}

/// Prints a record (`RecordCoding`: snake_case keys, sorted, indented) on stdout.
func printRecord<T: Encodable>(_ value: T) throws {
    print(try RecordCoding.json(value))
}

/// Prints `items` exactly as `printJSON(items)` would, a slice at a time, so that the encoded
/// document is never held whole (`predict --json` on 200,000 specs took 1 GB encoding one array).
func printJSONArray<T: Encodable>(_ items: [T]) throws {
    guard !items.isEmpty else { return try printJSON(items) }
    let encoder = prettyJSONEncoder()
    let slice = 1024
    for start in stride(from: 0, to: items.count, by: slice) {
        // Each slice as an array is "[\n" + its elements + "\n]": the elements as the whole array has them.
        let end = min(start + slice, items.count)
        let data = try encoder.encode(Array(items[start..<end]))
        let text = String(decoding: data.dropFirst(start == 0 ? 0 : 2).dropLast(end == items.count ? 0 : 2), as: UTF8.self)
        print(text, terminator: end == items.count ? "\n" : ",\n")
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
