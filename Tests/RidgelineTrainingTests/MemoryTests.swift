import Ridgeline
import Testing

@testable import RidgelineTraining

@Suite struct MemoryTests {
    /// GPT-3 175B with dropout, unfused attention (the paper's setting), s=2048, b=1, a=96, h=12288.
    let model = TransformerModel(
        name: "gpt3", layers: 96, dModel: 12288, heads: 96, ffn: 49152, vocab: 51200, maxSeq: 2048,
        dropout: true)
    var sbh: Double { 2048 * 12288 }
    var asOverH: Double { 96.0 * 2048 / 12288 }

    func perLayer(tp: Int, sp: Bool, recompute: Recompute) -> Double {
        ActivationMemory(
            model: model,
            settings: KernelSettings(
                tp: tp, sequenceParallel: sp, microBatch: 1, seq: 2048,
                precision: .bf16, recompute: recompute, flashAttention: false)
        ).storedPerLayer
    }

    @Test func korthikantiNoParallelism() {
        #expect(Fixtures.relativeError(perLayer(tp: 1, sp: false, recompute: .none), sbh * (34 + 5 * asOverH)) < 1e-12)
    }

    @Test func korthikantiTensorParallel() {
        let t = 8.0
        #expect(Fixtures.relativeError(perLayer(tp: 8, sp: false, recompute: .none), sbh * (10 + 24 / t + 5 * asOverH / t)) < 1e-12)
    }

    @Test func korthikantiSequenceParallel() {
        #expect(Fixtures.relativeError(perLayer(tp: 8, sp: true, recompute: .none), sbh / 8 * (34 + 5 * asOverH)) < 1e-12)
    }

    @Test func korthikantiSelectiveAndFull() {
        #expect(Fixtures.relativeError(perLayer(tp: 8, sp: true, recompute: .selective), sbh / 8 * 34) < 1e-12)
        #expect(Fixtures.relativeError(perLayer(tp: 8, sp: false, recompute: .selective), sbh * (10 + 24.0 / 8)) < 1e-12)
        #expect(Fixtures.relativeError(perLayer(tp: 1, sp: false, recompute: .full), 2 * sbh) < 1e-12)
    }

    @Test func flashAttentionKeepsNoScores() {
        let m = ActivationMemory(model: model, settings: KernelSettings(tp: 1, seq: 2048, flashAttention: true))
        #expect(m.scores == 0)
        #expect(Fixtures.relativeError(m.storedPerLayer, sbh * 34) < 1e-12)
    }

