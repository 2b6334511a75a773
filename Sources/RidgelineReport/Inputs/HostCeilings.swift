import Foundation
import Ridgeline

/// What a report shows of `ridgeline detect --measure --json`: the ceilings measured on this
/// host (`peak_flops_per_s` by dtype, `bandwidth_bytes_per_s` by level, all cores) next to the
/// nominal ones the CPU's clock and SIMD width promise (`nominal.peak_flops_per_s`). The file is
/// read with the schema `detect` writes it with (`HostReport`).
public struct HostCeilings: Sendable {
    public var cpu: String?
    public var fingerprint: String?
    public var cores: Int?
    public var threads: Int?
    public var clockHz: Double?
    public var nominalClockHz: Double?
    public var measuredPeaks: [DType: Double]
    public var nominalPeaks: [DType: Double]
    public var measuredBandwidth: [String: Double]

    public static func load(path: String) throws -> HostCeilings {
        let input = try InputFile.read(path)
        let text = input.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{") else {
            throw RidgelineError.unreadable(file: input.name, reason: "expected a JSON object, found '\(text.prefix(40))'")
        }
        return try HostCeilings(try RecordCoding.decode(HostReport.self, from: text, file: input.name), file: input.name)
    }

    init(_ r: HostReport, file: String) throws {
        guard let peaks = r.peakFlopsPerS else {
            throw RidgelineError.missingField(
                file: file, field: "peak_flops_per_s (write the file with `ridgeline detect --measure --json`)")
        }
        func dtypeMap(_ map: [String: Double]?, _ field: String) throws -> [DType: Double] {
            var result: [DType: Double] = [:]
            for (key, value) in map ?? [:] {
                let name = "\(field).\(key)"
                guard value > 0, value.isFinite else {
                    throw RidgelineError.invalidValue(file: file, field: name, value: "\(value)", expected: "a positive number")
                }
                result[try DType.parse(key, field: name, file: file)] = value
            }
            return result
        }
        measuredPeaks = try dtypeMap(peaks, "peak_flops_per_s")
        guard !measuredPeaks.isEmpty else {
            throw RidgelineError.invalidValue(file: file, field: "peak_flops_per_s", value: "{}", expected: "at least one measured peak")
        }
        nominalPeaks = try dtypeMap(r.nominal?.peakFlopsPerS, "nominal.peak_flops_per_s")
        for (level, value) in r.bandwidthBytesPerS ?? [:] where !(value > 0 && value.isFinite) {
            throw RidgelineError.invalidValue(
                file: file, field: "bandwidth_bytes_per_s.\(level)", value: "\(value)", expected: "a positive number")
        }
        measuredBandwidth = r.bandwidthBytesPerS ?? [:]
        cpu = r.cpu; fingerprint = r.fingerprint; cores = r.cores; threads = r.threads; clockHz = r.clockHz
        nominalClockHz = r.nominal?.clockHz
    }
}

/// `ridgeline report --ceilings`: the host's measured ceilings against the nominal (datasheet)
/// ones, and against a profile's where one is given: how much of its promise the machine keeps.
public enum CeilingsReport {
    public static func build(_ host: HostCeilings, profile: HardwareProfile?, file: String, provenance: Provenance) -> Report {
        let dtypes = DType.allCases.filter { host.measuredPeaks[$0] != nil || host.nominalPeaks[$0] != nil }
        var compute = DataTable(
            id: "compute-ceilings", title: "Compute peak: measured vs nominal",
            columns: [
                .init("dtype", "dtype"), .init("measured_flops_per_s", "measured", .quantity(.flopsPerSecond)),
                .init("nominal_flops_per_s", "nominal (clock × SIMD)", .quantity(.flopsPerSecond)),
                .init("profile_flops_per_s", "profile \(profile?.id ?? "–")", .quantity(.flopsPerSecond)),
                .init("measured_fraction_of_nominal", "measured ÷ nominal", .percent),
            ])
        for d in dtypes {
            let m = host.measuredPeaks[d], n = host.nominalPeaks[d]
            compute.add([
                .text(d.rawValue), m.map { .number($0) } ?? .empty, n.map { .number($0) } ?? .empty,
                (profile?.compute.peak[d]).map { .number($0) } ?? .empty,
                (m != nil && n != nil) ? .number(m! / n!) : .empty,
            ])
        }
        var series = ["measured", "nominal"]
        var computeValues = dtypes.map { [host.measuredPeaks[$0], host.nominalPeaks[$0]] }
        if let profile {
            series.append("profile \(profile.id)")
            for (i, d) in dtypes.enumerated() { computeValues[i].append(profile.compute.peak[d]) }
        }
        let computeChart = GroupedBarChart(
            id: "compute-ceilings-chart", title: "Compute peak: measured on this host vs nominal", groups: dtypes.map(\.rawValue),
            series: series, values: computeValues, valueTitle: "Peak (FLOP/s)", logScale: true)
        var sections = [
            Report.Section(
                "Compute",
                [
                    .chart(
                        Report.Chart(
                            id: "compute-ceilings-chart", title: computeChart.title,
                            svg: computeChart.svg,
                            data: compute, caption: "All cores; nominal = clock × FLOP per cycle of the detected SIMD units.")),
                    .table(compute),
                ])
        ]
        let levels = host.measuredBandwidth.keys.sorted { order($0) < order($1) }
        if !levels.isEmpty {
            var bandwidth = DataTable(
                id: "bandwidth-ceilings", title: "Bandwidth: measured vs profile",
                columns: [
                    .init("level", "level"), .init("measured_bytes_per_s", "measured", .quantity(.bytesPerSecond)),
                    .init("profile_bytes_per_s", "profile \(profile?.id ?? "–")", .quantity(.bytesPerSecond)),
                    .init("measured_fraction_of_profile", "measured ÷ profile", .percent),
                ])
            var values: [[Double?]] = []
            for level in levels {
                let m = host.measuredBandwidth[level]!
                let p = profile?.memory.first { $0.name == level }?.bandwidth
                bandwidth.add([.text(level), .number(m), p.map { .number($0) } ?? .empty, p.map { .number(m / $0) } ?? .empty])
                values.append(profile == nil ? [m] : [m, p])
            }
            let chart = GroupedBarChart(
                id: "bandwidth-ceilings-chart", title: "Bandwidth per level: measured on this host" + (profile == nil ? "" : " vs profile"),
                groups: levels, series: profile == nil ? ["measured"] : ["measured", "profile \(profile!.id)"], values: values,
                valueTitle: "Bandwidth (bytes/s)", logScale: true)
            sections.append(
                Report.Section(
                    "Memory",
                    [
                        .chart(
                            Report.Chart(
                                id: chart.id, title: chart.title, svg: chart.svg, data: bandwidth,
                                caption: "All threads, streaming reads from a working set sized for each level.")),
                        .table(bandwidth),
                    ]))
        }
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
        sections.insert(Report.Section("Key figures", [.keyFigures(figures)]), at: 0)
        return Report(
            name: "ceilings-" + stem(file), title: "Host ceilings: \(host.cpu ?? "this machine")",
            summary:
                "What this host's compute units and memory levels reached in Ridgeline's micro-benchmarks (\(file)), against what they promise.",
            provenance: provenance, sections: sections)
    }

    static func order(_ level: String) -> Int { ["l1": 0, "l2": 1, "l3": 2, "llc": 3, "dram": 4, "hbm": 4][level] ?? 5 }
}
