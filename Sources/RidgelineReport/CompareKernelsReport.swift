import Foundation
import Ridgeline

/// `ridgeline compare --kernels`: the same kernels predicted on several devices, side by side.
/// Built in stages, each a function of the predictions: the two tables, the key figures, the
/// combined roofline and one roofline per device.
public enum CompareKernelsReport {
    public static func build(
        profiles: [HardwareProfile], kernels: [Kernel], kernelsSource: String, mode: ExecutionMode,
        provenance: Provenance
    ) -> Report {
        let run = Comparison(profiles: profiles, kernels: kernels, mode: mode)
        let combined = combinedRoofline(run)
        return Report(
            name: "compare-" + profiles.map(\.id).joined(separator: "-"),
            title: "Comparison: \(profiles.map(\.name).joined(separator: " vs "))",
            summary:
                "\(kernels.count) kernels from \(kernelsSource), predicted by Ridgeline's roofline engine on \(profiles.count) devices (\(mode.rawValue) mode).",
            provenance: provenance,
            sections: [
                Report.Section("Key figures", [.keyFigures(keyFigures(run))]),
                Report.Section("Devices", DeviceSheet.items(profiles)),
                Report.Section(
                    "Kernels",
                    [
                        .table(timesTable(run)),
                        .chart(
                            Report.Chart(
                                id: combined.id, title: combined.title, svg: combined.svg,
                                data: DeviceSheet.rooflineData(combined, id: combined.id),
                                caption:
                                    "Each device's peak for the kernels' dtypes and its device-memory roof; hollow points are predictions, numbered as in the table."
                            )),
                    ]
                        + deviceRooflines(run) + [.table(predictionsTable(run))]),
            ])
    }

    /// Every kernel predicted on every device: `predictions[device][kernel]`. The first device is
    /// the base the others are compared with.
    struct Comparison {
        let profiles: [HardwareProfile]
        let kernels: [Kernel]
        let mode: ExecutionMode
        let predictions: [[Prediction]]

        init(profiles: [HardwareProfile], kernels: [Kernel], mode: ExecutionMode) {
            self.profiles = profiles; self.kernels = kernels; self.mode = mode
            predictions = profiles.map { p in kernels.map { Roofline(p).predict($0, mode: mode) } }
        }

        var base: HardwareProfile { profiles[0] }
        /// How many times faster device `d` runs kernel `k` than the base.
        func speedup(_ d: Int, _ k: Int) -> Double { predictions[0][k].timeSeconds / predictions[d][k].timeSeconds }
        /// The dtypes the kernels use, sorted.
        var dtypes: [DType] { Array(Set(kernels.map(\.dtype))).sorted() }
    }

    /// Wide table: one row per kernel, one time column per device, then speed-up over the first.
    static func timesTable(_ run: Comparison) -> DataTable {
        let base = run.base
        var columns: [DataTable.Column] = [
            .init("index", "#", .number), .init("kernel", "kernel"),
            .init("flops", "FLOPs", .si("FLOP")), .init("bytes", "bytes", .quantity(.bytes)),
            .init("intensity_flop_per_byte", "FLOP/B", .number),
        ]
        for p in run.profiles { columns.append(.init("time_s_\(p.id)", "time on \(p.id)", .quantity(.seconds))) }
        for p in run.profiles.dropFirst() {
            columns.append(.init("speedup_\(p.id)_over_\(base.id)", "\(p.id) speed-up over \(base.id)", .ratio))
        }
        var wide = DataTable(
            id: "kernel-times", title: "Predicted time per kernel", columns: columns,
            caption: "Roofline predictions (\(run.mode.rawValue) mode). Speed-up = time on \(base.id) ÷ time on the device.")
        for (k, kernel) in run.kernels.enumerated() {
            var row: [DataTable.Cell] = [
                .number(Double(k + 1)), .text(kernel.label), .number(kernel.flops), .number(kernel.bytes),
                .number(run.predictions[0][k].arithmeticIntensity),
            ]
            for d in run.profiles.indices { row.append(.number(run.predictions[d][k].timeSeconds)) }
            for d in run.profiles.indices.dropFirst() { row.append(.number(run.speedup(d, k))) }
            wide.add(row)
        }
        return wide
    }

    /// Long table: every prediction with its breakdown, the data a script wants.
    static func predictionsTable(_ run: Comparison) -> DataTable {
        var long = DataTable(
            id: "predictions", title: "Every prediction",
            columns: [
                .init("index", "#", .number), .init("kernel", "kernel"), .init("hardware", "device"),
                .init("time_s", "time", .quantity(.seconds)), .init("attained_flops_per_s", "attained", .quantity(.flopsPerSecond)),
                .init("compute_s", "compute", .quantity(.seconds)), .init("memory_s", "memory", .quantity(.seconds)),
                .init("overhead_s", "overhead", .quantity(.seconds)), .init("bound", "bound"), .init("spec", "spec", inDocument: false),
            ])
        for (d, p) in run.profiles.enumerated() {
            for (k, pr) in run.predictions[d].enumerated() {
                long.add([
                    .number(Double(k + 1)), .text(pr.kernel.label), .text(p.id), .number(pr.timeSeconds),
                    .number(pr.attainedFlopsPerSecond),
                    .number(pr.computeSeconds), .number(pr.memorySeconds), .number(pr.overheadSeconds), .text(pr.bound.description),
                    .text(pr.kernel.json),
                ])
            }
        }
        return long
    }

