import Foundation
import Testing

@Suite struct TrainCLITests {
    func json(_ r: CLIResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func jsonHasTheContractFields() throws {
        let r = try ridgeline([
            "train", "--model", "llama2-7b", "--hardware", "a100-sxm4-80gb", "--gpus", "64", "--zero", "1",
            "--micro-batch", "2", "--recompute", "selective", "--tokens", "2e12", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try json(r)
        for key in [
            "step_time_s", "tokens_per_s", "mfu", "hfu", "fits_in_memory", "memory_per_device_bytes", "train_time_s",
            "gpu_hours", "cost_usd", "energy_kwh", "breakdown",
        ] {
            #expect(o[key] != nil, "missing \(key)")
        }
        let b = try #require(o["breakdown"] as? [String: Double])
        #expect(
            Set(b.keys) == [
                "gemm", "attention", "memory_bound", "optimizer", "exposed_communication", "pipeline_bubble", "dispatch_overhead",
            ])
        let step = try #require(o["step_time_s"] as? Double)
        #expect(abs(b.values.reduce(0, +) - step) < 1e-9 * step)
        #expect(o["fits_in_memory"] as? Bool == true)
    }

    /// `--tokens` reads counts as Ridgeline prints them (2T, 300G) and as model cards write them
    /// (300B): the same run as the plain number; a suffix it does not know is refused by flag.
    @Test func tokensTakeSIPrefixes() throws {
        let base = ["train", "--model", "gpt2-124m", "--hardware", "a100-sxm4-80gb", "--json", "--tokens"]
        let plain = try json(try ridgeline(base + ["3e11"]))
        for spelled in ["300B", "300G", "0.3T"] {
            let r = try ridgeline(base + [spelled])
            #expect(r.status == 0, "\(spelled): \(r.stderr)")
            let time = try #require(try json(r)["train_time_s"] as? Double), expected = try #require(plain["train_time_s"] as? Double)
            #expect(abs(time - expected) <= 1e-12 * expected, "\(spelled): \(time) vs \(expected)")
        }
        let bad = try ridgeline(base + ["300X"])
        #expect(bad.status != 0 && bad.stderr.contains("--tokens") && bad.stderr.contains("300X"), "\(bad.stderr)")
    }

    /// `--flash-kernel flash1` (FlashAttention 1) slows a long-sequence step, where attention is
    /// a large share, and `triton` (llm-foundry's Triton port) less; a kernel that does not exist
    /// is refused by name.
    @Test func flashKernelOption() throws {
        let base = [
            "train", "--model", "llama2-7b", "--hardware", "a100-sxm4-80gb", "--gpus", "8", "--zero", "3", "--seq", "4096",
            "--global-batch", "64", "--recompute", "full", "--json",
        ]
        let two = try json(try ridgeline(base)), one = try json(try ridgeline(base + ["--flash-kernel", "flash1"]))
        let t2 = try #require(two["step_time_s"] as? Double), t1 = try #require(one["step_time_s"] as? Double)
        #expect(t1 > t2 * 1.05)
        let port = try json(try ridgeline(base + ["--flash-kernel", "triton"]))
        let tp = try #require(port["step_time_s"] as? Double)
        #expect(t2 < tp && tp < t1)
        let bad = try ridgeline(base + ["--flash-kernel", "flash9"])
        #expect(bad.status != 0 && bad.stderr.contains("flash-kernel"))
    }

    /// `--kernels --json` carries the listing the text prints, each kernel with a spec that reads
    /// back as a kernel (so measured kernels can be matched to it); without `--kernels`, none.
    @Test func kernelsInJSONAreTheListingWithTheirSpecs() throws {
        let base = [
            "train", "--model", "resnet-50", "--hardware", "h100-sxm5-80gb", "--mode", "eager", "--micro-batch", "32",
            "--global-batch", "32", "--optimizer", "sgd",
        ]
        let text = try ridgeline(base + ["--kernels"])
        let listedRows = text.stdout.split(separator: "\n").filter { $0.hasPrefix("fwd ") || $0.hasPrefix("bwd ") }
        let o = try json(try ridgeline(base + ["--kernels", "--json"]))
        let kernels = try #require(o["kernels"] as? [[String: Any]])
        #expect(kernels.count == listedRows.count && !kernels.isEmpty)
        let convs = kernels.filter { ($0["spec"] as? [String: Any])?["op"] as? String == "conv2d" }
        #expect(Set(convs.compactMap { ($0["spec"] as? [String: Any])?["pass"] as? String }) == ["fwd", "bwd_data", "bwd_weights"])
        #expect(kernels.allSatisfy { ($0["time_s"] as? Double ?? 0) > 0 })
        let lines = try kernels.map { k in
            String(decoding: try JSONSerialization.data(withJSONObject: try #require(k["spec"] as? [String: Any])), as: UTF8.self)
        }
        let check = try ridgeline(["predict", "--hardware", "h100-sxm5-80gb", "--kernels", "-"], input: lines.joined(separator: "\n"))
        #expect(check.status == 0, "\(check.stderr)")
        #expect(try json(try ridgeline(base + ["--json"]))["kernels"] == nil)
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
        (["--gpus", "5", "--pp", "5", "--dp", "1", "--first-stage-layers", "16", "--last-stage-layers", "16"], "layers"),
        (["--gpus", "8", "--ep", "2"], "mixture-of-experts"),
        (["--gpus", "8", "--cp", "3"], "cp"),
        (["--gpus", "8", "--global-batch", "4"], "global batch"),
    ])
    func invalidLayoutsFailClearly(arguments: [String], words: String) throws {
        let r = try ridgeline(["train", "--model", "llama2-7b", "--hardware", "h100-sxm5-80gb"] + arguments)
        #expect(r.status != 0)
        #expect(r.stderr.contains(words), "\(r.stderr)")
    }

    /// Issue 11's fields: total and active parameters, and the layout's cp, ep and stage layers.
    @Test func mixtureOfExpertsWithExpertAndContextParallelism() throws {
        let r = try ridgeline([
            "train", "--model", "mixtral-8x7b", "--hardware", "h100-sxm5-80gb", "--gpus", "48", "--tp", "2",
            "--pp", "3", "--cp", "2", "--ep", "4", "--sequence-parallel", "--seq", "8192", "--global-batch", "30",
            "--recompute", "full", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try json(r)
        let total = try #require(o["parameters"] as? Double), active = try #require(o["active_parameters"] as? Double)
        #expect(abs(total - 46.7e9) < 0.05e9 && abs(active - 12.9e9) < 0.05e9)
        let layout = try #require(o["layout"] as? [String: Any])
        #expect(layout["cp"] as? Int == 2 && layout["ep"] as? Int == 4 && layout["dp"] as? Int == 4)
        #expect(layout["stage_layers"] as? [Int] == [10, 11, 11])
        let text = try ridgeline([
            "train", "--model", "mixtral-8x7b", "--hardware", "h100-sxm5-80gb", "--gpus", "64", "--tp", "2",
            "--pp", "2", "--cp", "2", "--ep", "8", "--sequence-parallel", "--seq", "8192", "--recompute", "full",
        ])
        #expect(text.stdout.contains("12.9B active") && text.stdout.contains("cp 2") && text.stdout.contains("ep 8"), "\(text.stdout)")
    }

    @Test func expertParallelRuleNamesBothNumbers() throws {
        let r = try ridgeline([
            "train", "--model", "mixtral-8x7b", "--hardware", "h100-sxm5-80gb", "--gpus", "48", "--tp", "4", "--ep", "8",
        ])
        #expect(r.status != 0)
        #expect(r.stderr.contains("32") && r.stderr.contains("48"), "\(r.stderr)")
    }

    @Test func loraAndAPartialMicroBatch() throws {
        let r = try ridgeline([
            "train", "--model", "llama2-7b", "--hardware", "a100-sxm4-80gb", "--gpus", "48", "--micro-batch", "6",
            "--global-batch", "2048", "--finetune", "lora", "--lora-rank", "8", "--lora-targets", "q_proj,v_proj", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let layout = try #require(try json(r)["layout"] as? [String: Any])
        #expect(layout["finetune"] as? String == "lora" && layout["lora_rank"] as? Int == 8)
        #expect(layout["lora_targets"] as? [String] == ["q", "v"] && layout["micro_batches_per_step"] as? Int == 8)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ridgeline-mamba-\(ProcessInfo.processInfo.processIdentifier).yaml")
        try
            "name: x\nlayers: 2\nd_model: 64\nheads: 4\nffn: 256\nffn_kind: gelu\nnorm: layernorm\nvocab: 100\nmax_seq: 16\nposition: rope\nmamba: true\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let mamba = try ridgeline(["train", "--model", file.path, "--hardware", "h100-sxm5-80gb"])
        #expect(mamba.status != 0 && mamba.stderr.contains("mamba"), "\(mamba.stderr)")
        let deepseek = try json(
            try ridgeline([
                "train", "--model", "deepseek-v3", "--hardware", "h100-sxm5-80gb", "--gpus", "256", "--tp", "2",
                "--pp", "8", "--ep", "16", "--sequence-parallel", "--seq", "4096", "--json",
            ]))
        #expect(abs((deepseek["active_parameters"] as? Double ?? 0) - 37.6e9) < 0.1e9)
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

    @Test func checkRunsReportsEverySourceWithItsAssumptionsWithoutRefusals() throws {
        let r = try ridgeline(["check-runs", "--runs", "reference/training-runs/nemo-h100-pretrain.csv", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let source = try #require((try json(r)["sources"] as? [[String: Any]])?.first)
        #expect((source["assumptions"] as? String)?.contains("compiled") == true)
        let summary = try #require(source["summary"] as? [String: Any])
        #expect(summary["n"] as? Int == 233 && summary["refused"] as? Int == 0)
        #expect((source["refusal_reasons"] as? [String: Int])?.isEmpty == true)
        let text = try ridgeline(["check-runs", "--runs", "reference/training-runs/vtrain-a100-single-node.csv"])
        #expect(text.status == 0 && text.stdout.contains("assumed for this source: mode compiled, host 68 µs per op"), "\(text.stderr)")
        let bad = try ridgeline(["check-runs", "--runs", "reference/collectives/allreduce-a100-2gpu.csv"])
        #expect(bad.status != 0 && bad.stderr.contains("allreduce-a100-2gpu.csv"))
    }
}
