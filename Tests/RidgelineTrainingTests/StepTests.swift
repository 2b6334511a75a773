import Ridgeline
import Testing

@testable import RidgelineTraining

@Suite struct StepTests {
    func costs(_ id: String, _ settings: KernelSettings, hardware: String = "h100-sxm5-80gb") throws -> LayerCosts {
        try LayerCosts.compute(model: try Fixtures.model(id), profile: try Fixtures.hardware(hardware), settings: settings)
    }

    /// 6·N + 12·layers·d_model·seq per token (Kaplan et al. 2020; PaLM appendix B), within 1%,
    /// from the kernels' own FLOP counts.
    @Test(arguments: ["gpt3-175b", "megatron-1t", "gpt2-124m"])
    func flopsPerTokenAreSixNPlusAttention(id: String) throws {
        let model = try Fixtures.transformer(id)
        let s = model.maxSeq
        let c = try costs(id, KernelSettings(tp: 1, microBatch: 1, seq: s))
        let perToken = c.modelFlopsPerMicroBatch / c.tokensPerMicroBatch
        let expected = 6 * model.parameterCount + 12 * Double(model.layers) * Double(model.dModel) * Double(s)
        #expect(Fixtures.relativeError(perToken, expected) < 0.01, "\(perToken) vs \(expected)")
    }

    /// Untied models: the input embedding is a lookup, not a product, so N leaves it out.
    @Test func flopsPerTokenForUntiedLlama() throws {
        let model = try Fixtures.transformer("llama2-7b")
        let c = try costs("llama2-7b", KernelSettings(seq: 4096))
        let n = model.parameterCount - Double(model.vocab * model.dModel)
        let expected = 6 * n + 12 * Double(model.layers) * Double(model.dModel) * 4096
        #expect(Fixtures.relativeError(c.modelFlopsPerMicroBatch / c.tokensPerMicroBatch, expected) < 0.01)
    }

    @Test func tensorParallelSplitKeepsTotalFlops() throws {
        let one = try costs("gpt3-175b", KernelSettings(tp: 1, seq: 2048))
        let eight = try costs("gpt3-175b", KernelSettings(tp: 8, seq: 2048))
        // Equal up to the vocabulary's remainder when it does not divide by tp (50257 / 8).
        #expect(Fixtures.relativeError(eight.modelFlopsPerMicroBatch, one.modelFlopsPerMicroBatch) < 1e-6)
    }

    @Test func backwardGEMMsAreTwiceForward() throws {
        let c = try costs("gpt3-175b", KernelSettings(seq: 2048, flashAttention: true))
        let k = TransformerKernels(model: try Fixtures.transformer("gpt3-175b"), settings: KernelSettings(seq: 2048))
        func gemmFlops(_ p: PassKernels) -> Double {
            p.kernels.filter { $0.category == .gemm }.reduce(0) { $0 + $1.kernel.flops * $1.count }
        }
        #expect(Fixtures.relativeError(gemmFlops(k.layerBackward()), 2 * gemmFlops(k.layerForward())) < 1e-12)
        #expect(c.layerBackward.gemm > 1.5 * c.layerForward.gemm)
    }

    /// Full recomputation adds each layer's forward back: hardware FLOPs grow by exactly the
    /// forward layer FLOPs; selective with flash attention adds nothing, unfused adds the core.
    @Test func recomputeAddsTheForwardBack() throws {
        let none = try costs("gpt3-175b", KernelSettings(seq: 2048, recompute: .none))
        let full = try costs("gpt3-175b", KernelSettings(seq: 2048, recompute: .full))
        let added = full.hardwareFlopsPerMicroBatch - none.hardwareFlopsPerMicroBatch
        let k = TransformerKernels(model: try Fixtures.transformer("gpt3-175b"), settings: KernelSettings(seq: 2048))
        #expect(Fixtures.relativeError(added, 96 * LayerCosts.modelFlops(k.layerForward())) < 1e-9)
        #expect(none.hardwareFlopsPerMicroBatch == none.modelFlopsPerMicroBatch)
        // The device really does the forward work again: full recompute's time includes it.
        #expect(Fixtures.relativeError(full.layerRecompute.flops, none.layerForward.flops) < 1e-12)
        #expect(full.modelFlopsPerMicroBatch == none.modelFlopsPerMicroBatch)
        let selectiveFlash = try costs("gpt3-175b", KernelSettings(seq: 2048, recompute: .selective, flashAttention: true))
        #expect(selectiveFlash.hardwareFlopsPerMicroBatch == none.hardwareFlopsPerMicroBatch)
        let selectiveUnfused = try costs("gpt3-175b", KernelSettings(seq: 2048, recompute: .selective, flashAttention: false))
        #expect(selectiveUnfused.layerRecompute.attention > 0 && selectiveUnfused.layerRecompute.gemm == 0)
    }

