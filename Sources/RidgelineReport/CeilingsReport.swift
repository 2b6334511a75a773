import Foundation
import Ridgeline

/// `ridgeline report --ceilings`: the host's measured ceilings against the nominal (datasheet)
/// ones, and against a profile's where one is given: how much of its promise the machine keeps.
public enum CeilingsReport {
    public static func build(_ host: HostCeilings, profile: HardwareProfile?, file: String, provenance: Provenance) -> Report {
        let dtypes = DType.allCases.filter { host.measuredPeaks[$0] != nil || host.nominalPeaks[$0] != nil }
        var sections = [
            Report.Section("Key figures", [.keyFigures(keyFigures(host, dtypes: dtypes))]),
            computeSection(host, dtypes: dtypes, profile: profile),
        ]
        if let memory = memorySection(host, profile: profile) { sections.append(memory) }
        return Report(
            name: "ceilings-" + stem(file), title: "Host ceilings: \(host.cpu ?? "this machine")",
            summary:
                "What this host's compute units and memory levels reached in Ridgeline's micro-benchmarks (\(file)), against what they promise.",
            provenance: provenance, sections: sections)
    }

    /// The machine in one glance: what was measured on, and how much of its promise it kept, so
    /// a reader need not go through the tables to judge the host.
    static func keyFigures(_ host: HostCeilings, dtypes: [DType]) -> [(String, String)] {
        var figures: [(String, String)] = []
        if let cpu = host.cpu { figures.append(("CPU", cpu)) }
        if let cores = host.cores { figures.append(("cores", "\(cores)" + (host.threads.map { " (\($0) threads)" } ?? ""))) }
        if let clock = host.clockHz { figures.append(("measured clock, all cores", Quantity.format(clock, .hertz, digits: 3))) }
        if let clock = host.nominalClockHz {
            figures.append(("nominal clock (the peaks' basis)", Quantity.format(clock, .hertz, digits: 3)))
        }
        if let best = ([DType.fp32] + dtypes).first(where: { host.measuredPeaks[$0] != nil && host.nominalPeaks[$0] != nil }) {
            figures.append(
                (
                    "\(best.rawValue) peak measured ÷ nominal",
                    DataTable.display(.number(host.measuredPeaks[best]! / host.nominalPeaks[best]!), .percent)
                ))
        }
        if let dram = host.measuredBandwidth["dram"], let fp32 = host.measuredPeaks[.fp32] {
            figures.append(("measured fp32 ridge point", SI.trimmed(fp32 / dram, digits: 3) + " FLOP/B"))
        }
        return figures
    }

    /// Compute peaks per dtype as grouped bars (log scale: dtypes differ by orders of magnitude)
    /// with the table they are drawn from, so every bar's number can be read back.
    static func computeSection(_ host: HostCeilings, dtypes: [DType], profile: HardwareProfile?) -> Report.Section {
        let table = computeTable(host, dtypes: dtypes, profile: profile)
        var series = ["measured", "nominal"]
        var values = dtypes.map { [host.measuredPeaks[$0], host.nominalPeaks[$0]] }
        if let profile {
            series.append("profile \(profile.id)")
            for (i, d) in dtypes.enumerated() { values[i].append(profile.compute.peak[d]) }
        }
        let chart = GroupedBarChart(
            id: "compute-ceilings-chart", title: "Compute peak: measured on this host vs nominal", groups: dtypes.map(\.rawValue),
            series: series, values: values, valueTitle: "Peak (FLOP/s)", logScale: true)
        return Report.Section(
            "Compute",
            [
                .chart(
                    Report.Chart(
                        id: chart.id, title: chart.title, svg: chart.svg,
                        data: table, caption: "All cores; nominal = clock × FLOP per cycle of the detected SIMD units.")),
                .table(table),
            ])
    }

