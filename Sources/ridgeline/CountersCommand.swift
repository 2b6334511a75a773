import ArgumentParser
import Foundation
import Ridgeline
import RidgelineProbe

/// `ridgeline counters`: which PAPI events this machine offers, which Ridgeline counts, and why
/// each missing one is missing.
struct CountersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counters", abstract: "Show the hardware and software counters PAPI offers here, the set Ridgeline uses, and why events are missing.")

    @Flag(help: "Print the probe as JSON.") var json = false

    func run() throws {
        let report = try CounterReport.probe()
        if json { try printJSON(report); return }
        print(report.render())
    }
}