    @Test func hfuOverMfuIsFourThirdsUnderFullRecompute() throws {
        let c = try costs("gpt3-175b", KernelSettings(tp: 8, microBatch: 1, seq: 2048, recompute: .full, flashAttention: false))
        let step = StepModel.evaluate(c, layout: Layout(devices: 64, tp: 8, pp: 8, globalBatch: 64))
        #expect(abs(step.hfu / step.mfu - 4.0 / 3) < 0.02)
    }

    /// Bubble (p−1)/v × stage time, fraction (p−1)/(v·m) (Narayanan et al. 2021 §2.2).
    @Test(arguments: [(8, 1, 64), (8, 3, 64), (4, 2, 16), (1, 1, 8)])
    func bubbleFormula(pp: Int, v: Int, m: Int) throws {
        let c = try costs("gpt3-175b", KernelSettings(tp: 8, seq: 2048))
        let layout = Layout(devices: 8 * pp, tp: 8, pp: pp, schedule: v > 1 ? .interleaved(chunks: v) : .oneFOneB, globalBatch: m)
        try layout.validate(model: try Fixtures.model("gpt3-175b"))
        let step = StepModel.evaluate(c, layout: layout)
        #expect(abs(step.bubbleFraction - Double(pp - 1) / Double(v * m)) < 1e-12)
        let computeSeconds = step.breakdown.gemm + step.breakdown.attention + step.breakdown.memoryBound + step.breakdown.dispatchOverhead
        let perMicroBatch = computeSeconds / Double(m)
        // The bubble is (p−1)/v micro-batch times of the slowest stage, including its TP comm.
        #expect(step.breakdown.pipelineBubble >= Double(pp - 1) / Double(v) * perMicroBatch * 0.999)
        #expect(step.breakdown.pipelineBubble <= Double(pp - 1) / Double(v) * perMicroBatch * 1.5 + 1e-12)
    }

    /// Megatron: two all-reduces of s·b·h per layer forward and two backward, ring volume 2(t−1)/t.
    @Test func tensorParallelVolumePerStep() throws {
        let model = try Fixtures.transformer("gpt3-175b")
        let c = try costs("gpt3-175b", KernelSettings(tp: 8, microBatch: 1, seq: 2048))
        let step = StepModel.evaluate(c, layout: Layout(devices: 8, tp: 8, globalBatch: 1))
        let hidden = 2048.0 * Double(model.dModel) * 2
        let perLayer = 4 * Collective.allReduce.bytesPerRank(hidden, ranks: 8)
        // Plus the embedding's all-reduce and the head's input-gradient all-reduce, and 3 small loss reductions.
        let expected =
            96 * perLayer + 2 * Collective.allReduce.bytesPerRank(hidden, ranks: 8)
            + 3 * Collective.allReduce.bytesPerRank(2048 * 4, ranks: 8)
        #expect(Fixtures.relativeError(step.tensorParallelBytes, expected) < 1e-9)
        let sp = try costs("gpt3-175b", KernelSettings(tp: 8, sequenceParallel: true, microBatch: 1, seq: 2048))
        let spStep = StepModel.evaluate(sp, layout: Layout(devices: 8, tp: 8, globalBatch: 1))
        // Sequence parallelism moves the same bytes per layer as all-reduces (Korthikanti §4.2.2).
        #expect(Fixtures.relativeError(spStep.tensorParallelBytes, step.tensorParallelBytes) < 0.02)
    }

