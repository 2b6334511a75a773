import Foundation
import Ridgeline

/// The readable picture `ridgeline detect` prints: the topology drawn in boxes the way
/// likwid-topology draws it, then the ceilings and the ridge points.
public struct HostSummary {
    public let detection: HostDetection

    public init(_ detection: HostDetection) { self.detection = detection }

    public func render() -> String {
        let t = detection.topology
        var out = header(t)
        out += picture(t)
        out.append("")
        out.append(cacheTable(t))
        out.append("")
        if let m = detection.ceilings {
            out += measuredSection(m)
        } else {
            out.append("Nominal ceilings (not measured: cores × clock × FLOPs/cycle; run `ridgeline detect --measure`):")
            out.append(
                "clock \(Quantity.format(detection.profile.compute.clockHz, .hertz)) (\(t.cpu.maxMHz != nil ? "cpufreq maximum" : "/proc/cpuinfo, on a VM the TSC rate"))"
            )
        }
        out.append("")
        out.append("Ridge points (FLOP per byte where compute and each memory level take equal time):")
        out.append(ridgeTable(detection.profile))
        return out.joined(separator: "\n")
    }

    var builder: HostProfileBuilder { HostProfileBuilder(topology: detection.topology, ceilings: detection.ceilings) }

    /// The CPU, its counts, SIMD and fingerprint, and a blank line.
    func header(_ t: HostTopology) -> [String] {
        let builder = builder
        return [
            "\(t.cpu.model) — \(builder.architecture)",
            "\(t.packages) package(s), \(t.cores) cores, \(t.threads) hardware threads (\(t.threadsPerCore) per core), "
                + "\(t.numaNodes.count) NUMA node(s), \(Quantity.format(t.memoryBytes, .bytes)) memory",
            "SIMD: \(t.simd.features.joined(separator: " ")) — \(t.simd.basis)",
            "fingerprint: \(builder.fingerprint)",
            "",
        ]
    }

    func cacheTable(_ t: HostTopology) -> String {
        var caches = TextTable(["cache", "size", "line", "shared by", "instances"])
        for c in t.caches {
            caches.add([
                c.name, Quantity.format(Double(c.sizeBytes), .bytes), "\(c.lineBytes) B", "\(c.sharedByCores) core(s)", "\(c.instances)",
            ])
        }
        return caches.render()
    }

    /// What `detect --measure` measured: clock, peaks, bandwidths, and the checks' verdict.
    func measuredSection(_ m: MeasuredCeilings) -> [String] {
        var out: [String] = []
        out.append(
            "Measured ceilings (\(m.threads) threads, one per core, bound with hwloc; best of \(m.sweep.first?.bytesPerSecond.samples ?? 0) samples; \(formatSignificant(m.elapsedSeconds, digits: 3)) s):"
        )
        out.append(
            "clock \(Quantity.format(m.clockAllHz, .hertz)) all cores busy, \(Quantity.format(m.clockSingleHz, .hertz)) one core; fork-join \(Quantity.format(m.forkJoinSeconds, .seconds))"
        )
        out.append(peakTable(m))
        out.append("")
        out.append(bandwidthTable(m))
        for cut in m.cuts { out.append("cut: " + cut) }
        if let a = detection.assessment {
            out.append(
                a.usable
                    ? "checks passed: every cache plateau and DRAM established, levels in order, peaks, clock and engine call agree with their own samples"
                    : "UNRELIABLE (\(a.findings.count) check\(a.findings.count == 1 ? "" : "s") failed; the figures describe the load, not the machine):"
            )
            for f in a.findings { out.append("  - " + f.text) }
        }
        if let note = m.placementNote { out.append((m.placementMoved ? "note: " : "") + note) }
        return out
    }

    func peakTable(_ m: MeasuredCeilings) -> String {
        let nominal = builder.nominalFlopsPerCycle
        var peaks = TextTable(["dtype", "all cores", "one core", "FLOP/cycle/core", "nominal/cycle", "kernel"])
        for dtype in [DType.fp64, .fp32, .bf16] {
            guard let all = m.peak(dtype), let one = m.peaks.first(where: { $0.dtype == dtype && $0.threads == 1 }) else { continue }
            let perCycle = all.flopsPerSecond.best / (Double(all.threads) * m.clockAllHz)
            peaks.add([
                dtype.rawValue, Quantity.format(all.flopsPerSecond.best, .flopsPerSecond),
                Quantity.format(one.flopsPerSecond.best, .flopsPerSecond),
                formatSignificant(perCycle, digits: 3), formatSignificant(nominal[dtype] ?? 0, digits: 3),
                all.kernel,
            ])
        }
        return peaks.render()
    }

