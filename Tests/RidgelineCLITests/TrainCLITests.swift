import Foundation
import Testing

@Suite struct TrainCLITests {
    func json(_ r: CLIResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func jsonHasTheContractFields() throws {
        let r = try ridgeline(["train", "--model", "llama2-7b", "--hardware", "a100-sxm4-80gb", "--gpus", "64", "--zero", "1",
                               "--micro-batch", "2", "--recompute", "selective", "--tokens", "2e12", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try json(r)
        for key in ["step_time_s", "tokens_per_s", "mfu", "hfu", "fits_in_memory", "memory_per_device_bytes", "train_time_s",
                    "gpu_hours", "cost_usd", "energy_kwh", "breakdown"] {
            #expect(o[key] != nil, "missing \(key)")
        }
        let b = try #require(o["breakdown"] as? [String: Double])
        #expect(Set(b.keys) == ["gemm", "attention", "memory_bound", "optimizer", "exposed_communication", "pipeline_bubble", "dispatch_overhead"])
        let step = try #require(o["step_time_s"] as? Double)
        #expect(abs(b.values.reduce(0, +) - step) < 1e-9 * step)
        #expect(o["fits_in_memory"] as? Bool == true)
    }

    @Test func notFittingSaysByHowMuchAndExitsZero() throws {
        let r = try ridgeline(["train", "--model", "llama2-70b", "--hardware", "h100-sxm5-80gb", "--gpus", "8"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("does not fit: needs") && r.stdout.contains("short"))
        #expect(!r.stdout.contains("step time"))
        let j = try json(try ridgeline(["train", "--model", "llama2-70b", "--hardware", "h100-sxm5-80gb", "--gpus", "8", "--json"]))
        #expect(j["fits_in_memory"] as? Bool == false)
    }

    @Test(arguments: [
        (["--gpus", "8", "--tp", "2", "--pp", "2", "--dp", "4"], "tp·pp·dp"),
        (["--gpus", "6", "--tp", "6", "--dp", "1"], "attention heads"),
        (["--gpus", "5", "--pp", "5", "--dp", "1"], "layers"),
        (["--gpus", "8", "--global-batch", "12"], "global batch"),
    ])
    func invalidLayoutsFailClearly(arguments: [String], words: String) throws {
        let r = try ridgeline(["train", "--model", "llama2-7b", "--hardware", "h100-sxm5-80gb"] + arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(words), "\(r.stderr)")
    }

    @Test func checkMegatronJSON() throws {
        // check-megatron is check-runs on megatron-a100.csv: 27 runs, mean |error| ≤ 5%, worst ≤ 12%.
        let r = try ridgeline(["check-megatron", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let source = try #require((try json(r)["sources"] as? [[String: Any]])?.first)
        let rows = try #require(source["rows"] as? [[String: Any]])
        #expect(rows.count == 27)
        let summary = try #require(source["summary"] as? [String: Any])
        #expect((summary["mean_ape"] as? Double ?? 1) <= 0.05)
        #expect(rows.allSatisfy { abs($0["error"] as? Double ?? 1) <= 0.12 })
    }

    @Test func checkRunsReportsEverySourceWithItsAssumptionsAndRefusals() throws {
        let r = try ridgeline(["check-runs", "--runs", "reference/training-runs/nemo-h100-pretrain.csv", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let source = try #require((try json(r)["sources"] as? [[String: Any]])?.first)
        #expect((source["assumptions"] as? String)?.contains("compiled") == true)
        let summary = try #require(source["summary"] as? [String: Any])
        #expect((summary["n"] as? Int ?? 0) + (summary["refused"] as? Int ?? 0) == 233)
        #expect((source["refusal_reasons"] as? [String: Int])?.keys.contains { $0.contains("context parallelism") } == true)
        let text = try ridgeline(["check-runs", "--runs", "reference/training-runs/vtrain-a100-single-node.csv"])
        #expect(text.status == 0 && text.stdout.contains("assumed for this source: mode eager"), "\(text.stderr)")
        let bad = try ridgeline(["check-runs", "--runs", "reference/collectives/allreduce-a100-2gpu.csv"])
        #expect(bad.status != 0 && bad.stderr.contains("allreduce-a100-2gpu.csv"))
    }
}
