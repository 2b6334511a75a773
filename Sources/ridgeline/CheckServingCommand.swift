import ArgumentParser
import Foundation
import Ridgeline
import RidgelineRuns

/// `ridgeline check-serving`: the serving model against the published serving tables.
struct CheckServingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-serving",
        abstract: "Predict the published LLM serving tables (TensorRT-LLM, LMDeploy) and report median/p90 |error| per table kind.")

    static let defaultFiles = ["trtllm-h100-a100-l40s.csv", "lmdeploy-a100.csv"]

    @Option(
        name: .customLong("tables"), parsing: .upToNextOption,
        help: "Serving tables (default: reference/inference/trtllm-h100-a100-l40s.csv and lmdeploy-a100.csv).")
    var tables: [String] = []
    @Flag(help: "List every row and every refusal.") var verbose = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let files = try tables.isEmpty ? Self.defaultFiles.map { try DataRoot.locate().reference("inference/\($0)") } : tables
        let outcome = try ServingCheck.run(files: files, store: ProfileStore.locate())
        if json { return try printRecord(outcome) }
        var table = TextTable(["table", "metric", "n", "median |err|", "p90 |err|", "mean |err|", "signed median", "refused"])
        for g in outcome.groups {
            table.add([g.kind, g.metric, "\(g.n)", pct(g.medianAPE), pct(g.p90APE), pct(g.meanAPE), pct(g.signedMedian), "\(g.refused)"])
        }
        print(table.render())
        var reasons: [String: Int] = [:]
        for r in outcome.refusals { reasons["\(r.kind): \(r.reason)", default: 0] += 1 }
        print("")
        print("refused \(outcome.refusals.count) rows:")
        // Most frequent first; equal counts by reason, so the listing is the same every run.
        for (reason, n) in reasons.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) { print("  \(n) × \(reason)") }
        if verbose {
            print("")
            var rows = TextTable(["file:line", "table", "metric", "model", "hardware", "layout", "measured", "predicted", "error"])
            for r in outcome.rows {
                rows.add([
                    "\(r.file):\(r.line)", r.kind, r.metric, r.model, r.hardware, r.layout, formatSignificant(r.measured, digits: 4),
                    formatSignificant(r.predicted, digits: 4), pct(r.error),
                ])
            }
            print(rows.render())
        }
    }

    func pct(_ x: Double) -> String { x.isFinite ? String(format: "%.1f%%", x * 100) : "-" }
}
