import ArgumentParser
import Foundation
import Ridgeline
import RidgelineProbe

/// `ridgeline counters`: which events this machine offers through each counting layer, which Ridgeline counts, and why
/// each missing one is missing.
struct CountersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counters",
        abstract:
            "Show the counters this machine offers through PAPI, perf_event_open and getrusage, the set Ridgeline uses, and why events are missing.",
        discussion: """
            Ridgeline counts with PAPI where PAPI counts anything; where PAPI's perf_event component is disabled \
            (libpfm4 found no PMU it knows) it asks the kernel with perf_event_open directly, and where that is \
            refused too, it reads getrusage(RUSAGE_THREAD). Every record says which layer counted (counters.source).
            """)

    @Flag(help: "Print the probe as JSON.") var json = false

    func run() throws {
        let report = CounterReport.probe()
        if json { try printRecord(report); return }
        print(report.render())
    }
}
