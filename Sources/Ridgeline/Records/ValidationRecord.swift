/// `ridgeline validate --json`, and `ridgeline calibrate --json` (its held-out rows on the
/// calibrated profile): per-kernel rows, the error per kernel class, and the aggregate
/// `median_ape` and `p90_ape` (fractions). Read back by `ridgeline report --validation`. Only
/// `rows` is required, so that a file with the contract's fields reads.
public struct ValidationRecord: Codable, Sendable, Equatable {
    public var rows: [Validation.Row]
    /// Absent only without rows, which no command prints.
    public var medianApe: Double?
    public var p90Ape: Double?

    public var hardware: String?
    public var calibrated: Bool?
    public var mode: ExecutionMode?
    /// Error per kernel class present.
    public var byClass: [String: ErrorSummary]?
    public var count: Int?
    /// `validate`: the model's FLOP counts against a hardware counter's, where one was read.
    public var flopCheck: FlopCheck?
    /// `calibrate`: the held-out rows' error at datasheet ceilings, before the fit.
    public var datasheetHeldOut: HeldOutError?
    /// `calibrate`: how many measurements were fitted, and how many held out.
    public var fitted: Count?
    public var heldOut: Count?
    /// Measurements left out of the figures, each with its reason (`Observations.judgeable`).
    public var refused: [Observations.Refusal]?

    public struct HeldOutError: Codable, Sendable, Equatable {
        public var medianApe, p90Ape: Double
        public init(_ s: ErrorSummary) { medianApe = s.medianAPE; p90Ape = s.p90APE }
    }

    public struct Count: Codable, Sendable, Equatable {
        public var count: Int
        public init(_ count: Int) { self.count = count }
    }

    public init(_ v: Validation, flopCheck: FlopCheck? = nil) {
        let all = v.overall
        rows = v.rows
        medianApe = all.medianAPE.isFinite ? all.medianAPE : nil
        p90Ape = all.p90APE.isFinite ? all.p90APE : nil
        hardware = v.hardware; calibrated = v.calibrated; mode = v.mode
        byClass = Dictionary(uniqueKeysWithValues: v.byClass.map { ($0.kernelClass, $0.summary) })
        count = all.count
        self.flopCheck = flopCheck
    }
}
