import Ridgeline
import RidgelineTraining
import Testing

@testable import RidgelineServing

/// Served fp8 GEMMs accumulate fast, in decode (`weightGEMM`) as in the prefill's forward GEMMs.
@Suite struct FP8ServingTests {
    /// Two decode GEMMs and the prefill layer's GEMMs (flash attention: all of them weight GEMMs).
    static func weightGEMMs(_ predictor: ServingPredictor) -> [GEMM] {
        let decode = [predictor.weightGEMM(m: 8, n: 4096, k: 4096), predictor.weightGEMM(m: 8, n: 4096, k: 4096, batch: 4)]
        let prefill = predictor.kernels.layerForward().kernels.map(\.kernel)
        return (decode + prefill).compactMap {
            guard case .gemm(let g) = $0 else { return nil }
            return g
        }
    }

    @Test func fp8WeightGEMMsAccumulateFastAndSixteenBitOnesCarryNoMode() throws {
        var fp8 = try config("llama3.1-8b", "h100-sxm5-80gb")
        fp8.precision = .fp8
        let fast = Self.weightGEMMs(try ServingPredictor(fp8))
        #expect(fast.count > 2 && fast.allSatisfy { $0.dtype == .fp8 && $0.fastAccumulation })
        let bf16 = Self.weightGEMMs(try ServingPredictor(try config("llama3.1-8b", "h100-sxm5-80gb")))
        #expect(bf16.count > 2 && bf16.allSatisfy { $0.dtype == .bf16 && !$0.fastAccumulation })
    }
}
