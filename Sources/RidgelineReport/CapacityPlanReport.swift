import Foundation
import Ridgeline

/// `ridgeline report --plan`: the configurations a capacity plan ranked and the Pareto front.
public enum CapacityPlanReport {
    public static func build(_ plan: PlanFile, file: String, provenance: Provenance) -> Report {
        var sections = [
            Report.Section("Key figures", [.keyFigures(keyFigures(plan))] + plan.explanation.map { .paragraph($0) }),
            Report.Section("Configurations", (paretoChart(plan).map { [.chart($0)] } ?? []) + [.table(rankedTable(plan))]),
        ]
        if let breakdown = breakdownSection(plan) { sections.append(breakdown) }
        let modelText = plan.model.map { " for \($0)" } ?? ""
        let tokensText = plan.tokens.map { " on \(SI.format($0)) \(plan.unit)" } ?? ""
        return Report(
            name: "plan-" + stem(file), title: "Capacity plan\(modelText)\(tokensText)",
            summary: "The configurations a Ridgeline capacity plan (\(file)) ranked, with the trade-off between time and cost.",
            provenance: provenance, sections: sections)
    }

    /// The answer first (the fastest configuration, its time and cost), then the constraints it
    /// was searched under and how much was searched, so the plan can be judged without the table.
    static func keyFigures(_ plan: PlanFile) -> [(String, String)] {
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
        return figures
    }

    /// The ranked configurations (`best`) in rank order, with whether each is on the Pareto front
    /// and meets the deadline and budget. The time to train is given twice: in seconds for the
    /// CSV and JSON only, in words (`humanDuration`) for the page.
    static func rankedTable(_ plan: PlanFile) -> DataTable {
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
        return table
    }

    /// A constraint the file did not check (no deadline or budget given) stays empty, not "no".
    static func yesNo(_ b: Bool?) -> DataTable.Cell { b.map { .text($0 ? "yes" : "no") } ?? .empty }

    /// Every configuration the file names, each once: the ranked ones first, then those of the
    /// Pareto front not among them, so the chart shows the whole trade-off the search found.
    static func allConfigurations(_ plan: PlanFile) -> [PlanFile.Configuration] {
        var all = plan.best
        for c in plan.pareto where !all.contains(where: { $0.key == c.key }) { all.append(c) }
        return all
    }

    /// Time to train against cost, one colour per hardware, with the deadline and budget lines;
    /// nil when no configuration has a cost, since a point needs both coordinates.
    static func paretoChart(_ plan: PlanFile) -> Report.Chart? {
        let all = allConfigurations(plan)
        let hardware = Array(Set(all.map(\.hardware))).sorted()
        let costed = all.filter { $0.costUSD != nil }
        guard !costed.isEmpty else { return nil }
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
        return Report.Chart(
            id: "pareto", title: chart.title, svg: chart.svg, data: data,
            caption:
                "Every configuration in the plan file; filled points joined by the staircase are the Pareto front (nothing else is both faster and cheaper). Numbers are ranks in the table."
        )
    }

    /// Where the step time goes, as stacked bars, for up to eight of the top-ranked configurations
    /// that carry a breakdown; nil when none does, so the report has no empty section.
    static func breakdownSection(_ plan: PlanFile) -> Report.Section? {
        let withBreakdown = Array(plan.best.prefix(8).filter { !$0.breakdown.isEmpty })
        guard !withBreakdown.isEmpty else { return nil }
        return Report.Section(
            "Where the step time goes",
            [
                .chart(
                    BreakdownChart.build(
                        categories: withBreakdown.enumerated().map { "#\($0 + 1) \($1.devices)× \($1.hardware)" },
                        breakdowns: withBreakdown.map(\.breakdown), id: "breakdown", normalized: false))
            ])
    }
}
