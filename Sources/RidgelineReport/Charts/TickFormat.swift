import Foundation

/// Tick and value labels with SI prefixes (1, 10, 100, 1k, 1M, 1G … and 100m, 1µ, 1n below
/// one), the notation performance engineers read fastest on log axes.
public enum SI {
    private static let prefixes: [(exponent: Int, symbol: String)] = [
        (-15, "f"), (-12, "p"), (-9, "n"), (-6, "µ"), (-3, "m"), (0, ""), (3, "k"), (6, "M"), (9, "G"), (12, "T"),
        (15, "P"), (18, "E"),
    ]

    /// `value` with an SI prefix and at most `digits` significant digits, trailing zeros dropped:
    /// 1000 → "1k", 2.5e12 → "2.5T", 0.001 → "1m", 0 → "0".
    public static func format(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
        if value == 0 { return "0" }
        let sign = value < 0 ? "-" : ""
        let magnitude = abs(value)
        // Round to `digits` significant digits first, so 999.99 becomes "1k", not "1000".
        let exponent = Int(log10(magnitude).rounded(.down))
        let quantum = pow(10, Double(exponent - digits + 1))
        let rounded = (magnitude / quantum).rounded() * quantum
        let e10 = Int(log10(rounded).rounded(.down))
        var group = Int((Double(e10) / 3).rounded(.down)) * 3
        group = min(max(group, prefixes.first!.exponent), prefixes.last!.exponent)
        let symbol = prefixes.first { $0.exponent == group }!.symbol
        let mantissa = rounded / pow(10, Double(group))
        return sign + trimmed(mantissa, digits: digits) + symbol
    }

    /// A number with up to `digits` significant digits and no trailing zeros.
    static func trimmed(_ value: Double, digits: Int) -> String {
        if value == 0 { return "0" }
        let magnitude = Int(log10(abs(value)).rounded(.down))
        let decimals = min(max(0, digits - 1 - magnitude), 12)
        var text = String(format: "%.\(decimals)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
