import ArgumentParser
import Foundation
import Ridgeline
import RidgelineTraining

extension Precision: ExpressibleByArgument {}
extension Recompute: ExpressibleByArgument {}
extension StepMode: ExpressibleByArgument {}
extension FlashKernel: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}

/// `--finetune full|lora`.
enum FinetuneChoice: String, CaseIterable, ExpressibleByArgument { case full, lora }

/// `ridgeline train`: how long, how much memory, what it costs — for one model, device and layout.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Predict the step time, memory, throughput, MFU, time, GPU-hours, cost and energy of a training run.")

    @Option(help: "Model id (see profiles/models) or path to a model YAML.") var model: String
    @OptionGroup var hardware: HardwareOption
    @Option(parsing: .unconditional, help: "Devices in all (default tp·pp·cp·dp)\(bound(CountBounds.devices)).") var gpus: Int?
    @Option(parsing: .unconditional, help: "Tensor-parallel size\(bound(CountBounds.devices)).") var tp = 1
    @Option(
        parsing: .unconditional,
        help:
            "Pipeline-parallel size\(bound(CountBounds.devices)); layers need not divide evenly: stages differ by at most one layer, the first and last holding fewer."
    ) var pp = 1
    @Option(
        parsing: .unconditional,
        help:
            "Context-parallel size\(bound(CountBounds.devices)): each sequence split over cp ranks (ring attention with causal load balancing); weights replicated, gradients reduced over dp·cp."
    )
    var cp = 1
    @Option(parsing: .unconditional, help: "Data-parallel size (default gpus / (tp·pp·cp))\(bound(CountBounds.devices)).") var dp: Int?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Expert-parallel size for mixture-of-experts models\(bound(CountBounds.devices)): experts split over ep ranks taken from the dp·cp ranks.",
            discussion:
                "Rule (Megatron-core, expert tensor parallel = tp): ep·tp·pp must divide the devices, i.e. ep divides dp·cp, and ep divides the experts."
        ))
    var ep = 1
    @Option(
        parsing: .unconditional,
        help:
            "Tensor-parallel size of the expert MLPs (Megatron-core's expert_tensor_parallel_size; default tp)\(bound(CountBounds.devices)). With it the rule is ep·etp·pp divides the devices."
    )
    var etp: Int?
    @Option(
        parsing: .unconditional,
        help:
            "Expert capacity as a multiple of the even share of routed tokens; the busiest rank computes min(factor, 1.1 assumed imbalance) × its share."
    )
    var capacityFactor = 1.0
    @Option(parsing: .unconditional, help: "Layers on the first pipeline stage (the rest spread evenly)\(bound(CountBounds.layers)).")
    var firstStageLayers: Int?
    @Option(parsing: .unconditional, help: "Layers on the last pipeline stage (the rest spread evenly)\(bound(CountBounds.layers)).")
    var lastStageLayers: Int?
    @Option(parsing: .unconditional, help: "Override the model's layer count (proxy runs with fewer layers)\(bound(CountBounds.layers)).")
    var layers: Int?
    @Option(
        parsing: .unconditional,
        help: "Model chunks per device for the interleaved pipeline schedule (1 = 1F1B; also --vp)\(bound(CountBounds.interleave)).")
    var interleave = 1
    @Option(
        name: .customLong("vp"), parsing: .unconditional,
        help: "Megatron's name for --interleave (virtual pipeline size), as published runs give it.")
    var virtualPipeline: Int?
    @Option(help: "Fine-tuning: full (pre-training arithmetic) or lora (frozen base weights, low-rank adapters). Default: pre-training.")
    var finetune: FinetuneChoice?
    @Option(parsing: .unconditional, help: "LoRA rank\(bound(CountBounds.loraRank)).") var loraRank = 16
    @Option(help: "LoRA targets: q,k,v,o,gate,up,down (or q_proj, …), attention, mlp or all.") var loraTargets = "all"
    @Flag(help: "Sequence parallelism with tensor parallelism (Korthikanti et al. 2022).") var sequenceParallel = false
    @Option(parsing: .unconditional, help: "Sequences (images) per micro-batch\(bound(CountBounds.microBatch)).") var microBatch = 1
    @Option(
        parsing: .unconditional,
        help: "Sequences per optimizer step (default: about 4M tokens, or 1024 images)\(bound(CountBounds.globalBatch)).") var globalBatch:
        Int?
    @Option(parsing: .unconditional, help: "Sequence length (default: the model's max_seq, at most 8192)\(bound(CountBounds.seq)).")
    var seq: Int?
    @Option(
        parsing: .unconditional,
        help:
            "Tokens (images for CNNs and ViT) to train on: 2e12, 300B or 2T, at most 1e18 (default: 20 per parameter, or 90 ImageNet epochs).",
        transform: tokenCount)
    var tokens: Double?
    @Option(help: "bf16, fp16, fp8 (GEMMs; needs an fp8 peak) or fp32.") var precision: Precision = .bf16
    @Option(help: "Activation recomputation: none, selective or full.") var recompute: Recompute = .none
    @Option(parsing: .unconditional, help: "ZeRO stage: 0, 1, 2 or 3 (3 = FSDP).") var zero = 0
    @Option(help: "compiled (fused, kernel time) or eager (one dispatch per op).") var mode: StepMode = .compiled
    @Option(help: "adamw or sgd.") var optimizer: OptimizerKind = .adamw
    @Flag(
        help:
            "Plain torch.autocast over fp32 parameters (no 16-bit model copy): fp32 residual stream and norms, casts to 16 bits before each linear layer and back in backward, fp32 weight gradients."
    )
    var autocast = false
    @Flag(inversion: .prefixedNo, help: "Flash attention (--no-flash: unfused attention, score matrix through memory).")
    var flash = true
    @Option(
        help:
            "The flash kernel the framework runs: native (the architecture's own, what the profiles are fitted on: FlashAttention-2 on Ampere, cuDNN/FlashAttention-3 on Hopper), flash2 (flash-attn 2.x: on Hopper 0.62 of native, Shah et al. 2024), flash1 (flash-attn < 2: half flash2, Dao 2023) or triton (llm-foundry's 2023 Triton port on pre-MLIR Triton: 0.72 of flash2)."
    )
    var flashKernel: FlashKernel = .native
    @Flag(
        inversion: .prefixedNo,
        help: "Overlap the gradient reduction with backward (--no-overlap: reduce after backward, as Megatron-LM 2021).")
    var overlap = true
    @Option(parsing: .unconditional, help: "Price per device-hour in USD, 0 to 1e6 (default: the profile's).") var price: Double?
    @Flag(
        help:
            "Also list the kernels of one micro-batch (one layer of each pass) with their predicted times (with --json: a `kernels` array, each with its spec)."
    )
    var kernels = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        for (name, value) in [("gpus", gpus), ("tp", tp), ("pp", pp), ("cp", cp), ("dp", dp), ("ep", ep), ("etp", etp)] {
            try checkCount(name, value, CountBounds.devices)
        }
        try checkCount("micro-batch", microBatch, CountBounds.microBatch)
        try checkCount("global-batch", globalBatch, CountBounds.globalBatch)
        try checkCount("seq", seq, CountBounds.seq)
        try checkCount("interleave", interleave, CountBounds.interleave)
        try checkCount("vp", virtualPipeline, CountBounds.interleave)
        for (name, value) in [("layers", layers), ("first-stage-layers", firstStageLayers), ("last-stage-layers", lastStageLayers)] {
            try checkCount(name, value, CountBounds.layers)
        }
        try checkCount("lora-rank", loraRank, CountBounds.loraRank)
        try checkNumber("tokens", tokens, CountBounds.tokens)
        try checkNumber("price", price, CountBounds.priceUSDPerHour, unit: "USD per device-hour")
        if !(0...3).contains(zero) { throw ValidationError("--zero must be 0, 1, 2 or 3 (got \(zero))") }
        if sequenceParallel && tp == 1 { throw ValidationError("--sequence-parallel needs --tp > 1") }
        if !(capacityFactor > 0 && capacityFactor.isFinite) {
            throw ValidationError("--capacity-factor must be a positive number (got \(capacityFactor))")
        }
        if let v = virtualPipeline, interleave != 1, v != interleave {
            throw ValidationError("--vp \(v) and --interleave \(interleave) disagree; give one")
        }
        if finetune != .lora && (loraRank != 16 || loraTargets != "all") {
            throw ValidationError("--lora-rank and --lora-targets need --finetune lora")
        }
    }

    /// The fine-tuning mode the flags ask for.
    func finetuneMode() throws -> Finetune {
        switch finetune {
        case nil: return .none
        case .full: return .full
        case .lora: return .lora(LoRA(rank: loraRank, targets: try LoRA.targets(loraTargets)))
        }
    }

    func run() throws {
        let store = ProfileStore.locate()
        let definition = try store.model(model).withLayers(layers)
        let profile = try hardware.load()
        let devices =
            try gpus
            ?? CountBounds.product(
                "gpus", [("tp", tp), ("pp", pp), ("cp", cp), ("dp", dp ?? 1)],
                limit: CountBounds.devices.upperBound)
        if dp == nil && devices % (tp * pp * cp) != 0 {
            throw LayoutError(field: "gpus", detail: "--gpus \(devices) is not divisible by tp·pp·cp = \(tp)·\(pp)·\(cp) = \(tp * pp * cp)")
        }
        let dataParallel = dp ?? max(1, devices / (tp * pp * cp))
        let defaults = TrainingDefaults(model: definition, seq: seq)
        let seqLength = defaults.seq, images = defaults.images
        let batch = globalBatch ?? defaults.globalBatch(multipleOf: microBatch * dataParallel)
        let chunks = virtualPipeline ?? interleave
        let layout = Layout(
            devices: devices, tp: tp, pp: pp, cp: cp, dp: dataParallel, ep: ep,
            schedule: chunks > 1 ? .interleaved(chunks: chunks) : .oneFOneB, zero: zero,
            globalBatch: batch, microBatch: microBatch, overlapGradientReduction: overlap,
            firstStageLayers: firstStageLayers, lastStageLayers: lastStageLayers, expertTP: etp)
        var settings = KernelSettings(
            tp: tp, sequenceParallel: sequenceParallel, microBatch: microBatch, seq: seqLength,
            precision: precision, recompute: recompute, flashAttention: flash, mode: mode, optimizer: optimizer,
            cp: cp, ep: ep, capacityFactor: capacityFactor, finetune: try finetuneMode(), expertTP: etp)
        settings.autocastFP32Parameters = autocast
        var assumptions = TrainingAssumptions()
        assumptions.flashKernel = flashKernel
        let estimate = try TrainingPredictor.predict(
            model: definition, profile: profile, settings: settings, layout: layout,
            tokens: tokens ?? defaults.tokens, price: price, assumptions: assumptions)
        let listed = kernels ? KernelListing.list(model: definition, profile: profile, settings: settings) : []
        if json {
            var record = TrainRecord(estimate, unit: images ? "images" : "tokens")
            if kernels { record.kernels = listed.map(TrainRecord.ListedKernelRecord.init) }
            return try printRecord(record)
        }
        let isCNN: Bool
        if case .cnn = definition { isCNN = true } else { isCNN = false }
        print(TrainReport.text(estimate, profile: profile, images: images, isCNN: isCNN))
        if kernels {
            print("")
            print("Kernels of one micro-batch on one device (transformer passes are per layer; x count):")
            var table = TextTable(["pass", "kernel", "count", "time", "attained", "bound"])
            for row in listed {
                let p = row.prediction
                table.add([
                    row.phase, p.kernel.label, formatSignificant(row.count, digits: 3), Quantity.format(p.timeSeconds, .seconds),
                    Quantity.format(p.attainedFlopsPerSecond, .flopsPerSecond), p.bound.description,
                ])
            }
            print(table.render())
        }
    }
}

