/// `ridgeline check-reference --json`: every reference row at datasheet ceilings, the held-out
/// rows on the calibration fitted on the others, the fitted fractions, and the error per group
/// (`summary_datasheet`, `summary_datasheet_long`: rows of at least `min_seconds`,
/// `summary_held_out`).
public struct ReferenceCheckRecord: Codable, Sendable, Equatable {
    public var hardware: String
    public var minSeconds: Double
    public var datasheet: [ReferenceCheck.Row]
    public var heldOut: [ReferenceCheck.Row]
    public var calibrationSource: String
    /// Fitted fraction of the peak, and of the bandwidth, per kernel class.
    public var calibrationCompute: [String: Double]
    public var calibrationMemory: [String: Double]
    /// A matrix class's fraction of each dtype's own peak where it was fitted apart
    /// (`Calibration.computeByDType`), by class then dtype.
    public var calibrationComputeByDtype: [String: [String: Double]]
    public var calibrationLaunchS: Double?
    public var summaryDatasheet: [String: ErrorSummary]
    public var summaryDatasheetLong: [String: ErrorSummary]
    public var summaryHeldOut: [String: ErrorSummary]

    public init(_ check: ReferenceCheck) {
        func byGroup(_ rows: [ReferenceCheck.Row]) -> [String: ErrorSummary] {
            Dictionary(uniqueKeysWithValues: ReferenceCheck.summary(rows).map { ($0.group, $0.summary) })
        }
        let calibration = check.calibration
        hardware = check.hardware; minSeconds = check.minSeconds; datasheet = check.datasheet; heldOut = check.heldOut
        calibrationSource = calibration.source
        calibrationCompute = Dictionary(uniqueKeysWithValues: calibration.compute.map { ($0.key.rawValue, $0.value) })
        calibrationMemory = Dictionary(uniqueKeysWithValues: calibration.memory.map { ($0.key.rawValue, $0.value) })
        calibrationComputeByDtype = Dictionary(
            uniqueKeysWithValues: calibration.computeByDType.map { cls, byDType in
                (cls.rawValue, Dictionary(uniqueKeysWithValues: byDType.map { ($0.key.rawValue, $0.value) }))
            })
        calibrationLaunchS = calibration.launchLatency
        summaryDatasheet = byGroup(check.datasheet)
        summaryDatasheetLong = byGroup(check.datasheet.filter { $0.measuredS >= check.minSeconds })
        summaryHeldOut = byGroup(check.heldOut)
    }
}
