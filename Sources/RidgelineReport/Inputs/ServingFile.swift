import Foundation
import Ridgeline
import RidgelineServing

/// What a report shows of `ridgeline serve --json` (`ridgeline report --serving`): the load's
/// latency and throughput, and the prefill and decode passes with the work they do. The file is
/// read with the schema `serve` writes it with (`ServeRecord`); the fields the page needs that
/// the record leaves optional are required here.
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
        let input = try InputFile.read(path)
        let text = input.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{") else {
            throw RidgelineError.unreadable(file: input.name, reason: "expected a JSON object, found '\(text.prefix(40))'")
        }
        return try ServingFile(try RecordCoding.decode(ServeRecord.self, from: text, file: input.name), file: input.name)
    }

    init(_ r: ServeRecord, file: String) throws {
        func need<T>(_ value: T?, _ field: String) throws -> T {
            guard let value else { throw RidgelineError.missingField(file: file, field: field) }
            return value
        }
        func count(_ value: Int?, _ field: String) throws -> Int {
            let n = try need(value, field)
            guard n >= 1 else { throw RidgelineError.invalidValue(file: file, field: field, value: "\(n)", expected: "a whole number ≥ 1") }
            return n
        }
        func phase(_ p: ServeRecord.Phase?, _ field: String, _ label: (ServeRecord.Phase) -> String) throws -> CompareServingReport.Phase {
            let p = try need(p, field)
            _ = try count(p.tokens, field + ".tokens")
            for (key, value) in [("flops", p.flops), ("bytes", p.bytes)] where value < 0 {
                throw RidgelineError.invalidValue(file: file, field: "\(field).\(key)", value: "\(value)", expected: "a number ≥ 0")
            }
            guard p.timeS > 0 else {
                throw RidgelineError.invalidValue(file: file, field: "\(field).time_s", value: "\(p.timeS)", expected: "a positive number")
            }
            return .init(label: label(p), flops: p.flops, bytes: p.bytes, seconds: p.timeS, bound: p.bound)
        }
        for (field, value) in [("ttft_s", r.ttftS), ("tpot_s", r.tpotS), ("output_tokens_per_s", r.outputTokensPerS), ("batch", r.batch)]
        where !(value > 0) {
            throw RidgelineError.invalidValue(file: file, field: field, value: "\(value)", expected: "a positive number")
        }
        let gpus = try count(r.gpus, "gpus")
        let inputTokens = try count(r.inputTokens, "input_tokens")
        model = try need(r.model, "model"); hardware = try need(r.hardware, "hardware"); self.gpus = gpus
        tp = try count(r.tp, "tp"); precision = try need(r.precision, "precision")
        self.inputTokens = inputTokens; outputTokens = try count(r.outputTokens, "output_tokens")
        point = .init(
            concurrency: max(1, Int(r.batch.rounded(.up))), ttft: r.ttftS, tpot: r.tpotS, tokensPerSecond: r.outputTokensPerS,
            tokensPerSecondPerDevice: r.outputTokensPerS / Double(gpus))
        prefill = try phase(r.prefill, "prefill") { _ in "prefill, \(inputTokens)-token prompt" }
        decode = try phase(r.decode, "decode") { "decode step, batch \($0.tokens)" }
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
