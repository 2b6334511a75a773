import Testing
import Ridgeline
@testable import RidgelineTraining

/// Eager ops queued by a host that spends a fixed time per op (`HostQueue`).
@Suite struct HostQueueTests {
    /// The closed form for a run of identical ops equals the op-by-op recurrence
    /// E_j = max(E_{j−1}, j·h) + d_j.
    @Test(arguments: [(3.0, 10e-6, 30e-6), (5.0, 50e-6, 30e-6), (4.0, 30e-6, 30e-6)])
    func closedFormMatchesTheRecurrence(_ count: Double, _ device: Double, _ host: Double) {
        var q = HostQueue()
        q.issue(count: 2, device: 5e-6, host: host)            // something already queued
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
        let model = TransformerModel(name: "gpt-1024", layers: 12, dModel: 1024, heads: 16, ffn: 4096, vocab: 50257, maxSeq: 1024, dropout: true)
        var assumptions = TrainingAssumptions()
        assumptions.hostSecondsPerOp = 45e-6
        let profile = try ProfileStore.locate().hardware("a100-sxm4-80gb")
        for tp in [1, 2, 4] {
          for mode in StepMode.allCases {
            let settings = KernelSettings(tp: tp, microBatch: 1, seq: 1024, precision: .fp16, recompute: .full, flashAttention: false, mode: mode)
            let c = try LayerCosts.compute(model: .transformer(model), profile: profile, settings: settings, assumptions: assumptions)
            let pass = c.layerForward + c.layerRecompute + c.layerBackward
            #expect(pass.seconds - pass.communication >= pass.kernels * 45e-6)
            #expect(pass.seconds - pass.communication < pass.kernels * 45e-6 * 1.1)
          }
        }
    }
}
