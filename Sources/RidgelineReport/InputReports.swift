import Foundation
import Ridgeline

/// `ridgeline report --measurements`: the kernels a measurement run timed, against the roofline
/// engine's predictions on the profile of the machine they ran on.
public enum MeasurementReport {
    public static func build(
        _ records: [MeasuredKernel], profile: HardwareProfile, mode: ExecutionMode = .kernel, file: String,
        provenance: Provenance
    ) -> Report {
        let engine = Roofline(profile)
        let pairs = records.map { r -> AccuracySection.Pair in
            // A row of several kernels (fwd + bwd) is predicted as the sum of their times.
            let predictions = r.kernels.map { engine.predict($0, mode: mode) }
            let predicted = predictions.reduce(0) { $0 + $1.timeSeconds }
            let detail = [r.engine.map { $0.rawValue + (r.engineVersion.map { " " + $0 } ?? "") }, r.threads.map { "\($0) threads" }]
                .compactMap { $0 }.joined(separator: ", ")
            return .init(
                label: r.label, kernelClass: r.kernels[0].kernelClass.rawValue, kernel: r.kernels.count == 1 ? r.kernels[0] : nil,
                measured: r.medianSeconds, predicted: predicted, bound: predictions[0].bound.description, detail: detail)
        }
        let engines = Array(Set(records.compactMap(\.engine?.rawValue))).sorted()
        let counters = Array(Set(records.compactMap(\.counterSource))).sorted()
        var figures = AccuracySection.figures(pairs)
        figures.insert(("engines", engines.isEmpty ? "not recorded" : engines.joined(separator: ", ")), at: 1)
        if !counters.isEmpty { figures.append(("counter source", counters.joined(separator: ", "))) }
        return Report(
            name: "measurements-" + stem(file),
            title: "Measurements: \(records.count) kernels on \(profile.name)",
            summary:
                "Kernels timed by a measurement run (\(file)), compared with Ridgeline's roofline predictions on \(profile.id) (\(profile.calibration == nil ? "datasheet ceilings" : "calibrated"), \(profile.compute.units) \(profile.compute.unitName)\(profile.compute.units == 1 ? "" : "s"), \(mode.rawValue) mode).",
            provenance: provenance,
            sections: [
                Report.Section("Key figures", [.keyFigures(figures)]),
                Report.Section("Roofline", AccuracySection.rooflineChart(pairs, profile: profile).map { [.chart($0)] } ?? []),
                Report.Section(
                    "Prediction accuracy",
                    [
                        .chart(AccuracySection.accuracyChart(pairs, title: "Predicted vs measured time")),
                        .table(AccuracySection.byClass(pairs)),
                        .table(AccuracySection.table(pairs, detailTitle: "engine")),
                    ]),
                Report.Section("Device", [.table(DeviceSheet.table([profile]))]),
            ])
    }
}

/// `ridgeline report --validation`: a validation run's rows and aggregate error.
public enum ValidationReport {
    public static func build(_ result: ValidationResult, profile: HardwareProfile?, file: String, provenance: Provenance) -> Report {
        let pairs = result.rows.map {
            AccuracySection.Pair(
                label: $0.label, kernelClass: $0.kernelClass, kernel: nil, measured: $0.measuredSeconds,
                predicted: $0.predictedSeconds, bound: $0.bound, detail: $0.source)
        }
        var sections = [
            Report.Section(
                "Key figures", [.keyFigures(AccuracySection.figures(pairs, statedMedian: result.medianAPE, statedP90: result.p90APE))]),
            Report.Section(
                "Prediction accuracy",
                [
                    .chart(AccuracySection.accuracyChart(pairs, title: "Predicted vs measured time")),
                    .table(AccuracySection.byClass(pairs)),
                    .table(AccuracySection.table(pairs, detailTitle: "source")),
                ]),
        ]
        // `validate --json` names its kernels (rows may sum several), without specs to place on a roofline.
        if let profile { sections.append(Report.Section("Device", [.table(DeviceSheet.table([profile]))])) }
        let on = profile?.name ?? result.hardware ?? "an unnamed device"
        return Report(
            name: "validation-" + stem(file), title: "Validation: \(result.rows.count) kernels on \(on)",
            summary: "How far Ridgeline's predictions were from the measured times in \(file).",
            provenance: provenance, sections: sections)
    }
}

/// Step-time breakdown as stacked bars, components in the order DESIGN.md lists them.
public enum BreakdownChart {
    static let order = ["gemm", "attention", "memory_bound", "optimizer", "exposed_communication", "pipeline_bubble", "dispatch_overhead"]

    public static func build(categories: [String], breakdowns: [[(String, Double)]], id: String, normalized: Bool) -> Report.Chart {
        var components = order.filter { c in breakdowns.contains { $0.contains { $0.0 == c } } }
        for b in breakdowns { for (k, _) in b where !components.contains(k) { components.append(k) } }
        let values = breakdowns.map { b in components.map { c in b.first { $0.0 == c }?.1 ?? 0 } }
        let title = normalized ? "Step time breakdown (share of each device's step)" : "Step time breakdown"
        var chart = StackedBarChart(
            id: id, title: title, categories: categories, components: components.map { $0.replacingOccurrences(of: "_", with: " ") },
            values: values, valueTitle: "Step time (s)", normalized: normalized)
        // Room above full-height bars for their totals.
        chart.frame.margin.top = 60
        var data = DataTable(
            id: id, title: title,
            columns: [.init("category", "configuration")]
                + components.map { .init("\($0)_s", $0.replacingOccurrences(of: "_", with: " "), .quantity(.seconds)) }
                + [.init("total_s", "total", .quantity(.seconds))])
        for (i, c) in categories.enumerated() { data.add([.text(c)] + values[i].map { .number($0) } + [.number(values[i].reduce(0, +))]) }
        return Report.Chart(
            id: id, title: title, svg: chart.svg, data: data,
            caption: normalized
                ? "Each bar is one device's step, as shares; its total time is written on top." : "Seconds per training step, by component."
        )
    }
}

/// A file's name without directory and extension, for report names.
func stem(_ path: String) -> String {
    let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    let cleaned = String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    return cleaned.isEmpty ? "input" : cleaned
}
