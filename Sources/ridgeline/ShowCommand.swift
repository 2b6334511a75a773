import ArgumentParser
import Ridgeline

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a profile's ceilings and ridge points per dtype and memory level.")

    @Argument(help: "Hardware profile id or path to a YAML profile.") var hardware: String

    func run() throws {
        let p = try ProfileStore.locate().hardware(hardware)
        print("\(p.name) (\(p.id)) — \(p.kind.rawValue), \(p.vendor) \(p.architecture), origin: \(p.origin.rawValue)")
        print(
            "\(p.compute.units) \(p.compute.unitName)s at \(Quantity.format(p.compute.clockHz, .hertz)), \(Quantity.format(p.powerWatts, .watts))"
                + (p.pricePerHourUSD.map { ", $\($0)/h" } ?? ""))
        print("launch \(Quantity.format(p.launchLatency, .seconds)), eager dispatch floor \(Quantity.format(p.dispatchLatency, .seconds))")
        if let c = p.calibration { print("calibrated: \(c.source)") }
        print("")
        var memory = TextTable(["level", "capacity", "shared by", "bandwidth"])
        for level in p.memory {
            memory.add([
                level.name,
                Quantity.format(level.capacityBytes, .bytes)
                    + (level.nominalCapacityBytes.map { " (nominal \(Quantity.format($0, .bytes)))" } ?? ""),
                "\(level.sharedByUnits) \(p.compute.unitName)",
                Quantity.format(level.bandwidth, .bytesPerSecond),
            ])
        }
        print(memory.render())
        print("")
        print("Ridge points (FLOP per byte at which compute and each memory level take equal time):")
        var ridges = TextTable(["dtype", "peak"] + p.memory.map { "ridge \($0.name)" })
        for (dtype, peak) in p.compute.peak.sorted(by: { $0.key < $1.key }) {
            ridges.add(
                [dtype.rawValue, Quantity.format(peak, .flopsPerSecond)]
                    + p.memory.map { formatSignificant(peak / $0.bandwidth, digits: 3) })
        }
        for (dtype, peak) in p.compute.vectorPeak.sorted(by: { $0.key < $1.key }) {
            ridges.add(
                ["\(dtype.rawValue) vector", Quantity.format(peak, .flopsPerSecond)]
                    + p.memory.map { formatSignificant(peak / $0.bandwidth, digits: 3) })
        }
        print(ridges.render())
        for (name, link) in [("scale-up", p.scaleUp), ("scale-out", p.scaleOut)] {
            if let link {
                print(
                    "\(name): \(link.name), \(Quantity.format(link.bandwidth, .bytesPerSecond)) per direction, latency \(Quantity.format(link.latency, .seconds))"
                        + (link.domainSize.map { ", \($0) devices per node" } ?? ""))
            }
        }
    }
}
