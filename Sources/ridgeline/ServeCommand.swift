import ArgumentParser
import Foundation
import Ridgeline
import RidgelineServing
import RidgelineTraining

extension ServingPrecision: ExpressibleByArgument {}

/// `ridgeline serve`: latency, throughput, memory and cost of serving an LLM on one replica.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Predict TTFT, time per output token, throughput, KV-cache capacity and cost of serving an LLM.",
        discussion: """
            One replica of tp x pp devices. Give exactly one load: --batch B (a static batch), --concurrency C \
            (C clients in a closed loop), --rate QPS (Poisson arrivals, continuous batching) or --max-load (every \
            request at once: the batch that maximises output tokens/s within memory; with --requests N, a run of N \
            requests that ends with a partial batch). Per-iteration engine \
            overhead: 0.5 ms (stated default); KV-cache pool: 90% of the memory left; 64-token pages.
            """)

    @Option(help: "Model id (see profiles/models) or path to a model YAML (a transformer).") var model: String
    @OptionGroup var hardware: HardwareOption
    @Option(parsing: .unconditional, help: "Devices in the replica (default tp·pp; must equal it).") var gpus: Int?
    @Option(parsing: .unconditional, help: "Tensor-parallel size.") var tp = 1
    @Option(parsing: .unconditional, help: "Pipeline-parallel size.") var pp = 1
    @Option(parsing: .unconditional, help: "Expert-parallel size inside the tensor-parallel group (MoE; ep divides tp).") var ep = 1
    @Option(help: "Weights and GEMMs: bf16, fp16, fp8 or fp4 (NVFP4; fp8 and fp4 need the part's tensor peak in that format).")
    var precision: ServingPrecision = .bf16
    @Option(help: "KV cache: bf16, fp16, fp8 or fp4 (default: --precision; fp8 for fp4 weights).") var kvPrecision: ServingPrecision?
    @Option(parsing: .unconditional, help: "Prompt tokens per request.") var inputTokens: Int
    @Option(parsing: .unconditional, help: "Generated tokens per request.") var outputTokens: Int
    @Option(parsing: .unconditional, help: "A static batch of this many requests.") var batch: Int?
    @Option(parsing: .unconditional, help: "This many clients, each sending its next request when the last one finishes.") var concurrency:
        Int?
    @Option(parsing: .unconditional, help: "Requests per second (Poisson arrivals).") var rate: Double?
    @Flag(help: "Every request at once: find the batch that maximises output tokens/s within memory.") var maxLoad = false
    @Option(
        parsing: .unconditional,
        help: "With --max-load: the run has this many requests (a benchmark's num_requests); it ends with a partial batch.")
    var requests: Int?
    @Option(parsing: .unconditional, help: "Prompt tokens one prefill pass takes (chunked prefill; default 8192).") var maxBatchTokens: Int?
    @Option(parsing: .unconditional, help: "Price per device-hour in USD (default: the profile's).") var price: Double?
    @Flag(help: "Print JSON.") var json = false

    /// Requests per second above which no deployment is meant (1 M/s): a larger value is a typo.
    static let rates: ClosedRange<Double> = 1e-9...1e6
    /// Prompt or generated tokens per request.
    static let tokensPerRequest = 1...10_000_000

    func validate() throws {
        for (name, value) in [("gpus", gpus), ("tp", tp), ("pp", pp), ("ep", ep)] { try checkCount(name, value, CountBounds.devices) }
        try checkCount("input-tokens", inputTokens, Self.tokensPerRequest)
        try checkCount("output-tokens", outputTokens, Self.tokensPerRequest)
        try checkCount("batch", batch, CountBounds.globalBatch)
        try checkCount("concurrency", concurrency, CountBounds.globalBatch)
        try checkCount("max-batch-tokens", maxBatchTokens, CountBounds.seq)
        try checkNumber("rate", rate, Self.rates, unit: "requests/s")
        try checkNumber("price", price, CountBounds.priceUSDPerHour, unit: "USD per device-hour")
        if let gpus, gpus != tp * pp { throw ValidationError("--gpus \(gpus) must equal tp·pp = \(tp * pp) (one replica)") }
        let loads = [batch != nil, concurrency != nil, rate != nil, maxLoad].filter { $0 }.count
        if loads != 1 { throw ValidationError("give exactly one of --batch, --concurrency, --rate or --max-load") }
        try checkCount("requests", requests, CountBounds.globalBatch)
        if requests != nil, !maxLoad {
            throw ValidationError("--requests goes with --max-load (a run of that many requests issued at once)")
        }
    }

    var load: ServingLoad {
        if let batch { return .batch(batch) }
        if let concurrency { return .concurrency(concurrency) }
        if let rate { return .rate(rate) }
        return requests.map { .requests($0) } ?? .maxLoad
    }

    func run() throws {
        let definition = try ProfileStore.locate().model(model)
        guard case .transformer(let t) = definition else {
            throw ValidationError("--model \(model) is a CNN; serve models transformer language models")
        }
        let profile = try hardware.load()
        var config = ServingConfig(model: t, profile: profile, inputTokens: inputTokens, outputTokens: outputTokens)
        config.tp = tp; config.pp = pp; config.ep = ep
        config.precision = precision
        config.kvPrecision = kvPrecision
        config.maxBatchTokens = maxBatchTokens; config.price = price
        let estimate = try ServingPredictor(config).estimate(load)
        if json { return try printRecord(ServeRecord(estimate)) }
        print(ServeReport.text(estimate, profile: profile))
    }
}