    /// Mixed-precision Adam holds 16 bytes a parameter (Rajbhandari et al. 2020: 2 + 2 + 12);
    /// ZeRO-1 shards the 12, ZeRO-2 the gradients too, ZeRO-3 everything.
    @Test(arguments: [0, 1, 2, 3])
    func zeroStagesShardStates(zero: Int) throws {
        let c = try LayerCosts.compute(
            model: try Fixtures.model("llama2-7b"), profile: try Fixtures.hardware("h100-sxm5-80gb"),
            settings: KernelSettings(seq: 4096))
        let dp = 8.0
        let step = StepModel.evaluate(c, layout: Layout(devices: 8, dp: 8, zero: zero, globalBatch: 8))
        let p = step.parametersPerStage
        let expected = 2 * p / (zero >= 3 ? dp : 1) + 2 * p / (zero >= 2 ? dp : 1) + 12 * p / (zero >= 1 ? dp : 1)
        let m = step.memory
        #expect(Fixtures.relativeError(m.weights + m.gradients + m.optimizerStates, expected) < 1e-12)
        if zero == 0 { #expect(Fixtures.relativeError(m.weights + m.gradients + m.optimizerStates, 16 * 6.738e9) < 0.01) }
    }

    /// 1F1B keeps p micro-batches in flight on the first stage: L/p layers × p = L layers' worth.
    @Test func pipelineFirstStageHoldsAllLayersWorth() throws {
        let c = try LayerCosts.compute(
            model: try Fixtures.model("gpt3-175b"), profile: try Fixtures.hardware("h100-sxm5-80gb"),
            settings: KernelSettings(tp: 8, sequenceParallel: true, seq: 2048, recompute: .selective, flashAttention: false))
        let step = StepModel.evaluate(c, layout: Layout(devices: 64, tp: 8, pp: 8, globalBatch: 64))
        let expected = 96 * c.activationBytesPerLayer + 8 * c.inputActivationBytes
        #expect(Fixtures.relativeError(step.memory.activations, expected) < 1e-12)
    }

    @Test func llama70BOnOneGPUDoesNotFit() throws {
        let e = try TrainingPredictor.predict(
            model: try Fixtures.model("llama2-70b"), profile: try Fixtures.hardware("h100-sxm5-80gb"),
            settings: KernelSettings(seq: 4096), layout: Layout(devices: 1, globalBatch: 8), tokens: 1e9)
        #expect(!e.fitsInMemory)
        #expect(e.step.memory.total > 16 * 68e9)
    }

    @Test func llama7BWithZeRO3OnEightGPUsFits() throws {
        let e = try TrainingPredictor.predict(
            model: try Fixtures.model("llama2-7b"), profile: try Fixtures.hardware("h100-sxm5-80gb"),
            settings: KernelSettings(microBatch: 1, seq: 4096, recompute: .selective),
            layout: Layout(devices: 8, dp: 8, zero: 3, globalBatch: 512), tokens: 2e12)
        #expect(e.fitsInMemory)
        #expect(e.step.mfu > 0.2 && e.step.mfu <= 1)
        #expect(e.trainSeconds > 0 && e.energyKWh > 0 && (e.costUSD ?? 0) > 0)
    }
}

@Suite struct LayoutTests {
    func check(_ layout: Layout, _ id: String = "gpt3-175b") throws { try layout.validate(model: try Fixtures.model(id)) }

    @Test func productMustEqualDevices() {
        #expect { try check(Layout(devices: 64, tp: 8, pp: 4, dp: 4, globalBatch: 64)) } throws: {
            "\($0)".contains("tp·pp·cp·dp = 8·4·1·4 = 128")
        }
    }

    @Test func headsMustDivideByTP() {
        #expect { try check(Layout(devices: 7, tp: 7, globalBatch: 7), "gpt2-124m") } throws: { "\($0)".contains("12 attention heads") }
    }

    /// Uneven pipeline stages are valid (issue 11); more stages than layers, or fixed end stages
    /// that leave the others without a layer, are not.
    @Test func everyStageNeedsALayer() throws {
        try check(Layout(devices: 5, pp: 5, globalBatch: 5), "gpt2-124m")
        #expect { try check(Layout(devices: 13, pp: 13, globalBatch: 13), "gpt2-124m") } throws: { "\($0)".contains("12 layers") }
        #expect { try check(Layout(devices: 5, pp: 5, globalBatch: 5, firstStageLayers: 5, lastStageLayers: 5), "gpt2-124m") } throws: {
            "\($0)".contains("12 layers")
        }
    }

    /// A global batch that micro-batch × dp does not divide runs a smaller last micro-batch
    /// (issue 11); one smaller than dp leaves ranks idle and is refused.
    @Test func globalBatchNeedsASequencePerRank() throws {
        try check(Layout(devices: 8, dp: 8, globalBatch: 20, microBatch: 2))
        #expect { try check(Layout(devices: 8, dp: 8, globalBatch: 4, microBatch: 2)) } throws: { "\($0)".contains("smaller than dp") }
    }

    @Test func interleaveMustSplitTheStage() {
        #expect { try check(Layout(devices: 64, tp: 8, pp: 8, schedule: .interleaved(chunks: 5), globalBatch: 64)) } throws: {
            "\($0)".contains("chunks")
        }
    }

    @Test func cnnIsDataParallelOnly() {
        #expect(throws: LayoutError.self) { try check(Layout(devices: 2, tp: 2, globalBatch: 2), "resnet-50") }
    }

    @Test func validLayoutPasses() throws {
        try check(Layout(devices: 64, tp: 8, pp: 8, schedule: .interleaved(chunks: 3), globalBatch: 64))
    }
}
