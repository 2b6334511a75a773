import Foundation
import Ridgeline
import RidgelineProbe

/// (c) `ridgeline detect --measure`: wall time (target < 60 s) and the agreement of two runs on
/// every ceiling (target ≤ 5%). Runs the real command, as a user would.
struct DetectSection: BenchSection {
    let name = "detect"
    let summary = "ridgeline detect --measure: wall time and two-run agreement of every ceiling"

    func run(_ context: BenchContext) throws -> [BenchFigure] {
        let binary = context.productsDirectory.appendingPathComponent("ridgeline").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw RidgelineError.fileNotFound(path: "\(binary) (build it: swift build -c release)")
        }
        var runs: [(seconds: Double, ceilings: [String: Double], visits: [(handOff: Double, rate: Double)])] = []
        for run in 1...2 {
            benchProgress("detect: run \(run)/2")
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-bench-host-\(getpid())-\(run).yaml").path
            let start = Date()
            let (status, output) = try runCapturingOutput(binary, ["detect", "--measure", "--json", "-o", out])
            let seconds = Date().timeIntervalSince(start)
            try? FileManager.default.removeItem(atPath: out)
            guard status == 0, let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
                throw RidgelineError.unavailable(what: "ridgeline detect --measure", reason: "exit \(status): \(output.suffix(500))")
            }
            let visits = (json["dram_visits"] as? [[String: Any]]) ?? []
            runs.append((seconds, ceilings(json), visits.compactMap { v in
                (v["core_hand_off_s"] as? Double).flatMap { h in (v["bytes_per_s"] as? Double).map { (h, $0) } }
            }))
        }
        var figures: [BenchFigure] = []
        for (i, r) in runs.enumerated() {
            figures.append(BenchFigure(name: "wall time, run \(i + 1)", value: "\(formatSignificant(r.seconds, digits: 3)) s", target: "< 60 s", pass: r.seconds < 60))
        }
        // Where the hypervisor had the cores during each run's DRAM visits (CoreHandOff): a DRAM
        // disagreement between runs whose hand-off ranges differ is a move of the VM's cores.
        for (i, r) in runs.enumerated() {
            let handOffs = r.visits.map(\.handOff)
            guard let low = handOffs.min(), let high = handOffs.max() else { continue }
            let span = low == high ? Quantity.format(low, .seconds) : "\(Quantity.format(low, .seconds))–\(Quantity.format(high, .seconds))"
            figures.append(BenchFigure(name: "core hand-off latency at the DRAM visits, run \(i + 1)",
                                       value: span + (high > 2 * low ? " (the cores moved)" : ""), target: "", pass: nil))
        }
        for key in runs[0].ceilings.keys.sorted() {
            guard let a = runs[0].ceilings[key], let b = runs[1].ceilings[key] else { continue }
            let diff = abs(a - b) / max(a, b)
            let unit: Ridgeline.Dimension = key.hasPrefix("peak") ? .flopsPerSecond : key.hasPrefix("clock") ? .hertz : .bytesPerSecond
            figures.append(BenchFigure(name: "\(key): run 1 vs run 2", value: "\(Quantity.format(a, unit)) / \(Quantity.format(b, unit)): \(formatSignificant(100 * diff, digits: 2))%",
                                       target: "≤ 5%", pass: diff <= 0.05))
        }
        // The same comparison restricted to the DRAM visits made with the cores where both runs
        // had them (hand-off within 2× of the fastest either run saw): what the agreement is when
        // the hypervisor has not moved the cores. Informational; the ceilings above are judged.
        let allHandOffs = runs.flatMap { $0.visits.map(\.handOff) }
        if let nearest = allHandOffs.min() {
            let same = runs.map { r in r.visits.filter { $0.handOff <= 2 * nearest }.map(\.rate).max() }
            if let a = same[0], let b = same[1] {
                let diff = abs(a - b) / max(a, b)
                figures.append(BenchFigure(name: "bandwidth.dram at the same core placement (hand-off ≤ \(Quantity.format(2 * nearest, .seconds))): run 1 vs run 2",
                                           value: "\(Quantity.format(a, .bytesPerSecond)) / \(Quantity.format(b, .bytesPerSecond)): \(formatSignificant(100 * diff, digits: 2))%",
                                           target: "", pass: nil))
            }
        }
        return figures
    }

    /// Every ceiling of the contract JSON, flattened: peak.fp32, bandwidth.dram, clock …
    func ceilings(_ json: [String: Any]) -> [String: Double] {
        var result: [String: Double] = [:]
        for (prefix, key) in [("peak", "peak_flops_per_s"), ("bandwidth", "bandwidth_bytes_per_s")] {
            for (name, value) in (json[key] as? [String: Double]) ?? [:] { result["\(prefix).\(name)"] = value }
        }
        if let clock = json["clock_hz"] as? Double { result["clock"] = clock }
        return result
    }
}
