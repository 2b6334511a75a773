/// What `train` and `plan` assume when the user does not say, so both commands agree.
/// Language models: 20 tokens a parameter (Hoffmann et al. 2022) in about 4M-token batches
/// (GPT-3, Llama 2) of sequences of the model's max_seq (at most 8192). Image models count
/// images: 90 ImageNet-1k epochs (1,281,167 images) in batches of 1024.
public struct TrainingDefaults: Sendable, Hashable {
    public var seq: Int
    public var tokens: Double
    /// Sequences (images) per optimizer step, before rounding up to a multiple of micro-batch × dp.
    public var globalBatch: Int
    /// Whether throughput and `tokens` count images.
    public var images: Bool

    public init(model: ModelDefinition, seq: Int? = nil) {
        switch model {
        case .transformer(let t):
            self.seq = seq ?? min(t.maxSeq, 8192)
            if t.image == nil {
                images = false
                tokens = 20 * t.parameterCount
                globalBatch = max(1, (4 * 1_048_576) / max(1, t.tokens(seq: self.seq)))  // seq ≤ 0: the caller's validate() names it
                return
            }
        case .cnn:
            self.seq = 1  // a CNN has no sequence; --seq does not apply
        }
        images = true
        tokens = 90 * 1_281_167
        globalBatch = 1024
    }

    /// The default global batch rounded up to a multiple of `perStep` (micro-batch × dp).
    /// `perStep` within `CountBounds` (micro-batch ≤ 2^16, dp ≤ 2^20) keeps this far from overflow.
    public func globalBatch(multipleOf perStep: Int) -> Int {
        let step = max(1, perStep)
        return ((globalBatch + step - 1) / step) * step
    }
}
