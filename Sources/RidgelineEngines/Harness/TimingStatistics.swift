import Foundation
import Ridgeline

/// Order statistics of repeated timings: pure functions, so they can be tested on synthetic
/// sample sets.
///
/// Timing noise is skewed (a repetition can only be slowed, never sped up, by interference), so
/// the harness reports the median and the minimum rather than a mean, the interquartile range
/// as the spread, and decides that it has repeated enough from a distribution-free confidence
/// interval of the median.
public struct TimingStatistics: Sendable, Equatable {
    public var count: Int
    public var median: Double
    public var min: Double
    public var max: Double
    public var p25: Double
    public var p75: Double
    /// Half-width of the 95% confidence interval of the median over the median; infinity when
    /// there are too few samples to bound it.
    public var relativeCI95: Double

    public var iqr: Double { p75 - p25 }

    public init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        count = sorted.count
        median = quantile(sorted: sorted, 0.5)
        min = sorted[0]
        max = sorted[sorted.count - 1]
        p25 = quantile(sorted: sorted, 0.25)
        p75 = quantile(sorted: sorted, 0.75)
        let (low, high) = Self.medianCI95(sorted: sorted)
        relativeCI95 = (low.isFinite && high.isFinite && median > 0) ? (high - low) / 2 / median : .infinity
    }

    /// The distribution-free 95% confidence interval of the median: the order statistics
    /// x(l), x(u) with l, u = n/2 ∓ 1.96·√n/2 (normal approximation to the Binomial(n, ½) rank of
    /// the median; Conover, *Practical Nonparametric Statistics*, §3.2). Below eight samples the
    /// interval would need ranks outside the sample, so it is unbounded.
    public static func medianCI95(sorted: [Double]) -> (Double, Double) {
        let n = Double(sorted.count)
        let half = 1.96 * n.squareRoot() / 2
        let lowRank = Int((n / 2 - half).rounded(.down))  // 1-based
        let highRank = Int((n / 2 + half).rounded(.up)) + 1  // 1-based
        guard lowRank >= 1, highRank <= sorted.count else { return (-.infinity, .infinity) }
        return (sorted[lowRank - 1], sorted[highRank - 1])
    }
}
