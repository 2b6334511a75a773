import Ridgeline
import Testing

@testable import RidgelineTraining

/// The flash-attention kernel a framework runs (`TrainingAssumptions.flashKernel`).
@Suite struct FlashKernelTests {
    static func layer(_ kernel: FlashKernel, flash: Bool = true, cp: Int = 1, hardware: String = "a100-sxm4-80gb") throws -> PhaseCost {
        let model = TransformerModel(
            name: "mpt-1b-like", layers: 24, dModel: 2048, heads: 16, ffn: 8192, vocab: 50368, maxSeq: 8192,
            position: .none, tiedEmbeddings: true, bias: false)
        var assumptions = TrainingAssumptions()
        assumptions.flashKernel = kernel
        var settings = KernelSettings(
            tp: 1, microBatch: 2, seq: 8192, precision: .bf16, recompute: .full, flashAttention: flash, mode: .eager)
        settings.cp = cp
        let c = try LayerCosts.compute(
            model: .transformer(model), profile: try ProfileStore.locate().hardware(hardware),
            settings: settings, assumptions: assumptions)
        return c.layerForward + c.layerRecompute + c.layerBackward
    }

    /// FlashAttention 1 does FlashAttention-2's work at half its rate (Dao 2023): the attention
    /// kernels take twice as long, nothing else moves.
    @Test(arguments: [1, 2])
    func flashAttention1DoublesTheAttentionKernelsOnly(_ cp: Int) throws {
        let two = try Self.layer(.flash2, cp: cp), one = try Self.layer(.flash1, cp: cp)
        #expect(two.attention > 0)
        #expect(abs(one.attention - 2 * two.attention) < 1e-9 * two.attention)
        #expect(one.gemm == two.gemm && one.memoryBound == two.memoryBound && one.flops == two.flops)
    }

    /// llm-foundry's Triton port does FlashAttention-2's work at `tritonPortRate` of its rate on
    /// Ampere and Hopper alike (both sm80 code): its attention kernels take 1/0.72 as long as
    /// flash2's, nothing else moves, and it is never faster than flash2 nor slower than flash1.
    @Test(arguments: ["a100-sxm4-80gb", "h100-sxm5-80gb"])
    func tritonPortSlowsTheAttentionKernelsOnlyByItsRate(_ hardware: String) throws {
        let two = try Self.layer(.flash2, hardware: hardware), port = try Self.layer(.tritonPort, hardware: hardware)
        let one = try Self.layer(.flash1, hardware: hardware)
        #expect(abs(port.attention * FlashKernel.tritonPortRate - two.attention) < 1e-9 * two.attention)
        #expect(two.attention < port.attention && port.attention < one.attention)
        #expect(port.gemm == two.gemm && port.memoryBound == two.memoryBound && port.flops == two.flops)
    }

    /// The rate applies to flash kernels only: unfused attention (batched GEMMs and a softmax) is
    /// the same whichever flash kernel the framework would have run.
    @Test func unfusedAttentionIgnoresTheFlashKernel() throws {
        let two = try Self.layer(.flash2, flash: false), one = try Self.layer(.flash1, flash: false)
        #expect(one.attention == two.attention && one.seconds == two.seconds)
    }

    /// On Ampere FlashAttention-2 is the architecture's own kernel; on Hopper it runs at 0.62 of
    /// the profile's kernels (Shah et al. 2024), FlashAttention 1 at half that; `native` is 1
    /// everywhere.
    @Test func flashAttention2RunsBelowTheNativeRateOnHopperOnly() throws {
        let store = try ProfileStore.locate()
        let a100 = try store.hardware("a100-sxm4-80gb"), h100 = try store.hardware("h100-sxm5-80gb")
        let gh200 = try store.hardware("gh200-96gb"), b200 = try store.hardware("b200")
        #expect(FlashKernel.flash2.relativeRate(on: a100) == 1 && FlashKernel.flash1.relativeRate(on: a100) == 0.5)
        #expect(FlashKernel.flash2.relativeRate(on: h100) == 0.62 && FlashKernel.flash1.relativeRate(on: h100) == 0.31)
        #expect(FlashKernel.flash2.relativeRate(on: gh200) == 0.62)
        #expect(FlashKernel.flash2.relativeRate(on: b200) == 1)
        for p in [a100, h100, gh200, b200] { #expect(FlashKernel.native.relativeRate(on: p) == 1) }
        // The Triton port: its Ampere rate, and on Hopper the same sm80 penalty as flash-attn 2.x.
        #expect(FlashKernel.tritonPort.relativeRate(on: a100) == 0.72)
        #expect(abs(FlashKernel.tritonPort.relativeRate(on: h100) - 0.72 * 0.62) < 1e-12)
        let native = try Self.layer(.native, hardware: "h100-sxm5-80gb"), two = try Self.layer(.flash2, hardware: "h100-sxm5-80gb")
        #expect(abs(two.attention * 0.62 - native.attention) < 1e-9 * native.attention)
        #expect(two.gemm == native.gemm && two.memoryBound == native.memoryBound)
        #expect(try Self.layer(.native).seconds == Self.layer(.flash2).seconds)
    }
}
