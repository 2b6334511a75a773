import Foundation
import Ridgeline
import RidgelineRuns
import RidgelineServing
import RidgelineTraining

/// Issue 16's figures: `check-serving` on the published serving tables against its targets, and
/// `plan --serve` against its time limit. Targets (issue 16): on TensorRT-LLM's `throughput` rows,
/// dense models and Mixtral each, median |error| ≤ 15% and p90 ≤ 30%; `low_latency_first_token`
/// (batch-1 TTFT) median ≤ 15%; `online_serving` TTFT and inter-token latency median ≤ 20%;
/// LMDeploy's per-token latency at batch 1–256 median ≤ 15%. Refused rows are counted, not judged.
/// `plan --serve` for Llama 3.1 70B at 10 requests/s, 1,000 in / 500 out, TTFT ≤ 1 s, TPOT ≤ 50 ms
/// over 5 GPU profiles up to 64 GPUs: under 2 s.
struct ServingSection: BenchSection {
    let name = "serving"
    let summary = "ridgeline check-serving against issue 16's targets; plan --serve speed"

    func run(_ context: BenchContext) throws -> [BenchFigure] {
        benchProgress("serving: check-serving")
        let root = try DataRoot.locate()
        let store = ProfileStore.locate()
        let outcome = try ServingCheck.run(
            files: ["trtllm-h100-a100-l40s.csv", "lmdeploy-a100.csv"].map { root.reference("inference/\($0)") },
            store: store)
        var figures: [BenchFigure] = []
        func judge(_ label: String, _ rows: [ServingCheck.Row], median: Double, p90: Double?) {
            let s = ErrorSummary(errors: rows.map { abs($0.error) })
            figures.append(
                BenchFigure(
                    name: "\(label): median |error| (\(rows.count) rows)", value: formatPercent(s.medianAPE),
                    target: "≤ \(Int(median * 100))%", pass: !rows.isEmpty && s.medianAPE <= median))
            if let p90 {
                figures.append(
                    BenchFigure(
                        name: "\(label): p90 |error|", value: formatPercent(s.p90APE), target: "≤ \(Int(p90 * 100))%",
                        pass: !rows.isEmpty && s.p90APE <= p90))
            }
        }
        func rows(_ kind: String, _ metric: String) -> [ServingCheck.Row] { outcome.rows.filter { $0.kind == kind && $0.metric == metric } }
        let throughput = rows("throughput", "output_tokens_per_s")
        var moeModels: Set<String> = []
        for id in Set(throughput.map(\.model)) {
            if case .transformer(let t) = try store.model(id), t.moe != nil { moeModels.insert(id) }
        }
        let moe: (ServingCheck.Row) -> Bool = { moeModels.contains($0.model) }
        judge("trtllm throughput, all", throughput, median: 0.15, p90: 0.30)
        judge("trtllm throughput, dense", throughput.filter { !moe($0) }, median: 0.15, p90: 0.30)
        judge("trtllm throughput, Mixtral (MoE)", throughput.filter(moe), median: 0.15, p90: 0.30)
        judge("trtllm low_latency_first_token TTFT", rows("low_latency_first_token", "ttft_s"), median: 0.15, p90: nil)
        judge("trtllm online_serving TTFT", rows("online_serving", "ttft_s"), median: 0.20, p90: nil)
        judge("trtllm online_serving inter-token latency", rows("online_serving", "itl_s"), median: 0.20, p90: nil)
        judge("lmdeploy per-token latency (batch 1-256)", rows("static_inference", "token_latency_p50_s"), median: 0.15, p90: nil)
        let staticBatch = rows("peak_throughput_static", "output_tokens_per_s")
        let s = ErrorSummary(errors: staticBatch.map { abs($0.error) })
        figures.append(
            BenchFigure(
                name: "trtllm peak_throughput_static (no target): median |error| (\(staticBatch.count) rows)",
                value: formatPercent(s.medianAPE), target: "", pass: nil))
        figures.append(
            BenchFigure(
                name: "rows refused with a reason (ridgeline check-serving lists them)", value: "\(outcome.refusals.count)",
                target: "", pass: nil))

        benchProgress("serving: plan --serve")
        guard case .transformer(let llama) = try store.model("llama3.1-70b") else { return figures }
        let hardware = try ["a100-sxm4-80gb", "h100-sxm5-80gb", "h200-sxm-141gb", "b200", "mi300x"].map { try store.hardware($0) }
        let request = ServingPlanRequest(
            model: llama, hardware: hardware, inputTokens: 1000, outputTokens: 500, rate: 10,
            ttftSLO: 1, tpotSLO: 0.05, maxDevices: 64, top: 10)
        var times: [Double] = []
        var last: ServingPlanResult?
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            last = ServingPlanner.plan(request)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let median = times.sorted()[1]
        let cheapest =
            last?.best.first.map {
                " (cheapest: \($0.hardware), \($0.devices) GPUs, \($0.replicas) × tp \($0.tp) pp \($0.pp), \($0.precision.rawValue))"
            } ?? " (none meets the targets)"
        figures.append(
            BenchFigure(
                name:
                    "plan --serve llama3.1-70b, 10 req/s, 1000/500, TTFT ≤ 1 s, TPOT ≤ 50 ms, 5 profiles ≤ 64 GPUs: \(last?.evaluated ?? 0) predictions\(cheapest)",
                value: "\(formatSignificant(median, digits: 3)) s", target: "< 2 s", pass: median < 2))
        return figures
    }
}
