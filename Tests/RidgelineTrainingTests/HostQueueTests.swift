import Ridgeline
import Testing

@testable import RidgelineTraining

/// Eager ops queued by a host that spends a fixed time per op (`HostQueue`).
@Suite struct HostQueueTests {
    /// The closed form for a run of identical ops equals the op-by-op recurrence
    /// E_j = max(E_{j−1}, j·h) + d_j.
    @Test(arguments: [(3.0, 10e-6, 30e-6), (5.0, 50e-6, 30e-6), (4.0, 30e-6, 30e-6)])
    func closedFormMatchesTheRecurrence(_ count: Double, _ device: Double, _ host: Double) {
        var q = HostQueue()
        q.issue(count: 2, device: 5e-6, host: host)  // something already queued
        q.issue(count: count, device: device, host: host)
        var issued = 0.0, finished = 0.0
        for d in [5e-6, 5e-6] + Array(repeating: device, count: Int(count)) {
            issued += host; finished = max(finished, issued) + d
        }
        #expect(abs(q.finished - finished) < 1e-12)
    }

    /// A pass of small ops costs ops × host; of large ops, the device time (plus the first issue).
    @Test func hostBoundAndDeviceBound() {
        var small = HostQueue()
        small.issue(count: 100, device: 5e-6, host: 30e-6)
        #expect(abs(small.finished - (100 * 30e-6 + 5e-6)) < 1e-12)
        var large = HostQueue()
        large.issue(count: 10, device: 1e-3, host: 30e-6)
        #expect(abs(large.finished - (30e-6 + 10e-3)) < 1e-12 && abs(large.hostBoundSeconds - 30e-6) < 1e-12)
    }

    /// With a host cost set, a layer of a small model is host-bound in either mode: its passes
    /// cost at least kernels × host, whatever tp does to the device time.
    @Test func eagerSmallModelIsHostBound() throws {
        let model = TransformerModel(
            name: "gpt-1024", layers: 12, dModel: 1024, heads: 16, ffn: 4096, vocab: 50257, maxSeq: 1024, dropout: true)
        var assumptions = TrainingAssumptions()
        assumptions.hostSecondsPerOp = 45e-6
        let profile = try ProfileStore.locate().hardware("a100-sxm4-80gb")
        for tp in [1, 2, 4] {
            for mode in StepMode.allCases {
                let settings = KernelSettings(
                    tp: tp, microBatch: 1, seq: 1024, precision: .fp16, recompute: .full, flashAttention: false, mode: mode)
                let c = try LayerCosts.compute(model: .transformer(model), profile: profile, settings: settings, assumptions: assumptions)
                let pass = c.layerForward + c.layerRecompute + c.layerBackward
                // The 6 all-reduces of forward, recompute and backward at tp > 1 are host calls too.
                let calls = pass.kernels + (tp > 1 ? 6 : 0)
                #expect(pass.seconds >= calls * 45e-6 * 0.999)
                #expect(pass.seconds < calls * 45e-6 * 1.1 + pass.communication)
            }
        }
    }

    /// Tensor-parallel all-reduces queued with the kernels: in a host-bound layer each adds one
    /// host call (the cost grows with the launches), and its device time hides behind the host.
    @Test func tensorParallelAllReducesAreHostCalls() throws {
        let model = TransformerModel(
            name: "gpt-1024", layers: 12, dModel: 1024, heads: 16, ffn: 4096, vocab: 50257, maxSeq: 1024, dropout: true)
        let profile = try ProfileStore.locate().hardware("a100-sxm4-80gb")
        func layer(tp: Int, host: Double, collective: Double? = nil) throws -> PhaseCost {
            var assumptions = TrainingAssumptions()
            assumptions.hostSecondsPerOp = host
            assumptions.hostSecondsPerCollective = collective
            let settings = KernelSettings(
                tp: tp, microBatch: 1, seq: 1024, precision: .fp16, recompute: .full, flashAttention: false, mode: .compiled)
            let c = try LayerCosts.compute(model: .transformer(model), profile: profile, settings: settings, assumptions: assumptions)
            return c.layerForward + c.layerRecompute + c.layerBackward
        }
        for host in [40e-6, 80e-6] {
            let one = try layer(tp: 1, host: host), two = try layer(tp: 2, host: host)
            #expect(two.communication > 0 && one.communication == 0)
            #expect(two.seconds > one.seconds + 6 * host * 0.9)
            #expect(two.seconds < one.seconds + two.communication + 6 * host)
        }
        #expect(try layer(tp: 2, host: 80e-6).seconds > layer(tp: 2, host: 40e-6).seconds)
        // A cheaper collective call takes its difference off each of the 6 calls of a host-bound layer.
        let full = try layer(tp: 2, host: 80e-6), cheap = try layer(tp: 2, host: 80e-6, collective: 40e-6)
        #expect(abs(full.seconds - cheap.seconds - 6 * 40e-6) < 0.02 * full.seconds)
    }

    /// The counts `scripts/vtrain-host-cost.py` divides by: a vTrain layer (hidden 1024, compiled,
    /// unfused attention, full recomputation) lists 45 kernels at any tp and 6 tensor-parallel
    /// all-reduce calls at tp > 1.
    @Test func vTrainLayerCounts() throws {
        let model = TransformerModel(
            name: "gpt-1024", layers: 12, dModel: 1024, heads: 16, ffn: 4096, vocab: 50257, maxSeq: 1024, dropout: true)
        for tp in [1, 2, 4] {
            var k = TransformerKernels(
                model: model,
                settings: KernelSettings(
                    tp: tp, microBatch: 1, seq: 1024, precision: .fp16,
                    recompute: .full, flashAttention: false, mode: .compiled))
            k.megatronSoftmaxRule = true
            let layer = k.layerForward() + k.layerRecompute() + k.layerBackward()
            #expect(layer.kernels.reduce(0) { $0 + $1.count } == 45)
            #expect(layer.collectives.reduce(0) { $0 + $1.count } == (tp > 1 ? 6 : 0))
        }
    }

    /// Megatron's fused softmax needs micro-batch × heads per rank to be a multiple of 4: 16 heads
    /// at tp 8 and micro-batch 1 run PyTorch's five fp32 ops each way instead; micro-batch 2 does not.
    @Test func fusedSoftmaxShapeRule() {
        let model = TransformerModel(
            name: "gpt-1024", layers: 12, dModel: 1024, heads: 16, ffn: 4096, vocab: 50257, maxSeq: 1024, dropout: true)
        func kernels(micro: Int, rule: Bool) -> Int {
            var k = TransformerKernels(
                model: model,
                settings: KernelSettings(
                    tp: 8, microBatch: micro, seq: 1024, precision: .fp16,
                    recompute: .none, flashAttention: false, mode: .compiled))
            k.megatronSoftmaxRule = rule
            return k.attentionForward(heads: 2).kernels.count + k.attentionBackward().kernels.count
        }
        #expect(kernels(micro: 1, rule: true) == kernels(micro: 1, rule: false) + 8)
        #expect(kernels(micro: 2, rule: true) == kernels(micro: 2, rule: false))
    }
}
