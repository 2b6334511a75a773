import ArgumentParser
import Foundation
import Ridgeline
import RidgelineEngines

/// `ridgeline validate`: predicts measured kernels and reports how far off the predictions are.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Predict measured kernels and report the error per kernel and per kernel class (median and p90 APE).",
        discussion: """
            --measurements takes records from `ridgeline measure` or scripts/torch_engine.py, or the reference \
            GPU format (rows with a `section` field). Without it, the default suite is measured on this host first.
            """)

    @OptionGroup var hardware: HardwareOption
    @Option(help: "Measurement records (JSON Lines; - reads standard input); default: measure the suite now.") var measurements: String?
    @Option(help: "kernel, eager, or auto (eager for PyTorch measurements, which include dispatch).") var mode: JudgingMode = .auto
    @Option(
        help:
            "Which time of each record to judge: median, min (least-disturbed repetition), or cpu (thread CPU time of one-thread runs: for shared machines)."
    )
    var statistic: Observations.Statistic = .median
    @OptionGroup var measure: MeasureOptions
    @Flag(help: "Print JSON: per-kernel rows, by_class, median_ape and p90_ape (fractions).") var json = false

    func validate() throws {
        try measure.check()
    }

    func run() throws {
        let fullProfile = try hardware.load()
        let observations: [Observation]
        if let measurements {
            observations = try Observations.load(path: measurements, statistic: statistic)
        } else {
            guard measure.engine != .torch else {
                throw ValidationError(
                    "validate measures in process with onednn or openblas; run `ridgeline measure --engine torch -o FILE` and pass --measurements FILE"
                )
            }
            observations = try measure.measure(store: ProfileStore.locate()) { _ in }.map {
                try Observation(record: $0, source: "measured now", statistic: statistic)
            }
        }
        try Observations.checkConsistent(observations, profile: fullProfile, file: measurements ?? "measured now")
        let judged = try judgeable(observations, file: measurements ?? "measured now")
        let executionMode = mode.resolve(for: judged.kept)
        let profile = Observations.profile(fullProfile, for: judged.kept)
        let validation = Validation(judged.kept, profile: profile, mode: executionMode)
        let flops = FlopCheck(judged.kept)
        if json {
            var record = ValidationRecord(validation, flopCheck: flops)
            record.refused = judged.refused.isEmpty ? nil : judged.refused
            return try printRecord(record)
        }
        printValidation(
            validation,
            title: "\(profile.name) (\(profile.id)), \(executionMode.rawValue) mode, "
                + (profile.calibration == nil ? "datasheet ceilings" : "calibrated"), perKernel: true)
        printRefusals(judged.refused)
        if let note = flops.note {
            print("\nFLOP check: \(note).")
        } else {
            var table = TextTable(["kernel", "event", "model FLOPs", "counted", "counted/model"])
            for r in flops.rows {
                table.add([
                    r.kernel, r.event, formatSignificant(r.modelFlops, digits: 3), formatSignificant(r.counted, digits: 3),
                    formatSignificant(r.ratio, digits: 3),
                ])
            }
            print("\nFLOP check against hardware counters:\n" + table.render())
        }
    }
}

/// The measurements Ridgeline models, and the refusals for the rest (`Observations.judgeable`);
/// an error naming `file` when none is left.
func judgeable(_ observations: [Observation], file: String) throws -> (kept: [Observation], refused: [Observations.Refusal]) {
    let judged = Observations.judgeable(observations)
    if judged.kept.isEmpty, let first = judged.refused.first {
        throw RidgelineError.unreadable(file: file, reason: "holds no measurement Ridgeline models (\(first.source): \(first.reason))")
    }
    return judged
}

/// "Not judged (2): …": the measurements left out of the figures, each with its reason.
func printRefusals(_ refused: [Observations.Refusal]) {
    guard !refused.isEmpty else { return }
    print("\nNot judged (\(refused.count)):")
    for r in refused { print("  \(r.kernel) (\(r.source)): \(r.reason)") }
}

/// Per-kernel rows (optional), then the per-class and overall error table.
func printValidation(_ v: Validation, title: String, perKernel: Bool) {
    print(title)
    if perKernel {
        var rows = TextTable(["kernel", "class", "measured", "predicted", "error", "bound"])
        for r in v.rows {
            rows.add([
                r.kernel, r.kernelClass, Quantity.format(r.measuredS, .seconds), Quantity.format(r.predictedS, .seconds),
                String(format: "%+.1f%%", r.error * 100), r.bound,
            ])
        }
        print(rows.render())
        print("")
    }
    var table = TextTable(["class", "kernels", "median APE", "p90 APE"])
    for (cls, s) in v.byClass + [("all", v.overall)] {
        table.add([cls, "\(s.count)", formatPercent(s.medianAPE), formatPercent(s.p90APE)])
    }
    print(table.render())
}

extension Observations.Statistic: ExpressibleByArgument {}
