import Foundation
import Ridgeline

/// What a report says about the devices it uses: their ceilings side by side (peaks per dtype,
/// bandwidth per memory level, ridge points, parallel units) and their roofline ceilings.
public enum DeviceSheet {
    /// The dtypes a comparison shows, widest first.
    static let dtypes: [DType] = [.fp64, .fp32, .tf32, .bf16, .fp8]

    /// Ridge point: the arithmetic intensity at which the device-memory roof meets the peak,
    /// peak / bandwidth (Williams et al. 2009); kernels below it are memory-bound.
    public static func ridgePoint(_ profile: HardwareProfile, _ dtype: DType) -> Double {
        profile.matrixPeak(dtype).flopsPerSecond / profile.deviceMemory.bandwidth
    }

    /// The devices' ceilings as every comparison report shows them: the table, then the peaks
    /// and the bandwidths charts.
    public static func items(_ profiles: [HardwareProfile]) -> [Report.Item] {
        [.table(table(profiles)), .chart(peaksChart(profiles)), .chart(bandwidthChart(profiles))]
    }

    public static func table(_ profiles: [HardwareProfile]) -> DataTable {
        var t = DataTable(
            id: "devices", title: "Devices side by side",
            columns: [
                .init("hardware", "device"), .init("kind", "kind", inDocument: false), .init("units", "parallel units", .number),
                .init("unit_name", "unit"),
                .init("clock_hz", "clock", .quantity(.hertz)),
                .init("peak_fp64_flops_per_s", "fp64 peak", .quantity(.flopsPerSecond), inDocument: false),
                .init("peak_fp32_flops_per_s", "fp32 peak", .quantity(.flopsPerSecond)),
                .init("peak_bf16_flops_per_s", "bf16 peak", .quantity(.flopsPerSecond)),
                .init("memory_capacity_bytes", "memory", .quantity(.bytes)),
                .init("memory_bandwidth_bytes_per_s", "bandwidth", .quantity(.bytesPerSecond)),
                .init("ridge_fp32_flop_per_byte", "fp32 ridge (FLOP/B)", .number),
                .init("ridge_bf16_flop_per_byte", "bf16 ridge (FLOP/B)", .number),
                .init("power_w", "power", .quantity(.watts), inDocument: false),
                .init("price_usd_per_hour", "USD/hour", .number, inDocument: false),
                .init("ceilings", "ceilings"),
            ],
            caption:
                "Fp64 peak, power and price are in devices.csv. Peaks are dense datasheet (or detected) ceilings; where a device lacks a dtype the next wider one it has is shown, as frameworks fall back. Ridge point = peak ÷ device-memory bandwidth: kernels of lower arithmetic intensity are memory-bound."
        )
        for p in profiles {
            t.add([
                .text(p.id), .text(p.kind.rawValue), .number(Double(p.compute.units)), .text(p.compute.unitName),
                .number(p.compute.clockHz), .number(p.matrixPeak(.fp64).flopsPerSecond), .number(p.matrixPeak(.fp32).flopsPerSecond),
                .number(p.matrixPeak(.bf16).flopsPerSecond), .number(p.deviceMemory.capacityBytes), .number(p.deviceMemory.bandwidth),
                .number(ridgePoint(p, .fp32)), .number(ridgePoint(p, .bf16)), .number(p.powerWatts),
                p.pricePerHourUSD.map { .number($0) } ?? .empty,
                .text(p.calibration == nil ? "\(p.origin.rawValue), uncalibrated" : "\(p.origin.rawValue), calibrated"),
            ])
        }
        return t
    }

    /// Peak per dtype, grouped by dtype, one bar per device (log scale: CPUs and GPUs differ by
    /// orders of magnitude).
    public static func peaksChart(_ profiles: [HardwareProfile], id: String = "peaks") -> Report.Chart {
        let values = dtypes.map { d in profiles.map { p -> Double? in p.compute.peak[d] } }
        let chart = GroupedBarChart(
            id: id, title: "Dense compute peak per data type", groups: dtypes.map(\.rawValue),
            series: profiles.map(\.id), values: values, valueTitle: "Peak (FLOP/s)", logScale: true)
        var data = DataTable(
            id: id, title: "Dense compute peak per data type",
            columns: [
                .init("dtype", "dtype"), .init("hardware", "device"), .init("peak_flops_per_s", "peak", .quantity(.flopsPerSecond)),
            ])
        for (i, d) in dtypes.enumerated() {
            for (j, p) in profiles.enumerated() { data.add([.text(d.rawValue), .text(p.id), values[i][j].map { .number($0) } ?? .empty]) }
        }
        return Report.Chart(
            id: id, title: chart.title, svg: chart.svg, data: data,
            caption: "Dense peak per data type, log scale; a missing bar means the device has no native support for that type.")
    }

