import Foundation
import Ridgeline
import RidgelineTraining

/// The readable plan: what was asked and searched, the best configurations, the Pareto front, the
/// answer per hardware, and why nothing (or little) fits when that is so.
enum PlanReport {
    static func text(_ r: PlanResult, request: PlanRequest, unit: String) -> String {
        var out = header(r, request: request, unit: unit)
        if !r.best.isEmpty { out += [""] + best(r) }
        if !r.pareto.isEmpty { out += [""] + pareto(r) }
        out += ["", "Per hardware:", perHardware(r)]
        if !r.explanation.isEmpty { out += [""] + r.explanation }
        return out.joined(separator: "\n")
    }

    /// The request in one line (model, tokens, devices, hardware, deadline, budget, objective),
    /// then the size of the search and what it cost.
    static func header(_ r: PlanResult, request: PlanRequest, unit: String) -> [String] {
        var ask =
            "\(r.model) on \(f(r.tokens)) \(unit), \(request.minDevices)–\(request.maxDevices) devices of \(r.hardware.map(\.id).joined(separator: ", "))"
        if let s = r.deadlineSeconds { ask += ", deadline \(formatSignificant(s / 86400, digits: 3)) days" }
        if let b = r.budgetUSD { ask += ", budget $\(f(b))" }
        let bounded = r.configurationsBounded > 0 ? "\(count(r.configurationsBounded)) by train-time bounds, " : ""
        return [
            "Plan: " + ask + "; ranked by \(r.objective.rawValue)",
            "searched \(count(r.configurationsSearched)) configurations: \(count(r.configurationsEvaluated)) evaluated, \(count(r.configurationsPruned)) ruled out by memory bounds, \(bounded)\(count(r.configurationsFitting)) fit; \(r.layerCostComputations) layer-cost computations; \(String(format: "%.3f", r.elapsedSeconds)) s on \(r.threads) threads",
        ]
    }

    /// The ranked table: the best configurations by the objective, among those meeting the
    /// deadline and budget when there are any.
    static func best(_ r: PlanResult) -> [String] {
        let constraints = [r.deadlineSeconds.map { _ in "meeting the deadline" }, r.budgetUSD.map { _ in "within budget" }]
            .compactMap { $0 }.joined(separator: " and ")
        var t = TextTable(["#"] + columns)
        for (i, c) in r.best.enumerated() { t.add(["\(i + 1)"] + row(c)) }
        return ["Best \(r.best.count) by \(r.objective.rawValue)\(constraints.isEmpty ? "" : " " + constraints):", t.render()]
    }

    /// Time against cost: every configuration no other beats on both (the first and last ten of a
    /// long front), with whether it meets the deadline and budget when either was given.
    static func pareto(_ r: PlanResult) -> [String] {
        let constrained = r.deadlineSeconds != nil || r.budgetUSD != nil
        var t = TextTable(columns + (constrained ? ["meets"] : []))
        let shown = r.pareto.count <= 20 ? r.pareto : Array(r.pareto.prefix(10)) + Array(r.pareto.suffix(10))
        for c in shown { t.add(row(c) + (constrained ? [c.meetsDeadline && c.withinBudget ? "yes" : "no"] : [])) }
        var out = ["Pareto front, time vs cost (\(r.pareto.count) configurations no other beats on both):", t.render()]
        if shown.count < r.pareto.count { out.append("(\(r.pareto.count - shown.count) in the middle left out; --json lists all)") }
        return out
    }

    /// One row per hardware: how many configurations fit, the fastest and the cheapest, and with a
    /// deadline the cheapest that meets it (or by how much the fastest misses it); a hardware
    /// nothing fits on says how short of memory the closest configuration is.
    static func perHardware(_ r: PlanResult) -> String {
        let withDeadline = r.deadlineSeconds != nil
        var t = TextTable(["hardware", "fit", "fastest", "cheapest"] + (withDeadline ? ["cheapest in time"] : []))
        for h in r.hardware {
            let cells = hardwareCells(h, withDeadline: withDeadline)
            t.add(withDeadline ? cells : Array(cells.prefix(4)))
        }
        return t.render()
    }

    /// The five cells of a hardware's row (the last only shown with a deadline).
    static func hardwareCells(_ h: HardwarePlan, withDeadline: Bool) -> [String] {
        if h.unavailable != nil { return [h.id, "-", "not searched (below)", "", ""] }
        guard let fast = h.fastest, let cheap = h.cheapest else {
            let miss =
                h.closestFit.map {
                    "fits nowhere: needs \($0.lowerBound ? "≥ " : "")\(TrainReport.gib($0.neededBytes)) of \(TrainReport.gib($0.capacityBytes))"
                } ?? "no configuration"
            return [h.id, "0", miss, "", ""]
        }
        var deadlineCell = ""
        if withDeadline {
            if let c = h.cheapestMeetingDeadline {
                deadlineCell = brief(c) + " (\(c.layoutDescription))"
            } else if let miss = h.deadlineMissSeconds {
                deadlineCell = "misses by \(d(miss))"
            }
        }
        return [h.id, count(h.configurationsFitting), brief(fast), brief(cheap), deadlineCell]
    }

    /// The columns of the ranked table and the Pareto front, one `row` each.
    static let columns = ["hardware", "devices", "time", "cost", "energy", "MFU", "memory/device", "layout"]

    static func row(_ c: PlanConfiguration) -> [String] {
        let e = c.estimate
        return [
            e.hardware, "\(e.layout.devices)", d(e.trainSeconds), e.costUSD.map { "$" + f($0) } ?? "-", f(e.energyKWh) + " kWh",
            String(format: "%.1f%%", e.step.mfu * 100), TrainReport.gib(e.step.memory.total), c.layoutDescription,
        ]
    }

    /// A configuration in a per-hardware cell: time, cost and devices.
    static func brief(_ c: PlanConfiguration) -> String {
        "\(d(c.estimate.trainSeconds)), \(c.estimate.costUSD.map { "$" + f($0) } ?? "-") on \(c.estimate.layout.devices)"
    }

    /// Counts below a thousand in full, larger ones as `TrainReport.formatCount` writes them.
    static func count(_ n: Int) -> String { n < 1000 ? "\(n)" : f(Double(n)) }
    static func f(_ x: Double) -> String { TrainReport.formatCount(x) }
    static func d(_ seconds: Double) -> String { TrainReport.formatDuration(seconds) }
}
