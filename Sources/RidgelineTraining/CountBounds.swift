import Foundation
import Ridgeline

/// Upper bounds of every count a training question takes: the flags of `train`, `plan` and
/// `compare`, and the fields of `Layout`, `KernelSettings` and `PlanRequest`.
///
/// They lie far above any published run (the largest use about 10^5 devices, 16M-token batches
/// and 1M-token contexts) and low enough that every integer product the model forms stays below
/// 2^63: a value past them is an error naming the flag, never a trap (exit 132) or a wrapped number.
public enum CountBounds {
    /// Devices and every parallel size (gpus, tp, pp, cp, dp, ep, etp, min/max devices): 2^20.
    public static let devices = 1...1_048_576
    /// Sequences (images) per micro-batch: 2^16.
    public static let microBatch = 1...65_536
    /// Sequences (images) per optimizer step: 2^26.
    public static let globalBatch = 1...67_108_864
    /// Sequence length in tokens: 2^22 (4M tokens).
    public static let seq = 1...4_194_304
    /// Transformer layers (`--layers`, first/last stage layers): as a model YAML's `layers`.
    public static let layers = 1...100_000
    /// Model chunks per device of the interleaved schedule (`--interleave`, `--vp`).
    public static let interleave = 1...1_024
    /// LoRA rank.
    public static let loraRank = 1...65_536
    /// Configurations `plan` lists (`--top`).
    public static let top = 1...10_000
    /// Tokens (images) to train on: 10^18, a million times the largest published run.
    public static let tokens: ClosedRange<Double> = 1...1e18
    /// Price per device-hour in USD.
    public static let priceUSDPerHour: ClosedRange<Double> = 0...1e6
    /// Elements of the largest tensor of one micro-batch's kernels: 10^15 (2 PB in bf16, 10^4 times
    /// any device's memory). Below it every element count the kernels multiply out stays below 2^63.
    public static let kernelElements = 1e15

    /// "1 to 1048576" for help texts and messages.
    public static func describe(_ range: ClosedRange<Int>) -> String { "\(range.lowerBound) to \(range.upperBound)" }
    public static func describe(_ range: ClosedRange<Double>) -> String {
        "\(short(range.lowerBound)) to \(short(range.upperBound))"
    }
    /// 1e+18, 0.5, 1e+06: a bound or a large value in a message.
    public static func short(_ x: Double) -> String {
        String(format: "%g", x)
    }

    /// Throws a `LayoutError` naming `field` when `value` is outside `range`.
    public static func check(_ field: String, _ value: Int?, _ range: ClosedRange<Int>) throws {
        guard let value, !range.contains(value) else { return }
        throw LayoutError(field: field, detail: "--\(field) \(value) is outside \(describe(range))")
    }

    /// The product of `factors`, or a `LayoutError` naming `field` when it exceeds `limit`
    /// (checked: no intermediate product wraps).
    public static func product(_ field: String, _ factors: [(name: String, value: Int)], limit: Int) throws -> Int {
        var total = 1
        for f in factors {
            let (p, overflow) = total.multipliedReportingOverflow(by: f.value)
            guard !overflow, p <= limit else {
                let names = factors.map(\.name).joined(separator: "·"), values = factors.map { "\($0.value)" }.joined(separator: "·")
                throw LayoutError(field: field, detail: "\(names) = \(values) exceeds \(limit)")
            }
            total = p
        }
        return total
    }

    /// Throws when one micro-batch of `settings` on `model` would form a tensor of more than
    /// `kernelElements` elements (micro-batch × tokens × the widest layer, the attention scores
    /// of unfused attention, routed tokens × expert width), naming --micro-batch and --seq.
    public static func checkKernelSize(model: ModelDefinition, settings: KernelSettings) throws {
        try check("micro-batch", settings.microBatch, microBatch)
        try check("seq", settings.seq, seq)
        try check("tp", settings.tp, devices)
        try check("cp", settings.cp, devices)
        try check("ep", settings.ep, devices)
        try check("etp", settings.etp, devices)
        if let lora = settings.finetune.lora { try check("lora-rank", lora.rank, loraRank) }
        let b = Double(settings.microBatch)
        var largest = 0.0
        switch model {
        case .transformer(let t):
            let s = Double(t.tokens(seq: settings.seq))
            let expertFFN = Double(t.moe?.expertFFN ?? 0), shared = Double(t.moe?.sharedExperts ?? 0)
            let patch = t.image.map { Double($0.channels) * Double($0.patch) * Double($0.patch) } ?? 0
            let widths = [
                Double(t.dModel) + 2 * Double(t.kvDim), 2 * Double(t.ffn), Double(t.vocab), Double(t.heads) * Double(t.headDim),
                2 * expertFFN, 2 * shared * expertFFN, patch,
            ]
            let width = widths.max() ?? 0
            largest = b * s * width * Double(t.moe?.topK ?? 1) * 2
            if !settings.flashAttention { largest = max(largest, b * Double(t.heads) * s * s) }
        case .cnn(let c):
            var width = c.channels
            for layer in c.layers {
                switch layer {
                case .conv(let out, _, _, _, _), .bottleneck(_, let out, _), .basic(let out, _), .fc(let out): width = max(width, out)
                case .maxPool, .globalAvgPool: break
                }
            }
            largest = b * Double(c.image) * Double(c.image) * Double(width) * 4
        }
        guard largest.isFinite, largest <= kernelElements else {
            throw LayoutError(
                field: "micro-batch",
                detail:
                    "--micro-batch \(settings.microBatch) with --seq \(settings.seq) on \(model.name) gives a tensor of \(short(largest)) elements in one kernel, above the \(short(kernelElements)) the model handles; lower --micro-batch or --seq"
            )
        }
    }
}
