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
        (["--gpus", "8", "--tp", "2", "--pp", "2", "--dp", "4"], "tp·pp·cp·dp"),
        (["--gpus", "6", "--tp", "6", "--dp", "1"], "attention heads"),
        (["--gpus", "5", "--pp", "5", "--dp", "1", "--first-stage-layers", "1", "--last-stage-layers", "1"], "layers"),
        (["--gpus", "8", "--global-batch", "4"], "global batch"),
    ])
    func invalidLayoutsFailClearly(arguments: [String], words: String) throws {
        let r = try ridgeline(["train", "--model", "llama2-7b", "--hardware", "h100-sxm5-80gb"] + arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(words), "\(r.stderr)")
    }

    @Test func checkMegatronJSON() throws {
        let r = try ridgeline(["check-megatron", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try json(r)
        #expect((o["rows"] as? [Any])?.count == 27)
        #expect((o["mean_abs_error"] as? Double ?? 1) <= 0.05)
    }
}
