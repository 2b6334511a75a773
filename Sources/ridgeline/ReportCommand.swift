import ArgumentParser
import Foundation
import Ridgeline
import RidgelineReport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a report (HTML, Markdown, CSV, JSON) of a measurement run, a validation or a capacity plan.")

    @Option(help: "JSON Lines written by `ridgeline measure` (- reads standard input).") var measurements: String?
    @Option(help: "JSON written by `ridgeline validate --json`.") var validation: String?
    @Option(help: "JSON written by `ridgeline plan --json`.") var plan: String?
    @Option(help: "JSON written by `ridgeline detect --measure --json`: measured host ceilings vs nominal.") var ceilings: String?
    @Option(
        help:
            "JSON written by `ridgeline serve --json`: the serving page (latency, throughput, prefill and decode against the ridge point).")
    var serving: String?
    @Option(help: "Profile to predict and draw the roofline with (measurements: default host; validation: default the file's `hardware`).")
    var hardware: String?
    @Option(
        help:
            "Prediction mode for --measurements: kernel (device time) or eager (adds the framework's per-op dispatch floor; for eager PyTorch timings)."
    )
    var mode: ExecutionMode = .kernel
    @OptionGroup var output: ReportOutputOption

    func validate() throws {
        let given = [measurements, validation, plan, ceilings, serving].compactMap { $0 }
        guard given.count == 1 else {
            throw ValidationError(
                "give exactly one of --measurements FILE, --validation FILE, --plan FILE, --ceilings FILE, --serving FILE")
        }
        if plan != nil && hardware != nil { throw ValidationError("--hardware does not apply to --plan") }
    }

    func run() throws {
        if let measurements {
            let records = try MeasuredKernel.load(path: measurements)
            let profile = MeasuredKernel.profile(try ProfileStore.locate().hardware(hardware ?? "host"), for: records)
            let fingerprint = records.compactMap(\.fingerprint).first ?? profile.fingerprint
            try output.write(
                MeasurementReport.build(
                    records, profile: profile, mode: mode, file: TextInput.name(of: measurements),
                    provenance: reportProvenance(profiles: [profile], hostFingerprint: fingerprint, inputs: [measurements])))
        } else if let validation {
            let result = try ValidationResult.load(path: validation)
            // An explicit --hardware must load; the file's own `hardware` id is used where it is a known profile.
            let profile =
                try hardware.map { try ProfileStore.locate().hardware($0) }
                ?? result.hardware.flatMap { try? ProfileStore.locate().hardware($0) }
            try output.write(
                ValidationReport.build(
                    result, profile: profile, file: validation,
                    provenance: reportProvenance(profiles: profile.map { [$0] } ?? [], inputs: [validation])))
        } else if let ceilings {
            let host = try HostCeilings.load(path: ceilings)
            let profile = try hardware.map { try ProfileStore.locate().hardware($0) }
            try output.write(
                CeilingsReport.build(
                    host, profile: profile, file: ceilings,
                    provenance: reportProvenance(
                        profiles: profile.map { [$0] } ?? [], hostFingerprint: host.fingerprint, inputs: [ceilings])))
        } else if let serving {
            let file = try ServingFile.load(path: serving)
            let profile = try ProfileStore.locate().hardware(hardware ?? file.hardware)
            try output.write(
                try file.report(profile: profile, file: serving, provenance: reportProvenance(profiles: [profile], inputs: [serving])))
        } else if let plan {
            let result = try PlanFile.load(path: plan)
            try output.write(CapacityPlanReport.build(result, file: plan, provenance: reportProvenance(profiles: [], inputs: [plan])))
        }
    }
}
