import Foundation
import Ridgeline
import RidgelineTraining

/// `ridgeline compare --model`: one training run (a model on a token budget) on several devices,
/// side by side: step time and where it goes, throughput, MFU, memory, time, cost and energy,
/// next to the devices' ceilings that explain the difference.
public enum CompareModelReport {
    /// `estimates[device][budget]`: the same layout on every device, one estimate per token budget.
    /// The page: key figures, the training run (time to train, one step, each budget, the step's
    /// breakdown), then the devices' ceilings that explain the difference.
    public static func build(profiles: [HardwareProfile], estimates: [[TrainingEstimate]], unit: String, provenance: Provenance) -> Report {
        let base = estimates[0][0]
        let model = base.model
        let budgets = estimates[0].map(\.tokens)
        let names = profiles.map(\.id)
        let breakdown = BreakdownChart.build(
            categories: names, breakdowns: estimates.map { components($0[0].step.breakdown) },
            id: "breakdown", normalized: true)

        return Report(
            name: "compare-\(slug(model))-" + names.joined(separator: "-"),
            title: "\(model): \(profiles.map(\.name).joined(separator: " vs "))",
            summary:
                "Training \(model) (\(SI.format(base.parameters)) parameters) on \(budgets.map { SI.format($0) }.joined(separator: ", ")) \(unit), predicted by Ridgeline on \(profiles.count) devices with the same layout.",
            provenance: provenance,
            sections: [
                Report.Section("Key figures", [.keyFigures(keyFigures(estimates, names: names, unit: unit))]),
                Report.Section(
                    "Training run",
                    [
                        .chart(timeToTrainChart(estimates, names: names, unit: unit)),
                        .table(stepTable(estimates, names: names, unit: unit)), .table(budgetTable(estimates, names: names, unit: unit)),
                        .chart(breakdown),
                    ]),
                Report.Section(
                    "Why: the devices' ceilings",
                    [
                        .paragraph(
                            "A training step is mostly matrix products (compute-bound, above the ridge point) and element-wise and normalisation ops (memory-bound, below it). The devices' peaks and bandwidths set both ceilings."
                        )
                    ] + DeviceSheet.items(profiles)),
            ])
    }

    /// The first budget's time to train on each device, then each device's step time against the
    /// first device's, as "× faster" or "× slower".
    static func keyFigures(_ estimates: [[TrainingEstimate]], names: [String], unit: String) -> [(String, String)] {
        var figures: [(String, String)] = []
        for (d, e) in estimates.enumerated() {
            figures.append(
                (
                    "\(SI.format(e[0].tokens)) \(unit) on \(e[0].layout.devices)× \(names[d])"
                        + (e[0].fitsInMemory ? "" : " (does not fit in memory)"),
                    humanDuration(e[0].trainSeconds)
                ))
        }
        for d in estimates.indices.dropFirst() {
            let ratio = estimates[0][0].step.stepSeconds / estimates[d][0].step.stepSeconds
            figures.append(
                (
                    "\(names[d]) vs \(names[0]), step time",
                    SI.trimmed(ratio >= 1 ? ratio : 1 / ratio, digits: 3) + (ratio >= 1 ? "× faster" : "× slower")
                ))
        }
        return figures
    }

    /// One training step per device, from the first budget's estimate (every budget runs the same
    /// layout and settings).
    static func stepTable(_ estimates: [[TrainingEstimate]], names: [String], unit: String) -> DataTable {
        var run = DataTable(
            id: "training", title: "One training step, per device",
            columns: [
                .init("hardware", "device"), .init("devices", "devices", .number), .init("step_time_s", "step", .quantity(.seconds)),
                .init("tokens_per_s", "\(unit)/s", .si("")), .init("mfu", "MFU", .percent), .init("mfu_peak", "MFU denominator"),
                .init("memory_per_device_bytes", "memory per device", .quantity(.bytes)),
                .init("memory_capacity_bytes", "capacity", .quantity(.bytes)),
                .init("fits_in_memory", "fits"), .init("power_w", "power", .quantity(.watts), inDocument: false),
            ],
            caption:
                "Layout on every device: \(layoutText(estimates[0][0])). MFU = model FLOPs per second ÷ the device's highest dense peak for the precision "
                + "(the denominator column: on a CPU whose bf16 units are slower than its fp32 FMAs, the fp32 peak).")
        for (d, e) in estimates.enumerated() {
            let s = e[0].step
            run.add([
                .text(names[d]), .number(Double(e[0].layout.devices)), .number(s.stepSeconds), .number(s.tokensPerSecond), .number(s.mfu),
                .text("\(s.mfuPeakDType.rawValue) \(Quantity.format(s.mfuPeakFlopsPerSecond, .flopsPerSecond))"),
                .number(s.memory.total), .number(s.memory.capacity), .text(e[0].fitsInMemory ? "yes" : "no"), .number(s.powerWatts),
            ])
        }
        return run
    }

