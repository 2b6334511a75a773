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

    /// A hierarchical all-gather (NCCL's ring through every rank) moves the same bytes across
    /// nodes as the two-level split but pays a hop latency at each of its n−1 steps: the extra
    /// n−1 − (7 + nodes−1) steps are NVLink hops. Its time grows with the ranks at a fixed size.
    @Test func hierarchicalRingPaysEveryStep() {
        let group = CommGroup(ranks: 32, ranksPerNode: 8)
        let hier = net.time(.allGather, bytes: 1e6, group: group, hierarchical: true)
        let expected = (7 * 3e-6 + 7.0 / 8 * 1e6 / 300e9) + (3 * 5e-6 + 3.0 / 4 * (1e6 / 8) / 25e9) + Double(31 - 7 - 3) * 3e-6
        #expect(abs(hier - expected) < 1e-12)
        var previous = 0.0
        for nodes in [2, 4, 16, 64] {
            let t = net.time(.reduceScatter, bytes: 1e6, group: CommGroup(ranks: 8 * nodes, ranksPerNode: 8), hierarchical: true)
            #expect(t >= Double(8 * nodes - 1) * 3e-6 && t > previous)
            previous = t
        }
    }

    @Test func singleRankCostsNothing() {
        #expect(net.time(.allReduce, bytes: 1e9, group: CommGroup(ranks: 1, ranksPerNode: 1)) == 0)
    }
}
