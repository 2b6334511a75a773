import Foundation
import Ridgeline

/// `ridgeline compare --kernels`: the same kernels predicted on several devices, side by side.
public enum CompareKernelsReport {
    public static func build(profiles: [HardwareProfile], kernels: [Kernel], kernelsSource: String, mode: ExecutionMode,
                             provenance: Provenance) -> Report {
        let predictions = profiles.map { p in kernels.map { Roofline(p).predict($0, mode: mode) } }
        let names = profiles.map(\.id)
        let base = profiles[0]

        // Wide table: one row per kernel, one time column per device, then speed-up over the first.
        var columns: [DataTable.Column] = [.init("index", "#", .number), .init("kernel", "kernel"),
                                           .init("flops", "FLOPs", .si("FLOP")), .init("bytes", "bytes", .quantity(.bytes)),
                                           .init("intensity_flop_per_byte", "FLOP/B", .number)]
        for p in profiles { columns.append(.init("time_s_\(p.id)", "time on \(p.id)", .quantity(.seconds))) }
        for p in profiles.dropFirst() { columns.append(.init("speedup_\(p.id)_over_\(base.id)", "\(p.id) speed-up over \(base.id)", .ratio)) }
        var wide = DataTable(id: "kernel-times", title: "Predicted time per kernel", columns: columns,
                             caption: "Roofline predictions (\(mode.rawValue) mode). Speed-up = time on \(base.id) ÷ time on the device.")
        for (k, kernel) in kernels.enumerated() {
            var row: [DataTable.Cell] = [.number(Double(k + 1)), .text(kernel.label), .number(kernel.flops), .number(kernel.bytes),
                                         .number(predictions[0][k].arithmeticIntensity)]
            for d in profiles.indices { row.append(.number(predictions[d][k].timeSeconds)) }
            for d in profiles.indices.dropFirst() { row.append(.number(predictions[0][k].timeSeconds / predictions[d][k].timeSeconds)) }
            wide.add(row)
        }

        // Long table: every prediction with its breakdown, the data a script wants.
        var long = DataTable(id: "predictions", title: "Every prediction", columns: [
            .init("index", "#", .number), .init("kernel", "kernel"), .init("hardware", "device"),
            .init("time_s", "time", .quantity(.seconds)), .init("attained_flops_per_s", "attained", .quantity(.flopsPerSecond)),
            .init("compute_s", "compute", .quantity(.seconds)), .init("memory_s", "memory", .quantity(.seconds)),
            .init("overhead_s", "overhead", .quantity(.seconds)), .init("bound", "bound"), .init("spec", "spec", inDocument: false),
        ])
        for (d, p) in profiles.enumerated() {
            for (k, pr) in predictions[d].enumerated() {
                long.add([.number(Double(k + 1)), .text(pr.kernel.label), .text(p.id), .number(pr.timeSeconds), .number(pr.attainedFlopsPerSecond),
                          .number(pr.computeSeconds), .number(pr.memorySeconds), .number(pr.overheadSeconds), .text(pr.bound.description),
                          .text(pr.kernel.json)])
            }
        }

        // Key figures: geometric-mean speed-up of each device over the first, and total time.
        var figures: [(String, String)] = []
        for d in profiles.indices.dropFirst() {
            let logs = kernels.indices.map { log(predictions[0][$0].timeSeconds / predictions[d][$0].timeSeconds) }
            let geomean = exp(logs.reduce(0, +) / Double(logs.count))
            let faster = geomean >= 1
            figures.append(("\(names[d]) vs \(base.id), geometric mean over \(kernels.count) kernels",
                            SI.trimmed(faster ? geomean : 1 / geomean, digits: 3) + (faster ? "× faster" : "× slower")))
            let peakRatio = profiles[d].matrixPeak(.bf16).flopsPerSecond / base.matrixPeak(.bf16).flopsPerSecond
            let bandwidthRatio = profiles[d].deviceMemory.bandwidth / base.deviceMemory.bandwidth
            figures.append(("\(names[d]) ÷ \(base.id): bf16 peak · memory bandwidth",
                            DataTable.display(.number(peakRatio), .ratio) + " · " + DataTable.display(.number(bandwidthRatio), .ratio)))
        }
        for d in profiles.indices {
            let total = predictions[d].map(\.timeSeconds).reduce(0, +)
            figures.append(("all kernels once on \(names[d])", Quantity.format(total, .seconds, digits: 3)))
        }

        // Combined roofline: each device's device-memory roof and the peak of the dtypes used.
        let usedDTypes = Array(Set(kernels.map(\.dtype))).sorted()
        var combinedCeilings: [RooflineChart.Ceiling] = []
        var combinedPoints: [RooflineChart.Point] = []
        for (d, p) in profiles.enumerated() {
            let style = Palette.style(d)
            var seen: Set<DType> = []
            for dtype in [DType.bf16, .fp32].filter({ usedDTypes.contains($0) || usedDTypes.isEmpty }) + (usedDTypes.contains(.bf16) || usedDTypes.contains(.fp32) ? [] : usedDTypes) {
                let (actual, peak) = p.matrixPeak(dtype)
                guard seen.insert(actual).inserted else { continue }
                combinedCeilings.append(.init(.compute(peak), label: "\(p.id) \(actual.rawValue) \(Quantity.format(peak, .flopsPerSecond, digits: 3))", group: d, style: style))
            }
            combinedCeilings.append(.init(.memory(p.deviceMemory.bandwidth), label: "\(p.id) \(p.deviceMemory.name) \(Quantity.format(p.deviceMemory.bandwidth, .bytesPerSecond, digits: 3))", group: d, style: style))
            for (k, pr) in predictions[d].enumerated() {
                combinedPoints.append(.init(tag: "\(k + 1)", label: "\(k + 1). \(pr.kernel.label) on \(p.id): \(Quantity.format(pr.timeSeconds, .seconds)), \(pr.bound)",
                                            intensity: pr.arithmeticIntensity, flopsPerSecond: pr.attainedFlopsPerSecond, measured: false, style: style))
            }
        }
        let combined = RooflineChart(id: "roofline", title: "Roofline: every device, predicted kernels", ceilings: combinedCeilings,
                                     points: combinedPoints, legend: profiles.enumerated().map { LegendEntry($1.id, .lineAndMarker(Palette.style($0))) })

        var deviceCharts: [Report.Item] = []
        for (d, p) in profiles.enumerated() {
            let ceilings = DeviceSheet.ceilings(p, dtypes: usedDTypes, group: 0)
            let points = predictions[d].enumerated().map { k, pr in
                RooflineChart.Point(tag: "\(k + 1)", label: "\(k + 1). \(pr.kernel.label): \(Quantity.format(pr.timeSeconds, .seconds)), \(pr.bound)",
                                    intensity: pr.arithmeticIntensity, flopsPerSecond: pr.attainedFlopsPerSecond, measured: false, style: Palette.style(2))
            }
            let chart = RooflineChart(id: "roofline-\(p.id)", title: "Roofline of \(p.name)", ceilings: ceilings, points: points,
                                      legend: [LegendEntry("predicted kernel (hollow)", .marker(Palette.style(2), filled: false))])
            deviceCharts.append(.chart(Report.Chart(id: chart.id, title: chart.title, svg: chart.svg, data: DeviceSheet.rooflineData(chart, id: chart.id),
                                                    caption: "\(p.name): a ceiling per dtype the kernels use and per memory level; points numbered as in the table.")))
        }

        return Report(
            name: "compare-" + names.joined(separator: "-"),
            title: "Comparison: \(profiles.map(\.name).joined(separator: " vs "))",
            summary: "\(kernels.count) kernels from \(kernelsSource), predicted by Ridgeline's roofline engine on \(profiles.count) devices (\(mode.rawValue) mode).",
            provenance: provenance,
            sections: [
                Report.Section("Key figures", [.keyFigures(figures)]),
                Report.Section("Devices", [.table(DeviceSheet.table(profiles)), .chart(DeviceSheet.peaksChart(profiles)), .chart(DeviceSheet.bandwidthChart(profiles))]),
                Report.Section("Kernels", [.table(wide),
                                           .chart(Report.Chart(id: combined.id, title: combined.title, svg: combined.svg, data: DeviceSheet.rooflineData(combined, id: combined.id),
                                                               caption: "Each device's peak for the kernels' dtypes and its device-memory roof; hollow points are predictions, numbered as in the table."))]
                                   + deviceCharts + [.table(long)]),
            ])
    }
}
