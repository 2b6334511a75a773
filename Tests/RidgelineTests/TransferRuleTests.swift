import Foundation
import Testing

@testable import Ridgeline

/// Issue 12, item 5: a calibration carries to another GPU when each fraction sits on the ceiling
/// that binds its class.
@Suite struct TransferRuleTests {
    /// Kernels a memory-bound class runs, large enough that the fixed cost per kernel is noise.
    static let streaming: [Kernel] = [
        .rowwise(RowWise(.softmax, rows: 65536, cols: 1024, dtype: .bf16)),
        .rowwise(RowWise(.layernorm, rows: 16384, cols: 8192, pass: .bwd, dtype: .bf16)),
        .rowwise(RowWise(.rmsnorm, rows: 16384, cols: 8192, dtype: .fp32)),
        .elementwise(Elementwise(name: "gelu", elements: 1 << 28, dtype: .bf16)),
        .reduction(Reduction(elements: 1 << 28, dtype: .fp32)),
        .copy(Copy(elements: 1 << 27, dtype: .fp32)),
        .embedding(Embedding(tokens: 65536, dModel: 8192, vocab: 128256, pass: .bwd, dtype: .bf16)),
        .optimizer(OptimizerUpdate(.adamw, params: 1_000_000_000)),
    ]

    /// Two profiles that differ only in device-memory bandwidth: every memory-bound class scales
    /// with it; a large GEMM, bound by the tensor cores, barely moves (only its output store).
    @Test func memoryBoundClassesScaleWithBandwidth() throws {
        let h100 = try loadShippedProfile("h100-sxm5-80gb")
        var faster = h100
        faster.memory[faster.memory.count - 1].bandwidth *= 1.5
        let ratios = CalibrationTransfer.compare(kernels: Self.streaming, source: h100, target: faster)
        #expect(ratios.count == Set(Self.streaming.map(\.kernelClass)).count)
        for r in ratios {
            #expect(abs(r.ceiling - 1.5) < 1e-9, "\(r.kernelClass) must be bound by device memory")
            #expect(abs(r.predicted / 1.5 - 1) < 0.02, "\(r.kernelClass): \(r.predicted)x for 1.5x the bandwidth")
        }
        let gemm = Kernel.gemm(GEMM(m: 8192, n: 8192, k: 8192, dtype: .bf16))
        let speedUp = Roofline(h100).predict(gemm).timeSeconds / Roofline(faster).predict(gemm).timeSeconds
        #expect(speedUp >= 1 && speedUp < 1.05)
    }

    /// Fitted on the real H100 rows, the memory-bound classes keep the hardware's compute rates
    /// (fraction 1), so on the H200 (same SMs, 1.43x the bandwidth) every class's predicted
    /// speed-up follows the ceiling that binds it. Before the rule the fit made softmax, norm and
    /// reduction compute-bound at fractions of 0.02-0.08, and they did not speed up at all.
    @Test func h100FitTransfersToTheH200() throws {
        let path = repositoryRoot + "/reference/gpu-measurements/h100-sxm5-kernels.jsonl"
        let reference = try ReferenceFile.load(path: path)
        let check = try ReferenceCheck(reference: reference, profile: try loadShippedProfile("h100-sxm5-80gb"), referencePath: path)
        for cls in KernelClass.allCases where !CalibrationFit.matrixClasses.contains(cls) {
            #expect(check.calibration.compute[cls] == 1, "\(cls) has a fitted compute fraction")
        }
        var h100 = try loadShippedProfile("h100-sxm5-80gb")
        h100.calibration = check.calibration
        let h200 = CalibrationTransfer.transferred(check.calibration, to: try loadShippedProfile("h200-sxm-141gb"))
        let kernels = reference.measurements.filter { $0.medianSeconds >= 100e-6 }.flatMap(\.kernels)
        let ratios = CalibrationTransfer.compare(kernels: kernels, source: h100, target: h200)
        #expect(ratios.contains { $0.kernelClass == .softmax && $0.predicted > 1.35 })
        for r in ratios { #expect(abs(r.deviation) < 0.10, "\(r.kernelClass): \(r.predicted)x against a ceiling ratio of \(r.ceiling)x") }
    }
}
