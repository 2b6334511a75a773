import Foundation
import Ridgeline
import RidgelineProbe

/// (c) `ridgeline detect --measure`: wall time (target < 60 s) and the agreement of two runs on
/// the peaks, the clock and the cache levels inside one core (target ≤ 5%); the shared levels
/// (L3, DRAM: other guests use them too) are reported with their spread, not judged. What each
/// run cut and the caches' effective capacities are shown. Runs the real command, as a user would.
struct DetectSection: BenchSection {
    let name = "detect"
    let summary = "ridgeline detect --measure: wall time and two-run agreement of every ceiling"

    func run(_ context: BenchContext) throws -> [BenchFigure] {
        var runs:
            [(
                seconds: Double, ceilings: [String: Double], visits: [DRAMVisit], cuts: [String], capacities: [String: Double],
                unreliable: [String]
            )] = []
        var privateLevels: Set<String> = []
        for run in 1...2 {
            benchProgress("detect: run \(run)/2")
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-bench-host-\(getpid())-\(run).yaml").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            // Kept when its checks fail, so that both runs' figures are compared; the failures are shown.
            let (output, seconds) = try context.ridgeline(["detect", "--measure", "--keep-unreliable", "--json", "-o", out])
            // Read with the schema detect writes (`HostReport`), as `report --ceilings` reads it.
            let host = try RecordCoding.decode(HostReport.self, from: output, file: "ridgeline detect --measure --json")
            let visits = (host.dramVisits ?? []).map(DRAMVisit.init)
            for c in host.caches where c.sharedByCores == 1 { privateLevels.insert("l\(c.level)") }
            let capacities = (host.effectiveCapacity ?? [:]).mapValues(\.effectiveBytes)
            runs.append((seconds, ceilings(host), visits, host.cut ?? [], capacities, host.unreliable ?? []))
        }
        var figures: [BenchFigure] = []
        for (i, r) in runs.enumerated() {
            figures.append(
                BenchFigure(
                    name: "wall time, run \(i + 1)", value: "\(formatSignificant(r.seconds, digits: 3)) s", target: "< 60 s",
                    pass: r.seconds < 60))
            figures.append(
                BenchFigure(
                    name: "cut, run \(i + 1)", value: r.cuts.isEmpty ? "nothing" : r.cuts.joined(separator: "; "), target: "", pass: nil))
            figures.append(
                BenchFigure(
                    name: "checks failed (the profile detect would refuse), run \(i + 1)",
                    value: r.unreliable.isEmpty ? "none" : r.unreliable.joined(separator: "; "), target: "none", pass: r.unreliable.isEmpty)
            )
            for (level, bytes) in r.capacities.sorted(by: { $0.key < $1.key }) {
                figures.append(
                    BenchFigure(
                        name: "\(level) effective capacity (where the plateau ends), run \(i + 1)", value: Quantity.format(bytes, .bytes),
                        target: "", pass: nil))
            }
        }
        // Where the hypervisor had the cores during each run's DRAM visits (CoreHandOff): a DRAM
        // disagreement between runs whose hand-off ranges differ is a move of the VM's cores.
        for (i, r) in runs.enumerated() where !r.visits.isEmpty {
            figures.append(
                BenchFigure(
                    name: "core hand-off latency at the DRAM visits, run \(i + 1)",
                    value: Quantity.formatSpan(r.visits.map(\.handOffSeconds), .seconds)
                        + (DRAMVisit.placementMoved(r.visits) ? " (the cores moved)" : ""), target: "", pass: nil))
        }
        for key in runs[0].ceilings.keys.sorted() {
            guard let a = runs[0].ceilings[key], let b = runs[1].ceilings[key] else { continue }
            let diff = abs(a - b) / max(a, b)
            let unit: Ridgeline.Dimension = key.hasPrefix("peak") ? .flopsPerSecond : key.hasPrefix("clock") ? .hertz : .bytesPerSecond
            // Judged: peaks, clock, and the bandwidth of levels private to a core.
            let judged = !key.hasPrefix("bandwidth.") || privateLevels.contains(String(key.dropFirst("bandwidth.".count)))
            figures.append(
                BenchFigure(
                    name: "\(key): run 1 vs run 2\(judged ? "" : " (shared level: spread)")",
                    value: "\(Quantity.format(a, unit)) / \(Quantity.format(b, unit)): \(formatSignificant(100 * diff, digits: 2))%",
                    target: judged ? "≤ 5%" : "", pass: judged ? diff <= 0.05 : nil))
        }
        // The same comparison restricted to the DRAM visits made with the cores where both runs
        // had them (the nearest placement either run saw): what the agreement is when the
        // hypervisor has not moved the cores. Informational; the ceilings above are judged.
        if let nearest = runs.flatMap({ $0.visits.map(\.handOffSeconds) }).min() {
            let same = runs.map { r in DRAMVisit.atNearestPlacement(r.visits, nearest: nearest).map(\.bytesPerSecond).max() }
            if let a = same[0], let b = same[1] {
                let diff = abs(a - b) / max(a, b)
                let bound = Quantity.format(DRAMVisit.placementChange * nearest, .seconds)
                figures.append(
                    BenchFigure(
                        name: "bandwidth.dram at the same core placement (hand-off ≤ \(bound)): run 1 vs run 2",
                        value:
                            "\(Quantity.format(a, .bytesPerSecond)) / \(Quantity.format(b, .bytesPerSecond)): \(formatSignificant(100 * diff, digits: 2))%",
                        target: "", pass: nil))
            }
        }
        return figures
    }

    /// Every measured ceiling, flattened: peak.fp32, bandwidth.dram, clock …
    func ceilings(_ host: HostReport) -> [String: Double] {
        var result: [String: Double] = [:]
        for (name, value) in host.peakFlopsPerS ?? [:] { result["peak.\(name)"] = value }
        for (name, value) in host.bandwidthBytesPerS ?? [:] { result["bandwidth.\(name)"] = value }
        if let clock = host.clockHz { result["clock"] = clock }
        return result
    }
}