    /// Bandwidth per memory level: caches by name, the outermost level as "device memory".
    public static func bandwidthChart(_ profiles: [HardwareProfile], id: String = "bandwidth") -> Report.Chart {
        func levelName(_ p: HardwareProfile, _ i: Int) -> String { i == p.memory.count - 1 ? "device memory" : p.memory[i].name }
        var groups: [String] = []
        for p in profiles { for i in p.memory.indices where !groups.contains(levelName(p, i)) { groups.append(levelName(p, i)) } }
        if let dm = groups.firstIndex(of: "device memory") { groups.append(groups.remove(at: dm)) }
        let values = groups.map { g in profiles.map { p in p.memory.indices.first { levelName(p, $0) == g }.map { p.memory[$0].bandwidth } }
        }
        let chart = GroupedBarChart(
            id: id, title: "Bandwidth per memory level", groups: groups, series: profiles.map(\.id),
            values: values, valueTitle: "Bandwidth (bytes/s)", logScale: true)
        var data = DataTable(
            id: id, title: "Bandwidth per memory level",
            columns: [
                .init("level", "level"), .init("hardware", "device"),
                .init("bandwidth_bytes_per_s", "bandwidth", .quantity(.bytesPerSecond)),
            ])
        for (i, g) in groups.enumerated() {
            for (j, p) in profiles.enumerated() { data.add([.text(g), .text(p.id), values[i][j].map { .number($0) } ?? .empty]) }
        }
        return Report.Chart(
            id: id, title: chart.title, svg: chart.svg, data: data,
            caption: "Whole-device bandwidth of each memory level, log scale.")
    }

    /// A device's roofline ceilings: the matrix peak of each dtype in `dtypes`, the vector fp32
    /// peak, and every memory level.
    public static func ceilings(
        _ p: HardwareProfile, dtypes: [DType], group: Int, styleOffset: Int = 0, prefix: String = ""
    ) -> [RooflineChart.Ceiling] {
        var result: [RooflineChart.Ceiling] = []
        // Dtypes with the same peak (bf16 and fp16 on tensor cores) share one line and one label.
        var byPeak: [(peak: Double, dtypes: [DType])] = []
        for d in dtypes {
            let (actual, peak) = p.matrixPeak(d)
            if let i = byPeak.firstIndex(where: { $0.peak == peak }) {
                if !byPeak[i].dtypes.contains(actual) { byPeak[i].dtypes.append(actual) }
            } else {
                byPeak.append((peak, [actual]))
            }
        }
        var style = styleOffset
        for (peak, names) in byPeak {
            result.append(
                .init(
                    .compute(peak),
                    label: "\(prefix)\(names.map(\.rawValue).joined(separator: "/")) \(Quantity.format(peak, .flopsPerSecond, digits: 3))",
                    group: group, style: Palette.style(style)))
            style += 1
        }
        let vector = p.vectorPeak(.fp32)
        if !result.contains(where: { $0.kind == .compute(vector) }) {
            result.append(
                .init(
                    .compute(vector), label: "\(prefix)fp32 vector \(Quantity.format(vector, .flopsPerSecond, digits: 3))", group: group,
                    style: Palette.style(style)))
            style += 1
        }
        for level in p.memory {
            result.append(
                .init(
                    .memory(level.bandwidth),
                    label: "\(prefix)\(level.name) \(Quantity.format(level.bandwidth, .bytesPerSecond, digits: 3))", group: group,
                    style: Palette.style(style)))
            style += 1
        }
        return result
    }

    /// The data behind a roofline chart: every ceiling and every point.
    public static func rooflineData(_ chart: RooflineChart, id: String) -> DataTable {
        var t = DataTable(
            id: id, title: chart.title,
            columns: [
                .init("series", "series"), .init("tag", "#"), .init("label", "label"),
                .init("intensity_flop_per_byte", "intensity (FLOP/B)", .number),
                .init("flops_per_s", "FLOP/s", .quantity(.flopsPerSecond)),
                .init("bandwidth_bytes_per_s", "bandwidth", .quantity(.bytesPerSecond)),
            ])
        for c in chart.ceilings {
            switch c.kind {
            case .compute(let v): t.add([.text("compute ceiling"), .empty, .text(c.label), .empty, .number(v), .empty])
            case .memory(let b): t.add([.text("memory ceiling"), .empty, .text(c.label), .empty, .empty, .number(b)])
            }
        }
        for p in chart.points {
            t.add([
                .text(p.measured ? "measured" : "predicted"), .text(p.tag), .text(p.label), .number(p.intensity), .number(p.flopsPerSecond),
                .empty,
            ])
        }
        return t
    }
}
