import Ridgeline
import RidgelineTraining
import Testing

@testable import RidgelineRuns

/// The end-to-end check against published runs, on the shipped A100 profile.
@Suite struct MegatronTests {
    static var csv: String { get throws { try DataRoot.locate().reference("training-runs/megatron-a100.csv") } }

    func results() throws -> [RunComparison] {
        let runs = try MegatronRuns.load(path: Self.csv)
        return try MegatronRuns.compare(runs, profile: try ProfileStore.locate().hardware("a100-sxm4-80gb"))
    }

    @Test func readsEveryRow() throws {
        let runs = try MegatronRuns.load(path: Self.csv)
        #expect(runs.count == 27)
        let k = runs.first { $0.id == "korthikanti22_175b" }!
        #expect(k.layout.schedule.chunks == 3 && k.settings.sequenceParallel && k.settings.recompute == .selective)
        let z = runs.first { $0.id == "megatron21_t2_zero3_174b_768gpu" }!
        #expect(z.layout.zero == 3 && z.layout.microBatch == 2 && z.layout.dp == 768)
        #expect(runs.first { $0.id == "korthikanti22_530b_dp8" }!.reportedIterationSeconds == 39.15)
        // Megatron's FLOP formula reproduces each Korthikanti row's MFU from its iteration time.
        for run in runs where run.metric == .modelFLOPs {
            let t = try #require(run.reportedIterationSeconds)
            let tflops = run.flopsPerIteration() / t / Double(run.layout.devices) / 1e12
            #expect(abs(tflops - run.reportedTFLOPsPerGPU) / run.reportedTFLOPsPerGPU < 0.01, "\(run.id)")
        }
        let ptd = runs.first { $0.id == "megatron21_t2_ptd_529b_560gpu" }!
        #expect(ptd.layout.tp == 8 && ptd.layout.pp == 35)
    }

    @Test func errorWithinTargets() throws {
        let r = try results()
        let errors = r.map { abs($0.error) }
        let mean = errors.reduce(0, +) / Double(errors.count)
        #expect(mean <= 0.05, "mean |error| \(mean)")
        for c in r { #expect(abs(c.error) <= 0.12, "\(c.run.id): \(c.error)") }
    }

    /// Narayanan et al. 2021 Table 2: ZeRO-3 per-GPU throughput collapses (144 → 88 → 44 TFLOP/s).
    @Test func zero3Collapses() throws {
        let r = try results()
        func tflops(_ id: String) -> Double { r.first { $0.run.id == id }!.predictedTFLOPsPerGPU }
        let a = tflops("megatron21_t2_zero3_174b_384gpu"), b = tflops("megatron21_t2_zero3_174b_768gpu")
        let c = tflops("megatron21_t2_zero3_174b_1536gpu")
        #expect(b < 0.7 * a && c < 0.6 * b)
        // PTD-P does not collapse on the same GPUs.
        #expect(tflops("megatron21_t2_ptd_174b_1536gpu") > 0.85 * tflops("megatron21_t2_ptd_174b_384gpu"))
    }
}
