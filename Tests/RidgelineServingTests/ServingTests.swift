import Foundation
import Ridgeline
import RidgelineServing
import RidgelineTraining
import Testing

let store = ProfileStore.locate()

func transformer(_ id: String) throws -> TransformerModel {
    guard case .transformer(let t) = try store.model(id) else { throw ServingError.invalid("\(id) is not a transformer") }
    return t
}

func config(
    _ model: String, _ hardware: String, input: Int = 1000, output: Int = 500, tp: Int = 1,
    datasheet: Bool = true
) throws -> ServingConfig {
    var profile = try store.hardware(hardware)
    if datasheet { profile.calibration = nil }
    var c = ServingConfig(model: try transformer(model), profile: profile, inputTokens: input, outputTokens: output)
    c.tp = tp
    return c
}

@Suite struct KVCacheTests {
    @Test func llama31_70bIs320KiBPerTokenInBF16() throws {
        // 80 layers × 8 KV heads × 128 head dim × 2 (K, V) × 2 bytes = 327,680 = 320 KiB.
        let m = try transformer("llama3.1-70b")
        #expect(ServingPredictor.kvBytesPerToken(m, dtype: .bf16) == 80 * 8 * 128 * 2 * 2)
        #expect(ServingPredictor.kvBytesPerToken(m, dtype: .bf16) == 320 * 1024)
        #expect(ServingPredictor.kvBytesPerToken(m, dtype: .fp8) == 160 * 1024)
    }

    @Test func mixtralIsDenseAttentionSized() throws {
        // Mixtral 8x7B: 32 layers × 8 KV heads × 128 × 2 × 2 = 131,072 (128 KiB): experts add none.
        let m = try transformer("mixtral-8x7b")
        #expect(ServingPredictor.kvBytesPerToken(m, dtype: .bf16) == 32 * 8 * 128 * 2 * 2)
    }

    @Test func tensorParallelSplitsKVHeads() throws {
        var c = try config("llama3.1-70b", "h100-sxm5-80gb", tp: 4)
        let p4 = try ServingPredictor(c)
        #expect(p4.kvBytesPerTokenPerDevice == 320 * 1024 / 4)
        c.tp = 8
        #expect(try ServingPredictor(c).kvBytesPerTokenPerDevice == 320 * 1024 / 8)
    }
}

@Suite struct DecodeTests {
    @Test func batchOneDecodeIsWeightBytesOverBandwidth() throws {
        let c = try config("llama3.1-8b", "h100-sxm5-80gb", input: 128, output: 128)
        let p = try ServingPredictor(c)
        let step = p.decodeStep(batch: 1, context: 128)
        // Floor: every weight byte read once from HBM, plus the per-kernel launches and the engine step.
        let weights = c.model.parameterCount * 2
        let floor = weights / c.profile.deviceMemory.bandwidth
        let overheads = step.overheadSeconds
        #expect(
            abs(step.timeSeconds - (floor + overheads)) / (floor + overheads) < 0.05,
            "step \(step.timeSeconds) floor \(floor) overheads \(overheads)")
        #expect(step.bound == "memory")
    }

    @Test func throughputNeverDecreasesWhenOnlyBandwidthGrows() throws {
        var previous = 0.0
        for factor in [1.0, 1.25, 1.5, 2.0, 3.0] {
            var c = try config("llama3.1-8b", "h100-sxm5-80gb", input: 512, output: 256)
            c.profile.memory[c.profile.memory.count - 1].bandwidth *= factor
            let e = try ServingPredictor(c).estimate(.concurrency(32))
            #expect(e.outputTokensPerSecond >= previous * (1 - 1e-12))
            previous = e.outputTokensPerSecond
        }
    }

    @Test func moeDecodeReadsOnlyRoutedExperts() throws {
        let c = try config("mixtral-8x7b", "h100-sxm5-80gb", tp: 2)
        let p = try ServingPredictor(c)
        let one = p.decodeStep(batch: 1, context: 1000)
        // Batch 1 touches 2 of 8 experts: well under the bytes of the whole model.
        #expect(one.bytes < 0.5 * c.model.parameterCount * 2 / 2)
        let many = p.decodeStep(batch: 64, context: 1000)
        #expect(many.bytes > one.bytes)
    }
}

@Suite struct PrefillAndLoadTests {
    @Test func ttftGrowsWithInputLength() throws {
        var last = 0.0
        for input in [128, 512, 2048, 8192, 32768] {
            let c = try config("llama3.1-8b", "h100-sxm5-80gb", input: input, output: 64)
            let e = try ServingPredictor(c).estimate(.batch(1))
            #expect(e.ttft > last)
            last = e.ttft
        }
    }

    @Test func weightsThatDoNotFitAreRefusedWithTheNumbers() throws {
        let c = try config("llama3.1-70b", "h100-sxm5-80gb")
        #expect(throws: ServingError.self) { try ServingPredictor(c).estimate(.batch(1)) }
        do {
            _ = try ServingPredictor(c).estimate(.batch(1))
        } catch let error as ServingError {
            #expect(error.description.contains("GB of weights per device"))
            #expect(error.description.contains("85.0 GB"))  // the H100's 80 GiB, as CUDA reports it
        }
    }

