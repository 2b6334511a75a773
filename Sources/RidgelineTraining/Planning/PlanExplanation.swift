import Foundation
import Ridgeline

extension PlanSearch {
    /// Rebuilds the full estimate of a candidate: the same stage-2 call `TrainingPredictor` makes.
    func configuration(_ c: PlanCandidate) -> PlanConfiguration {
        let costs = self.costs[c.costs]!, profile = request.hardware[c.hardware]
        let step = StepModel.evaluate(costs, layout: c.layout, assumptions: request.assumptions)
        let e = TrainingEstimate(
            model: request.model.name, parameters: request.model.parameterCount,
            activeParameters: request.model.activeParameterCount, hardware: profile.id,
            layout: c.layout, settings: costs.settings, step: step, tokens: request.tokens,
            pricePerDeviceHour: profile.pricePerHourUSD, stageLayers: StepModel.stages(costs, layout: c.layout).layers)
        return PlanConfiguration(
            estimate: e, index: c.index,
            meetsDeadline: request.deadlineSeconds.map { e.trainSeconds <= $0 } ?? true,
            withinBudget: request.budgetUSD.map { (e.costUSD ?? 0) <= $0 } ?? true)
    }

    func result(_ total: PlanAccumulator, threads: Int) -> PlanResult {
        var plans: [HardwarePlan] = []
        for (h, profile) in request.hardware.enumerated() {
            let t = total.hardware[h]
            var p = HardwarePlan(
                id: profile.id, name: profile.name, unavailable: unavailable[h],
                configurationsEvaluated: t.evaluated, configurationsPruned: t.pruned, configurationsFitting: t.fitting,
                configurationsBounded: t.bounded, fastest: t.fastest.map(configuration), cheapest: t.cheapest.map(configuration),
                cheapestMeetingDeadline: t.cheapestInTime.map(configuration),
                fastestWithinBudget: t.fastestInBudget.map(configuration))
            if let deadline = request.deadlineSeconds, p.cheapestMeetingDeadline == nil, let f = p.fastest {
                p.deadlineMissSeconds = f.estimate.trainSeconds - deadline
            }
            if t.fitting == 0, let m = t.closest {
                p.closestFit = PlanMemoryMiss(
                    hardware: profile.id, layout: m.layout, settings: costs[m.costs]!.settings,
                    neededBytes: m.neededBytes, capacityBytes: m.capacityBytes, lowerBound: m.lowerBound)
            }
            plans.append(p)
        }
        let evaluated = total.hardware.reduce(0) { $0 + $1.evaluated }
        let pruned = total.hardware.reduce(0) { $0 + $1.pruned }
        let fitting = total.hardware.reduce(0) { $0 + $1.fitting }
        let bounded = total.hardware.reduce(0) { $0 + $1.bounded }
        var r = PlanResult(
            model: request.model.name, tokens: request.tokens, objective: request.objective,
            deadlineSeconds: request.deadlineSeconds, budgetUSD: request.budgetUSD,
            configurationsEvaluated: evaluated, configurationsPruned: pruned, configurationsFitting: fitting,
            configurationsBounded: bounded, layerCostComputations: layerCostComputations, elapsedSeconds: timing.stage1 + timing.stage2,
            stage1Seconds: timing.stage1, searchSeconds: timing.stage2, threads: threads,
            best: total.best.items.map(configuration), pareto: total.pareto.items.map(configuration),
            hardware: plans, explanation: [])
        r.explanation = PlanExplainer(request: request, result: r).sentences()
        return r
    }
}

/// Says in words why a plan has no answer, or what the constraints cost: the closest miss and by
/// how much, and what would change it.
struct PlanExplainer {
    let request: PlanRequest
    let result: PlanResult

