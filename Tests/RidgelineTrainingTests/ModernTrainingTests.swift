import Foundation
import Ridgeline
import Testing

@testable import RidgelineTraining

/// Issue 11: mixtures of experts, expert and context parallelism, uneven pipelines, partial
/// micro-batches, fp8 recipe costs and LoRA, each against numbers computed by hand.
@Suite struct ModernTrainingTests {
    func costs(_ model: ModelDefinition, _ settings: KernelSettings, hardware: String = "h100-sxm5-80gb") throws -> LayerCosts {
        try LayerCosts.compute(model: model, profile: try Fixtures.hardware(hardware), settings: settings)
    }

    // MARK: Mixture of experts

    /// Mixtral 8x7B by hand: attention 2·4096² + 2·4096·1024 = 41,943,040; one expert 3·4096·14336
    /// = 176,160,768; router 4096·8; two RMS norms 2·4096; embedding and untied head 32000·4096
    /// each and a final norm. Total 46.70B (Mistral: 46.7B), active with 2 experts 12.88B (12.9B).
    @Test func mixtral8x7BParameters() throws {
        let m = try Fixtures.model("mixtral-8x7b")
        let attention = 41_943_040.0, expert = 176_160_768.0, rest = 32_768.0 + 8_192
        let sides = 2 * 32_000.0 * 4096 + 4096
        #expect(m.parameterCount == 32 * (attention + 8 * expert + rest) + sides)
        #expect(m.activeParameterCount == 32 * (attention + 2 * expert + rest) + sides)
        #expect(abs(m.parameterCount - 46.7e9) < 0.01e9 && abs(m.activeParameterCount - 12.9e9) < 0.03e9)
    }

    /// Model FLOPs per token count the active parameters only: 6 × (active − embedding lookup)
    /// plus attention 12·L·d·s (Kaplan et al. 2020, PaLM's MFU convention).
    @Test func mixtralModelFlopsCountActiveParameters() throws {
        let model = try Fixtures.transformer("mixtral-8x7b")
        let c = try costs(.transformer(model), KernelSettings(seq: 4096))
        let n = model.activeParameterCount - 32_000 * 4096
        let expected = 6 * n + 12 * 32 * 4096 * 4096.0
        #expect(Fixtures.relativeError(c.modelFlopsPerMicroBatch / c.tokensPerMicroBatch, expected) < 1e-4)
    }

    static let smallMoE = """
        name: tiny-moe
        layers: 4
        d_model: 64
        heads: 4
        ffn: 256
        ffn_kind: gelu
        norm: layernorm
        vocab: 100
        max_seq: 16
        position: learned
        bias: false
        experts: 4
        top_k: 2
        expert_ffn: 128
        shared_experts: 1
        moe_every: 2
        dense_layers: 1
        """

    /// An invented MoE: layers 0, 1, 3 dense, layer 2 MoE (dense_layers 1, every other after).
    /// Dense layer: attention 4·64² = 16384, MLP 2·64·256 = 32768, two layer norms 256 → 49408.
    /// MoE layer: attention 16384, router 64·4 = 256, (4 routed + 1 shared) × 2·64·128, norms 256
    /// → 98816; active (2 routed + 1 shared) → 66048. Embedding 100·64 + positions 16·64, final norm 128.
    @Test func smallMoEByHand() throws {
        guard case .transformer(let t) = try ModelDefinition.parse(Self.smallMoE, file: "tiny.yaml") else {
            Issue.record("not a transformer"); return
        }
        #expect(t.moeLayerCount == 1)
        #expect((0..<4).map { t.moe!.isMoE(layer: $0) } == [false, false, true, false])
        #expect(t.parameterCount == 3 * 49_408 + 98_816 + 7_424 + 128)
        #expect(t.activeParameterCount == 3 * 49_408 + 66_048 + 7_424 + 128)
        // Forward GEMM FLOPs of the MoE MLP on one token: router 2·64·4, two routed and the shared
        // expert 3 × 2·(64·128 + 128·64).
        let k = TransformerKernels(model: t, settings: KernelSettings(microBatch: 1, seq: 16))
        let moeGEMMs: Double = k.moeBlockForward().kernels.filter { $0.category == .gemm }.reduce(0.0) { $0 + $1.kernel.flops * $1.count }
        let router: Double = 2 * 64 * 4
        let experts: Double = 3 * 2 * (64 * 128 + 128 * 64)
        #expect(moeGEMMs == 16 * (router + experts))
    }

