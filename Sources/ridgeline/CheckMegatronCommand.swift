import ArgumentParser
import Foundation
import Ridgeline
import RidgelineTraining

/// Predicts the published Megatron-LM runs on the shipped A100 profile and reports the error.
struct CheckMegatronCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-megatron",
        abstract: "Predict the published Megatron-LM A100 runs (reference/training-runs) and report the error per run.")

    static let defaultRuns = "training-runs/megatron-a100.csv"

    @Option(help: "Reference runs (CSV; - reads standard input; default: reference/\(defaultRuns) in the data folder).")
    var runs: String?
    @Option(help: "Hardware profile id or path.") var hardware = "a100-sxm4-80gb"
    @Flag(help: "Print JSON.") var json = false

    struct Row: Encodable {
        let run_id: String
        let gpus, tp, pp, dp, micro_batch, interleave, zero: Int
        let recompute: String
        let sequence_parallel: Bool
        let metric: String
        let reported_tflops_per_gpu, predicted_tflops_per_gpu, error: Double
        let reported_iteration_s: Double?
        let predicted_iteration_s: Double
        let breakdown: StepBreakdownJSON
        let memory_per_device_bytes: Double
        let fits_in_memory: Bool
        let rules: [String]
    }

    struct Summary: Encodable {
        let hardware: String
        let calibrated: Bool
        let rows: [Row]
        let mean_abs_error, max_abs_error: Double
        let worst_run: String
    }

    func run() throws {
        let profile = try ProfileStore.locate().hardware(hardware)
        let published = try MegatronRuns.load(path: try runs ?? DataRoot.locate().reference(Self.defaultRuns))
        let results = try MegatronRuns.compare(published, profile: profile)
        let rows = results.map { r in
            Row(run_id: r.run.id, gpus: r.run.layout.devices, tp: r.run.layout.tp, pp: r.run.layout.pp, dp: r.run.layout.dp,
                micro_batch: r.run.layout.microBatch, interleave: r.run.layout.schedule.chunks, zero: r.run.layout.zero,
                recompute: r.run.settings.recompute.rawValue, sequence_parallel: r.run.settings.sequenceParallel,
                metric: r.run.metric.rawValue, reported_tflops_per_gpu: r.run.reportedTFLOPsPerGPU,
                predicted_tflops_per_gpu: r.predictedTFLOPsPerGPU, error: r.error,
                reported_iteration_s: r.run.reportedIterationSeconds, predicted_iteration_s: r.estimate.stepSeconds,
                breakdown: StepBreakdownJSON(r.estimate.breakdown), memory_per_device_bytes: r.estimate.memory.total,
                fits_in_memory: r.estimate.memory.fits, rules: r.run.rules)
        }
        let errors = results.map { abs($0.error) }
        let worst = results.max { abs($0.error) < abs($1.error) }
        let summary = Summary(hardware: profile.id, calibrated: profile.calibration != nil, rows: rows,
                              mean_abs_error: errors.reduce(0, +) / Double(max(1, errors.count)),
                              max_abs_error: errors.max() ?? 0, worst_run: worst?.run.id ?? "")
        if json { return try printJSON(summary) }
        print("Published Megatron-LM runs vs Ridgeline on \(profile.name) (\(profile.id)), "
              + (profile.calibration == nil ? "datasheet ceilings" : "calibrated profile"))
        if let c = profile.calibration { print("calibration: \(c.source)") }
        print("TFLOP/s per GPU in each paper's accounting (eq. 3 with recompute for SC21 rows, MFU × 312 for Korthikanti rows).")
        var table = TextTable(["run", "GPUs", "t/p/d", "mb", "v", "zero", "recompute", "reported", "predicted", "error", "iter (rep/pred)", "mem/GPU"])
        for r in rows {
            let iter = (r.reported_iteration_s.map { formatSignificant($0, digits: 4) } ?? "—") + " / " + formatSignificant(r.predicted_iteration_s, digits: 4) + " s"
            table.add([r.run_id, "\(r.gpus)", "\(r.tp)/\(r.pp)/\(r.dp)", "\(r.micro_batch)", "\(r.interleave)", "\(r.zero)",
                       r.recompute + (r.sequence_parallel ? "+sp" : ""), formatSignificant(r.reported_tflops_per_gpu, digits: 4),
                       formatSignificant(r.predicted_tflops_per_gpu, digits: 4), String(format: "%+.1f%%", r.error * 100), iter,
                       Quantity.format(r.memory_per_device_bytes, .bytes) + (r.fits_in_memory ? "" : " (!)")])
        }
        print(table.render())
        print(String(format: "mean |error| %.2f%%, max |error| %.2f%% (%@); %d runs", summary.mean_abs_error * 100,
                     summary.max_abs_error * 100, summary.worst_run, rows.count))
    }
}
