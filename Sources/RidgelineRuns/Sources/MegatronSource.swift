import Ridgeline
import RidgelineTraining

/// `megatron-a100.csv` (Narayanan et al. 2021, Korthikanti et al. 2022): the columns are read by
/// `MegatronRuns` (MegatronRuns.swift beside this file, the reader `check-megatron` has always
/// used, which also compares TFLOP/s in each paper's accounting); the step time is the paper's FLOPs per iteration over its reported TFLOP/s per GPU, so
/// the error is the same figure in time that check-megatron reports in TFLOP/s.
enum MegatronSource {
    static let assumptions = SourceAssumptions(
        mode: .compiled, flashAttention: false, overlapGradientReduction: false, sequenceParallel: false, zero: 0,
        rules: [
            "Megatron-LM 2021-22: fused kernels (compiled), unfused attention, gradient all-reduce after backward",
            "sequence parallelism, ZeRO-3, interleaving and micro-batch as each row states (MegatronRuns rules)",
            "hardware A100-SXM4-80GB -> a100-sxm4-80gb",
        ])

    static func read(_ csv: CSVTable) throws -> RunSourceFile {
        let runs = try MegatronRuns.runs(csv)
        let outcomes: [Result<RunCase, Refusal>] = runs.enumerated().map { i, run in
            let measured = run.flopsPerIteration() / (run.reportedTFLOPsPerGPU * 1e12 * Double(run.layout.devices))
            return .success(
                RunCase(
                    id: run.id, model: .transformer(run.model), layout: run.layout, settings: run.settings, hardware: "a100-sxm4-80gb",
                    measuredSeconds: measured, origin: "\(csv.file):\(i + 2)"))
        }
        return RunSourceFile(
            path: csv.file, source: "Megatron-LM (Narayanan et al. 2021; Korthikanti et al. 2022)",
            assumptions: assumptions, outcomes: outcomes)
    }
}