    func sentences() -> [String] {
        var out: [String] = []
        let searched = result.hardware.filter { $0.unavailable == nil }
        for h in result.hardware { if let why = h.unavailable { out.append("\(h.id) was not searched: \(why).") } }
        guard !searched.isEmpty else {
            out.append("No hardware profile could be searched.")
            return out
        }
        let range = "\(request.minDevices)–\(request.maxDevices) devices"
        if result.configurationsSearched == 0 {
            let nodes = searched.map { "\($0.id): \(axesNode($0.id))" }.joined(separator: ", ")
            out.append(
                "No configuration exists in \(range): device counts are whole nodes (\(nodes)) or powers of two below one node, and the global batch must be a multiple of micro-batch × dp. Widen --min-devices/--max-devices or the global batch."
            )
            return out
        }
        if result.configurationsFitting == 0 {
            let misses = searched.compactMap(\.closestFit)
            if let m = misses.min(by: { $0.neededBytes / $0.capacityBytes < $1.neededBytes / $1.capacityBytes }) {
                let need = m.lowerBound ? "at least \(bytes(m.neededBytes))" : bytes(m.neededBytes)
                out.append(
                    "\(result.model) fits on none of \(searched.map(\.id).joined(separator: ", ")) with \(range): the closest, \(m.layout.devices) × \(m.hardware) with \(describeLayout(m.layout, m.settings)), needs \(need) per device of \(bytes(m.capacityBytes)) (\(m.lowerBound ? "at least " : "")\(bytes(m.shortBytes)) short). More devices (--max-devices), devices with more memory, or a smaller --seq would be needed."
                )
            } else {
                out.append("\(result.model) fits on none of \(searched.map(\.id).joined(separator: ", ")) with \(range).")
            }
            return out
        }
        let fastest = searched.compactMap(\.fastest).min {
            $0.estimate.trainSeconds < $1.estimate.trainSeconds
                || ($0.estimate.trainSeconds == $1.estimate.trainSeconds && $0.index < $1.index)
        }
        let cheapest = searched.compactMap(\.cheapest).min { cost($0) < cost($1) || (cost($0) == cost($1) && $0.index < $1.index) }
        if let deadline = request.deadlineSeconds, let f = fastest, f.estimate.trainSeconds > deadline {
            let late = f.estimate.trainSeconds - deadline
            out.append(
                "No configuration meets the deadline of \(days(deadline)): the fastest, \(f.summary), takes \(days(f.estimate.trainSeconds)) (\(days(late)) or \(percent(late / deadline)) late). More devices (--max-devices \(request.maxDevices) now) or faster hardware would be needed."
            )
        }
        if let budget = request.budgetUSD, let c = cheapest, cost(c) > budget {
            let over = cost(c) - budget
            out.append(
                "No configuration fits the budget of \(usd(budget)): the cheapest, \(c.summary), costs \(usd(cost(c))) (\(usd(over)) or \(percent(over / budget)) over)."
            )
        }
        if out.isEmpty, result.best.isEmpty, let deadline = request.deadlineSeconds, let budget = request.budgetUSD {
            // Each constraint alone can be met, but not both at once.
            let inTime = searched.compactMap(\.cheapestMeetingDeadline).min {
                cost($0) < cost($1) || (cost($0) == cost($1) && $0.index < $1.index)
            }
            let inBudget = searched.compactMap(\.fastestWithinBudget).min {
                $0.estimate.trainSeconds < $1.estimate.trainSeconds
                    || ($0.estimate.trainSeconds == $1.estimate.trainSeconds && $0.index < $1.index)
            }
            var s = "No configuration meets both the deadline of \(days(deadline)) and the budget of \(usd(budget))"
            if let a = inTime { s += ": the cheapest in time, \(a.summary), costs \(usd(cost(a))) (\(usd(cost(a) - budget)) over)" }
            if let b = inBudget {
                s +=
                    "; the fastest within budget, \(b.summary), takes \(days(b.estimate.trainSeconds)) (\(days(b.estimate.trainSeconds - deadline)) late)"
            }
            out.append(s + ".")
        }
        return out
    }

    private func axesNode(_ id: String) -> String {
        guard let p = request.hardware.first(where: { $0.id == id }) else { return "?" }
        return "\(Network(profile: p, assumptions: request.assumptions).domainSize) per node"
    }
    private func cost(_ c: PlanConfiguration) -> Double { c.estimate.costUSD ?? 0 }
}

func bytes(_ b: Double) -> String { Quantity.format(b, .bytes) }
func days(_ seconds: Double) -> String {
    seconds >= 86400 ? String(format: "%.1f days", seconds / 86400) : String(format: "%.1f hours", seconds / 3600)
}
func usd(_ v: Double) -> String {
    if v >= 1e6 { return String(format: "$%.2fM", v / 1e6) }
    if v >= 1e3 { return String(format: "$%.1fk", v / 1e3) }
    return String(format: "$%.0f", v)
}
func percent(_ f: Double) -> String { String(format: "%.0f%%", f * 100) }
