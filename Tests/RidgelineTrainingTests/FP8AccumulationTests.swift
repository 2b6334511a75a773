import Ridgeline
import Testing

@testable import RidgelineTraining

/// Transformer Engine runs its fp8 forward GEMMs with fast accumulation and its gradient GEMMs
/// promoting their partial sums (`_2X_ACC_FPROP = False`, `_2X_ACC_DGRAD = _2X_ACC_WGRAD = True`
/// in transformer_engine/pytorch/module/base.py).
@Suite struct FP8AccumulationTests {
    static func fp8GEMMs(_ pass: PassKernels) -> [GEMM] {
        pass.kernels.compactMap {
            guard case .gemm(let g) = $0.kernel, g.dtype == .fp8 else { return nil }
            return g
        }
    }

    @Test(arguments: ["llama3-8b", "mixtral-8x7b"])
    func forwardGEMMsAccumulateFastAndGradientGEMMsPromote(id: String) throws {
        let model = try Fixtures.transformer(id)
        let moe = model.moe != nil
        let k = TransformerKernels(model: model, settings: KernelSettings(tp: 2, microBatch: 1, seq: 4096, precision: .fp8))
        let forward = Self.fp8GEMMs(k.layerForward(moe: moe))
        let backward = Self.fp8GEMMs(k.layerBackward(moe: moe))
        // Every weight GEMM runs twice backward (dX and dW) for each forward one.
        #expect(!forward.isEmpty && backward.count == 2 * forward.count, "\(forward.count) forward, \(backward.count) backward")
        #expect(forward.allSatisfy { $0.fastAccumulation })
        #expect(backward.allSatisfy { !$0.fastAccumulation })
    }

    /// Without fp8 no GEMM carries the flag (16-bit GEMMs have no accumulation mode to choose).
    @Test func sixteenBitGEMMsCarryNoAccumulationMode() throws {
        let k = TransformerKernels(model: try Fixtures.transformer("llama3-8b"), settings: KernelSettings(microBatch: 1, seq: 4096))
        let passes = k.layerForward().kernels + k.layerBackward().kernels
        #expect(passes.allSatisfy { if case .gemm(let g) = $0.kernel { return !g.fastAccumulation } else { return true } })
    }
}
