import ArgumentParser
import Foundation
import Ridgeline
import RidgelineTraining

/// `ridgeline calibrate-network`: fits a profile's collective parameters on nccl-tests output and
/// reports the error on the message sizes held out of the fit.
struct CalibrateNetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate-network",
        abstract:
            "Fit a profile's scale-up/scale-out collective parameters on NVIDIA nccl-tests output; report held-out error; write a copy.",
        discussion: """
            Reads the text all_reduce_perf, all_gather_perf, reduce_scatter_perf, alltoall_perf and sendrecv_perf \
            print (any -g/-n/-t layout, MPI runs over several hosts included; both the out-of-place and the in-place \
            times). Runs inside one host fit scale_up, runs whose ranks sit on several hosts fit scale_out. Even-indexed \
            message sizes of each run are fitted, odd ones held out, and only the held-out error is reported. \
            The shipped profile is never edited: the fitted copy goes to -o and loads with --hardware FILE.
            """)

    @Option(name: .customLong("nccl-tests"), parsing: .upToNextOption, help: "nccl-tests output files (one run each).")
    var ncclTests: [String]
    @OptionGroup var hardware: HardwareOption
    @Option(name: [.customShort("o"), .long], help: "Where to write the fitted profile (YAML).") var output: String
    @Flag(help: "Print the error of every run (collective × ranks × nodes).") var verbose = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if ncclTests.isEmpty { throw ValidationError("--nccl-tests needs at least one file") }
    }

    func run() throws {
        // Checked before any work: calibrate-network never edits a shipped profile in place.
        let shipped = [ProfileStore.locate().hardwareDirectory]
        _ = try OutputTarget(output, protected: shipped)
        let profile = try hardware.load()
        let samples = try ncclTests.flatMap { try NCCLTestsOutput.load(path: $0) }
        let (fitSet, heldOut) = NetworkFit.split(samples)
        guard !fitSet.isEmpty, !heldOut.isEmpty else {
            throw RidgelineError.unreadable(
                file: ncclTests.joined(separator: ", "),
                reason: "\(samples.count) timings are too few: every run needs at least two message sizes (one fitted, one held out)")
        }
        let names = ncclTests.map { URL(fileURLWithPath: $0).lastPathComponent }
        let source = "fitted by `ridgeline calibrate-network` on the even-indexed sizes of \(names.joined(separator: ", "))"
        let result = try NetworkFit.fit(fitSet, profile: profile, source: source)
        var written = profile
        written.scaleUp = result.scaleUp
        written.scaleOut = result.scaleOut
        written.markCalibrated()
        written.sources.append(source)
        try writeFileAtomically(written.yaml(), to: output, protected: shipped)

        let assumptions = TrainingAssumptions()
        let before = NetworkFit.judge(heldOut, network: Network(profile: profile, assumptions: assumptions))
        let after = NetworkFit.judge(heldOut, network: Network(profile: written, assumptions: assumptions))
        let summary = CalibrateNetworkRecord(
            hardware: profile.id, output: output, fitted: fitSet.count, heldOut: heldOut.count,
            scaleUpHopLatencyS: samples.contains { !$0.group.spansNodes } ? written.scaleUp?.latency : nil,
            scaleOutHopLatencyS: samples.contains { $0.group.spansNodes } ? written.scaleOut?.latency : nil,
            before: before, after: after)
        if json { return try printRecord(summary) }
        print(text(summary, written: written, before: before, after: after))
    }

    /// The fit in words: what was fitted and written, each link's parameters, the held-out error
    /// before and after, and with `--verbose` the error of every run.
    func text(
        _ summary: CalibrateNetworkRecord, written: HardwareProfile, before: NetworkFit.Judgement, after: NetworkFit.Judgement
    ) -> String {
        var lines = [
            "Fitted \(summary.hardware)'s collective parameters on \(summary.fitted) timings from \(ncclTests.count) nccl-tests file(s); judged on the \(summary.heldOut) held out.",
            "Wrote \(output) (load it with --hardware \(output)).\n",
        ]
        var table = TextTable(["link", "hop latency", "base latency", "low-latency fraction", "pipeline fill", "bus bandwidth by ranks"])
        for (name, link, used) in [
            ("scale_up", written.scaleUp, summary.scaleUpHopLatencyS != nil),
            ("scale_out", written.scaleOut, summary.scaleOutHopLatencyS != nil),
        ] where used {
            guard let link, let c = link.collective else { continue }
            let bus =
                c.busBandwidth.isEmpty
                ? "\(formatSignificant(c.efficiency ?? 0, digits: 3)) × \(Quantity.format(link.bandwidth, .bytesPerSecond))"
                : c.busBandwidth.sorted { $0.key < $1.key }.map { "\($0.key): \(Quantity.format($0.value, .bytesPerSecond))" }.joined(
                    separator: ", ")
            table.add([
                name, Quantity.format(link.latency, .seconds), Quantity.format(c.baseLatency, .seconds),
                formatSignificant(c.lowLatencyFraction, digits: 3), Quantity.format(c.pipelineFill, .bytes), bus,
            ])
        }
        lines.append(table.render())
        lines.append("")
        lines.append(
            "Held-out error before (the profile as given): median \(formatPercent(before.medianAPE)), p90 \(formatPercent(before.p90APE))")
        lines.append(
            "Held-out error after: median \(formatPercent(after.medianAPE)), mean \(formatPercent(after.meanAPE)), p90 \(formatPercent(after.p90APE)) (\(after.count) timings)"
        )
        if verbose {
            var groups = TextTable(["collective", "ranks", "nodes", "timings", "median", "p90", "bias"])
            for g in after.groups {
                groups.add([
                    g.collective.rawValue, "\(g.ranks)", "\(g.nodes)", "\(g.count)", formatPercent(g.medianAPE),
                    formatPercent(g.p90APE), String(format: "%+.1f%%", g.bias * 100),
                ])
            }
            lines.append("")
            lines.append(groups.render())
        }
        return lines.joined(separator: "\n")
    }
}