    @Test func maxLoadBeatsBatchOneAndRateStaysBelowCapacity() throws {
        let c = try config("llama3.1-8b", "h100-sxm5-80gb", input: 128, output: 128)
        let p = try ServingPredictor(c)
        let one = try p.estimate(.batch(1))
        let max = try p.estimate(.maxLoad)
        #expect(max.outputTokensPerSecond > 20 * one.outputTokensPerSecond)
        #expect(max.batch <= Double(p.maxConcurrency))
        let online = try p.estimate(.rate(2))
        #expect(abs(online.outputTokensPerSecond - 2 * 128) < 1e-9)
        #expect(online.ttft >= online.prefill.timeSeconds)
        #expect(throws: ServingError.self) { try p.estimate(.rate(1e6)) }
    }

    @Test func aFixedRunOfRequestsEndsWithAPartialGeneration() throws {
        let c = try config("llama3.1-8b", "h100-sxm5-80gb", input: 128, output: 128)
        let p = try ServingPredictor(c)
        let endless = try p.estimate(.maxLoad)
        let b = Int(endless.batch)
        // Whole generations of the max-load batch: the steady state, exactly.
        let whole = try p.estimate(.requests(3 * b))
        #expect(abs(whole.outputTokensPerSecond - endless.outputTokensPerSecond) < 1e-9 * endless.outputTokensPerSecond)
        // One request more than a batch runs a second generation of 1 for all its decode steps: the
        // run takes a closed-loop cycle of b and one of 1 (each cycle = output tokens × TPOT).
        let oneMore = try p.estimate(.requests(b + 1))
        let cycles = 128 * (try p.estimate(.concurrency(b)).tpot + p.estimate(.concurrency(1)).tpot)
        #expect(abs(oneMore.outputTokensPerSecond - Double((b + 1) * 128) / cycles) < 1e-9 * oneMore.outputTokensPerSecond)
        #expect(oneMore.outputTokensPerSecond < 0.95 * endless.outputTokensPerSecond)
        // Fewer requests than fit: they are the batch.
        let few = try p.estimate(.requests(10))
        #expect(few.batch <= 10)
        #expect(throws: ServingError.self) { try p.estimate(.requests(0)) }
    }

    @Test func tensorParallelAddsAllReduceAtDecode() throws {
        let c = try config("llama3.1-70b", "h100-sxm5-80gb", tp: 4)
        let d = try ServingPredictor(c).decodeStep(batch: 1, context: 1000)
        // Two all-reduces per layer, each at least the link latency.
        #expect(d.communicationSeconds > 2 * 80 * 3e-6)
    }
}

@Suite struct FP4Tests {
    @Test func nvfp4IsFourAndAHalfBitsPerValue() {
        // 4-bit values and one 8-bit scale per 16: 4 + 8/16 = 4.5 bits = 0.5625 bytes.
        #expect(DType.fp4.bytes == 0.5625)
    }

    @Test func fp4WeightsAreNVFP4BytesAndDecodeReadsThem() throws {
        var c = try config("llama3.1-70b", "b200", input: 128, output: 128)
        let bf16 = try ServingPredictor(c)
        c.precision = .fp4
        let fp4 = try ServingPredictor(c)
        #expect(abs(fp4.weightBytesPerDevice / bf16.weightBytesPerDevice - 0.5625 / 2) < 1e-12)
        // The KV cache stays fp8 unless asked for, so more sequences fit than in bf16 but the
        // per-token bytes are fp8's.
        #expect(fp4.kvBytesPerToken == ServingPredictor.kvBytesPerToken(c.model, dtype: .fp8))
        // Batch-1 decode is weight-bound: within 5% of the fp4 weight bytes over HBM plus overheads.
        let step = fp4.decodeStep(batch: 1, context: 128)
        let floor = c.model.parameterCount * 0.5625 / c.profile.deviceMemory.bandwidth
        #expect(abs(step.timeSeconds - (floor + step.overheadSeconds)) / (floor + step.overheadSeconds) < 0.05)
    }

    @Test func fp4PrefillRunsOnTheFP4Peak() throws {
        // A long prompt is compute-bound: on a datasheet b200 fp4 halves fp8's GEMM time, so the
        // prefill is clearly faster (attention and the rest stay as they were).
        var c = try config("llama3.1-70b", "b200", input: 8000, output: 1)
        c.precision = .fp8
        let fp8 = try ServingPredictor(c).prefill().computeSeconds
        c.precision = .fp4
        let fp4 = try ServingPredictor(c).prefill().computeSeconds
        #expect(fp4 < 0.75 * fp8, "fp4 \(fp4) fp8 \(fp8)")
    }

    @Test func fp4IsRefusedWhereThePartHasNoFP4Peak() throws {
        var c = try config("llama3.1-8b", "h100-sxm5-80gb")
        c.precision = .fp4
        #expect(throws: ServingError.self) { try ServingPredictor(c) }
        do { _ = try ServingPredictor(c) } catch {
            #expect("\(error)".contains("h100-sxm5-80gb") && "\(error)".contains("no fp4 tensor peak"))
        }
        c.precision = .bf16; c.kvPrecision = .fp4
        #expect(throws: ServingError.self) { try ServingPredictor(c) }
    }
}
