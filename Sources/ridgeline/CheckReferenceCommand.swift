import ArgumentParser
import Foundation
import Ridgeline

/// Predicts every kernel of the real H100 timings, then fits a calibration on the even rows and
/// reports the held-out error on the odd rows.
struct CheckReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-reference",
        abstract: "Check the roofline engine against the real H100 kernel timings in reference/gpu-measurements.")

    static let defaultMeasurements = "gpu-measurements/h100-sxm5-kernels.jsonl"

    @Option(
        help:
            "Reference measurements (JSON Lines, the format of reference/gpu-measurements; - reads standard input; default: reference/\(defaultMeasurements) in the data folder)."
    )
    var measurements: String?
    @Option(help: "Hardware profile id or path (its calibration block, if any, is ignored and refitted).")
    var hardware = "h100-sxm5-80gb"
    @Option(parsing: .unconditional, help: "Shortest kernel (seconds) that is fitted and judged.") var minSeconds = 100e-6
    @Option(name: .customShort("o"), help: "Also write the profile with the fitted calibration block to this file.")
    var output: String?
    @Flag(help: "Print every held-out row.") var verbose = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = ProfileStore.locate()
        let profile = try store.hardware(hardware)
        if let output { _ = try OutputTarget(output, protected: [store.hardwareDirectory]) }
        let measurements = try self.measurements ?? DataRoot.locate().reference(Self.defaultMeasurements)
        let reference = try ReferenceFile.load(path: measurements)
        let check = try ReferenceCheck(
            reference: reference, profile: profile, referencePath: TextInput.name(of: measurements), minSeconds: minSeconds)
        if let output {
            var calibrated = profile
            calibrated.calibration = check.calibration
            calibrated.markCalibrated()
            try writeFileAtomically(calibrated.yaml(), to: output, protected: [store.hardwareDirectory])
        }
        if json { return try printRecord(ReferenceCheckRecord(check)) }
        print("\(profile.name): \(reference.measurements.count) kernel rows from \(TextInput.name(of: measurements))")
        let long = check.datasheet.filter { $0.measuredS >= minSeconds }
        printSummary("Datasheet ceilings, all rows", check.datasheet)
        printSummary("Datasheet ceilings, rows of at least \(Quantity.format(minSeconds, .seconds))", long)
        print(
            "\nCalibration fitted on even rows (launch \(check.calibration.launchLatency.map { Quantity.format($0, .seconds) } ?? "—"), "
                + "overlap leak \(formatSignificant(check.calibration.overlapLeak ?? 0, digits: 2))):")
        print(calibrationFractionTable(check.calibration))
        printSummary("Held out: odd rows of at least \(Quantity.format(minSeconds, .seconds)), calibrated", check.heldOut)
        if verbose {
            var table = TextTable(["row", "kernel", "measured", "predicted", "error", "bound"])
            for r in check.heldOut {
                table.add([
                    "\(r.index)", r.kernel, Quantity.format(r.measuredS, .seconds), Quantity.format(r.predictedS, .seconds),
                    formatPercent(r.ape), r.bound,
                ])
            }
            print("\n" + table.render())
        }
    }

    private func printSummary(_ title: String, _ rows: [ReferenceCheck.Row]) {
        print("\n\(title):")
        var table = TextTable(["class", "kernels", "median APE", "p90 APE"])
        for (group, s) in ReferenceCheck.summary(rows) {
            table.add([group, "\(s.count)", formatPercent(s.medianAPE), formatPercent(s.p90APE)])
        }
        print(table.render())
    }
}