    @Test func moeFieldErrorsNameTheField() {
        let base =
            "name: x\nlayers: 2\nd_model: 64\nheads: 4\nffn: 256\nffn_kind: gelu\nnorm: layernorm\nvocab: 100\nmax_seq: 16\nposition: rope\n"
        #expect { try ModelDefinition.parse(base + "experts: 4\ntop_k: 5\n", file: "m.yaml") } throws: {
            "\($0)".contains("top_k") && "\($0)".contains("5")
        }
        #expect { try ModelDefinition.parse(base + "top_k: 2\n", file: "m.yaml") } throws: {
            "\($0)".contains("top_k") && "\($0)".contains("experts")
        }
        #expect { try ModelDefinition.parse(base + "attention: mla\nkv_lora_rank: 512\n", file: "m.yaml") } throws: {
            "\($0)".contains("qk_rope_dim")
        }
        #expect { try ModelDefinition.parse(base + "kv_lora_rank: 512\n", file: "m.yaml") } throws: { "\($0)".contains("attention: mla") }
        #expect { try ModelDefinition.parse(base + "mamba: true\n", file: "m.yaml") } throws: { "\($0)".contains("mamba") }
        #expect { try ModelDefinition.parse(base + "experts: 4\ndense_layers: 2\n", file: "m.yaml") } throws: {
            "\($0)".contains("dense_layers")
        }
    }

    /// DeepSeek-V3's multi-head latent attention by hand (d 7168, 128 heads, q latent 1536, kv
    /// latent 512, rope 64, nope 128, v 128): W_DQ 7168·1536, W_UQ 1536·128·192, W_DKV 7168·576,
    /// W_UKV 512·128·256, W_O 128·128·7168. The attention kernel's head width (192 + 128)/2 = 160
    /// gives it exactly 2·s²·(192 + 128) FLOPs per head forward; the total is 671B (37B active).
    @Test func deepSeekV3LatentAttentionByHand() throws {
        let m = try Fixtures.transformer("deepseek-v3")
        let q: Double = 7168.0 * 1536 + 1536.0 * 128 * 192
        let kv: Double = 7168.0 * 576 + 512.0 * 128 * 256
        let o: Double = 128.0 * 128 * 7168
        let mla = q + kv + o
        #expect(m.attentionMatrixParameters == mla)
        #expect(m.headDim == 160 && m.kvHeads == 128)
        #expect(abs(m.parameterCount - 671e9) < 0.01 * 671e9 && abs(m.activeParameterCount - 37e9) < 0.02 * 37e9)
        let k = TransformerKernels(model: m, settings: KernelSettings(tp: 8, sequenceParallel: true, seq: 4096))
        let attention = k.layerForward().kernels.filter { $0.category == .attention }.reduce(0.0) { $0 + $1.kernel.flops * $1.count }
        let expected: Double = 2 * 4096.0 * 4096 * 320 * 16 * 0.5
        #expect(attention == expected)
        // The projections' GEMM FLOPs over the tp ranks are 2 × tokens × the projection weights.
        let c = try costs(.transformer(m), KernelSettings(tp: 8, sequenceParallel: true, seq: 4096))
        let one = try costs(.transformer(m), KernelSettings(seq: 4096))
        #expect(Fixtures.relativeError(c.modelFlopsPerMicroBatch, one.modelFlopsPerMicroBatch) < 1e-3)
    }

    /// Expert parallelism: each rank holds experts/ep; two all-to-alls forward and two backward
    /// over the EP group, each of the rank's routed tokens (tokens/tp · top_k · hidden · 2 bytes).
    @Test func expertParallelShardsExpertsAndAddsAllToAlls() throws {
        let m = try Fixtures.transformer("mixtral-8x7b")
        let one = TransformerKernels(model: m, settings: KernelSettings(tp: 2, sequenceParallel: true, microBatch: 1, seq: 4096))
        let eight = TransformerKernels(model: m, settings: KernelSettings(tp: 2, sequenceParallel: true, microBatch: 1, seq: 4096, ep: 8))
        #expect(Fixtures.relativeError(eight.expertParametersPerRank * 8, one.expertParametersPerRank) < 1e-12)
        for pass in [eight.moeBlockForward(), eight.moeBlockBackward()] {
            let a2a = pass.collectives.filter { $0.collective == .allToAll }
            #expect(a2a.count == 2 && a2a.allSatisfy { $0.group == .expert && $0.bytes == 2048 * 2 * 4096 * 2 })
        }
        #expect(one.moeBlockForward().collectives.allSatisfy { $0.collective != .allToAll })
        // Grouped expert GEMMs: the same FLOPs however the experts are spread.
        func gemm(_ p: PassKernels) -> Double { p.kernels.filter { $0.category == .gemm }.reduce(0) { $0 + $1.kernel.flops * $1.count } }
        #expect(Fixtures.relativeError(gemm(eight.moeBlockForward()), gemm(one.moeBlockForward())) < 1e-12)
    }

    /// SequentialMLP (`sequentialExperts`, Megatron-core with `moe_grouped_gemm: false`): each local
    /// expert runs its own GEMMs over its own tokens and, under fp8, its own casts, so a rank with g
    /// experts issues g times the kernels of one grouped GEMM per projection, at the same FLOPs and
    /// cast bytes; with one local expert (ep = experts) the two are the same kernels.
    @Test func sequentialExpertsIssueOneGEMMPerExpert() throws {
        let m = try Fixtures.transformer("grok-1")
        func kernels(ep: Int, sequential: Bool) -> TransformerKernels {
            var s = KernelSettings(tp: 4, sequenceParallel: true, microBatch: 1, seq: 4096, precision: .fp8, ep: ep)
            s.sequentialExperts = sequential
            return TransformerKernels(model: m, settings: s)
        }
        func count(_ p: PassKernels, _ keep: (StepKernel) -> Bool) -> Double { p.kernels.filter(keep).reduce(0) { $0 + $1.count } }
        func gemmFlops(_ p: PassKernels) -> Double {
            p.kernels.filter { $0.category == .gemm }.reduce(0) { $0 + $1.kernel.flops * $1.count }
        }
        let isGEMM: (StepKernel) -> Bool = { $0.category == .gemm }
        let isCast: (StepKernel) -> Bool = {
            if case .elementwise(let e) = $0.kernel { return e.name == "fp8_cast_transpose" }
            return false
        }
        func castBytes(_ p: PassKernels) -> Double { p.kernels.filter(isCast).reduce(0) { $0 + $1.kernel.bytes * $1.count } }
        let grouped = kernels(ep: 2, sequential: false), sequential = kernels(ep: 2, sequential: true)
        #expect(sequential.localExperts == 4)
        // Forward: the router GEMM, then up and down; backward: dX and dW of each, and the router's two.
        let passes = [
            (grouped.moeBlockForward(), sequential.moeBlockForward(), 1.0),
            (grouped.moeBlockBackward(), sequential.moeBlockBackward(), 2.0),
        ]
        for (g, s, router) in passes {
            #expect(count(s, isGEMM) - router == 4 * (count(g, isGEMM) - router))
            #expect(count(s, isCast) == 4 * count(g, isCast) && count(g, isCast) > 0)
            #expect(Fixtures.relativeError(gemmFlops(s), gemmFlops(g)) < 1e-12)
            #expect(Fixtures.relativeError(castBytes(s), castBytes(g)) < 1e-12)
        }
        let oneGrouped = kernels(ep: 8, sequential: false).moeBlockForward(),
            oneSequential = kernels(ep: 8, sequential: true).moeBlockForward()
        #expect(count(oneSequential, { _ in true }) == count(oneGrouped, { _ in true }))
        #expect(gemmFlops(oneSequential) == gemmFlops(oneGrouped))
    }

    /// Expert tensor parallelism (Megatron-core's etp) apart from tp: each expert's weights split
    /// over etp, the same expert FLOPs per rank (etp× the tokens at 1/etp of the width), the
    /// all-gather and reduce-scatter on the etp group, and the rule ep·etp·pp divides the devices.
    @Test func expertTensorParallelism() throws {
        let m = try Fixtures.transformer("grok-1")
        func kernels(_ etp: Int?) -> TransformerKernels {
            TransformerKernels(
                model: m, settings: KernelSettings(tp: 4, sequenceParallel: true, microBatch: 1, seq: 8192, ep: 8, expertTP: etp))
        }
        let same = kernels(nil), one = kernels(1)
        #expect(Fixtures.relativeError(one.expertParametersPerRank, 4 * same.expertParametersPerRank) < 1e-12)
        func gemm(_ p: PassKernels) -> Double { p.kernels.filter { $0.category == .gemm }.reduce(0) { $0 + $1.kernel.flops * $1.count } }
        #expect(Fixtures.relativeError(gemm(one.moeBlockForward()), gemm(same.moeBlockForward())) < 1e-12)
        #expect(one.moeBlockForward().collectives.allSatisfy { $0.group != .expertTensor })
        #expect(same.moeBlockForward().collectives.filter { $0.group == .expertTensor }.count == 2)
        let model = ModelDefinition.transformer(m)
        #expect(throws: Never.self) {
            try Layout(devices: 512, tp: 4, pp: 8, cp: 2, dp: 8, ep: 8, globalBatch: 1024, expertTP: 1).validate(model: model)
        }
        #expect {
            try Layout(devices: 96, tp: 4, pp: 2, cp: 1, dp: 12, ep: 8, globalBatch: 96, expertTP: 8).validate(model: model)
        } throws: {
            "\($0)".contains("128") && "\($0)".contains("96") && "\($0)".contains("etp")
        }
    }

    /// Megatron-core's rule: ep·tp·pp divides the devices (ep is taken from dp·cp).
    @Test func expertParallelThatDoesNotDivideIsAClearError() throws {
        let model = try Fixtures.model("mixtral-8x7b")
        let layout = Layout(devices: 48, tp: 4, pp: 1, cp: 2, dp: 6, ep: 8, globalBatch: 48)
        #expect { try layout.validate(model: model) } throws: { e in
            let s = "\(e)"
            return s.contains("32") && s.contains("48") && s.contains("ep")
        }
        #expect(throws: Never.self) { try Layout(devices: 64, tp: 4, pp: 1, cp: 2, dp: 8, ep: 8, globalBatch: 64).validate(model: model) }
        #expect { try Layout(devices: 8, tp: 1, dp: 8, ep: 2, globalBatch: 8).validate(model: try Fixtures.model("llama3-8b")) } throws: {
            "\($0)".contains("mixture-of-experts")
        }
    }

    // MARK: Context parallelism

    /// The ring's blocks on one rank, times cp ranks, are the unsplit attention's FLOPs (causal,
    /// load-balanced), and every other kernel's FLOPs divide by cp; model FLOPs are unchanged.
    @Test(arguments: [2, 4, 8])
    func contextParallelConservesAttentionFlops(cp: Int) throws {
        let m = try Fixtures.transformer("llama3-8b")
        func flops(_ p: PassKernels, _ category: CostCategory) -> Double {
            p.kernels.filter { $0.category == category }.reduce(0) { $0 + $1.kernel.flops * $1.count }
        }
        let whole = TransformerKernels(model: m, settings: KernelSettings(seq: 8192))
        let split = TransformerKernels(model: m, settings: KernelSettings(seq: 8192, cp: cp))
        for (a, b) in [(whole.layerForward(), split.layerForward()), (whole.layerBackward(), split.layerBackward())] {
            #expect(Fixtures.relativeError(Double(cp) * flops(b, .attention), flops(a, .attention)) < 1e-12)
            #expect(Fixtures.relativeError(Double(cp) * flops(b, .gemm), flops(a, .gemm)) < 1e-12)
        }
        // Ring sends of K and V: cp − 1 per pass, on the context group, overlapped with attention.
        let ring = split.layerForward().collectives.filter { $0.group == .context }
        #expect(ring.count == 1 && ring[0].count == Double(cp - 1) && ring[0].overlapsAttention)
        let c1 = try costs(.transformer(m), KernelSettings(seq: 8192)), cN = try costs(.transformer(m), KernelSettings(seq: 8192, cp: cp))
        #expect(Fixtures.relativeError(cN.modelFlopsPerMicroBatch, c1.modelFlopsPerMicroBatch) < 1e-12)
        #expect(cN.tokensPerMicroBatch == c1.tokensPerMicroBatch)
        #expect(Fixtures.relativeError(cN.activationBytesPerLayer * Double(cp), c1.activationBytesPerLayer) < 1e-12)
        #expect(cN.layerParameters == c1.layerParameters)
    }

    /// Transformer Engine's ring (`AttnFuncWithCPAndKVP2P`) runs PyTorch kernels around its
    /// attention blocks; by hand for Llama 3 8B at seq 8192, cp 2, one rank: Q and O are 4096 ×
    /// 32 × 128 elements, K and V together 4096 × 2 × 8 × 128. Forward: K/V into the send buffer
    /// (read and write), O zero-filled, two merges of a step's O into the running one (read two,
    /// write one), one half of K/V made contiguous; backward: K/V copied, dQ copied and once
    /// accumulated, dK/dV copied and once accumulated. Without the ring there are none.
    @Test func contextParallelRingBookkeepingByHand() throws {
        let m = try Fixtures.transformer("llama3-8b")
        func memoryBytes(_ p: PassKernels) -> Double {
            p.kernels.filter { $0.category == .memoryBound }.reduce(0) { $0 + $1.kernel.bytes * $1.count }
        }
        let whole = TransformerKernels(model: m, settings: KernelSettings(seq: 8192))
        #expect(memoryBytes(whole.attentionForward(heads: 32)) == 0 && memoryBytes(whole.attentionBackward()) == 0)
        let split = TransformerKernels(model: m, settings: KernelSettings(seq: 8192, cp: 2))
        let q = 4096.0 * 32 * 128 * 2, kv = 4096.0 * 2 * 8 * 128 * 2
        #expect(memoryBytes(split.attentionForward(heads: 32)) == 2 * kv + q + 2 * 3 * q + kv)
        #expect(memoryBytes(split.attentionBackward()) == 2 * kv + 2 * q + 3 * q + 2 * kv + 3 * kv)
    }

    /// Megatron's gradient_accumulation_fusion: every weight-gradient GEMM of a layer reads and
    /// writes the fp32 main_grad of its dW (4 + 4 bytes per element) where the plain GEMM is
    /// priced storing its dtype; by hand for Llama 3 8B's layer on one rank, the extra bytes are
    /// the layer's matrix parameters × (8 − 2) in bf16 and × (8 − 1) in fp8. Off: none.
    @Test(arguments: [Precision.bf16, .fp8])
    func fusedWeightGradientAccumulationReadsAndWritesFP32MainGrad(precision: Precision) throws {
        let m = try Fixtures.transformer("llama3-8b")
        var settings = KernelSettings(seq: 4096, precision: precision)
        func accumulated(_ k: TransformerKernels) -> [StepKernel] {
            k.layerBackward().kernels.filter { if case .elementwise(let e) = $0.kernel { e.name == "main_grad_accumulate" } else { false } }
        }
        #expect(accumulated(TransformerKernels(model: m, settings: settings)).isEmpty)
        settings.fusedWeightGradientAccumulation = true
        let passes = accumulated(TransformerKernels(model: m, settings: settings))
        let qkv: Double = 4096 * 6144, out: Double = 4096 * 4096, up: Double = 2 * 4096 * 14336, down: Double = 14336 * 4096
        let weights = qkv + out + up + down
        #expect(passes.count == 4)
        #expect(passes.reduce(0) { $0 + $1.kernel.bytes * $1.count } == weights * (8 - precision.gemmDType.bytes))
    }

    /// Tensor-parallel communication overlapped with the GEMMs (Transformer Engine's userbuffers):
    /// a layer's sequence-parallel all-gathers and reduce-scatters expose one of tp chunks, and
    /// the rest slows the GEMMs beside it by `overlapContention`; its bytes are unchanged. By
    /// hand for Llama 3 70B at tp 4 (the layer forward's collectives are one AG and one RS).
    @Test func tensorParallelOverlapExposesOneChunkAndContention() throws {
        let m = try Fixtures.model("llama3-70b")
        let settings = KernelSettings(tp: 4, sequenceParallel: true, seq: 8192)
        var overlapped = TrainingAssumptions()
        overlapped.tensorParallelCommOverlap = true
        let profile = try Fixtures.hardware("h100-sxm5-80gb")
        let plain = try LayerCosts.compute(model: m, profile: profile, settings: settings)
        let hidden = try LayerCosts.compute(model: m, profile: profile, settings: settings, assumptions: overlapped)
        let share = 0.25 + overlapped.overlapContention * 0.75
        #expect(plain.layerForward.communication > 0)
        #expect(Fixtures.relativeError(hidden.layerForward.communication, share * plain.layerForward.communication) < 1e-12)
        #expect(hidden.layerForward.communicationBytes == plain.layerForward.communicationBytes)
        #expect(hidden.layerForward.gemm == plain.layerForward.gemm)
    }

    // MARK: Uneven pipelines

    @Test func unevenSplitsAsMegatron() {
        #expect(PipelineSplit(layers: 126, stages: 16).stageLayers == [7] + Array(repeating: 8, count: 14) + [7])
        #expect(PipelineSplit(layers: 30, stages: 4).stageLayers == [7, 8, 8, 7])
        #expect(PipelineSplit(layers: 70, stages: 12).stageLayers == [5] + Array(repeating: 6, count: 10) + [5])
        #expect(
            PipelineSplit(layers: 126, stages: 16, first: 5, last: 5).stageLayers == [5, 9, 9, 9, 9] + Array(repeating: 8, count: 10) + [5])
        #expect(PipelineSplit(layers: 32, stages: 3).stageLayers == [10, 11, 11])
        #expect(PipelineSplit(layers: 96, stages: 8).stageLayers == Array(repeating: 12, count: 8))
    }

    /// Llama 3 8B, 32 layers on 3 stages: 10, 11, 11. Stage times by hand from the per-layer
    /// costs; the last (11 layers and the head) is the slowest and sets both the micro-batches'
    /// pace and the bubble, (p − 1) × its time.
    @Test func unevenStageTimesAndBubbleByHand() throws {
        let c = try costs(try Fixtures.model("llama3-8b"), KernelSettings(seq: 4096))
        let layer = (c.layerForward + c.layerBackward + c.layerRecompute).seconds
        let first = 10 * layer + (c.inputForward + c.inputBackward).seconds
        let middle = 11 * layer
        let last = 11 * layer + (c.outputForward + c.outputBackward).seconds
        let layout = Layout(devices: 3, pp: 3, globalBatch: 12)
        let stages = StepModel.stages(c, layout: layout)
        #expect(stages.layers == [10, 11, 11])
        for (got, want) in zip(stages.seconds, [first, middle, last]) { #expect(Fixtures.relativeError(got, want) < 1e-12) }
        let step = StepModel.evaluate(c, layout: layout)
        #expect(Fixtures.relativeError(step.breakdown.pipelineBubble, 2 * last) < 1e-12)
        let stageGEMM = 11 * (c.layerForward + c.layerBackward).gemm + (c.outputForward + c.outputBackward).gemm
        #expect(Fixtures.relativeError(step.breakdown.gemm, 12 * stageGEMM) < 1e-12)
        #expect(throws: Never.self) { try layout.validate(model: try Fixtures.model("llama3-8b")) }
        #expect {
            try Layout(devices: 4, pp: 4, globalBatch: 8, firstStageLayers: 20, lastStageLayers: 20).validate(
                model: try Fixtures.model("llama3-8b"))
        } throws: {
            "\($0)".contains("first/last stage layers")
        }
    }

    // MARK: Partial micro-batches

    /// 2048 sequences on dp 8 with micro-batch 6: 256 per rank, 42 full micro-batches and one of 4.
    /// It costs between the even neighbours 2016 (42 × 48) and 2064 (43 × 48); memory as a full one.
    @Test func partialLastMicroBatchCostsBetweenNeighbours() throws {
        let c = try costs(try Fixtures.model("gpt2-355m"), KernelSettings(microBatch: 6, seq: 1024), hardware: "a100-sxm4-80gb")
        func step(_ g: Int) -> StepEstimate { StepModel.evaluate(c, layout: Layout(devices: 8, dp: 8, globalBatch: g, microBatch: 6)) }
        let low = step(2016), mid = step(2048), high = step(2064)
        #expect(low.stepSeconds < mid.stepSeconds && mid.stepSeconds < high.stepSeconds)
        #expect(mid.microBatchesPerStep == 43 && mid.tokensPerStep == 2048 * 1024)
        #expect(mid.memory.total == high.memory.total)
        #expect(throws: Never.self) {
            try Layout(devices: 8, dp: 8, globalBatch: 2048, microBatch: 6).validate(model: try Fixtures.model("gpt2-355m"))
        }
    }

    // MARK: Fine-tuning

    /// LoRA rank 16 on every projection of Llama 2 7B (d 4096, ffn 11008, 32 layers): per layer
    /// q, k, v, o 4 × 16·(4096 + 4096) and gate, up, down 3 × 16·(4096 + 11008) = 1,249,280
    /// adapters. Base weights bf16 (2 bytes), adapters bf16 with gradients (2) and Adam states (12).
    @Test func loraMemoryByHand() throws {
        let model = try Fixtures.model("llama2-7b")
        let settings = KernelSettings(seq: 4096, finetune: .lora(LoRA(rank: 16)))
        let c = try costs(model, settings)
        let adapters = 32 * 1_249_280.0
        #expect(c.layerAdapterParameters * 32 == adapters)
        let m = StepModel.evaluate(c, layout: Layout(devices: 1, globalBatch: 8)).memory
        #expect(Fixtures.relativeError(m.weights, (model.parameterCount + adapters) * 2) < 1e-12)
        #expect(Fixtures.relativeError(m.gradients, adapters * 2) < 1e-12)
        #expect(Fixtures.relativeError(m.optimizerStates, adapters * 12) < 1e-12)
        // The base weights' gradient GEMMs are gone: backward does less GEMM work than full training.
        let full = try costs(model, KernelSettings(seq: 4096, finetune: .full))
        #expect(c.layerBackward.flops < 0.6 * full.layerBackward.flops)
        #expect(c.layerForward.flops > full.layerForward.flops)
    }

    // MARK: FP8

    /// Transformer Engine's recipe: fp8 GEMMs at twice the bf16 peak, plus casts of every GEMM
    /// input, attention and element-wise work in bf16: published H100 speed-ups are 1.2–1.6×.
    @Test func fp8SpeedUpIsBelowTwo() throws {
        let model = try Fixtures.model("llama3.1-70b")
        func step(_ p: Precision) throws -> Double {
            let s = KernelSettings(tp: 4, sequenceParallel: true, microBatch: 1, seq: 8192, precision: p, cp: 2)
            return StepModel.evaluate(
                try costs(model, s),
                layout: Layout(
                    devices: 64, tp: 4, pp: 4, cp: 2, dp: 2,
                    schedule: .interleaved(chunks: 5), globalBatch: 128)
            ).stepSeconds
        }
        let speedUp = try step(.bf16) / step(.fp8)
        #expect(speedUp > 1.2 && speedUp < 1.6, "fp8 speed-up \(speedUp)")
    }

    /// Transformer Engine's fp8 autocast covers its own modules only: the layers' linear GEMMs
    /// run in fp8, the output head (Megatron-core's `ColumnParallelLinear`, not a TE module) in
    /// bf16, forward and backward.
    @Test func fp8OutputHeadRunsInBF16() throws {
        let k = TransformerKernels(model: try Fixtures.transformer("llama3-8b"), settings: KernelSettings(seq: 4096, precision: .fp8))
        func gemmTypes(_ p: PassKernels) -> [DType] {
            p.kernels.compactMap { if case .gemm(let g) = $0.kernel { return g.dtype } else { return nil } }
        }
        let head = gemmTypes(k.outputForward()) + gemmTypes(k.outputBackward())
        #expect(head.count == 3 && head.allSatisfy { $0 == .bf16 }, "head GEMMs \(head)")
        let layer = gemmTypes(k.mlpBlockBackward())
        #expect(!layer.isEmpty && layer.allSatisfy { $0 == .fp8 }, "layer GEMMs \(layer)")
    }
}