    func bandwidthTable(_ m: MeasuredCeilings) -> String {
        var bw = TextTable([
            "level", "all threads", "kernel", "one thread", "kernel", "triad, all", "per-thread working sets",
            "capacity: effective / hwloc", "latency, one core",
        ])
        for l in m.levels {
            let capacity =
                l.effectiveCapacity.map { "\(Quantity.format($0.bytes, .bytes)) / \(Quantity.format(Double($0.nominalBytes), .bytes))" }
                ?? (l.level == "dram" ? "" : "– (no step seen)")
            bw.add([
                l.level, Quantity.format(l.allThreads, .bytesPerSecond), l.allThreadsKernel,
                Quantity.format(l.singleThread, .bytesPerSecond),
                l.singleThreadKernel, Quantity.format(l.triadAllThreads, .bytesPerSecond),
                "\(Quantity.format(Double(l.window.lowerBound), .bytes))–\(Quantity.format(Double(l.window.upperBound), .bytes))",
                capacity, m.latency(l.level).map { Quantity.format($0.seconds, .seconds) } ?? "",
            ])
        }
        return bw.render()
    }

    /// FLOP per byte at which each dtype's peak meets each memory level's bandwidth.
    func ridgeTable(_ p: HardwareProfile) -> String {
        var ridges = TextTable(["dtype", "peak"] + p.memory.map { "\($0.name) \(Quantity.format($0.bandwidth, .bytesPerSecond))" })
        for (dtype, peak) in p.compute.peak.sorted(by: { $0.key < $1.key }) {
            ridges.add(
                [dtype.rawValue, Quantity.format(peak, .flopsPerSecond)]
                    + p.memory.map { formatSignificant(peak / $0.bandwidth, digits: 3) })
        }
        return ridges.render()
    }

    /// Packages as boxes holding their cores; each core lists its hardware threads and private
    /// caches, shared caches span the package. Wide machines show the first 8 cores of a package.
    func picture(_ t: HostTopology) -> [String] {
        let shownPerPackage = 8
        let privateCaches = t.dataCaches.filter { $0.sharedByCores == 1 }
        let shared = t.dataCaches.filter { $0.sharedByCores > 1 }
        var lines: [String] = []
        for package in 0..<t.packages {
            let cores = t.coreThreads.indices.filter { (t.corePackage.indices.contains($0) ? t.corePackage[$0] : 0) == package }
            let shown = Array(cores.prefix(shownPerPackage))
            let cells: [[String]] = shown.map { core in
                let pus = t.coreThreads[core].map { "PU \($0)" }.joined(separator: " ")
                return ["Core \(core)", pus] + privateCaches.map { "\($0.name) \(Quantity.format(Double($0.sizeBytes), .bytes))" }
            }
            let width = max(10, cells.flatMap { $0 }.map(\.count).max() ?? 10)
            let row = { (i: Int) -> String in
                cells.map { "| " + $0[i].padding(toLength: width, withPad: " ", startingAt: 0) + " |" }.joined(separator: " ")
            }
            let border = cells.map { _ in "+" + String(repeating: "-", count: width + 2) + "+" }.joined(separator: " ")
            let inner =
                [border] + (0..<(cells.first?.count ?? 0)).map(row) + [border]
                + shared.map { c in
                    let label = "\(c.name) \(Quantity.format(Double(c.sizeBytes), .bytes)), shared by \(c.sharedByCores) cores"
                    let span = max(label.count, border.count - 4)
                    return "+ " + label.padding(toLength: span, withPad: " ", startingAt: 0) + " +"
                }
            let title = "Package \(package)" + (cores.count > shown.count ? " (first \(shown.count) of \(cores.count) cores)" : "")
            let boxWidth = max(title.count, inner.map(\.count).max() ?? 0)
            lines.append("+" + String(repeating: "-", count: boxWidth + 2) + "+")
            lines.append("| " + title.padding(toLength: boxWidth, withPad: " ", startingAt: 0) + " |")
            for l in inner { lines.append("| " + l.padding(toLength: boxWidth, withPad: " ", startingAt: 0) + " |") }
            lines.append("+" + String(repeating: "-", count: boxWidth + 2) + "+")
        }
        return lines
    }
}
