import Foundation
import Ridgeline

/// The part every validation-like report shares: predicted against measured per kernel, the
/// error table, the accuracy chart and, where a profile is known, the roofline with both points.
enum AccuracySection {
    struct Pair {
        var label: String
        var kernelClass: String
        /// The spec, where the input carries one: it places the kernel on the roofline.
        var kernel: Kernel?
        var measured: Double
        var predicted: Double
        var bound: String
        var detail: String
    }

    static func figures(_ pairs: [Pair], statedMedian: Double? = nil, statedP90: Double? = nil) -> [(String, String)] {
        let errors = pairs.map { absolutePercentageError(predicted: $0.predicted, measured: $0.measured) }
        var figures = [
            ("kernels compared", "\(pairs.count)"),
            ("median absolute error", DataTable.display(.number(percentile(errors, 0.5)), .percent)),
            ("90th-percentile absolute error", DataTable.display(.number(percentile(errors, 0.9)), .percent)),
            ("within ±25%", "\(errors.filter { $0 <= 0.25 }.count) of \(errors.count)"),
        ]
        if let statedMedian { figures.append(("median error stated in the file", DataTable.display(.number(statedMedian), .percent))) }
        if let statedP90 { figures.append(("p90 error stated in the file", DataTable.display(.number(statedP90), .percent))) }
        return figures
    }

    static func table(_ pairs: [Pair], detailTitle: String) -> DataTable {
        var t = DataTable(
            id: "kernels", title: "Predicted and measured time per kernel",
            columns: [
                .init("index", "#", .number), .init("kernel", "kernel"),
                .init(detailTitle.lowercased().replacingOccurrences(of: " ", with: "_"), detailTitle),
                .init("measured_s", "measured", .quantity(.seconds)), .init("predicted_s", "predicted", .quantity(.seconds)),
                .init("error", "error (pred ÷ meas − 1)", .percent),
                .init("measured_flops_per_s", "measured FLOP/s", .quantity(.flopsPerSecond)),
                .init("intensity_flop_per_byte", "FLOP/B", .number), .init("bound", "predicted bound"),
                .init("spec", "spec", inDocument: false),
            ], caption: "Error = predicted ÷ measured − 1: negative means the model is optimistic (predicts faster than measured).")
        for (i, p) in pairs.enumerated() {
            let k = p.kernel
            t.add([
                .number(Double(i + 1)), .text(p.label), .text(p.detail), .number(p.measured), .number(p.predicted),
                .number(p.predicted / p.measured - 1), k.map { .number($0.flops / p.measured) } ?? .empty,
                k.map { .number($0.bytes > 0 ? $0.flops / $0.bytes : 0) } ?? .empty, .text(p.bound), k.map { .text($0.json) } ?? .empty,
            ])
        }
        return t
    }

    /// Median and 90th-percentile absolute error per kernel class, then over all kernels.
    static func byClass(_ pairs: [Pair]) -> DataTable {
        var t = DataTable(
            id: "error-by-class", title: "Error by kernel class",
            columns: [
                .init("class", "class"), .init("count", "kernels", .number), .init("median_ape", "median |error|", .percent),
                .init("p90_ape", "90th percentile |error|", .percent), .init("max_ape", "max |error|", .percent),
            ])
        let classes = Array(Set(pairs.map(\.kernelClass))).sorted()
        for cls in classes + ["all"] {
            let summary = ErrorSummary(pairs: pairs.filter { cls == "all" || $0.kernelClass == cls }.map { ($0.predicted, $0.measured) })
            t.add([
                .text(cls), .number(Double(summary.count)), .number(summary.medianAPE), .number(summary.p90APE), .number(summary.maxAPE),
            ])
        }
        return t
    }

    /// One style per kernel class, so the legend says which families the model gets wrong.
    static func accuracyChart(_ pairs: [Pair], title: String) -> Report.Chart {
        let classes = Array(Set(pairs.map(\.kernelClass))).sorted()
        let points = pairs.enumerated().map { i, p in
            AccuracyChart.Point(
                tag: "\(i + 1)",
                label:
                    "\(i + 1). \(p.label): measured \(Quantity.format(p.measured, .seconds)), predicted \(Quantity.format(p.predicted, .seconds))",
                measured: p.measured, predicted: p.predicted, style: Palette.style(classes.firstIndex(of: p.kernelClass)!))
        }
        let chart = AccuracyChart(
            id: "accuracy", title: title, points: points,
            legend: classes.enumerated().map { LegendEntry($1, .marker(Palette.style($0), filled: true)) })
        var data = DataTable(
            id: "accuracy", title: title,
            columns: [
                .init("tag", "#"), .init("kernel", "kernel"), .init("class", "class"),
                .init("measured_s", "measured", .quantity(.seconds)), .init("predicted_s", "predicted", .quantity(.seconds)),
            ])
        for (i, p) in pairs.enumerated() {
            data.add([.text("\(i + 1)"), .text(p.label), .text(p.kernelClass), .number(p.measured), .number(p.predicted)])
        }
        return Report.Chart(
            id: "accuracy", title: title, svg: chart.svg, data: data,
            caption:
                "Each point is a kernel; on the dashed line the prediction equals the measurement, inside the dark band it is within ±10%, inside the light band within ±25%."
        )
    }

    /// Predictions are hollow diamonds in vermilion; measurements filled circles in blue.
    static let predictedStyle = SeriesStyle(color: "#D55E00", dash: nil, marker: .diamond, hatch: .none)

    /// The profile's roofline with every kernel measured (filled) and predicted (hollow).
    /// Nil when no pair carries a spec (a validation file with labels only).
    static func rooflineChart(_ pairs: [Pair], profile: HardwareProfile) -> Report.Chart? {
        guard pairs.contains(where: { $0.kernel != nil }) else { return nil }
        let dtypes = Array(Set(pairs.compactMap(\.kernel?.dtype))).sorted()
        let ceilings = DeviceSheet.ceilings(profile, dtypes: dtypes, group: 0)
        var points: [RooflineChart.Point] = []
        for (i, p) in pairs.enumerated() {
            guard let kernel = p.kernel else { continue }
            let intensity = kernel.bytes > 0 ? kernel.flops / kernel.bytes : 0
            points.append(
                .init(
                    tag: "\(i + 1)", label: "\(i + 1). \(p.label) measured \(Quantity.format(p.measured, .seconds))",
                    intensity: intensity, flopsPerSecond: kernel.flops / p.measured, measured: true, style: Palette.style(0)))
            points.append(
                .init(
                    tag: "", label: "\(i + 1). \(p.label) predicted \(Quantity.format(p.predicted, .seconds))",
                    intensity: intensity, flopsPerSecond: kernel.flops / p.predicted, measured: false, style: predictedStyle))
        }
        let chart = RooflineChart(
            id: "roofline", title: "Roofline of \(profile.name): measured and predicted", ceilings: ceilings, points: points,
            legend: [
                LegendEntry("measured", .marker(Palette.style(0), filled: true)),
                LegendEntry("predicted", .marker(predictedStyle, filled: false)),
            ])
        return Report.Chart(
            id: chart.id, title: chart.title, svg: chart.svg, data: DeviceSheet.rooflineData(chart, id: chart.id),
            caption:
                "Filled: attained FLOP/s measured; hollow: as predicted by the roofline engine on \(profile.id). Points are numbered as in the table."
        )
    }
}
