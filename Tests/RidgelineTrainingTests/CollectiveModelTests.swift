import Foundation
import Ridgeline
import Testing

@testable import RidgelineTraining

/// The collective model (`CollectiveParameters`, `Network.time`) and its fit on the shipped
/// all-reduce tables (reference/collectives), held out by size.
@Suite struct CollectiveModelTests {
    static func tables(_ gpu: String) throws -> [CollectiveSample] {
        try (2...8).flatMap {
            try NCCLTestsOutput.loadReferenceTable(path: DataRoot.locate().reference("collectives/allreduce-\(gpu)-\($0)gpu.csv"))
        }
    }

    static let fitted = CollectiveParameters(
        baseLatency: 40e-6, lowLatencyFraction: 0.75, pipelineFill: 16e6,
        busBandwidth: [2: 197e9, 8: 230e9])

    @Test(arguments: [Collective.allReduce, .reduceScatter, .allGather, .sendRecv])
    func timeGrowsWithSizeAndNeverBeatsLatencyPlusBandwidth(_ c: Collective) {
        let net = Network(
            scaleUpBandwidth: 300e9, scaleUpLatency: 3e-6, domainSize: 8, scaleOutBandwidth: 25e9, scaleOutLatency: 5e-6,
            scaleUpCollective: Self.fitted)
        for ranks in [2, 4, 8] {
            var previous = 0.0
            for exponent in 10...32 {
                let bytes = pow(2, Double(exponent))
                let t = net.time(c, bytes: bytes, group: CommGroup(ranks: ranks, ranksPerNode: 8))
                #expect(t >= previous, "\(c) \(ranks) ranks, \(bytes) B")
                let ranksOnRing = c == .sendRecv ? 2 : ranks
                let bandwidth = Self.fitted.busBandwidth(ranks: ranksOnRing, linkBandwidth: 300e9, defaultEfficiency: 1)
                // Latency (hop latencies and the per-call base) + bus bytes / bus bandwidth.
                let floor =
                    c.latencySteps(ranks: ranksOnRing) * 3e-6 + Self.fitted.baseLatency
                    + c.bytesPerRank(bytes, ranks: ranksOnRing) / bandwidth
                #expect(t >= floor * (1 - 1e-12), "\(c) \(ranks) ranks, \(bytes) B")
                previous = t
            }
        }
    }

    @Test func busBandwidthFallsBackToTheNearestSmallerMeasuredGroup() {
        let p = Self.fitted
        #expect(p.busBandwidth(ranks: 8, linkBandwidth: 300e9, defaultEfficiency: 0.78) == 230e9)
        #expect(p.busBandwidth(ranks: 5, linkBandwidth: 300e9, defaultEfficiency: 0.78) == 197e9)
        #expect(p.busBandwidth(ranks: 16, linkBandwidth: 300e9, defaultEfficiency: 0.78) == 230e9)
        #expect(CollectiveParameters().busBandwidth(ranks: 4, linkBandwidth: 300e9, defaultEfficiency: 0.78) == 300e9 * 0.78)
    }

    @Test(arguments: ["a100", "v100"])
    func fittedModelPredictsHeldOutSizesWithin10PercentMedian(_ gpu: String) throws {
        let samples = try Self.tables(gpu)
        let (fitSet, heldOut) = NetworkFit.split(samples)
        let profile = try Fixtures.hardware(gpu == "a100" ? "a100-sxm4-80gb" : "v100-sxm2-32gb")
        let result = try NetworkFit.fit(fitSet, profile: profile, source: "test")
        var fittedProfile = profile
        fittedProfile.scaleUp = result.scaleUp
        let judgement = NetworkFit.judge(heldOut, network: Network(profile: fittedProfile, assumptions: TrainingAssumptions()))
        #expect(judgement.medianAPE < 0.10)
        #expect(judgement.count == heldOut.count)
    }

    @Test func shippedProfilesCarryTheFitAndReproduceTheFloor() throws {
        let net = Network(profile: try Fixtures.hardware("a100-sxm4-80gb"), assumptions: TrainingAssumptions())
        let oneMiB2 = net.time(.allReduce, bytes: 1_048_576, group: CommGroup(ranks: 2, ranksPerNode: 8))
        let oneMiB8 = net.time(.allReduce, bytes: 1_048_576, group: CommGroup(ranks: 8, ranksPerNode: 8))
        // Measured: 44 µs on 2 GPUs and 93 µs on 8 (reference/collectives).
        #expect(abs(oneMiB2 - 44e-6) / 44e-6 < 0.35)
        #expect(abs(oneMiB8 - 93e-6) / 93e-6 < 0.2)
    }
}
