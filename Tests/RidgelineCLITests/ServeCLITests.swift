import Foundation
import Testing

@Suite struct ServeCLITests {
    @Test func jsonHasTheContractFields() throws {
        let r = try ridgeline([
            "serve", "--model", "llama3.1-70b", "--hardware", "h100-sxm5-80gb", "--tp", "4",
            "--input-tokens", "1000", "--output-tokens", "500", "--rate", "2", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in [
            "ttft_s", "tpot_s", "e2e_latency_s", "output_tokens_per_s", "output_tokens_per_s_per_gpu", "requests_per_s",
            "batch", "max_concurrency", "kv_cache_bytes_per_token", "memory", "prefill", "decode",
            "cost_per_million_tokens_usd", "energy_per_million_tokens_kwh",
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let memory = try #require(object["memory"] as? [String: Any])
        for key in ["weights", "kv_cache", "activations", "free"] { #expect(memory[key] != nil, "memory.\(key)") }
        #expect((object["decode"] as? [String: Any])?["bound"] != nil)
        #expect(object["kv_cache_bytes_per_token"] as? Double == 327_680)
    }

    /// The same MoE prediction in separate processes prints the same digits: nothing sums a
    /// dictionary in its per-process hash order (ServingPredictor.expertTiles did).
    @Test func moePredictionIsTheSameInEveryProcess() throws {
        let arguments = [
            "serve", "--model", "mixtral-8x22b", "--hardware", "h200-sxm-141gb", "--tp", "8", "--ep", "4", "--precision", "fp8",
            "--input-tokens", "1000", "--output-tokens", "1000", "--max-load", "--json",
        ]
        let outputs = try (0..<6).map { _ in try ridgeline(arguments) }
        #expect(outputs.allSatisfy { $0.status == 0 }, "\(outputs.map(\.stderr))")
        #expect(Set(outputs.map(\.stdout)).count == 1)
    }

    @Test func weightsThatDoNotFitAreAClearError() throws {
        let r = try ridgeline([
            "serve", "--model", "llama3.1-70b", "--hardware", "h100-sxm5-80gb",
            "--input-tokens", "1000", "--output-tokens", "500", "--batch", "1",
        ])
        #expect(r.status != 0)
        #expect(r.stderr.contains("GB of weights per device"))
    }

    @Test func badFlagsAreNamed() throws {
        let none = try ridgeline([
            "serve", "--model", "llama3.1-8b", "--hardware", "h100-sxm5-80gb", "--input-tokens", "10", "--output-tokens", "10",
        ])
        #expect(none.status != 0)
        #expect(none.stderr.contains("--batch, --concurrency, --rate or --max-load"))
        let rate = try ridgeline([
            "serve", "--model", "llama3.1-8b", "--hardware", "h100-sxm5-80gb", "--input-tokens", "10",
            "--output-tokens", "10", "--rate", "-1",
        ])
        #expect(rate.status != 0)
        #expect(rate.stderr.contains("--rate"))
        let tp = try ridgeline([
            "serve", "--model", "llama3.1-8b", "--hardware", "h100-sxm5-80gb", "--tp", "3", "--input-tokens", "10",
            "--output-tokens", "10", "--batch", "1",
        ])
        #expect(tp.status != 0)
        #expect(tp.stderr.contains("--tp 3"))
        let requests = try ridgeline([
            "serve", "--model", "llama3.1-8b", "--hardware", "h100-sxm5-80gb", "--input-tokens", "10",
            "--output-tokens", "10", "--batch", "1", "--requests", "100",
        ])
        #expect(requests.status != 0)
        #expect(requests.stderr.contains("--requests goes with --max-load"))
    }

    @Test func checkServingReportsEveryTableKind() throws {
        let r = try ridgeline(["check-serving"])
        #expect(r.status == 0, "\(r.stderr)")
        for kind in ["throughput", "low_latency_first_token", "online_serving", "static_inference", "refused"] {
            #expect(r.stdout.contains(kind))
        }
    }
}

@Suite struct ServePlanCLITests {
    @Test func planServeRanksByCostAndMeetsTheTargets() throws {
        let r = try ridgeline([
            "plan", "--serve", "--model", "llama3.1-70b", "--input-tokens", "1000", "--output-tokens", "500",
            "--rate", "10", "--ttft-slo", "1", "--tpot-slo", "0.05", "--hardware", "h100-sxm5-80gb,a100-sxm4-80gb",
            "--max-devices", "16", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let best = try #require(object["best"] as? [[String: Any]])
        #expect(!best.isEmpty)
        let costs = best.compactMap { $0["cost_per_million_tokens_usd"] as? Double }
        #expect(costs == costs.sorted())
        for e in best {
            #expect((e["ttft_s"] as? Double ?? 9) <= 1)
            #expect((e["tpot_s"] as? Double ?? 9) <= 0.05)
        }
        #expect(object["pareto"] != nil && object["configurations_evaluated"] != nil)
    }

    @Test func planServeNeedsARate() throws {
        let r = try ridgeline(["plan", "--serve", "--model", "llama3.1-8b", "--input-tokens", "100", "--output-tokens", "100"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--rate"))
    }
}
