/// Repeated timings of one measurement, summarised.
///
/// A ceiling is the best rate a machine sustains, and interference from other processes only ever
/// slows a sample down, so the ceiling estimate is the best sample; the median and the spread say
/// how noisy the run was.
public struct RateSummary: Sendable, Equatable {
    public var best: Double
    public var median: Double
    public var worst: Double
    public var samples: Int

    public init(rates: [Double]) {
        let sorted = rates.sorted()
        best = sorted.last ?? 0
        worst = sorted.first ?? 0
        median =
            sorted.isEmpty
            ? 0
            : (sorted.count % 2 == 1
                ? sorted[sorted.count / 2]
                : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
        samples = sorted.count
    }

    /// A team's rate on a resource each thread owns (its core's FMA pipes, its private cache):
    /// the sum over threads of each thread's own best, median and worst sample. Threads start
    /// each sample together, so the samples overlap in time, but one thread losing its core to
    /// another process for a while does not spoil the other threads' samples.
    public init(perThread rates: [[Double]]) {
        let summaries = rates.map { RateSummary(rates: $0) }
        best = summaries.reduce(0) { $0 + $1.best }
        median = summaries.reduce(0) { $0 + $1.median }
        worst = summaries.reduce(0) { $0 + $1.worst }
        samples = summaries.map(\.samples).min() ?? 0
    }

    private init(best: Double, median: Double, worst: Double, samples: Int) {
        self.best = best; self.median = median; self.worst = worst; self.samples = samples
    }

    /// The summary divided by `n` (a mean over threads).
    public func divided(by n: Double) -> RateSummary {
        RateSummary(best: best / n, median: median / n, worst: worst / n, samples: samples)
    }

    /// (best − median) / best: how much the noisiest half of the samples lost.
    public var spread: Double { best > 0 ? (best - median) / best : 0 }
}

/// The median of a non-empty list.
func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return 0 }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
