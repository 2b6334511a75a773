import Foundation

/// A mapping from data values to pixels along one direction, with its ticks and title.
///
/// `pixels` runs from the position of `domain.lowerBound` to that of `domain.upperBound`, so a
/// y axis is built with `pixels: (bottom, top)`. Log axes place each decade the same distance
/// apart: position = start + (log10 v − log10 lo) / (log10 hi − log10 lo) · (end − start).
public struct Axis: Sendable, Equatable {
    public enum Scale: String, Sendable { case linear, log10 }

    public var scale: Scale
    public var domain: ClosedRange<Double>
    public var pixels: (start: Double, end: Double)
    /// Axis title including the unit, e.g. "Arithmetic intensity (FLOP/byte)".
    public var title: String

    public init(scale: Scale, domain: ClosedRange<Double>, pixels: (Double, Double), title: String) {
        self.scale = scale; self.domain = domain; self.pixels = (pixels.0, pixels.1); self.title = title
    }

    public static func == (a: Axis, b: Axis) -> Bool {
        a.scale == b.scale && a.domain == b.domain && a.pixels == b.pixels && a.title == b.title
    }

    /// The pixel position of `value`. Values outside the domain extrapolate (callers clip); a
    /// non-positive value on a log axis maps to the lower end rather than to −∞.
    public func position(_ value: Double) -> Double {
        let span = pixels.end - pixels.start
        switch scale {
        case .linear:
            let width = domain.upperBound - domain.lowerBound
            guard width > 0 else { return pixels.start }
            return pixels.start + (value - domain.lowerBound) / width * span
        case .log10:
            guard value > 0 else { return pixels.start }
            let lo = Foundation.log10(domain.lowerBound), hi = Foundation.log10(domain.upperBound)
            guard hi > lo else { return pixels.start }
            return pixels.start + (Foundation.log10(value) - lo) / (hi - lo) * span
        }
    }

    /// The data value at a pixel position (the inverse of `position`).
    public func value(at pixel: Double) -> Double {
        let fraction = (pixel - pixels.start) / (pixels.end - pixels.start)
        switch scale {
        case .linear: return domain.lowerBound + fraction * (domain.upperBound - domain.lowerBound)
        case .log10:
            let lo = Foundation.log10(domain.lowerBound), hi = Foundation.log10(domain.upperBound)
            return pow(10, lo + fraction * (hi - lo))
        }
    }

    public func contains(_ value: Double) -> Bool {
        let tolerance = (domain.upperBound - domain.lowerBound) * 1e-9
        return value >= domain.lowerBound - tolerance && value <= domain.upperBound + tolerance
    }

    /// Major ticks: every decade on a log axis (every 2nd or 3rd when there are more than nine),
    /// 1-2-5 steps on a linear one, always inside the domain.
    public var ticks: [Double] {
        switch scale {
        case .log10:
            // A small tolerance keeps 10^k computed as 9.999…e(k−1) on its own decade.
            let lo = Int((Foundation.log10(domain.lowerBound) - 1e-9).rounded(.up))
            let hi = Int((Foundation.log10(domain.upperBound) + 1e-9).rounded(.down))
            guard hi >= lo else { return [domain.lowerBound, domain.upperBound] }
            let decades = hi - lo + 1
            let step = decades > 18 ? 3 : (decades > 9 ? 2 : 1)
            var ticks = stride(from: lo, through: hi, by: step).map { pow(10, Double($0)) }
            // Two decades or fewer: 2 and 5 in between, or the axis reads as almost unlabelled.
            if decades <= 3 {
                for e in (lo - 1)...hi { for m in [2.0, 5.0] { let t = m * pow(10, Double(e)); if contains(t) { ticks.append(t) } } }
                ticks.sort()
            }
            return ticks
        case .linear:
            let step = Axis.niceStep((domain.upperBound - domain.lowerBound) / 6)
            guard step > 0 else { return [domain.lowerBound] }
            var ticks: [Double] = []
            var t = (domain.lowerBound / step).rounded(.up) * step
            while t <= domain.upperBound + step * 1e-9 && ticks.count < 50 {
                ticks.append(abs(t) < step * 1e-9 ? 0 : t)
                t += step
            }
            return ticks
        }
    }

    /// The label of a tick: SI-prefixed ("1k", "2.5M", "100µ").
    public func label(_ tick: Double) -> String { SI.format(tick) }

    /// A 1, 2 or 5 times a power of ten at least `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 0 }
        let power = pow(10, Foundation.log10(raw).rounded(.down))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * power >= raw * (1 - 1e-9) { return factor * power }
        return 10 * power
    }

    /// A log axis spanning whole decades around `values` (non-positive values are ignored).
    public static func logCovering(
        _ values: [Double], pixels: (Double, Double), title: String,
        minimumDecades: Int = 2
    ) -> Axis {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        var lo = Foundation.log10(positive.min() ?? 1).rounded(.down)
        var hi = Foundation.log10(positive.max() ?? 10).rounded(.up)
        if hi - lo < Double(minimumDecades) {
            let missing = Double(minimumDecades) - (hi - lo)
            lo -= (missing / 2).rounded(.up); hi += (missing / 2).rounded(.down)
        }
        return Axis(scale: .log10, domain: pow(10, lo)...pow(10, hi), pixels: pixels, title: title)
    }

    /// Log when the values span 20× or more, else linear around them: a Pareto front whose costs
    /// differ by 10% is a flat line on a log axis.
    public static func covering(_ values: [Double], pixels: (Double, Double), title: String) -> Axis {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let lo = positive.min(), let hi = positive.max(), hi / lo < 20 else {
            return logCovering(values, pixels: pixels, title: title, minimumDecades: 1)
        }
        let pad = max((hi - lo) * 0.08, hi * 0.01)
        return linearCovering([lo - pad, hi + pad], pixels: pixels, title: title, includeZero: false)
    }

    /// A linear axis from `min(0, values)` to a nice bound above the largest value.
    public static func linearCovering(_ values: [Double], pixels: (Double, Double), title: String, includeZero: Bool = true) -> Axis {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if hi <= lo { hi = lo + 1 }
        let step = niceStep((hi - lo) / 6)
        return Axis(
            scale: .linear, domain: (lo / step).rounded(.down) * step...(hi / step).rounded(.up) * step,
            pixels: pixels, title: title)
    }
}
