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

/// `ridgeline report --plan`: the configurations a capacity plan ranked and the Pareto front.
public enum CapacityPlanReport {
    public static func build(_ plan: PlanFile, file: String, provenance: Provenance) -> Report {
        var all = plan.best
        for c in plan.pareto where !all.contains(where: { $0.key == c.key }) { all.append(c) }
        let hardware = Array(Set(all.map(\.hardware))).sorted()
        var sections: [Report.Section] = []
        var figures: [(String, String)] = []
        if let first = plan.best.first {
            figures.append(("fastest configuration", "\(first.devices)× \(first.hardware)"))
            figures.append(("time to train", CompareModelReport.humanDuration(first.trainSeconds)))
            if let cost = first.costUSD { figures.append(("its cost", "$" + SI.format(cost, digits: 3))) }
        }
        if let days = plan.deadlineDays { figures.append(("deadline", SI.trimmed(days, digits: 3) + " days")) }
        if let budget = plan.budgetUSD { figures.append(("budget", "$" + SI.format(budget, digits: 3))) }
        if let evaluated = plan.evaluated { figures.append(("configurations evaluated", "\(evaluated)")) }
        if let elapsed = plan.elapsedSeconds { figures.append(("search time", Quantity.format(elapsed, .seconds, digits: 3))) }
        sections.append(Report.Section("Key figures", [.keyFigures(figures)] + plan.explanation.map { .paragraph($0) }))

        var table = DataTable(
            id: "configurations", title: "Ranked configurations",
            columns: [
                .init("rank", "#", .number), .init("hardware", "hardware"), .init("devices", "devices", .number), .init("layout", "layout"),
                .init("step_time_s", "step", .quantity(.seconds)),
                .init("train_time_s", "time to train (s)", .quantity(.seconds), inDocument: false),
                .init("time", "time to train"), .init("cost_usd", "cost (USD)", .si("")), .init("mfu", "MFU", .percent),
                .init("tokens_per_s", "\(plan.unit)/s", .si("")),
                .init("energy_kwh", "energy (kWh)", .si("")), .init("pareto", "on Pareto front"),
                .init("meets_deadline", "meets deadline"), .init("within_budget", "within budget"),
            ])
        func yesNo(_ b: Bool?) -> DataTable.Cell { b.map { .text($0 ? "yes" : "no") } ?? .empty }
        for (i, c) in plan.best.enumerated() {
            let onFront = plan.pareto.contains { $0.key == c.key }
            table.add([
                .number(Double(i + 1)), .text(c.hardware), .number(Double(c.devices)), .text(c.layout), .number(c.stepSeconds),
                .number(c.trainSeconds), .text(CompareModelReport.humanDuration(c.trainSeconds)), c.costUSD.map { .number($0) } ?? .empty,
                c.mfu.map { .number($0) } ?? .empty,
                c.tokensPerSecond.map { .number($0) } ?? .empty, c.energyKWh.map { .number($0) } ?? .empty, .text(onFront ? "yes" : "no"),
                yesNo(c.meetsDeadline), yesNo(c.withinBudget),
            ])
        }

        var items: [Report.Item] = []
        let costed = all.filter { $0.costUSD != nil }
        if !costed.isEmpty {
            let points = costed.enumerated().map { i, c in
                ParetoChart.Point(
                    tag: plan.best.firstIndex { $0.key == c.key }.map { "\($0 + 1)" } ?? "",
                    label:
                        "\(c.devices)× \(c.hardware) \(c.layout): \(Quantity.format(c.trainSeconds, .seconds)), $\(SI.format(c.costUSD!, digits: 4))",
                    seconds: c.trainSeconds, cost: c.costUSD!, group: hardware.firstIndex(of: c.hardware)!)
            }
            var chart = ParetoChart(id: "pareto", title: "Time to train vs cost", points: points, groups: hardware)
            chart.deadlineDays = plan.deadlineDays
            chart.budget = plan.budgetUSD
            var data = DataTable(
                id: "pareto", title: chart.title,
                columns: [
                    .init("hardware", "hardware"), .init("devices", "devices", .number), .init("layout", "layout"),
                    .init("train_time_s", "time to train", .quantity(.seconds)), .init("cost_usd", "cost (USD)", .si("")),
                ])
            for c in costed {
                data.add([.text(c.hardware), .number(Double(c.devices)), .text(c.layout), .number(c.trainSeconds), .number(c.costUSD!)])
            }
            items.append(
                .chart(
                    Report.Chart(
                        id: "pareto", title: chart.title, svg: chart.svg, data: data,
                        caption:
                            "Every configuration in the plan file; filled points joined by the staircase are the Pareto front (nothing else is both faster and cheaper). Numbers are ranks in the table."
                    )))
        }
        items.append(.table(table))
        sections.append(Report.Section("Configurations", items))

        let withBreakdown = Array(plan.best.prefix(8).filter { !$0.breakdown.isEmpty })
        if !withBreakdown.isEmpty {
            sections.append(
                Report.Section(
                    "Where the step time goes",
                    [
                        .chart(
                            BreakdownChart.build(
                                categories: withBreakdown.enumerated().map { "#\($0 + 1) \($1.devices)× \($1.hardware)" },
                                breakdowns: withBreakdown.map(\.breakdown), id: "breakdown", normalized: false))
                    ]))
        }
        let modelText = plan.model.map { " for \($0)" } ?? ""
        let tokensText = plan.tokens.map { " on \(SI.format($0)) \(plan.unit)" } ?? ""
        return Report(
            name: "plan-" + stem(file), title: "Capacity plan\(modelText)\(tokensText)",
            summary: "The configurations a Ridgeline capacity plan (\(file)) ranked, with the trade-off between time and cost.",
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
