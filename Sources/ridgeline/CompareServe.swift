import ArgumentParser
import Foundation
import Ridgeline
import RidgelineReport
import RidgelineServing
import RidgelineTraining

/// `compare --serve`: the same model and layout served on every device, swept over the load.
enum CompareServe {
    /// Requests in flight on the throughput-latency curve: powers of two up to what the KV cache
    /// holds (and the engine's largest batch), and that limit itself.
    static func loads(upTo limit: Int) -> [Int] {
        var c = [1]
        while c.last! * 2 < limit { c.append(c.last! * 2) }
        if limit > 1 { c.append(limit) }
        return c
    }

    /// Decode batches shown on the roofline: 1, 16, 256 and the largest that fits (where below it).
    static func decodeBatches(upTo limit: Int) -> [Int] {
        ([1, 16, 256].filter { $0 < limit } + [limit]).filter { $0 >= 1 }
    }

    static func device(
        model: TransformerModel, profile: HardwareProfile, tp: Int, precision: ServingPrecision,
        inputTokens: Int, outputTokens: Int
    ) throws -> CompareServingReport.Device {
        var config = ServingConfig(model: model, profile: profile, inputTokens: inputTokens, outputTokens: outputTokens)
        config.tp = tp; config.precision = precision
        let predictor = try ServingPredictor(config)
        try predictor.checkFits()
        let limit = min(predictor.maxConcurrency, config.assumptions.maxBatch)
        let sweep = try loads(upTo: limit).map { c in
            let e = try predictor.estimate(.concurrency(c))
            return CompareServingReport.LoadPoint(
                concurrency: c, ttft: e.ttft, tpot: e.tpot, tokensPerSecond: e.outputTokensPerSecond,
                tokensPerSecondPerDevice: e.outputTokensPerSecondPerDevice)
        }
        let prefill = predictor.prefill(requests: 1)
        var phases = [
            CompareServingReport.Phase(
                label: "prefill, \(inputTokens)-token prompt", flops: prefill.flops, bytes: prefill.bytes,
                seconds: prefill.timeSeconds, bound: prefill.bound)
        ]
        for b in decodeBatches(upTo: limit) {
            let d = predictor.decodeStep(batch: b, context: predictor.meanContext)
            phases.append(.init(label: "decode step, batch \(b)", flops: d.flops, bytes: d.bytes, seconds: d.timeSeconds, bound: d.bound))
        }
        return CompareServingReport.Device(
            profile: profile, layout: "tp \(tp), \(precision.rawValue)", dtype: precision.dtype, sweep: sweep, phases: phases)
    }

    static func precision(_ p: Precision) throws -> ServingPrecision {
        switch p {
        case .bf16: return .bf16
        case .fp16: return .fp16
        case .fp8: return .fp8
        case .fp32: throw ValidationError("--serve: --precision fp32 is not a serving precision (bf16, fp16 or fp8)")
        }
    }
}
