import Foundation
import Ridgeline
import RidgelineTraining

/// `plan --serve`: every hardware × replica count × tp × pp × precision that serves `rate` requests/s
/// within the TTFT and TPOT targets, ranked by cost per million output tokens, with the Pareto front
/// of cost against end-to-end latency. Requests are spread evenly over identical replicas, each
/// predicted by `ServingPredictor` at its share of the rate.
public struct ServingPlanRequest: Sendable {
    public var model: TransformerModel
    public var hardware: [HardwareProfile]
    public var inputTokens: Int
    public var outputTokens: Int
    public var rate: Double
    public var ttftSLO: Double?
    public var tpotSLO: Double?
    public var maxDevices: Int
    public var top: Int
    public init(model: TransformerModel, hardware: [HardwareProfile], inputTokens: Int, outputTokens: Int, rate: Double,
                ttftSLO: Double?, tpotSLO: Double?, maxDevices: Int, top: Int) {
        self.model = model; self.hardware = hardware; self.inputTokens = inputTokens; self.outputTokens = outputTokens
        self.rate = rate; self.ttftSLO = ttftSLO; self.tpotSLO = tpotSLO; self.maxDevices = maxDevices; self.top = top
    }
}

public struct ServingPlanEntry: Sendable {
    public var hardware: String
    public var devices: Int
    public var replicas: Int
    public var tp: Int, pp: Int
    public var precision: ServingPrecision
    public var estimate: ServingEstimate
    /// Cost per million output tokens over all replicas (nil: the profile has no price).
    public var costPerMillionTokens: Double?
}

public struct ServingPlanResult: Sendable {
    public var evaluated: Int
    public var elapsedSeconds: Double
    public var best: [ServingPlanEntry]
    public var pareto: [ServingPlanEntry]
}

public enum ServingPlanner {
    public static func plan(_ request: ServingPlanRequest) -> ServingPlanResult {
        let start = Date()
        var evaluated = 0
        var meeting: [ServingPlanEntry] = []
        let sizes = [1, 2, 4, 8, 16]
        for profile in request.hardware {
            let precisions: [ServingPrecision] = profile.compute.peak[.fp8] != nil ? [.bf16, .fp8] : [.bf16]
            for precision in precisions {
                for tp in sizes where tp <= request.maxDevices {
                    for pp in sizes where tp * pp <= request.maxDevices {
                        var config = ServingConfig(model: request.model, profile: profile, inputTokens: request.inputTokens,
                                                   outputTokens: request.outputTokens)
                        config.tp = tp; config.pp = pp; config.precision = precision
                        guard let predictor = try? ServingPredictor(config), (try? predictor.checkFits()) != nil else { continue }
                        // Fewest replicas first: the first that meets the targets is this layout's cheapest.
                        var replicas = 1
                        while replicas * tp * pp <= request.maxDevices {
                            evaluated += 1
                            if let e = try? predictor.estimate(.rate(request.rate / Double(replicas))),
                               request.ttftSLO.map({ e.ttft <= $0 }) ?? true, request.tpotSLO.map({ e.tpot <= $0 }) ?? true {
                                let devices = replicas * tp * pp
                                let cost = profile.pricePerHourUSD.map { $0 * Double(devices) / 3600 / (request.rate * Double(request.outputTokens)) * 1e6 }
                                meeting.append(ServingPlanEntry(hardware: profile.id, devices: devices, replicas: replicas, tp: tp, pp: pp,
                                                                precision: precision, estimate: e, costPerMillionTokens: cost))
                                break
                            }
                            replicas = replicas < 4 ? replicas + 1 : replicas * 2
                        }
                    }
                }
            }
        }
        let ranked = meeting.sorted { ($0.costPerMillionTokens ?? .infinity, $0.estimate.e2eLatency) < ($1.costPerMillionTokens ?? .infinity, $1.estimate.e2eLatency) }
        var pareto: [ServingPlanEntry] = []
        var bestLatency = Double.infinity
        for e in ranked where e.estimate.e2eLatency < bestLatency {
            pareto.append(e); bestLatency = e.estimate.e2eLatency
        }
        return ServingPlanResult(evaluated: evaluated, elapsedSeconds: Date().timeIntervalSince(start),
                                 best: Array(ranked.prefix(request.top)), pareto: pareto)
    }
}
