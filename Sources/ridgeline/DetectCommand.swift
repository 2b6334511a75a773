import ArgumentParser
import Foundation
import Ridgeline
import RidgelineEngines
import RidgelineProbe

/// `ridgeline detect [--measure] [-o FILE] [--json]`: describe this host from the host itself.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect this host (hwloc topology, SIMD units) and write it as a hardware profile; --measure adds measured ceilings.",
        discussion: """
            Without --measure the peaks are nominal (cores × clock × FLOPs/cycle of the SIMD units) and the \
            bandwidths are estimates. With --measure, micro-benchmarks measure the FMA peaks, the sustained \
            clock and a bandwidth sweep from L1 to DRAM, one thread per core, within --budget seconds. The sweep \
            stops where its DRAM plateau is established; what the budget or the curve left out is reported (cut). \
            The profile goes to the path `--hardware host` resolves to, unless -o names another.
            """)

    @Flag(help: "Measure the ceilings with micro-benchmarks instead of deriving nominal ones.") var measure = false
    @Option(help: "Seconds --measure may take (5–3600; default 40): more buys more samples and visits of the shared levels.")
    var budget: Double = ProbeSettings.defaultBudgetSeconds
    @Option(name: [.short, .customLong("output")], help: "Where to write the profile (default: the detected-host path).")
    var output: String?
    @Flag(help: "Print the detection as JSON instead of the summary.") var json = false
    @Flag(
        help:
            "Write the profile even when the measurement fails its checks (a plateau not established, figures that disagree with their own samples); it is marked UNRELIABLE."
    )
    var keepUnreliable = false

    func validate() throws {
        guard budget.isFinite, ProbeSettings.budgetRange.contains(budget) else {
            throw ValidationError(
                "--budget \(budget): expected seconds in \(Int(ProbeSettings.budgetRange.lowerBound))...\(Int(ProbeSettings.budgetRange.upperBound))"
            )
        }
    }

    func run() throws {
        let interactive = isatty(2) != 0
        let path = output ?? ProfileStore.detectedHostPath
        // Checked before the measurement: a directory or a shipped profile is refused at once.
        let protected = [ProfileStore.locate().hardwareDirectory]
        _ = try OutputTarget(path, protected: protected)
        var settings = ProbeSettings.standard
        settings.budgetSeconds = budget
        let start = Date()
        let detection = try HostDetection.run(
            measure: measure, settings: settings, engineCall: EngineCallCost.measure, specialFunctions: SpecialFunctionTiming.measure
        ) { step in
            let elapsed = Int(Date().timeIntervalSince(start))
            if interactive {
                FileHandle.standardError.write(Data("\r\u{1B}[Kmeasuring (\(elapsed) s of a \(Int(budget)) s budget): \(step)".utf8))
            }
        }
        if interactive && measure { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        // The profile must read back with the shipped-profile loader; say so now rather than at first use.
        _ = try HardwareProfile.parse(yaml: detection.yaml(), file: path)
        // A measurement that describes the load rather than the machine is shown, never written
        // silently: `--hardware host` would use it without a word.
        if let a = detection.assessment, !a.usable, !keepUnreliable {
            if json { try printRecord(HostReport(detection, profilePath: nil)) } else { print(HostSummary(detection).render()) }
            let kept = FileManager.default.fileExists(atPath: path) ? "; the profile there was left as it was" : ""
            throw RidgelineError.unavailable(
                what: "a host profile from this measurement",
                reason:
                    "\(a.findings.count) check\(a.findings.count == 1 ? "" : "s") failed (\(a.figures.joined(separator: "; "))), so \(path) was not written\(kept). Measure on a quieter machine or with a larger --budget, or pass --keep-unreliable to write it marked UNRELIABLE"
            )
        }
        try detection.write(to: path, protected: protected)
        if json {
            try printRecord(HostReport(detection, profilePath: path))
        } else {
            print(HostSummary(detection).render())
            print(
                "\nwrote \(detection.profile.origin.rawValue) host profile to \(path)" + (output == nil ? " (used by --hardware host)" : "")
            )
        }
    }
}

/// `--hardware host` with no detected profile yet: detect (without measuring) and write one, so
/// that `host` always means this machine.
func detectHostIfMissing(_ reference: String) throws {
    guard reference == "host", !FileManager.default.fileExists(atPath: ProfileStore.detectedHostPath) else { return }
    try HostDetection.run(measure: false).write(to: ProfileStore.detectedHostPath)
}
