import ArgumentParser
import Foundation
import Ridgeline
import RidgelineReport

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare devices on the same workload and write a report (HTML, Markdown, CSV, JSON).")

    @Option(name: .long, parsing: .singleValue, help: "Devices to compare: ids or YAML paths, comma-separated (repeatable).")
    var hardware: [String] = []
    @Option(name: .customLong("kernels"), help: "A JSON Lines file of kernel specs to predict on every device.")
    var kernelsFile: String?
    @Option(help: "A model id or YAML path: compare one training run on every device.")
    var model: String?
    @Option(help: "Training tokens for --model.") var tokens: [Double] = []
    @Option(help: "kernel (device time) or eager (adds the framework's per-op dispatch floor).") var mode: ExecutionMode = .kernel
    @OptionGroup var output: ReportOutputOption

    var hardwareIds: [String] {
        hardware.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    func validate() throws {
        guard !hardwareIds.isEmpty else { throw ValidationError("give the devices to compare: --hardware H1,H2,...") }
        guard Set(hardwareIds).count == hardwareIds.count else {
            throw ValidationError("--hardware names a device twice: \(hardwareIds.joined(separator: ","))")
        }
        switch (kernelsFile, model) {
        case (nil, nil): throw ValidationError("give a workload: --kernels FILE or --model M")
        case (.some, .some): throw ValidationError("give either --kernels or --model, not both")
        default: break
        }
        if kernelsFile != nil && !tokens.isEmpty { throw ValidationError("--tokens applies to --model only") }
    }

    func run() throws {
        let store = try ProfileStore.locate()
        let profiles = try hardwareIds.map { try store.hardware($0) }
        if let model {
            throw RidgelineError.unavailable(
                what: "compare --model \(model)",
                reason: "not available yet (the training model, `ridgeline train`, is not in this build); compare kernels with --kernels FILE")
        }
        guard let kernelsFile else { return }
        let kernels = try Kernel.load(path: kernelsFile)
        let report = CompareKernelsReport.build(
            profiles: profiles, kernels: kernels, kernelsSource: kernelsFile, mode: mode,
            provenance: reportProvenance(profiles: profiles, inputs: [kernelsFile]))
        try output.write(report)
    }
}