    @Test func dataParallelVolumeIsARingAllReduceOfTheGradients() throws {
        let c = try costs("llama2-7b", KernelSettings(seq: 4096))
        let step = StepModel.evaluate(c, layout: Layout(devices: 16, dp: 16, zero: 0, globalBatch: 64))
        let grads = step.parametersPerStage * 2
        #expect(Fixtures.relativeError(step.dataParallelBytes, 2 * 15.0 / 16 * grads) < 1e-12)
        let z3 = StepModel.evaluate(c, layout: Layout(devices: 16, dp: 16, zero: 3, globalBatch: 64))
        // ZeRO-3: per micro-batch two all-gathers of the weights and a reduce-scatter of the grads.
        #expect(Fixtures.relativeError(z3.dataParallelBytes, 4 * 3 * 15.0 / 16 * grads) < 1e-12)
    }

    /// ZeRO-1 parameter all-gather overlapped with the next step's first forward (Megatron-core
    /// `overlap_param_gather`, apex `overlap_param_sync`): Llama 2 7B over 8 data-parallel ranks
    /// in one node, whose one-micro-batch forward outlasts the gather, exposes one bucket and
    /// `overlapContention` of the rest instead of the whole gather; bytes and the gradient
    /// reduce-scatter do not change.
    @Test func parameterGatherOverlapExposesOneBucketAndContention() throws {
        let c = try costs("llama2-7b", KernelSettings(seq: 4096))
        let layout = Layout(devices: 8, dp: 8, zero: 1, globalBatch: 32)
        let plain = StepModel.evaluate(c, layout: layout)
        var overlapped = TrainingAssumptions()
        overlapped.overlapParameterGather = true
        let hidden = StepModel.evaluate(c, layout: layout, assumptions: overlapped)
        let group = CommGroup(ranks: 8, ranksPerNode: 8)
        let weights = plain.parametersPerStage * 2
        let gather = c.network.time(.allGather, bytes: weights, group: group, hierarchical: true)
        let bucket = c.network.time(.allGather, bytes: overlapped.lastBucketBytes, group: group, hierarchical: true)
        let forward = Double(c.layers) * c.layerForward.seconds
        #expect(forward > gather && gather > 2 * bucket)
        let exposed = bucket + overlapped.overlapContention * (gather - bucket)
        let saved = plain.breakdown.exposedCommunication - hidden.breakdown.exposedCommunication
        #expect(Fixtures.relativeError(saved, gather - exposed) < 1e-9)
        #expect(hidden.dataParallelBytes == plain.dataParallelBytes)
        // ZeRO-0 has no parameter gather: the setting changes nothing there.
        let allReduce = Layout(devices: 8, dp: 8, zero: 0, globalBatch: 32)
        let unchanged = StepModel.evaluate(c, layout: allReduce, assumptions: overlapped)
        #expect(unchanged.stepSeconds == StepModel.evaluate(c, layout: allReduce).stepSeconds)
    }

    /// Full recompute under ZeRO-3: DeepSpeed gathers each layer again for its recomputed forward
    /// (three gathers a micro-batch); FSDP's one pre-backward gather serves both (two), and the
    /// step is never slower for it.
    @Test func zero3RegathersForRecomputeOnlyWhereTheFrameworkDoes() throws {
        let c = try costs("llama2-7b", KernelSettings(seq: 4096, recompute: .full))
        let layout = Layout(devices: 16, dp: 16, zero: 3, globalBatch: 64)
        let deepSpeed = StepModel.evaluate(c, layout: layout)
        var fsdp = TrainingAssumptions()
        fsdp.zero3RegatherForRecompute = false
        let once = StepModel.evaluate(c, layout: layout, assumptions: fsdp)
        let grads = deepSpeed.parametersPerStage * 2, ring = 15.0 / 16
        #expect(Fixtures.relativeError(deepSpeed.dataParallelBytes, 4 * (3 + 1) * ring * grads) < 1e-12)
        #expect(Fixtures.relativeError(once.dataParallelBytes, 4 * (2 + 1) * ring * grads) < 1e-12)
        #expect(once.stepSeconds <= deepSpeed.stepSeconds)
    }