    /// One row per dtype measured or promised; a cell the host or profile lacks stays empty
    /// rather than zero, so a missing number never reads as a measured one.
    static func computeTable(_ host: HostCeilings, dtypes: [DType], profile: HardwareProfile?) -> DataTable {
        var table = DataTable(
            id: "compute-ceilings", title: "Compute peak: measured vs nominal",
            columns: [
                .init("dtype", "dtype"), .init("measured_flops_per_s", "measured", .quantity(.flopsPerSecond)),
                .init("nominal_flops_per_s", "nominal (clock × SIMD)", .quantity(.flopsPerSecond)),
                .init("profile_flops_per_s", "profile \(profile?.id ?? "–")", .quantity(.flopsPerSecond)),
                .init("measured_fraction_of_nominal", "measured ÷ nominal", .percent),
            ])
        for d in dtypes {
            let m = host.measuredPeaks[d], n = host.nominalPeaks[d]
            table.add([
                .text(d.rawValue), m.map { .number($0) } ?? .empty, n.map { .number($0) } ?? .empty,
                (profile?.compute.peak[d]).map { .number($0) } ?? .empty,
                (m != nil && n != nil) ? .number(m! / n!) : .empty,
            ])
        }
        return table
    }

    /// Bandwidth per memory level, nearest the cores first; nil when `detect` measured none, so
    /// the report has no empty Memory section. The profile's bandwidth is the only comparison:
    /// `detect`'s `nominal` block holds clock and FLOP per cycle, no bandwidth.
    static func memorySection(_ host: HostCeilings, profile: HardwareProfile?) -> Report.Section? {
        let levels = host.measuredBandwidth.keys.sorted { order($0) < order($1) }
        guard !levels.isEmpty else { return nil }
        let table = bandwidthTable(host, levels: levels, profile: profile)
        let values = levels.map { level -> [Double?] in
            let m = host.measuredBandwidth[level]!
            return profile == nil ? [m] : [m, profileBandwidth(level, profile)]
        }
        let chart = GroupedBarChart(
            id: "bandwidth-ceilings-chart", title: "Bandwidth per level: measured on this host" + (profile == nil ? "" : " vs profile"),
            groups: levels, series: profile == nil ? ["measured"] : ["measured", "profile \(profile!.id)"], values: values,
            valueTitle: "Bandwidth (bytes/s)", logScale: true)
        return Report.Section(
            "Memory",
            [
                .chart(
                    Report.Chart(
                        id: chart.id, title: chart.title, svg: chart.svg, data: table,
                        caption: "All threads, streaming reads from a working set sized for each level.")),
                .table(table),
            ])
    }

    /// One row per measured level, with the profile's bandwidth for the level of the same name.
    static func bandwidthTable(_ host: HostCeilings, levels: [String], profile: HardwareProfile?) -> DataTable {
        var table = DataTable(
            id: "bandwidth-ceilings", title: "Bandwidth: measured vs profile",
            columns: [
                .init("level", "level"), .init("measured_bytes_per_s", "measured", .quantity(.bytesPerSecond)),
                .init("profile_bytes_per_s", "profile \(profile?.id ?? "–")", .quantity(.bytesPerSecond)),
                .init("measured_fraction_of_profile", "measured ÷ profile", .percent),
            ])
        for level in levels {
            let m = host.measuredBandwidth[level]!
            let p = profileBandwidth(level, profile)
            table.add([.text(level), .number(m), p.map { .number($0) } ?? .empty, p.map { .number(m / $0) } ?? .empty])
        }
        return table
    }

    /// The profile's bandwidth for the level `detect` measured under the same name (`l1`, `dram`, …).
    static func profileBandwidth(_ level: String, _ profile: HardwareProfile?) -> Double? {
        profile?.memory.first { $0.name == level }?.bandwidth
    }

    static func order(_ level: String) -> Int { ["l1": 0, "l2": 1, "l3": 2, "llc": 3, "dram": 4, "hbm": 4][level] ?? 5 }
}
