import Testing
@testable import RidgelineTraining

@Suite struct CollectiveTests {
    let net = Network(scaleUpBandwidth: 300e9, scaleUpLatency: 3e-6, domainSize: 8, scaleOutBandwidth: 25e9, scaleOutLatency: 5e-6)

    @Test func ringVolumes() {
        let b = 1e9
        #expect(Collective.allReduce.bytesPerRank(b, ranks: 8) == 2 * 7.0 / 8 * b)
        #expect(Collective.reduceScatter.bytesPerRank(b, ranks: 8) == 7.0 / 8 * b)
        #expect(Collective.allGather.bytesPerRank(b, ranks: 4) == 3.0 / 4 * b)
        #expect(Collective.sendRecv.bytesPerRank(b, ranks: 2) == b)
        #expect(Collective.allReduce.bytesPerRank(b, ranks: 1) == 0)
    }

    @Test func allReduceInsideANodeIsLatencyPlusRingBytesOverScaleUp() {
        let t = net.time(.allReduce, bytes: 1e9, group: CommGroup(ranks: 8, ranksPerNode: 8))
        #expect(abs(t - (14 * 3e-6 + 2 * 7.0 / 8 * 1e9 / 300e9)) < 1e-12)
    }

    @Test func groupAcrossNodesRunsAtTheNetworkPort() {
        let t = net.time(.allGather, bytes: 1e9, group: CommGroup(ranks: 16, ranksPerNode: 1))
        #expect(abs(t - (15 * 5e-6 + 15.0 / 16 * 1e9 / 25e9)) < 1e-12)
    }

    @Test func hierarchicalSendsOnlyAShardAcrossNodes() {
        let group = CommGroup(ranks: 32, ranksPerNode: 8)
        let flat = net.time(.allReduce, bytes: 1e9, group: group)
        let hier = net.time(.allReduce, bytes: 1e9, group: group, hierarchical: true)
        let expected = 2 * (7 * 3e-6 + 7.0 / 8 * 1e9 / 300e9) + (6 * 5e-6 + 2 * 3.0 / 4 * (1e9 / 8) / 25e9)
        #expect(abs(hier - expected) < 1e-12)
        #expect(hier < flat / 4)
    }

    @Test func singleRankCostsNothing() {
        #expect(net.time(.allReduce, bytes: 1e9, group: CommGroup(ranks: 1, ranksPerNode: 1)) == 0)
    }
}
