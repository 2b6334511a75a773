/// The flash-attention kernel a framework runs. A profile's attention fraction is fitted on
/// FlashAttention-2-class kernels (the H100 reference rows; on the A100 profiles Dao 2023's 73%
/// of peak forward); a framework that runs FlashAttention 1 does the same FLOPs at a lower rate.
public enum FlashKernel: String, CaseIterable, Sendable {
    /// FlashAttention-2 and later (flash-attn ≥ 2, cuDNN/Transformer Engine fused attention,
    /// PyTorch SDPA's flash backend): the kernels the profiles' attention fraction is fitted on.
    case flash2
    /// FlashAttention 1 (HazyResearch flash-attn 0.2–1.0.x): one thread block per (batch, head)
    /// in the forward, no split of the work between warps along the keys, more non-matmul FLOPs.
    case flash1

    /// Throughput relative to `flash2` on the same shape (same FLOPs, so time scales by its
    /// inverse). Dao 2023 (FlashAttention-2, abstract, §1 and §4.1) measures on A100 that
    /// FlashAttention-2 is "around 2×" FlashAttention (1.7–3.0×; 50–73% of peak against
    /// 25–40%): one half. A published relative rate, not fitted to any run.
    public var relativeRate: Double {
        switch self {
        case .flash2: return 1
        case .flash1: return 0.5
        }
    }
}
