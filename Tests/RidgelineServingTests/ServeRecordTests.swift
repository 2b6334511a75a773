import Foundation
import Ridgeline
import RidgelineServing
import Testing

/// `serve --json` and `plan --serve --json` are one record each (`ServeRecord`, `ServePlanRecord`):
/// what the model writes reads back equal, with the contract's keys.
@Suite struct ServeRecordTests {
    @Test func aServeRecordOfEveryKindOfLoadReadsBackAsWritten() throws {
        var moe = try config("mixtral-8x7b", "h100-sxm5-80gb", tp: 2)
        moe.ep = 2
        let estimates = [
            try ServingPredictor(try config("llama3.1-8b", "h100-sxm5-80gb")).estimate(.batch(16)),
            try ServingPredictor(try config("llama3.1-70b", "h100-sxm5-80gb", tp: 4)).estimate(.rate(2)),
            try ServingPredictor(moe).estimate(.maxLoad),
            try ServingPredictor(try config("llama3.1-8b", "l4")).estimate(.concurrency(4)),
        ]
        for estimate in estimates {
            let record = ServeRecord(estimate)
            let text = try RecordCoding.json(record)
            #expect(try RecordCoding.decode(ServeRecord.self, from: text, file: "serve.json") == record)
            for key in [
                "ttft_s", "tpot_s", "e2e_latency_s", "output_tokens_per_s", "output_tokens_per_s_per_gpu", "requests_per_s", "batch",
                "max_concurrency", "kv_cache_bytes_per_token", "memory", "kv_cache", "kv_precision", "time_s", "communication_s",
            ] {
                #expect(text.contains("\"\(key)\""), "\(key)")
            }
        }
    }

    @Test func aMissingContractFieldIsNamed() throws {
        let text = try RecordCoding.json(ServeRecord(try ServingPredictor(try config("llama3.1-8b", "h100-sxm5-80gb")).estimate(.batch(1))))
        let message =
            "\(try #require(throws: RidgelineError.self) { try RecordCoding.decode(ServeRecord.self, from: text.replacingOccurrences(of: "\"tpot_s\"", with: "\"tpot\""), file: "serve.json") })"
        #expect(message.contains("serve.json") && message.contains("'tpot_s'"), "\(message)")
    }

    @Test func aServingPlanReadsBackAsWritten() throws {
        let result = ServingPlanner.plan(
            ServingPlanRequest(
                model: try transformer("llama3.1-70b"), hardware: [try store.hardware("h100-sxm5-80gb")], inputTokens: 1000,
                outputTokens: 500, rate: 10, ttftSLO: 1, tpotSLO: 0.05, maxDevices: 16, top: 3))
        let record = ServePlanRecord(result)
        #expect(!record.best.isEmpty)
        let text = try RecordCoding.json(record)
        #expect(try RecordCoding.decode(ServePlanRecord.self, from: text, file: "plan.json") == record)
        for key in ["configurations_evaluated", "elapsed_s", "batch_per_replica", "cost_per_million_tokens_usd", "pareto"] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
    }
}