    /// FSDP/ZeRO-3 time is never below the compute it runs beside, and gathering fp32 parameters
    /// (`shardedParameterBytes` 4, FSDP's `param_dtype` fp32) doubles the gather traffic and never
    /// makes a step faster; fp32 gradient reduction likewise for the reduce-scatter.
    @Test func fsdpNeverBeatsComputeAndFollowsItsDtypes() throws {
        let c = try costs("llama2-7b", KernelSettings(seq: 4096))
        for devices in [8, 16, 64] {
            for hierarchical in [false, true] {
                var a = TrainingAssumptions()
                a.hierarchicalZeRO3 = hierarchical
                let layout = Layout(devices: devices, dp: devices, zero: 3, globalBatch: 2 * devices)
                let bf16 = StepModel.evaluate(c, layout: layout, assumptions: a)
                let b = bf16.breakdown
                #expect(bf16.stepSeconds >= b.gemm + b.attention + b.memoryBound + b.optimizer)
                var fp32 = a
                fp32.shardedParameterBytes = 4
                let gathered = StepModel.evaluate(c, layout: layout, assumptions: fp32)
                #expect(gathered.stepSeconds >= bf16.stepSeconds)
                let grads = bf16.parametersPerStage * 2, n = Double(devices)
                // Per micro-batch two all-gathers (now 4 bytes a parameter) and a reduce-scatter.
                #expect(Fixtures.relativeError(gathered.dataParallelBytes, 2 * (2 * 2 + 1) * (n - 1) / n * grads) < 1e-12)
                fp32.gradientReduceBytesMixed = 4
                #expect(StepModel.evaluate(c, layout: layout, assumptions: fp32).stepSeconds >= gathered.stepSeconds)
            }
        }
    }

    @Test func eagerAddsDispatchOverhead() throws {
        let compiled = try costs("gpt2-124m", KernelSettings(microBatch: 1, seq: 1024, mode: .compiled))
        let eager = try costs("gpt2-124m", KernelSettings(microBatch: 1, seq: 1024, mode: .eager))
        #expect(compiled.layerForward.dispatch == 0)
        #expect(eager.layerForward.dispatch > 0)
        #expect(eager.layerForward.kernels > compiled.layerForward.kernels)
        #expect(eager.layerForward.seconds > compiled.layerForward.seconds)
    }

    @Test func fp8NeedsAnFP8Peak() throws {
        var profile = try Fixtures.hardware("h100-sxm5-80gb")
        _ = try LayerCosts.compute(
            model: try Fixtures.model("llama3-8b"), profile: profile, settings: KernelSettings(seq: 8192, precision: .fp8))
        profile.compute.peak[.fp8] = nil
        #expect {
            try LayerCosts.compute(
                model: try Fixtures.model("llama3-8b"), profile: profile, settings: KernelSettings(seq: 8192, precision: .fp8))
        } throws: { "\($0)".contains("fp8") }
    }

    @Test func fp8IsFasterThanBF16OnH100() throws {
        let bf16 = try costs("llama3-8b", KernelSettings(seq: 8192, precision: .bf16))
        let fp8 = try costs("llama3-8b", KernelSettings(seq: 8192, precision: .fp8))
        #expect(fp8.layerForward.gemm < 0.7 * bf16.layerForward.gemm)
    }

    @Test func resNetTrainsDataParallel() throws {
        let c = try costs("resnet-50", KernelSettings(microBatch: 256, seq: 1, optimizer: .sgd))
        let step = StepModel.evaluate(c, layout: Layout(devices: 8, dp: 8, globalBatch: 2048, microBatch: 256))
        #expect(step.stepSeconds > 0 && step.memory.fits)
        // ResNet-50 forward is about 4.1 GFLOP per 224² image (He et al. 2016: 3.8 G multiply-adds → ×2 ≈ 8 GFLOP
        // counting both; fvcore counts 4.1 GMAC); fwd+bwd about 3× that.
        let perImage = c.modelFlopsPerMicroBatch / 256
        #expect(perImage > 3 * 7.0e9 && perImage < 3 * 9.0e9, "\(perImage)")
    }
}
