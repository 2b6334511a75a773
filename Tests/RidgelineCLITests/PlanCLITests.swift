import Foundation
import Testing

@Suite struct PlanCLITests {
    func json(_ r: CLIResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    let small = ["plan", "--model", "gpt2-124m", "--hardware", "a100-sxm4-80gb,h100-sxm5-80gb", "--max-devices", "16", "--tokens", "2.5e9"]

    /// plan's best configuration is exactly what `train` predicts for that layout.
    @Test func bestEqualsTrainForTheSameLayout() throws {
        let r = try ridgeline(small + ["--top", "3", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try json(r)
        for key in ["configurations_evaluated", "configurations_pruned", "elapsed_s", "best", "pareto", "hardware", "explanation"] {
            #expect(o[key] != nil, "missing \(key)")
        }
        #expect((o["configurations_evaluated"] as? Int ?? 0) > 0)
        let best = try #require(o["best"] as? [[String: Any]])
        #expect(best.count == 3)
        #expect(!(try #require(o["pareto"] as? [[String: Any]])).isEmpty)
        let first = best[0]
        let l = try #require(first["layout"] as? [String: Any])
        func n(_ k: String) -> String { "\(l[k] as? Int ?? -1)" }
        var args = [
            "train", "--model", "gpt2-124m", "--hardware", try #require(first["hardware"] as? String), "--tokens", "2.5e9",
            "--gpus", n("gpus"), "--tp", n("tp"), "--pp", n("pp"), "--dp", n("dp"), "--interleave", n("interleave"),
            "--zero", n("zero"), "--micro-batch", n("micro_batch"), "--global-batch", n("global_batch"), "--seq", n("seq"),
            "--recompute", try #require(l["recompute"] as? String), "--json",
        ]
        if l["sequence_parallel"] as? Bool == true { args.append("--sequence-parallel") }
        let t = try json(try ridgeline(args))
        for key in [
            "step_time_s", "tokens_per_s", "mfu", "hfu", "memory_per_device_bytes", "train_time_s", "gpu_hours", "cost_usd", "energy_kwh",
            "steps",
        ] {
            let a = try #require(first[key] as? Double, "plan lacks \(key)"), b = try #require(t[key] as? Double, "train lacks \(key)")
            #expect(a == b, "\(key): plan \(a), train \(b)")
        }
        #expect(
            NSDictionary(dictionary: try #require(first["breakdown"] as? [String: Double]))
                == NSDictionary(dictionary: try #require(t["breakdown"] as? [String: Double])))
        #expect(first["meets_deadline"] as? Bool == true)
    }

    @Test func textListsBestParetoAndPerHardware() throws {
        let r = try ridgeline(small + ["--deadline", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        for words in ["Best", "Pareto front", "Per hardware", "cheapest in time", "a100-sxm4-80gb", "h100-sxm5-80gb"] {
            #expect(r.stdout.contains(words), "missing \(words)")
        }
    }

    @Test func impossibleRequestsExplainAndExitZero() throws {
        let nowhere = try ridgeline(["plan", "--model", "gpt3-175b", "--hardware", "a100-sxm4-40gb", "--max-devices", "16"])
        #expect(nowhere.status == 0, "\(nowhere.stderr)")
        #expect(nowhere.stdout.contains("fits on none of a100-sxm4-40gb") && nowhere.stdout.contains("short"))
        let late = try ridgeline(small + ["--deadline", "0.0001", "--json"])
        #expect(late.status == 0)
        let o = try json(late)
        #expect((o["best"] as? [Any])?.isEmpty == true)
        let why = try #require(o["explanation"] as? [String])
        #expect(why.contains { $0.contains("No configuration meets the deadline") && $0.contains("late") })
        let hw = try #require(o["hardware"] as? [[String: Any]])
        #expect(hw.allSatisfy { ($0["deadline_miss_s"] as? Double ?? 0) > 0 })
    }

    @Test(arguments: [
        (["--global-batch-range", "100"], "--global-batch-range"),
        (["--global-batch-range", "300:200"], "--global-batch-range"),
        (["--max-devices", "0"], "--max-devices"),
        (["--hardware", "no-such-gpu"], "no-such-gpu"),
        (["--objective", "speed"], "objective"),
    ])
    func badInputFailsClearly(arguments: [String], words: String) throws {
        let r = try ridgeline(["plan", "--model", "gpt2-124m"] + arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(words), "\(r.stderr)")
    }
}
