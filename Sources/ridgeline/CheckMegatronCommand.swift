import ArgumentParser
import Foundation
import Ridgeline

/// `check-megatron`: `check-runs` on the published Megatron-LM A100 runs, every run listed.
struct CheckMegatronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-megatron",
        abstract: "check-runs on the published Megatron-LM A100 runs (reference/training-runs/megatron-a100.csv), every run listed.")

    @Option(help: "Reference runs (CSV; default reference/training-runs/megatron-a100.csv).") var runs: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let file = try runs ?? DataRoot.locate().reference("training-runs/megatron-a100.csv")
        try CheckRunsCommand.report(files: [file], json: json, verbose: true)
    }
}
