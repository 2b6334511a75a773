import ArgumentParser
import Foundation
import Ridgeline
import RidgelineServing
import RidgelineTraining

/// `plan --serve`: the serving planner's output (text and JSON).
enum ServePlanOutput {
    static func run(
        model: TransformerModel, hardware: [HardwareProfile], inputTokens: Int?, outputTokens: Int?, rate: Double?,
        ttftSLO: Double?, tpotSLO: Double?, maxDevices: Int, top: Int, json: Bool
    ) throws {
        guard let inputTokens, let outputTokens, let rate else {
            throw ValidationError("plan --serve needs --input-tokens, --output-tokens and --rate")
        }
        guard inputTokens >= 1, outputTokens >= 1 else { throw ValidationError("--input-tokens and --output-tokens must be at least 1") }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be a positive number (got \(rate))") }
        if let s = ttftSLO, !(s > 0) { throw ValidationError("--ttft-slo must be a positive number of seconds (got \(s))") }
        if let s = tpotSLO, !(s > 0) { throw ValidationError("--tpot-slo must be a positive number of seconds (got \(s))") }
        let result = ServingPlanner.plan(
            ServingPlanRequest(
                model: model, hardware: hardware, inputTokens: inputTokens, outputTokens: outputTokens,
                rate: rate, ttftSLO: ttftSLO, tpotSLO: tpotSLO, maxDevices: maxDevices, top: top))
        if json {
            return try printRecord(ServePlanRecord(result))
        }
        print(
            "\(model.name): \(rate) requests/s, \(inputTokens) in / \(outputTokens) out; TTFT ≤ \(ttftSLO.map { Quantity.format($0, .seconds) } ?? "any"), TPOT ≤ \(tpotSLO.map { Quantity.format($0, .seconds) } ?? "any")"
        )
        print(
            "\(result.evaluated) configurations evaluated in \(String(format: "%.2f", result.elapsedSeconds)) s; \(result.best.isEmpty ? "none meets the targets" : "cheapest first:")"
        )
        var table = TextTable(["hardware", "gpus", "replicas × tp·pp(·ep)", "precision", "TTFT", "TPOT", "e2e", "$/M tokens"])
        for e in result.best {
            table.add([
                e.hardware, "\(e.devices)", "\(e.replicas) × \(e.tp)·\(e.pp)" + (e.ep > 1 ? " ep \(e.ep)" : ""), e.precision.rawValue,
                Quantity.format(e.estimate.ttft, .seconds),
                Quantity.format(e.estimate.tpot, .seconds), Quantity.format(e.estimate.e2eLatency, .seconds),
                e.costPerMillionTokens.map { String(format: "%.3f", $0) } ?? "-",
            ])
        }
        print(table.render())
        print(
            "Pareto front (cost vs end-to-end latency): "
                + result.pareto.map {
                    "\($0.hardware) \($0.devices) GPUs \($0.precision.rawValue) (\(Quantity.format($0.estimate.e2eLatency, .seconds)))"
                }.joined(separator: "; "))
    }
}