    /// Geometric-mean speed-up of each device over the first, its peak and bandwidth ratios, and
    /// the total time of all kernels on each device.
    static func keyFigures(_ run: Comparison) -> [(String, String)] {
        let base = run.base
        var figures: [(String, String)] = []
        for d in run.profiles.indices.dropFirst() {
            let logs = run.kernels.indices.map { log(run.speedup(d, $0)) }
            let geomean = exp(logs.reduce(0, +) / Double(logs.count))
            let faster = geomean >= 1
            figures.append(
                (
                    "\(run.profiles[d].id) vs \(base.id), geometric mean over \(run.kernels.count) kernels",
                    SI.trimmed(faster ? geomean : 1 / geomean, digits: 3) + (faster ? "× faster" : "× slower")
                ))
            let peakRatio = run.profiles[d].matrixPeak(.bf16).flopsPerSecond / base.matrixPeak(.bf16).flopsPerSecond
            let bandwidthRatio = run.profiles[d].deviceMemory.bandwidth / base.deviceMemory.bandwidth
            figures.append(
                (
                    "\(run.profiles[d].id) ÷ \(base.id): bf16 peak · memory bandwidth",
                    DataTable.display(.number(peakRatio), .ratio) + " · " + DataTable.display(.number(bandwidthRatio), .ratio)
                ))
        }
        for d in run.profiles.indices {
            let total = run.predictions[d].map(\.timeSeconds).reduce(0, +)
            figures.append(("all kernels once on \(run.profiles[d].id)", Quantity.format(total, .seconds, digits: 3)))
        }
        return figures
    }

    /// One roofline for every device: each device's device-memory roof and the peak of the dtypes
    /// used (bf16 and fp32 where used, else every dtype used).
    static func combinedRoofline(_ run: Comparison) -> RooflineChart {
        let used = run.dtypes
        let shown =
            [DType.bf16, .fp32].filter { used.contains($0) || used.isEmpty } + (used.contains(.bf16) || used.contains(.fp32) ? [] : used)
        var ceilings: [RooflineChart.Ceiling] = []
        var points: [RooflineChart.Point] = []
        for (d, p) in run.profiles.enumerated() {
            let style = Palette.style(d)
            var seen: Set<DType> = []
            for dtype in shown {
                let (actual, peak) = p.matrixPeak(dtype)
                guard seen.insert(actual).inserted else { continue }
                ceilings.append(
                    .init(
                        .compute(peak), label: "\(p.id) \(actual.rawValue) \(Quantity.format(peak, .flopsPerSecond, digits: 3))", group: d,
                        style: style))
            }
            ceilings.append(
                .init(
                    .memory(p.deviceMemory.bandwidth),
                    label: "\(p.id) \(p.deviceMemory.name) \(Quantity.format(p.deviceMemory.bandwidth, .bytesPerSecond, digits: 3))",
                    group: d, style: style))
            for (k, pr) in run.predictions[d].enumerated() {
                points.append(
                    .init(
                        tag: "\(k + 1)",
                        label: "\(k + 1). \(pr.kernel.label) on \(p.id): \(Quantity.format(pr.timeSeconds, .seconds)), \(pr.bound)",
                        intensity: pr.arithmeticIntensity, flopsPerSecond: pr.attainedFlopsPerSecond, measured: false, style: style))
            }
        }
        return RooflineChart(
            id: "roofline", title: "Roofline: every device, predicted kernels", ceilings: ceilings,
            points: points, legend: run.profiles.enumerated().map { LegendEntry($1.id, .lineAndMarker(Palette.style($0))) })
    }

    /// One roofline per device: a ceiling per dtype the kernels use and per memory level.
    static func deviceRooflines(_ run: Comparison) -> [Report.Item] {
        run.profiles.enumerated().map { d, p in
            let ceilings = DeviceSheet.ceilings(p, dtypes: run.dtypes, group: 0)
            let points = run.predictions[d].enumerated().map { k, pr in
                RooflineChart.Point(
                    tag: "\(k + 1)", label: "\(k + 1). \(pr.kernel.label): \(Quantity.format(pr.timeSeconds, .seconds)), \(pr.bound)",
                    intensity: pr.arithmeticIntensity, flopsPerSecond: pr.attainedFlopsPerSecond, measured: false, style: Palette.style(2))
            }
            let chart = RooflineChart(
                id: "roofline-\(p.id)", title: "Roofline of \(p.name)", ceilings: ceilings, points: points,
                legend: [LegendEntry("predicted kernel (hollow)", .marker(Palette.style(2), filled: false))])
            return .chart(
                Report.Chart(
                    id: chart.id, title: chart.title, svg: chart.svg, data: DeviceSheet.rooflineData(chart, id: chart.id),
                    caption: "\(p.name): a ceiling per dtype the kernels use and per memory level; points numbered as in the table."))
        }
    }
}
