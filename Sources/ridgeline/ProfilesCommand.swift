import ArgumentParser
import Ridgeline

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "profiles", abstract: "List the hardware profiles.")

    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let store = ProfileStore.locate()
        let rows = try store.hardwareIds().map { ProfileRecord(try store.hardware($0)) }
        if json { return try printRecord(rows) }
        var table = TextTable(["id", "name", "kind", "bf16 peak", "fp32 peak", "memory", "bandwidth", "calibrated"])
        for r in rows {
            table.add([
                r.id, r.name, r.kind, r.peakBf16FlopsPerS.map { Quantity.format($0, .flopsPerSecond) } ?? "—",
                Quantity.format(r.peakFp32FlopsPerS, .flopsPerSecond), Quantity.format(r.memoryBytes, .bytes),
                Quantity.format(r.memoryBandwidthBytesPerS, .bytesPerSecond), r.calibrated ? "yes" : "no",
            ])
        }
        print(table.render())
    }
}
