import Foundation
import Ridgeline
import RidgelineTraining

/// `plan --serve`: every hardware × replica count × tp × pp × ep × precision that serves `rate` requests/s
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
    public init(
        model: TransformerModel, hardware: [HardwareProfile], inputTokens: Int, outputTokens: Int, rate: Double,
        ttftSLO: Double?, tpotSLO: Double?, maxDevices: Int, top: Int
    ) {
        self.model = model; self.hardware = hardware; self.inputTokens = inputTokens; self.outputTokens = outputTokens
        self.rate = rate; self.ttftSLO = ttftSLO; self.tpotSLO = tpotSLO; self.maxDevices = maxDevices; self.top = top
    }
}

public struct ServingPlanEntry: Sendable {
    public var hardware: String
    public var devices: Int
    public var replicas: Int
    public var tp: Int, pp: Int, ep: Int
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
    /// Tensor- and pipeline-parallel sizes tried: powers of two (head counts and layer counts are
    /// multiples of them in practice; `ServingPredictor` refuses the ones that do not divide).
    static let sizes = [1, 2, 4, 8, 16, 32, 64]

    /// Expert-parallel sizes for a tensor-parallel group of `tp` on `model`: 1 for a dense model,
    /// else every power of two dividing both tp and the expert count (TensorRT-LLM's moe_ep_size
    /// × moe_tp_size = tp).
    static func expertSizes(_ model: TransformerModel, tp: Int) -> [Int] {
        guard let moe = model.moe else { return [1] }
        return sizes.filter { $0 <= tp && tp % $0 == 0 && moe.experts % $0 == 0 }
    }

    public static func plan(_ request: ServingPlanRequest) -> ServingPlanResult {
        let start = Date()
        // One unit of work per hardware × precision × tp × pp × ep layout, run on every core.
        struct Unit: Sendable { var profile: HardwareProfile; var precision: ServingPrecision; var tp: Int; var pp: Int; var ep: Int }
        var units: [Unit] = []
        for profile in request.hardware {
            // bf16, and fp8 and fp4 where the part has their tensor peaks (fp16 serves as bf16 does).
            let precisions = ServingPrecision.allCases.filter { $0 != .fp16 && $0.unsupported(on: profile) == nil }
            for precision in precisions {
                for tp in sizes where tp <= request.maxDevices {
                    for pp in sizes where tp * pp <= request.maxDevices && pp <= request.model.layers {
                        for ep in expertSizes(request.model, tp: tp) {
                            units.append(Unit(profile: profile, precision: precision, tp: tp, pp: pp, ep: ep))
                        }
                    }
                }
            }
        }
        let work = units
        let results = parallelMap(work.count, threads: availableCores()) { i in
            cheapest(request, profile: work[i].profile, precision: work[i].precision, tp: work[i].tp, pp: work[i].pp, ep: work[i].ep)
        }
        let evaluated = results.reduce(0) { $0 + $1.evaluated }
        let meeting = results.compactMap(\.entry)
        let ranked = meeting.sorted {
            ($0.costPerMillionTokens ?? .infinity, $0.estimate.e2eLatency) < ($1.costPerMillionTokens ?? .infinity, $1.estimate.e2eLatency)
        }
        var pareto: [ServingPlanEntry] = []
        var bestLatency = Double.infinity
        for e in ranked where e.estimate.e2eLatency < bestLatency {
            pareto.append(e); bestLatency = e.estimate.e2eLatency
        }
        return ServingPlanResult(
            evaluated: evaluated, elapsedSeconds: Date().timeIntervalSince(start),
            best: Array(ranked.prefix(request.top)), pareto: pareto)
    }

    /// The fewest replicas of one layout that meet the targets, found by doubling and then
    /// bisecting (more replicas share the rate, so each one's batch, TTFT and TPOT only fall):
    /// about 2·log2(max replicas) predictions, so a search to a million devices stays fast.
    static func cheapest(
        _ request: ServingPlanRequest, profile: HardwareProfile, precision: ServingPrecision,
        tp: Int, pp: Int, ep: Int
    ) -> (evaluated: Int, entry: ServingPlanEntry?) {
        var config = ServingConfig(
            model: request.model, profile: profile, inputTokens: request.inputTokens, outputTokens: request.outputTokens)
        config.tp = tp; config.pp = pp; config.ep = ep; config.precision = precision
        guard let predictor = try? ServingPredictor(config), (try? predictor.checkFits()) != nil else { return (0, nil) }
        let maxReplicas = request.maxDevices / (tp * pp)
        guard maxReplicas >= 1 else { return (0, nil) }
        var evaluated = 0
        func meets(_ replicas: Int) -> ServingEstimate? {
            evaluated += 1
            guard let e = try? predictor.estimate(.rate(request.rate / Double(replicas))),
                request.ttftSLO.map({ e.ttft <= $0 }) ?? true, request.tpotSLO.map({ e.tpot <= $0 }) ?? true
            else { return nil }
            return e
        }
        var low = 0, high = 1
        var found = meets(1)
        while found == nil && high < maxReplicas {
            low = high
            high = min(maxReplicas, high * 2)
            found = meets(high)
        }
        guard var best = found else { return (evaluated, nil) }
        // Smallest count in (low, high] that meets: high meets, low does not.
        while high - low > 1 {
            let mid = (low + high) / 2
            if let e = meets(mid) { high = mid; best = e } else { low = mid }
        }
        let devices = high * tp * pp
        let cost = profile.pricePerHourUSD.map { $0 * Double(devices) / 3600 / (request.rate * Double(request.outputTokens)) * 1e6 }
        return (
            evaluated,
            ServingPlanEntry(
                hardware: profile.id, devices: devices, replicas: high, tp: tp, pp: pp, ep: ep,
                precision: precision, estimate: best, costPerMillionTokens: cost)
        )
    }
}
