import Ridgeline

/// The flash-attention kernel a framework runs. A profile's attention fraction is fitted on the
/// architecture's own kernels (`native`): FlashAttention-2 on the A100 profiles (Dao 2023's 73% of
/// peak forward), the Hopper kernels of PyTorch 2.11's SDPA on the H100 reference rows (485 TFLOP/s
/// causal forward at 2k tokens, head dim 128: cuDNN's figure in Shah et al. 2024). A framework that
/// runs an older kernel does the same FLOPs at a lower rate.
public enum FlashKernel: String, CaseIterable, Sendable {
    /// The architecture's own kernels: FlashAttention-2 up to Ampere and Ada; on Hopper the
    /// kernels written for its warpgroup MMA and TMA (cuDNN fused attention, which Transformer
    /// Engine and PyTorch SDPA call; FlashAttention-3).
    case native
    /// FlashAttention-2 as flash-attn 2.x ships it, and kernels of its generation written for
    /// sm80's warp-level `mma.sync` (llm-foundry's Triton port on pre-MLIR Triton): `native` up to
    /// Ampere; on Hopper without wgmma and TMA (`hopperRate`).
    case flash2
    /// FlashAttention 1 (HazyResearch flash-attn 0.2–1.0.x): one thread block per (batch, head)
    /// in the forward, no split of the work between warps along the keys, more non-matmul FLOPs.
    case flash1
    /// llm-foundry's Triton port of FlashAttention (`flash_attn_triton.py`, copied from
    /// flash-attn's 2022 Triton version) on pre-MLIR Triton (`triton-pre-mlir`): 128×128 blocks,
    /// `num_stages=1`, the backward optionally split over key blocks with atomic dQ; sm80 `mma.sync`
    /// code on Ampere and on Hopper alike (the `triton_pre_mlir_sm90` fork only lets LLVM emit
    /// sm_90 PTX). `tritonPortRate` of FlashAttention-2 on Ampere, that times `hopperRate` on Hopper.
    case tritonPort = "triton"

    /// FlashAttention-2 on an H100 SXM5 relative to cuDNN's Hopper kernels, head dim 128,
    /// sequence 512–16k: forward 0.59–0.63 (causal and not), backward 0.61–0.70, 0.62 from 2k
    /// tokens up (Shah et al. 2024, FlashAttention-3, Figs. 5–6: FlashAttention-2 "achieves only
    /// 35% utilization on H100"). A published ratio, not fitted to any run.
    public static let hopperRate = 0.62

    /// FlashAttention-2 is "around 2×" FlashAttention on A100 (Dao 2023, abstract, §1 and §4.1:
    /// 1.7–3.0×; 50–73% of peak against 25–40%): one half. Not fitted to any run.
    public static let flash1Rate = 0.5

    /// The Triton port's throughput relative to FlashAttention-2 on the same sm80 code path. No
    /// published benchmark of this kernel exists (its header says only "Triton forward is
    /// generally faster than CUDA forward, while Triton backward is generally slower"), so it is
    /// measured once, on Ampere: the 223 A100 rows of llm-foundry's 2023-04 and 2023-10 tables
    /// (`attn_impl: triton`) fit step = c·(non-attention + attention / r) with r = 0.72 (0.71 to
    /// 0.74 per release and GPU; c 0.96–0.99), i.e. the growth of their error with the sequence
    /// length, not its level (`scripts/llmfoundry-triton-rate.py`). Fitted with A100 exponentials
    /// at the CUDA table's rate (`Roofline.gpuSpecialFunctionRate`); the first fit, 0.81, charged
    /// them twice that and so had put part of the port's slowness in the exponentials. Hopper is not fitted: there the port runs the same sm80 code as
    /// FlashAttention-2 and takes `hopperRate` on top (README, "Published runs").
    public static let tritonPortRate = 0.72

    /// Throughput relative to `native` on a device of `profile`'s architecture (same FLOPs, so
    /// time scales by its inverse).
    public func relativeRate(on profile: HardwareProfile) -> Double {
        let generation = Self.isHopper(profile) ? Self.hopperRate : 1
        switch self {
        case .native: return 1
        case .flash2: return generation
        case .flash1: return generation * Self.flash1Rate
        case .tritonPort: return generation * Self.tritonPortRate
        }
    }

    /// Hopper (sm90) parts, by the profile's `architecture` ("Hopper (GH100)", "Hopper (GH100) +
    /// Grace"): where kernels written for sm80 leave the new tensor-core path unused. Later
    /// generations keep `native`: no published ratio for FlashAttention-2 there.
    static func isHopper(_ profile: HardwareProfile) -> Bool {
        profile.architecture.lowercased().hasPrefix("hopper")
    }
}