/// The readable form of a training estimate.
enum TrainReport {
    static func text(_ e: TrainingEstimate, profile: HardwareProfile, images: Bool, isCNN: Bool) -> String {
        let s = e.step, l = e.layout, k = e.settings
        let unit = images ? "images" : "tokens"
        var out: [String] = []
        let active = e.activeParameters < e.parameters ? ", \(formatCount(e.activeParameters)) active" : ""
        out.append("\(e.model) (\(formatCount(e.parameters)) parameters\(active)) on \(l.devices) × \(profile.name) (\(profile.id))")
        var config = "tp \(l.tp) · pp \(l.pp)\(l.schedule.chunks > 1 ? " (interleaved ×\(l.schedule.chunks))" : "")"
        if l.cp > 1 { config += " · cp \(l.cp)" }
        config += " · dp \(l.dp)"
        if l.etp != l.tp { config += " · etp \(l.etp)" }
        if l.ep > 1 { config += " · ep \(l.ep) (capacity factor \(formatSignificant(k.capacityFactor, digits: 3)))" }
        if l.pp > 1 && Set(e.stageLayers).count > 1 { config += " (stage layers \(e.stageLayers.map(String.init).joined(separator: ",")))" }
        config += l.zero > 0 ? ", ZeRO-\(l.zero)" : ""
        config += k.sequenceParallel ? ", sequence parallel" : ""
        config += ", micro-batch \(l.microBatch), global batch \(l.globalBatch)" + (images ? " images" : " × \(k.seq) tokens")
        config += ", \(k.precision.rawValue)"
        if !isCNN { config += ", recompute \(k.recompute.rawValue), \(k.flashAttention ? "flash" : "unfused") attention" }
        config += ", \(k.mode.rawValue), \(k.optimizer.rawValue)"
        if k.autocastFP32Parameters { config += ", autocast over fp32 parameters" }
        switch k.finetune {
        case .none: break
        case .full: config += ", full fine-tuning"
        case .lora(let lora): config += ", LoRA rank \(lora.rank) on \(lora.targets.map(\.rawValue).sorted().joined(separator: ","))"
        }
        if l.microBatchEquivalents < Double(l.microBatchesPerStep) {
            config += " (last micro-batch \(l.sequencesPerRank - (l.microBatchesPerStep - 1) * l.microBatch) of \(l.microBatch))"
        }
        out.append(config)
        let m = s.memory
        let parts =
            "weights \(gib(m.weights)), gradients \(gib(m.gradients)), optimizer \(gib(m.optimizerStates)), activations \(gib(m.activations)), temporary \(gib(m.temporary))"
        guard m.fits else {
            out.append("does not fit: needs \(gib(m.total)) per device, has \(gib(m.capacity)) (\(gib(m.total - m.capacity)) short)")
            out.append("  \(parts)")
            out.append("  try more devices, a higher --zero stage, --recompute selective|full, a smaller --micro-batch, or more --tp/--pp")
            return out.joined(separator: "\n")
        }
        out.append("memory per device: \(gib(m.total)) of \(gib(m.capacity)) (\(parts))")
        out.append("")
        let b = s.breakdown
        var table = TextTable(["step", "seconds", "share"])
        for (name, value) in [
            ("GEMMs", b.gemm), ("attention", b.attention), ("memory-bound ops", b.memoryBound),
            ("optimizer", b.optimizer), ("exposed communication", b.exposedCommunication),
            ("pipeline bubble", b.pipelineBubble), ("dispatch overhead", b.dispatchOverhead),
        ] {
            table.add([name, Quantity.format(value, .seconds), String(format: "%.1f%%", value / s.stepSeconds * 100)])
        }
        table.add(["step time", Quantity.format(s.stepSeconds, .seconds), "100%"])
        out.append(table.render())
        out.append("")
        out.append(
            "throughput \(formatCount(s.tokensPerSecond)) \(unit)/s, MFU \(String(format: "%.1f%%", s.mfu * 100)), HFU \(String(format: "%.1f%%", s.hfu * 100)) "
                + "(of the \(s.mfuPeakDType.rawValue) peak, \(Quantity.format(s.mfuPeakFlopsPerSecond, .flopsPerSecond)) per device)")
        let cost = e.costUSD.map { "$" + formatCount($0) } ?? "no price (use --price)"
        out.append(
            "\(formatCount(e.tokens)) \(unit): \(formatDuration(e.trainSeconds)), \(formatCount(e.deviceHours)) GPU-hours, \(cost), \(formatCount(e.energyKWh)) kWh (device power)"
        )
        return out.joined(separator: "\n")
    }

    static func gib(_ bytes: Double) -> String { Quantity.format(bytes, .bytes) }

    static func formatCount(_ v: Double) -> String {
        let steps: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]
        for (scale, suffix) in steps where abs(v) >= scale { return formatSignificant(v / scale, digits: 3) + suffix }
        return formatSignificant(v, digits: 3)
    }

    static func formatDuration(_ seconds: Double) -> String {
        if seconds >= 86400 { return String(format: "%.1f days", seconds / 86400) }
        if seconds >= 3600 { return String(format: "%.1f hours", seconds / 3600) }
        return Quantity.format(seconds, .seconds)
    }
}
