import Foundation
import Ridgeline

/// The output of `ridgeline serve --json`, read for `ridgeline report --serving`: the load's
/// latency and throughput, and the prefill and decode passes with the work they do.
public struct ServingFile: Sendable {
    public var model: String
    public var hardware: String
    public var gpus: Int
    public var tp: Int
    public var precision: String
    public var inputTokens: Int, outputTokens: Int
    public var point: CompareServingReport.LoadPoint
    public var prefill: CompareServingReport.Phase
    public var decode: CompareServingReport.Phase

    public static func load(path: String) throws -> ServingFile {
        let r = try InputFile.jsonObject(path)
        let count = 1...Int.max
        func phase(_ key: String, _ label: String) throws -> CompareServingReport.Phase {
            let p = try r.child(key)
            let any = 0...Double.greatestFiniteMagnitude
            return .init(
                label: label, flops: try p.double("flops", in: any), bytes: try p.double("bytes", in: any),
                seconds: try p.double("time_s"), bound: try p.string("bound"))
        }
        let gpus = try r.int("gpus", in: count)
        let throughput = try r.double("output_tokens_per_s")
        let batch = try r.double("batch")
        let decode = try r.child("decode")
        return ServingFile(
            model: try r.string("model"), hardware: try r.string("hardware"), gpus: gpus, tp: try r.int("tp", in: count),
            precision: try r.string("precision"), inputTokens: try r.int("input_tokens", in: count),
            outputTokens: try r.int("output_tokens", in: count),
            point: .init(
                concurrency: max(1, Int(batch.rounded(.up))), ttft: try r.double("ttft_s"), tpot: try r.double("tpot_s"),
                tokensPerSecond: throughput, tokensPerSecondPerDevice: throughput / Double(gpus)),
            prefill: try phase("prefill", "prefill, \(try r.int("input_tokens", in: count))-token prompt"),
            decode: try phase("decode", "decode step, batch \(try decode.int("tokens", in: count))"))
    }

    /// The serving page of one `serve --json` result on `profile` (the file's hardware).
    public func report(profile: HardwareProfile, file: String, provenance: Provenance) throws -> Report {
        guard let dtype = DType(rawValue: precision) else {
            throw RidgelineError.invalidValue(file: file, field: "precision", value: precision, expected: "bf16, fp16 or fp8")
        }
        let device = CompareServingReport.Device(
            profile: profile, layout: "tp \(tp) · \(gpus / max(1, tp)) pp, \(precision)", dtype: dtype,
            sweep: [point], phases: [prefill, decode])
        return CompareServingReport.build(
            model: model, workload: "\(inputTokens) tokens in, \(outputTokens) out, from \(file)", devices: [device],
            provenance: provenance)
    }
}
