/// How far predictions were from measurements: absolute percentage errors (APE) as fractions,
/// summarised by their median and 90th percentile — the figures every validation reports.
public struct ErrorSummary: Sendable, Equatable, Encodable {
    public var count: Int
    public var medianAPE: Double
    public var p90APE: Double
    public var meanAPE: Double
    public var maxAPE: Double

    /// Summarises (predicted, measured) pairs; measured must be positive.
    public init(pairs: [(predicted: Double, measured: Double)]) {
        let errors = pairs.map { absolutePercentageError(predicted: $0.predicted, measured: $0.measured) }
        self.init(errors: errors)
    }

    public init(errors: [Double]) {
        count = errors.count
        medianAPE = percentile(errors, 0.5)
        p90APE = percentile(errors, 0.9)
        meanAPE = errors.isEmpty ? .nan : errors.reduce(0, +) / Double(errors.count)
        maxAPE = errors.max() ?? .nan
    }

    enum CodingKeys: String, CodingKey { case count, median_ape, p90_ape, mean_ape, max_ape }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        try c.encode(medianAPE.isFinite ? medianAPE : nil, forKey: .median_ape)
        try c.encode(p90APE.isFinite ? p90APE : nil, forKey: .p90_ape)
        try c.encode(meanAPE.isFinite ? meanAPE : nil, forKey: .mean_ape)
        try c.encode(maxAPE.isFinite ? maxAPE : nil, forKey: .max_ape)
    }
}

/// |predicted − measured| / measured.
public func absolutePercentageError(predicted: Double, measured: Double) -> Double {
    abs(predicted - measured) / measured
}

/// The p-quantile (0…1) with linear interpolation between order statistics (Hyndman & Fan type 7,
/// NumPy's default); NaN for an empty list.
public func percentile(_ values: [Double], _ p: Double) -> Double {
    values.isEmpty ? .nan : quantile(sorted: values.sorted(), p)
}

/// `percentile` of values already sorted ascending, for callers that take several quantiles of
/// one sample. `sorted` must not be empty.
public func quantile(sorted: [Double], _ p: Double) -> Double {
    let position = p * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let weight = position - Double(lower)
    return sorted[lower] * (1 - weight) + sorted[upper] * weight
}
