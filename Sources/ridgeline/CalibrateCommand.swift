import ArgumentParser
import Foundation
import Ridgeline

/// `ridgeline calibrate`: fits a profile's calibration block on part of the measurements and
/// reports the error on the rest only.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit a profile's calibration block on measurements; report the error on held-out kernels; write a calibrated copy.",
        discussion: """
            Within each kernel class the measurements are split deterministically (file order, alternating for \
            --holdout 0.5); the fit never sees the held-out share, and only the held-out error is reported. \
            The shipped profile is never edited: the calibrated copy goes to -o and loads with --hardware FILE.
            """)

    @OptionGroup var hardware: HardwareOption
    @Option(
        help: "Measurement records (JSON Lines: ridgeline measure, torch_engine.py, or the reference GPU format; - reads standard input).")
    var measurements: String
    @Option(name: [.customShort("o"), .long], help: "Where to write the calibrated profile (YAML).") var output: String
    @Option(parsing: .unconditional, help: "Share of each kernel class held out of the fit, in (0, 1).") var holdout = 0.5
    @Option(help: "kernel, eager, or auto (eager for PyTorch measurements).") var mode: JudgingMode = .auto
    @Option(
        help: "Which time of each record to fit and judge: median, min, or cpu (thread CPU time of one-thread runs; for shared machines).")
    var statistic: Observations.Statistic = .median
    @Flag(help: "Print every held-out kernel.") var verbose = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard holdout > 0, holdout < 1 else { throw ValidationError("--holdout \(holdout): expected a share strictly between 0 and 1") }
    }

    func run() throws {
        let store = ProfileStore.locate()
        // Checked before any work: calibrate never edits a shipped profile in place.
        _ = try OutputTarget(output, protected: [store.hardwareDirectory])
        var fullProfile = try hardware.load()
        fullProfile.calibration = nil
        let loaded = try Observations.load(path: measurements, statistic: statistic)
        try Observations.checkConsistent(loaded, profile: fullProfile, file: measurements)
        // Fitted and judged on what the model describes: a reference implementation's time would
        // bend its class's fractions for every kernel the library does tune.
        let judged = try judgeable(loaded, file: measurements)
        let observations = judged.kept
        // Fitted on the cores the measurements used; the fractions then apply to the whole CPU.
        let profile = Observations.profile(fullProfile, for: observations)
        let executionMode = mode.resolve(for: observations)
        let (fitSet, heldOut) = HoldoutSplit.split(observations, holdout: holdout) { $0.kernelClass }
        guard !fitSet.isEmpty, !heldOut.isEmpty else {
            throw RidgelineError.unreadable(
                file: measurements, reason: "\(observations.count) measurements are too few to hold \(holdout) out and fit on the rest")
        }
        let calibration = CalibrationFit.fit(
            samples: fitSet.map { CalibrationSample(kernels: $0.kernels, seconds: $0.seconds) }, profile: profile,
            source:
                "fitted by `ridgeline calibrate` on \(fitSet.count) of \(observations.count) measurements in \(TextInput.name(of: measurements)) (holdout \(holdout))",
            mode: executionMode)
        var written = fullProfile
        written.calibration = calibration
        written.markCalibrated()
        try writeFileAtomically(written.yaml(), to: output, protected: [store.hardwareDirectory])
        var calibrated = profile
        calibrated.calibration = calibration

        let before = Validation(heldOut, profile: profile, mode: executionMode)
        let after = Validation(heldOut, profile: calibrated, mode: executionMode)
        if json {
            var record = ValidationRecord(after)
            record.datasheetHeldOut = .init(before.overall)
            record.fitted = .init(fitSet.count); record.heldOut = .init(heldOut.count)
            record.refused = judged.refused.isEmpty ? nil : judged.refused
            return try printRecord(record)
        }
        if profile.compute.units != fullProfile.compute.units { print("Judged on \(profile.name).") }
        print(
            "Calibrated \(profile.id) on \(fitSet.count) measurements; judged on the \(heldOut.count) held out (\(TextInput.name(of: measurements)))."
        )
        print("Wrote \(output) (load it with --hardware \(output)).\n")
        print(calibrationFractionTable(calibration))
        print(
            "fixed cost per kernel: \(calibration.launchLatency.map { Quantity.format($0, .seconds) } ?? "—"), "
                + "overlap leak: \(formatSignificant(calibration.overlapLeak ?? 0, digits: 2))"
                + (calibration.dispatchLatency.map { ", eager per-op floor: \(Quantity.format($0, .seconds))" } ?? "")
                + (calibration.deviceMemoryFactor.map { ", device memory factor: \(formatSignificant($0, digits: 3))" } ?? "") + "\n")
        print(
            "Held-out error with datasheet ceilings: median \(formatPercent(before.overall.medianAPE)), p90 \(formatPercent(before.overall.p90APE))"
        )
        printValidation(after, title: "Held-out error, calibrated:", perKernel: verbose)
        printRefusals(judged.refused)
    }
}
