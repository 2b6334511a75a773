import ArgumentParser
import Foundation
import Ridgeline
import RidgelineReport
import RidgelineServing
import RidgelineTraining

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare devices on the same workload and write a report (HTML, Markdown, CSV, JSON).")

    @Option(name: .long, parsing: .singleValue, help: "Devices to compare: ids or YAML paths, comma-separated (repeatable).")
    var hardware: [String] = []
    @Option(name: .customLong("kernels"), help: "A JSON Lines file of kernel specs to predict on every device (- reads standard input).")
    var kernelsFile: String?
    @Option(help: "A model id or YAML path: compare one training run on every device.")
    var model: String?
    @Option(
        parsing: .unconditionalSingleValue,
        help: "Token budgets for --model, e.g. 10e9 or 10B, at most 1e18 (repeatable; default 20 per parameter).", transform: tokenCount)
    var tokens: [Double] = []
    @Option(parsing: .unconditional, help: "Devices of each kind for --model (data parallel)\(bound(CountBounds.devices)).") var gpus = 1
    @Option(parsing: .unconditional, help: "Sequences per micro-batch for --model\(bound(CountBounds.microBatch)).") var microBatch = 8
    @Option(
        parsing: .unconditional, help: "Sequence length for --model (default: the model's max_seq, at most 8192)\(bound(CountBounds.seq)).")
    var seq: Int?
    @Option(help: "Precision for --model: bf16, fp16, fp8 or fp32.") var precision: Precision = .bf16
    @Option(help: "kernel (device time) or eager (adds the framework's per-op dispatch floor).") var mode: ExecutionMode = .kernel
    @Flag(help: "With --model: compare serving it (throughput against latency, prefill and decode on the roofline) instead of training it.")
    var serve = false
    @Option(parsing: .unconditional, help: "--serve: prompt tokens per request.") var inputTokens: Int?
    @Option(parsing: .unconditional, help: "--serve: generated tokens per request.") var outputTokens: Int?
    @Option(parsing: .unconditional, help: "--serve: tensor-parallel devices per replica\(bound(CountBounds.devices)).") var tp = 1
    @OptionGroup var output: ReportOutputOption

    var hardwareIds: [String] {
        hardware.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    func validate() throws {
        guard !hardwareIds.isEmpty else { throw ValidationError("give the devices to compare: --hardware H1,H2,...") }
        guard Set(hardwareIds).count == hardwareIds.count else {
            throw ValidationError("--hardware names a device twice: \(hardwareIds.joined(separator: ","))")
        }
        switch (kernelsFile, model) {
        case (nil, nil): throw ValidationError("give a workload: --kernels FILE or --model M")
        case (.some, .some): throw ValidationError("give either --kernels or --model, not both")
        default: break
        }
        if kernelsFile != nil && !tokens.isEmpty { throw ValidationError("--tokens applies to --model only") }
        if serve {
            guard model != nil else { throw ValidationError("--serve compares serving a model: give --model M") }
            guard inputTokens != nil, outputTokens != nil else { throw ValidationError("--serve needs --input-tokens and --output-tokens") }
            if !tokens.isEmpty { throw ValidationError("--tokens is a training budget; it does not apply to --serve") }
        } else if inputTokens != nil || outputTokens != nil || tp != 1 {
            throw ValidationError("--input-tokens, --output-tokens and --tp apply to --serve only")
        }
        try checkCount("input-tokens", inputTokens, ServeCommand.tokensPerRequest)
        try checkCount("output-tokens", outputTokens, ServeCommand.tokensPerRequest)
        try checkCount("tp", tp, CountBounds.devices)
        for t in tokens { try checkNumber("tokens", t, CountBounds.tokens) }
        try checkCount("gpus", gpus, CountBounds.devices)
        try checkCount("micro-batch", microBatch, CountBounds.microBatch)
        try checkCount("seq", seq, CountBounds.seq)
    }

    func run() throws {
        let store = ProfileStore.locate()
        let profiles = try hardwareIds.map { try store.hardware($0) }
        if let model, serve, let inputTokens, let outputTokens {
            guard case .transformer(let t) = try store.model(model) else {
                throw ValidationError("--serve needs a transformer language model; \(model) is a CNN")
            }
            let p = try CompareServe.precision(precision)
            let devices = try profiles.map {
                try CompareServe.device(model: t, profile: $0, tp: tp, precision: p, inputTokens: inputTokens, outputTokens: outputTokens)
            }
            let report = CompareServingReport.build(
                model: t.name, workload: "\(inputTokens) tokens in, \(outputTokens) out, tp \(tp), \(p.rawValue)", devices: devices,
                provenance: reportProvenance(profiles: profiles, inputs: [model]))
            return try output.write(report)
        }
        if let model {
            let definition = try store.model(model)
            let (settings, layout, defaultTokens, unit) = trainingRun(definition)
            let budgets = tokens.isEmpty ? [defaultTokens] : tokens
            let estimates = try profiles.map { profile in
                try budgets.map {
                    try TrainingPredictor.predict(model: definition, profile: profile, settings: settings, layout: layout, tokens: $0)
                }
            }
            let report = CompareModelReport.build(
                profiles: profiles, estimates: estimates, unit: unit,
                provenance: reportProvenance(profiles: profiles, inputs: [model]))
            return try output.write(report)
        }
        guard let kernelsFile else { return }
        let kernels = try Kernel.load(path: kernelsFile)
        let report = CompareKernelsReport.build(
            profiles: profiles, kernels: kernels, kernelsSource: TextInput.name(of: kernelsFile), mode: mode,
            provenance: reportProvenance(profiles: profiles, inputs: [kernelsFile]))
        try output.write(report)
    }

    /// The same run on every device, with `ridgeline train`'s defaults: sequence = the model's
    /// max_seq (at most 8192), about 4M tokens per step (1024 images for image models), 20 tokens
    /// a parameter (Hoffmann et al. 2022) or 90 ImageNet epochs.
    func trainingRun(_ definition: ModelDefinition) -> (KernelSettings, Layout, Double, String) {
        var seqLength = 1, defaultTokens = 90.0 * 1_281_167, defaultBatch = 1024, unit = "images"
        if case .transformer(let t) = definition {
            seqLength = seq ?? min(t.maxSeq, 8192)
            if t.image == nil {
                unit = "tokens"
                defaultTokens = 20 * t.parameterCount
                defaultBatch = max(1, (4 * 1_048_576) / t.tokens(seq: seqLength))
            }
        }
        let perStep = microBatch * gpus
        let batch = ((defaultBatch + perStep - 1) / perStep) * perStep
        let layout = Layout(devices: gpus, dp: gpus, globalBatch: batch, microBatch: microBatch)
        let settings = KernelSettings(
            microBatch: microBatch, seq: seqLength, precision: precision,
            mode: mode == .eager ? .eager : .compiled)
        return (settings, layout, defaultTokens, unit)
    }
}