    /// Every budget on every device: time, device-hours, cost (where the profile has a price) and energy.
    static func budgetTable(_ estimates: [[TrainingEstimate]], names: [String], unit: String) -> DataTable {
        var budget = DataTable(
            id: "time-to-train", title: "Time, device-hours, cost and energy per budget",
            columns: [
                .init("hardware", "device"), .init("tokens", unit, .si("")),
                .init("train_time_s", "time to train (s)", .quantity(.seconds), inDocument: false),
                .init("time", "time to train"), .init("device_hours", "device-hours", .si("")), .init("cost_usd", "cost (USD)", .si("")),
                .init("energy_kwh", "energy (kWh)", .si("")),
            ], caption: "Cost at each profile's price per device-hour (where it has one); energy at rated board power.")
        for (d, row) in estimates.enumerated() {
            for e in row {
                budget.add([
                    .text(names[d]), .number(e.tokens), .number(e.trainSeconds), .text(humanDuration(e.trainSeconds)),
                    .number(e.deviceHours), e.costUSD.map { .number($0) } ?? .empty, .number(e.energyKWh),
                ])
            }
        }
        return budget
    }

    /// Time to train, log scale in hours: a CPU and a GPU differ by orders of magnitude.
    static func timeToTrainChart(_ estimates: [[TrainingEstimate]], names: [String], unit: String) -> Report.Chart {
        let budgets = estimates[0].map(\.tokens)
        let hours = budgets.indices.map { b in estimates.map { Optional($0[b].trainSeconds / 3600) } }
        let timeChart = GroupedBarChart(
            id: "time-to-train-chart", title: "Time to train", groups: budgets.map { "\(SI.format($0)) \(unit)" },
            series: names, values: hours, valueTitle: "Time to train (hours)", logScale: true)
        var timeData = DataTable(
            id: "time-to-train-chart", title: "Time to train",
            columns: [
                .init("tokens", unit, .si("")), .init("hardware", "device"), .init("train_time_h", "hours", .number),
            ])
        for (b, t) in budgets.enumerated() {
            for (d, n) in names.enumerated() { timeData.add([.number(t), .text(n), .number(hours[b][d]!)]) }
        }
        return Report.Chart(
            id: timeChart.id, title: timeChart.title, svg: timeChart.svg, data: timeData, caption: "Hours to train each budget, log scale.")
    }

    /// The breakdown in the contract's component names (DESIGN.md, `train --json`).
    static func components(_ b: StepBreakdown) -> [(String, Double)] {
        [
            ("gemm", b.gemm), ("attention", b.attention), ("memory_bound", b.memoryBound), ("optimizer", b.optimizer),
            ("exposed_communication", b.exposedCommunication), ("pipeline_bubble", b.pipelineBubble),
            ("dispatch_overhead", b.dispatchOverhead),
        ]
    }

    static func layoutText(_ e: TrainingEstimate) -> String {
        let l = e.layout, k = e.settings
        return
            "\(l.devices) device(s), tp \(l.tp) · pp \(l.pp) · dp \(l.dp), micro-batch \(l.microBatch), global batch \(l.globalBatch) × \(k.seq), \(k.precision.rawValue), recompute \(k.recompute.rawValue), \(k.mode.rawValue)"
    }

    /// "6.2 hours", "3.1 days", "4.2 years": what a reader compares.
    public static func humanDuration(_ seconds: Double) -> String {
        let units: [(Double, String)] = [(365.25 * 86400, "years"), (86400, "days"), (3600, "hours"), (60, "minutes"), (1, "seconds")]
        let (scale, name) = units.first { seconds >= 2 * $0.0 } ?? units.last!
        return SI.trimmed(seconds / scale, digits: 3) + " " + name
    }

    static func slug(_ s: String) -> String {
        String(s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
