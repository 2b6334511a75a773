import ArgumentParser
import Ridgeline

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "profiles", abstract: "List the hardware profiles.")

    @Flag(help: "Print JSON instead of a table.") var json = false

    struct Row: Encodable {
        let id, name, kind, origin: String
        let calibrated: Bool
        let peak_bf16_flops_per_s: Double?
        let peak_fp32_flops_per_s: Double
        let memory_bytes, memory_bandwidth_bytes_per_s: Double
    }

    func run() throws {
        let store = ProfileStore.locate()
        let rows = try store.hardwareIds().map { id -> Row in
            let p = try store.hardware(id)
            return Row(
                id: p.id, name: p.name, kind: p.kind.rawValue, origin: p.origin.rawValue, calibrated: p.calibration != nil,
                peak_bf16_flops_per_s: p.compute.peak[.bf16], peak_fp32_flops_per_s: p.matrixPeak(.fp32).flopsPerSecond,
                memory_bytes: p.deviceMemory.capacityBytes, memory_bandwidth_bytes_per_s: p.deviceMemory.bandwidth)
        }
        if json { return try printJSON(rows) }
        var table = TextTable(["id", "name", "kind", "bf16 peak", "fp32 peak", "memory", "bandwidth", "calibrated"])
        for r in rows {
            table.add([
                r.id, r.name, r.kind, r.peak_bf16_flops_per_s.map { Quantity.format($0, .flopsPerSecond) } ?? "—",
                Quantity.format(r.peak_fp32_flops_per_s, .flopsPerSecond), Quantity.format(r.memory_bytes, .bytes),
                Quantity.format(r.memory_bandwidth_bytes_per_s, .bytesPerSecond), r.calibrated ? "yes" : "no",
            ])
        }
        print(table.render())
    }
}
