import Foundation

/// Physical quantities written with their unit, as profiles spell them ("3.35 TB/s", "50 MiB",
/// "1830 MHz"), parsed to SI doubles. Writing the unit next to the number is what lets the loader
/// reject a bandwidth written where a capacity belongs.
public enum Dimension: String, Sendable {
    case bytes = "a size (B, KB, KiB, MB, MiB, GB, GiB, TB)"
    case bytesPerSecond = "a bandwidth (GB/s, TB/s, MB/s, GiB/s)"
    case flopsPerSecond = "a compute rate (GFLOP/s, TFLOP/s, PFLOP/s, TOP/s)"
    case hertz = "a frequency (MHz, GHz)"
    case seconds = "a time (ns, us, ms, s)"
    case watts = "a power (W, kW)"
}

public enum Quantity {
    private static let units: [String: (Dimension, Double)] = [
        "B": (.bytes, 1), "KB": (.bytes, 1e3), "MB": (.bytes, 1e6), "GB": (.bytes, 1e9), "TB": (.bytes, 1e12),
        "KiB": (.bytes, 1024), "MiB": (.bytes, 1_048_576), "GiB": (.bytes, 1_073_741_824),
        "TiB": (.bytes, 1_099_511_627_776),
        "B/s": (.bytesPerSecond, 1), "KB/s": (.bytesPerSecond, 1e3), "MB/s": (.bytesPerSecond, 1e6),
        "GB/s": (.bytesPerSecond, 1e9), "TB/s": (.bytesPerSecond, 1e12),
        "GiB/s": (.bytesPerSecond, 1_073_741_824),
        "FLOP/s": (.flopsPerSecond, 1), "GFLOP/s": (.flopsPerSecond, 1e9), "TFLOP/s": (.flopsPerSecond, 1e12),
        "PFLOP/s": (.flopsPerSecond, 1e15), "GOP/s": (.flopsPerSecond, 1e9), "TOP/s": (.flopsPerSecond, 1e12),
        "Hz": (.hertz, 1), "kHz": (.hertz, 1e3), "MHz": (.hertz, 1e6), "GHz": (.hertz, 1e9),
        "ns": (.seconds, 1e-9), "us": (.seconds, 1e-6), "µs": (.seconds, 1e-6), "ms": (.seconds, 1e-3),
        "s": (.seconds, 1),
        "W": (.watts, 1), "kW": (.watts, 1e3),
    ]

    /// Parses "value unit" into SI, requiring the unit to be of `dimension` and the value to be
    /// finite and positive.
    public static func parse(_ text: String, as dimension: Dimension, field: String, file: String?) throws -> Double {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let number = Double(parts[0]) else {
            throw RidgelineError.invalidValue(
                file: file, field: field, value: text, expected: "a number and a unit, e.g. \(example(dimension))")
        }
        guard let (dim, scale) = units[String(parts[1])], dim == dimension else {
            throw RidgelineError.invalidValue(file: file, field: field, value: text, expected: dimension.rawValue)
        }
        guard number.isFinite, number > 0 else {
            throw RidgelineError.invalidValue(file: file, field: field, value: text, expected: "a positive value")
        }
        return number * scale
    }

    /// Formats an SI value with the unit a reader expects for its dimension.
    public static func format(_ value: Double, _ dimension: Dimension, digits: Int = 4) -> String {
        let (scale, unit) = displayUnit(value, dimension)
        return "\(formatSignificant(value / scale, digits: digits)) \(unit)"
    }

    /// The range of non-empty `values`, "low–high", or one value when both print alike.
    public static func formatSpan(_ values: [Double], _ dimension: Dimension) -> String {
        let low = format(values.min()!, dimension), high = format(values.max()!, dimension)
        return low == high ? low : "\(low)–\(high)"
    }

    /// The largest unit of `dimension` in which `value` is at least 1.
    public static func displayUnit(_ value: Double, _ dimension: Dimension) -> (scale: Double, unit: String) {
        let steps: [(Double, String)]
        switch dimension {
        case .bytes: steps = [(1_099_511_627_776, "TiB"), (1_073_741_824, "GiB"), (1_048_576, "MiB"), (1024, "KiB"), (1, "B")]
        case .bytesPerSecond: steps = [(1e12, "TB/s"), (1e9, "GB/s"), (1e6, "MB/s"), (1, "B/s")]
        case .flopsPerSecond: steps = [(1e15, "PFLOP/s"), (1e12, "TFLOP/s"), (1e9, "GFLOP/s"), (1, "FLOP/s")]
        case .hertz: steps = [(1e9, "GHz"), (1e6, "MHz"), (1, "Hz")]
        case .seconds: steps = [(1, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")]
        case .watts: steps = [(1e3, "kW"), (1, "W")]
        }
        return steps.first { value >= $0.0 } ?? steps.last!
    }

    private static func example(_ dimension: Dimension) -> String {
        switch dimension {
        case .bytes: return "'80 GB'"
        case .bytesPerSecond: return "'3.35 TB/s'"
        case .flopsPerSecond: return "'989.4 TFLOP/s'"
        case .hertz: return "'1830 MHz'"
        case .seconds: return "'4 us'"
        case .watts: return "'700 W'"
        }
    }
}

/// Four significant digits, no exponent for everyday magnitudes: what tables print.
public func formatSignificant(_ value: Double, digits: Int = 4) -> String {
    guard value.isFinite else { return "\(value)" }
    if value == 0 { return "0" }
    let magnitude = Int((log10(abs(value))).rounded(.down))
    let decimals = max(0, digits - 1 - magnitude)
    return String(format: "%.\(min(decimals, 9))f", value)
}

/// A fraction as a percentage with one decimal: 0.1234 → "12.3%".
public func formatPercent(_ fraction: Double) -> String {
    fraction.isFinite ? String(format: "%.1f%%", fraction * 100) : "—"
}

/// A count with an SI prefix and four significant digits: 137438953472 → "137.4 G".
public func formatCount(_ value: Double) -> String {
    let steps: [(Double, String)] = [(1e15, " P"), (1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k")]
    guard let step = steps.first(where: { abs(value) >= $0.0 }) else { return formatSignificant(value) }
    return formatSignificant(value / step.0) + step.1
}
