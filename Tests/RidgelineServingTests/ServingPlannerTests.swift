import Foundation
import Ridgeline
import RidgelineServing
import RidgelineTraining
import Testing

/// `plan --serve`'s search: the expert-parallel axis for a mixture of experts, device counts past
/// 64, and the fewest replicas of each layout (the bisection finds the edge, not just a point
/// that meets the targets).
@Suite struct ServingPlannerTests {
    func request(_ model: String, _ hardware: [String], rate: Double, maxDevices: Int, top: Int = 1000) throws -> ServingPlanRequest {
        ServingPlanRequest(
            model: try transformer(model), hardware: try hardware.map { try store.hardware($0) }, inputTokens: 1000,
            outputTokens: 500, rate: rate, ttftSLO: 1, tpotSLO: 0.05, maxDevices: maxDevices, top: top)
    }

    @Test func mixtureOfExpertsLayoutsIncludeExpertParallelism() throws {
        let r = ServingPlanner.plan(try request("mixtral-8x7b", ["h100-sxm5-80gb"], rate: 20, maxDevices: 16))
        #expect(r.best.contains { $0.ep > 1 })
        #expect(r.best.allSatisfy { $0.tp % $0.ep == 0 && 8 % $0.ep == 0 })
        // A dense model has no expert axis.
        let dense = ServingPlanner.plan(try request("llama3.1-8b", ["h100-sxm5-80gb"], rate: 20, maxDevices: 16))
        #expect(!dense.best.isEmpty && dense.best.allSatisfy { $0.ep == 1 })
    }

    @Test func deploymentsBeyondSixtyFourDevicesAreFound() throws {
        // 300 requests/s of Llama 3.1 70B need far more than 64 H100s.
        let small = ServingPlanner.plan(try request("llama3.1-70b", ["h100-sxm5-80gb"], rate: 300, maxDevices: 64))
        let large = ServingPlanner.plan(try request("llama3.1-70b", ["h100-sxm5-80gb"], rate: 300, maxDevices: 4096))
        #expect(small.best.isEmpty)
        let cheapest = try #require(large.best.first)
        #expect(cheapest.devices > 64 && cheapest.devices <= 4096)
    }

    @Test func eachLayoutGetsItsFewestReplicas() throws {
        let r = ServingPlanner.plan(try request("llama3.1-8b", ["a100-sxm4-80gb"], rate: 40, maxDevices: 256))
        let entry = try #require(r.best.first { $0.replicas > 1 })
        var config = ServingConfig(
            model: try transformer("llama3.1-8b"), profile: try store.hardware("a100-sxm4-80gb"), inputTokens: 1000, outputTokens: 500)
        config.tp = entry.tp; config.pp = entry.pp; config.ep = entry.ep; config.precision = entry.precision
        let predictor = try ServingPredictor(config)
        // One replica fewer misses a target (or cannot carry the rate at all).
        let fewer = try? predictor.estimate(.rate(40 / Double(entry.replicas - 1)))
        #expect(fewer.map { $0.ttft > 1 || $0.tpot > 0.05 } ?? true)
    }

    @Test func precisionsAreThoseThePartHasPeaksFor() throws {
        // b200 has fp8 and fp4 tensor peaks, a100 neither: the search tries only what runs.
        let r = ServingPlanner.plan(try request("llama3.1-8b", ["b200", "a100-sxm4-80gb"], rate: 20, maxDevices: 8))
        let b200 = Set(r.best.filter { $0.hardware == "b200" }.map(\.precision))
        let a100 = Set(r.best.filter { $0.hardware == "a100-sxm4-80gb" }.map(\.precision))
        #expect(b200 == [.bf16, .fp8, .fp4])
        #expect(a100 == [.bf16])
    }
}
