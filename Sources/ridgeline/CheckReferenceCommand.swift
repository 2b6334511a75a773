import ArgumentParser
import Ridgeline

/// Predicts every kernel of the H100 reference measurements and reports the error by class.
struct CheckReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-reference",
        abstract: "Predict the real H100 kernel timings in ../shared/reference and report the error by kernel class.")

    @Option(help: "Reference measurements (JSON Lines).") var measurements = "../shared/reference/gpu-measurements/h100-sxm5-kernels.jsonl"
    @Option(help: "Hardware profile id or path.") var hardware = "h100-sxm5-80gb"
    @Flag(help: "Print per-kernel rows too.") var verbose = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        _ = (measurements, hardware, verbose, json)
        throw RidgelineError.unavailable(what: "check-reference", reason: "not written yet")
    }
}