enum ServeReport {
    static func text(_ e: ServingEstimate, profile: HardwareProfile) -> String {
        func s(_ x: Double) -> String { Quantity.format(x, .seconds) }
        func b(_ x: Double) -> String { String(format: "%.2f GB", x / 1e9) }
        var out: [String] = []
        out.append(
            "\(e.model) on \(e.devices) × \(profile.name) (\(profile.id)): tp \(e.tp) · pp \(e.pp)\(e.ep > 1 ? " · ep \(e.ep)" : ""), \(e.precision) weights, \(e.kvPrecision) KV cache"
        )
        out.append(
            "requests: \(e.inputTokens) tokens in, \(e.outputTokens) out; batch \(String(format: "%.1f", e.batch)) (KV cache holds \(e.maxConcurrency) sequences)"
        )
        out.append("")
        out.append("TTFT                 \(s(e.ttft))\(e.queueingSeconds > 0 ? " (of which queueing \(s(e.queueingSeconds)))" : "")")
        out.append("time per out token   \(s(e.tpot))")
        out.append("end-to-end latency   \(s(e.e2eLatency))")
        out.append(
            "output tokens/s      \(String(format: "%.1f", e.outputTokensPerSecond)) (\(String(format: "%.1f", e.outputTokensPerSecondPerDevice)) per GPU), \(String(format: "%.3f", e.requestsPerSecond)) requests/s"
        )
        out.append("")
        out.append(
            "prefill (\(e.prefill.tokens) tokens)   \(s(e.prefill.timeSeconds)), \(e.prefill.bound)-bound (compute \(s(e.prefill.computeSeconds)), memory \(s(e.prefill.memorySeconds)), comm \(s(e.prefill.communicationSeconds)))"
        )
        out.append(
            "decode step (batch \(e.decode.tokens)) \(s(e.decode.timeSeconds)), \(e.decode.bound)-bound (compute \(s(e.decode.computeSeconds)), memory \(s(e.decode.memorySeconds)), comm \(s(e.decode.communicationSeconds)), overhead \(s(e.decode.overheadSeconds)) incl. \(s(e.stepOverhead)) engine step)"
        )
        out.append("")
        out.append(
            "KV cache: \(Int(e.kvCacheBytesPerToken)) bytes/token (\(Int(e.kvCacheBytesPerTokenPerDevice)) per GPU); paging overhead \(String(format: "%.1f%%", e.pagingOverheadFraction * 100)) (64-token blocks)"
        )
        let m = e.memory
        out.append(
            "memory per GPU: weights \(b(m.weights)), KV cache \(b(m.kvCache)), activations \(b(m.activations)), reserve \(b(m.reserve)), free \(b(m.free)) of \(b(m.capacity))"
        )
        var cost = "cost: "
        cost += e.costPerMillionTokens.map { String(format: "$%.3f", $0) } ?? "no price"
        cost += String(format: " per million output tokens, %.3f kWh per million", e.energyPerMillionTokensKWh)
        out.append(cost)
        for n in e.notes { out.append("note: \(n)") }
        return out.joined(separator: "\n")
    }
}
