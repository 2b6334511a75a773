import ArgumentParser
import Foundation
import Ridgeline
import RidgelineTraining

extension PlanObjective: ExpressibleByArgument {}

/// `ridgeline plan`: which hardware, how many devices, what layout — by a deadline, within a budget.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract:
            "Search every device count, parallel layout, batch, recompute and ZeRO setting for the fastest, cheapest or greenest way to train a model.",
        discussion:
            "Parallel layouts: tp (divisors of the heads within a node), pp (divisors of the layers) with interleaving, cp (1, and powers of two leaving at least 4,096 tokens per rank), ep for mixtures of experts (divisors of the experts that divide dp·cp: Megatron-core's rule that ep·tp·pp divides the devices), and dp for the rest."
    )

    @Option(help: "Model id (see profiles/models) or path to a model YAML.") var model: String
    @Option(
        parsing: .unconditional,
        help:
            "Tokens (images for image models) to train on: 2e12, 300B or 2T, at most 1e18 (default: 20 per parameter, or 90 ImageNet epochs).",
        transform: tokenCount)
    var tokens: Double?
    @Option(help: "Comma-separated hardware profile ids or YAML paths (default: every shipped GPU profile with a price).")
    var hardware: String?
    @Option(parsing: .unconditional, help: "Days the run may take.") var deadline: Double?
    @Option(parsing: .unconditional, help: "Dollars the run may cost.") var budget: Double?
    @Option(parsing: .unconditional, help: "Most devices to use\(bound(CountBounds.devices)).") var maxDevices = 1024
    @Option(parsing: .unconditional, help: "Fewest devices to use\(bound(CountBounds.devices)).") var minDevices = 1
    @Option(help: "Rank by time, cost or energy.") var objective: PlanObjective = .time
    @Option(parsing: .unconditional, help: "How many configurations to list\(bound(CountBounds.top)).") var top = 10
    @Option(
        parsing: .unconditional,
        help:
            "Sequences (images) per optimizer step, fixed (default: about 4M tokens, rounded to each layout)\(bound(CountBounds.globalBatch))."
    )
    var globalBatch: Int?
    @Option(
        help:
            "Every global batch from A to B sequences that the layout divides, as A:B (1 ≤ A ≤ B ≤ \(CountBounds.globalBatch.upperBound), B − A < \(PlanRequest.maxGlobalBatchSpan))."
    ) var globalBatchRange: String?
    @Option(parsing: .unconditional, help: "Sequence length (default: the model's max_seq, at most 8192)\(bound(CountBounds.seq)).")
    var seq: Int?
    @Option(help: "bf16, fp16, fp8 (GEMMs; needs an fp8 peak) or fp32.") var precision: Precision = .bf16
    @Option(parsing: .unconditional, help: "Largest micro-batch tried (powers of two up to it; 1 to 1024).") var maxMicroBatch = 16
    @Option(parsing: .unconditional, help: "Worker threads (default: every core; 1 to 1024; the answer does not depend on it).")
    var threads: Int?
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Plan serving instead of training: needs --input-tokens, --output-tokens and --rate (see ridgeline serve).") var serve =
        false
    @Option(parsing: .unconditional, help: "--serve: prompt tokens per request.") var inputTokens: Int?
    @Option(parsing: .unconditional, help: "--serve: generated tokens per request.") var outputTokens: Int?
    @Option(parsing: .unconditional, help: "--serve: requests per second to serve.") var rate: Double?
    @Option(parsing: .unconditional, help: "--serve: most seconds to the first token.") var ttftSlo: Double?
    @Option(parsing: .unconditional, help: "--serve: most seconds per output token.") var tpotSlo: Double?

    func validate() throws {
        if globalBatch != nil && globalBatchRange != nil { throw ValidationError("give --global-batch or --global-batch-range, not both") }
        try checkCount("input-tokens", inputTokens, ServeCommand.tokensPerRequest)
        try checkCount("output-tokens", outputTokens, ServeCommand.tokensPerRequest)
        try checkNumber("rate", rate, ServeCommand.rates, unit: "requests/s")
        try checkNumber("ttft-slo", ttftSlo, 1e-6...86_400, unit: "s")
        try checkNumber("tpot-slo", tpotSlo, 1e-6...86_400, unit: "s")
        try checkNumber("tokens", tokens, CountBounds.tokens)
        try checkCount("seq", seq, CountBounds.seq)
        try checkCount("global-batch", globalBatch, CountBounds.globalBatch)
        try checkCount("max-devices", maxDevices, CountBounds.devices)
        try checkCount("min-devices", minDevices, CountBounds.devices)
        try checkCount("top", top, CountBounds.top)
        try checkCount("max-micro-batch", maxMicroBatch, 1...1024)
        try checkCount("threads", threads, 1...1024)
    }

    func batchChoice() throws -> GlobalBatchChoice? {
        if let g = globalBatch { return .fixed(g) }
        guard let r = globalBatchRange else { return nil }
        let parts = r.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else {
            throw RidgelineError.invalidValue(
                file: nil, field: "--global-batch-range", value: r, expected: "A:B, two whole numbers of sequences")
        }
        return .range(a, b)
    }

    func profiles(_ store: ProfileStore) throws -> [HardwareProfile] {
        if let hardware {
            let ids = hardware.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !ids.isEmpty else {
                throw RidgelineError.invalidValue(
                    file: nil, field: "--hardware", value: hardware, expected: "comma-separated profile ids or paths")
            }
            return try ids.map { try store.hardware($0) }
        }
        return try store.hardwareIds().map { try store.hardware($0) }.filter { $0.kind == .gpu && $0.pricePerHourUSD != nil }
    }

    func run() throws {
        let store = ProfileStore.locate()
        let definition = try store.model(model)
        if serve {
            guard case .transformer(let t) = definition else { throw ValidationError("plan --serve needs a transformer model") }
            return try ServePlanOutput.run(
                model: t, hardware: try profiles(store), inputTokens: inputTokens, outputTokens: outputTokens,
                rate: rate, ttftSLO: ttftSlo, tpotSLO: tpotSlo, maxDevices: maxDevices, top: top, json: json)
        }
        var request = PlanRequest(
            model: definition, hardware: try profiles(store), tokens: tokens, deadlineSeconds: deadline.map { $0 * 86400 },
            budgetUSD: budget, minDevices: minDevices, maxDevices: maxDevices, objective: objective, top: top,
            globalBatch: try batchChoice(), seq: seq, precision: precision, maxMicroBatch: maxMicroBatch, threads: threads)
        if isatty(STDERR_FILENO) == 1 { request.progress = PlanProgressLine().show }
        let result = try Planner.plan(request)
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let unit = TrainingDefaults(model: definition).images ? "images" : "tokens"
        if json { return try printRecord(PlanRecord(result, unit: unit)) }
        print(PlanReport.text(result, request: request, unit: unit))
    }
}

/// The search's progress on one terminal line of stderr (only when stderr is a terminal, as
/// `detect` and `measure` do): layouts searched of all, elapsed time and an estimate of the rest,
/// at most twice a second.
final class PlanProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var start = Date()
    private var shown = Date.distantPast
    private var stage = ""

    func show(stage: String, done: Int, total: Int) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        if stage != self.stage { self.stage = stage; start = now }
        guard now.timeIntervalSince(shown) >= 0.5 || done == total else { return }
        shown = now
        let elapsed = now.timeIntervalSince(start)
        let left = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
        let line =
            "\rplan: \(stage) \(done) of \(total)"
            + String(
                format: " (%.0f%%), %.0f s, about %.0f s left in this stage\u{1B}[K",
                100 * Double(done) / Double(max(1, total)), elapsed, left)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
