/// The check of the roofline engine against real kernel timings (issue 2's "first check against
/// reality"): predict every reference kernel with datasheet ceilings, then fit one calibration
/// block on the even-indexed rows and report the error on the odd-indexed rows only.
///
/// Only kernels of at least `minSeconds` are fitted and judged: below ~100 µs an eager PyTorch
/// measurement is bounded by the per-op dispatch floor, not by the device (reference README).
///
/// `ReferenceCheckRecord` is what `check-reference --json` prints of it.
public struct ReferenceCheck: Sendable {
    public struct Row: Sendable, Equatable, Codable {
        public var index: Int
        public var line: Int
        public var group: String
        public var kernel: String
        public var measuredS: Double
        public var predictedS: Double
        public var ape: Double
        public var bound: String
    }

    public var hardware: String
    public var minSeconds: Double
    /// Every kernel row at datasheet ceilings.
    public var datasheet: [Row]
    /// Odd-indexed rows of at least `minSeconds`, predicted with the calibration fitted on the even ones.
    public var heldOut: [Row]

    public static let groups = ["gemm", "memory-bound", "row-wise", "attention", "conv2d"]

    /// The fewest rows a calibration is fitted on, and judged on: below that the fractions would
    /// say nothing about the device (a fit on no rows at all writes the datasheet back, labelled calibrated).
    public static let minimumRows = 10

    public init(reference: ReferenceFile, profile: HardwareProfile, referencePath: String, minSeconds: Double = 100e-6) throws {
        var datasheetProfile = profile
        datasheetProfile.calibration = nil
        hardware = profile.id
        self.minSeconds = minSeconds
        datasheet = Self.rows(reference.measurements, datasheetProfile)
        let even = reference.measurements.filter { $0.index % 2 == 0 && $0.medianSeconds >= minSeconds }
        let oddCount = reference.measurements.filter { $0.index % 2 == 1 && $0.medianSeconds >= minSeconds }.count
        guard even.count >= Self.minimumRows, oddCount >= Self.minimumRows else {
            throw RidgelineError.invalidValue(
                file: referencePath, field: "--min-seconds", value: Quantity.format(minSeconds, .seconds),
                expected:
                    "a bound that leaves at least \(Self.minimumRows) rows to fit on and \(Self.minimumRows) to judge (it leaves \(even.count) and \(oddCount) of \(reference.measurements.count))"
            )
        }
        let calibration = CalibrationFit.fit(
            samples: even.map { CalibrationSample(kernels: $0.kernels, seconds: $0.medianSeconds) },
            profile: datasheetProfile,
            source: "fitted on the even-indexed rows of \(referencePath) of at least \(Quantity.format(minSeconds, .seconds))")
        var calibrated = datasheetProfile
        calibrated.calibration = calibration
        let odd = reference.measurements.filter { $0.index % 2 == 1 && $0.medianSeconds >= minSeconds }
        heldOut = Self.rows(odd, calibrated)
        self.calibration = calibration
    }

    /// The fitted block, to write into a calibrated copy of the profile.
    public let calibration: Calibration

    /// Rows of `measurements` predicted on `profile`, through the same `Validation` that
    /// `ridgeline validate` prints, tagged with the row index and the group the issue reports by.
    static func rows(_ measurements: [ReferenceMeasurement], _ profile: HardwareProfile) -> [Row] {
        let observations = measurements.map { $0.observation(file: "reference") }
        return zip(measurements, Validation(observations, profile: profile).rows).map { m, r in
            Row(
                index: m.index, line: m.line, group: m.group, kernel: r.kernel, measuredS: r.measuredS,
                predictedS: r.predictedS, ape: r.ape, bound: r.bound)
        }
    }

    /// Error summary of `rows` per group, and over all of them under "all".
    public static func summary(_ rows: [Row]) -> [(group: String, summary: ErrorSummary)] {
        (groups + ["all"]).compactMap { group in
            let selected = group == "all" ? rows : rows.filter { $0.group == group }
            return selected.isEmpty ? nil : (group, ErrorSummary(errors: selected.map(\.ape)))
        }
    }
}
