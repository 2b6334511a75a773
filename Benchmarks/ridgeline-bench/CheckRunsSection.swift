import Foundation
import Ridgeline
import RidgelineRuns

/// Issue 12's end-to-end figures: `check-runs` on each published-runs file, with one calibration
/// per hardware generation and no per-row tuning. Targets: mean |error| ≤ 8%, p90 ≤ 15% and
/// |signed median| ≤ 3% per file (vTrain, LLM Foundry, NeMo); Megatron-LM mean ≤ 5%, max ≤ 12%.
/// Refused rows (layouts the train model cannot express yet) are counted, not judged. The
/// single-GPU eager train steps of `gpu-measurements/h100-sxm5-more.jsonl` (`train_step`, the six
/// transformers and ResNet-50): mean ≤ 8%, max ≤ 15%, and a refused row fails both (all seven judged).
struct CheckRunsSection: BenchSection {
    let name = "check-runs"
    let summary = "ridgeline check-runs on reference/training-runs: mean/p90/bias per file"

    func run(_ context: BenchContext) throws -> [BenchFigure] {
        let store = ProfileStore.locate()
        var figures: [BenchFigure] = []
        for file in ["megatron-a100.csv", "vtrain-a100-single-node.csv", "llmfoundry-mpt-fsdp.csv", "nemo-h100-pretrain.csv"] {
            benchProgress("check-runs: \(file)")
            let check = try RunCheck(
                try PublishedRuns.load(path: try DataRoot.locate().reference("training-runs/\(file)")), profile: store.hardware)
            let s = check.summary
            let counted = "\(s.count) runs, \(s.refused) refused"
            if file.hasPrefix("megatron") {
                let worst = check.results.map { abs($0.error) }.max() ?? .nan
                figures.append(
                    BenchFigure(
                        name: "\(file): mean |error| (\(counted))", value: formatPercent(s.meanAPE), target: "≤ 5%", pass: s.meanAPE <= 0.05
                    ))
                figures.append(BenchFigure(name: "\(file): max |error|", value: formatPercent(worst), target: "≤ 12%", pass: worst <= 0.12))
                continue
            }
            figures.append(
                BenchFigure(
                    name: "\(file): mean |error| (\(counted))", value: formatPercent(s.meanAPE), target: "≤ 8%", pass: s.meanAPE <= 0.08))
            figures.append(
                BenchFigure(name: "\(file): p90 |error|", value: formatPercent(s.p90APE), target: "≤ 15%", pass: s.p90APE <= 0.15))
            figures.append(
                BenchFigure(
                    name: "\(file): bias (signed median)", value: String(format: "%+.1f%%", s.bias * 100),
                    target: "within ±3%", pass: abs(s.bias) <= 0.03))
        }
        benchProgress("check-runs: h100-sxm5-more.jsonl train_step")
        let steps = try RunCheck(
            try PublishedRuns.load(path: try DataRoot.locate().reference("gpu-measurements/h100-sxm5-more.jsonl")), profile: store.hardware)
        let worst = steps.results.map { abs($0.error) }.max() ?? .nan
        let s = steps.summary
        figures.append(
            BenchFigure(
                name: "h100 train_step (eager): mean |error| (\(s.count) runs, \(s.refused) refused)", value: formatPercent(s.meanAPE),
                target: "≤ 8%", pass: s.meanAPE <= 0.08 && s.refused == 0))
        figures.append(
            BenchFigure(
                name: "h100 train_step (eager): max |error|", value: formatPercent(worst), target: "≤ 15%",
                pass: worst <= 0.15 && s.refused == 0))
        return figures
    }
}
