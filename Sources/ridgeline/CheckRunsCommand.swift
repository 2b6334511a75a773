import ArgumentParser
import Foundation
import Ridgeline
import RidgelineRuns
import RidgelineTraining

/// `ridgeline check-runs`: predicts every row of published-runs files and reports the error per
/// source and per group (hardware × parallelism × precision).
struct CheckRunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-runs",
        abstract:
            "Predict published training runs (reference/training-runs) with `train` and report the step-time error per source and group.",
        discussion: """
            Error = (predicted − measured) / measured step time: negative means the prediction is too fast. \
            Each source's framework settings (eager or compiled, flash attention, overlap) are declared once per \
            source and printed; rows the train model cannot express yet are refused with the reason and counted.
            """)

    @Option(name: .customLong("runs"), help: "Published-runs CSV (repeatable; default: the four files in reference/training-runs).")
    var runs: [String] = []
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Also list every run and every refusal.") var verbose = false

    static let defaultFiles = ["megatron-a100.csv", "vtrain-a100-single-node.csv", "llmfoundry-mpt-fsdp.csv", "nemo-h100-pretrain.csv"]

    func run() throws {
        let files = try runs.isEmpty ? Self.defaultFiles.map { try DataRoot.locate().reference("training-runs/\($0)") } : runs
        try Self.report(files: files, json: json, verbose: verbose)
    }

    static func report(files: [String], json: Bool, verbose: Bool) throws {
        let store = ProfileStore.locate()
        let checks = try files.map { try RunCheck(try PublishedRuns.load(path: $0), profile: store.hardware) }
        if json {
            return try printRecord(CheckRunsRecord(checks, verbose: verbose))
        }
        for (index, check) in checks.enumerated() {
            if index > 0 { print("") }
            printText(check, verbose: verbose)
        }
    }

    static func printText(_ c: RunCheck, verbose: Bool) {
        let total = c.results.count + c.refusals.count
        print("\(c.file.source): \(c.file.path), \(total) runs (\(c.results.count) predicted, \(c.refusals.count) refused)")
        print("assumed for this source: \(c.file.assumptions.summary)")
        for rule in c.file.assumptions.rules { print("  - \(rule)") }
        print("error = (predicted − measured) / measured step time; negative = predicted too fast")
        var table = TextTable(["group (hardware parallelism precision)", "n", "refused", "mean |err|", "median", "p90", "bias"])
        func add(_ name: String, _ s: RunErrorSummary) {
            guard s.count > 0 else { return table.add([name, "0", "\(s.refused)", "—", "—", "—", "—"]) }
            table.add([
                name, "\(s.count)", "\(s.refused)", formatPercent(s.meanAPE), formatPercent(s.medianAPE), formatPercent(s.p90APE),
                String(format: "%+.1f%%", s.bias * 100),
            ])
        }
        for g in c.groups { add(g.name, g.summary) }
        add("all", c.summary)
        print(table.render())
        if !c.refusals.isEmpty {
            print("refused: \(c.refusals.count)")
            for (reason, count, example) in c.refusalReasons {
                print("  \(count) × \(reason)" + (example == reason ? "" : " (e.g. \(example))"))
            }
        }
        guard verbose else { return }
        print("")
        var rows = TextTable(["run", "GPUs", "t/p/d", "v", "zero", "mb", "gbs", "measured", "predicted", "error"])
        for r in c.results {
            let l = r.run.layout
            rows.add([
                r.run.id, "\(l.devices)", "\(l.tp)/\(l.pp)/\(l.dp)", "\(l.schedule.chunks)", "\(l.zero)", "\(l.microBatch)",
                "\(l.globalBatch)",
                Quantity.format(r.run.measuredSeconds, .seconds), Quantity.format(r.predictedSeconds, .seconds),
                String(format: "%+.1f%%", r.error * 100),
            ])
        }
        print(rows.render())
        for r in c.refusals { print("refused \(r.id) (\(r.origin)): \(r.reason)") }
    }
}
