/// How far predictions were from measurements: absolute percentage errors (APE) as fractions,
/// summarised by their median and 90th percentile — the figures every validation reports.
public struct ErrorSummary: Sendable, Equatable, Codable {
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

    /// Keys as `RecordCoding` spells them (`medianAPE` is `median_ape` in the file). An empty
    /// set's statistics are NaN, written as null.
    enum CodingKeys: String, CodingKey { case count, medianAPE = "medianApe", p90APE = "p90Ape", meanAPE = "meanApe", maxAPE = "maxApe" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        for (key, value) in [(CodingKeys.medianAPE, medianAPE), (.p90APE, p90APE), (.meanAPE, meanAPE), (.maxAPE, maxAPE)] {
            try c.encode(value.isFinite ? value : nil, forKey: key)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func statistic(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? .nan }
        count = try c.decode(Int.self, forKey: .count)
        medianAPE = try statistic(.medianAPE); p90APE = try statistic(.p90APE)
        meanAPE = try statistic(.meanAPE); maxAPE = try statistic(.maxAPE)
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
