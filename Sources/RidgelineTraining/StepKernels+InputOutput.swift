import Ridgeline

/// The input side (embedding or patch projection) and the output side (head and loss) of the model.
extension TransformerKernels {
    /// Embedding lookup (vocabulary-parallel: an all-reduce of the hidden states over the
    /// tensor-parallel group), learned positions, dropout; or the ViT patch projection.
    public func inputForward() -> PassKernels {
        var p = PassKernels()
        if let image = model.image {
            p.add(.gemm(GEMM(m: b * image.patches, n: h, k: image.channels * image.patch * image.patch, dtype: mm)), .gemm)
            p.add(.elementwise(Elementwise(name: "add", elements: tokens * h, inputs: 2, dtype: act)), .memoryBound)
            return p
        }
        p.add(.embedding(Embedding(tokens: tokens, dModel: h, vocab: model.vocab / t, dtype: stream)), .memoryBound)
        if t > 1 { p.comm(settings.sequenceParallel ? .reduceScatter : .allReduce, bytes: hiddenBytes) }
        if model.position == .learned {
            p.add(.elementwise(Elementwise(name: "add", elements: localTokens * h, inputs: 2, dtype: stream)), .memoryBound)
        }
        if model.dropout && eager {
            p.add(.elementwise(Elementwise(name: "dropout", elements: localTokens * h, outputs: 2, dtype: act)), .memoryBound)
        }
        return p
    }

    public func inputBackward() -> PassKernels {
        var p = PassKernels()
        if let image = model.image {
            if !frozen {
                p.add(
                    .gemm(GEMM(m: image.channels * image.patch * image.patch, n: h, k: b * image.patches, transA: true, dtype: mm)), .gemm)
            }
            return p
        }
        if t > 1 && settings.sequenceParallel { p.comm(.allGather, bytes: hiddenBytes) }
        // A frozen embedding table takes no gradient.
        if !frozen {
            p.add(.embedding(Embedding(tokens: tokens, dModel: h, vocab: model.vocab / t, pass: .bwd, dtype: stream)), .memoryBound)
        }
        return p
    }

    /// Rows the output head sees: every token for a language model, the class token for ViT.
    var headRows: Int { model.image == nil ? tokens : b }

    /// Final norm, the output projection over the (vocabulary-parallel) vocabulary and the
    /// softmax cross-entropy in fp32 (its max and sum all-reduced over tensor-parallel ranks).
    /// Eager mixed precision materialises the fp32 logits first: `F.cross_entropy` is on
    /// autocast's fp32 list (PyTorch docs, "Automatic Mixed Precision", CUDA ops that autocast to
    /// float32), so the 16-bit logits are cast (read 2 bytes, write 4 per element).
    public func outputForward() -> PassKernels {
        var p = PassKernels()
        let v = model.image == nil ? model.vocab / t : model.vocab
        normForward(&p)
        if t > 1 && settings.sequenceParallel { p.comm(.allGather, bytes: hiddenBytes) }
        p.add(.gemm(GEMM(m: headRows, n: v, k: h, dtype: headMM)), .gemm)
        if eager && act.bytes == 2 {
            p.add(.elementwise(Elementwise(name: "cast", elements: headRows * v, inputs: 1, outputs: 2, dtype: act)), .memoryBound)
        }
        p.add(.rowwise(RowWise(.softmax, rows: headRows, cols: v, dtype: .fp32)), .memoryBound)
        if t > 1 && model.image == nil { p.comm(.allReduce, bytes: Double(headRows) * 4, count: 3) }
        return p
    }

    /// Eager: `nll_loss` backward writes a dense fp32 gradient of the logits (zero-filled, then the
    /// targets scattered) before the log-softmax backward, and the cast's backward returns it to
    /// 16 bits (read 4 bytes, write 2).
    public func outputBackward() -> PassKernels {
        var p = PassKernels()
        let v = model.image == nil ? model.vocab / t : model.vocab
        let castLogits = eager && act.bytes == 2
        if castLogits {
            p.add(.elementwise(Elementwise(name: "fill", elements: headRows * v, inputs: 0, outputs: 1, dtype: .fp32)), .memoryBound)
        }
        p.add(.rowwise(RowWise(.softmax, rows: headRows, cols: v, pass: .bwd, dtype: .fp32)), .memoryBound)
        if castLogits {
            p.add(.elementwise(Elementwise(name: "cast", elements: headRows * v, inputs: 2, outputs: 1, dtype: act)), .memoryBound)
        }
        p.add(.gemm(GEMM(m: headRows, n: h, k: v, dtype: headMM)), .gemm)
        if !frozen { p.add(.gemm(GEMM(m: h, n: v, k: headRows, transA: true, dtype: headMM)), .gemm) }
        if t > 1 { p.comm(settings.sequenceParallel ? .reduceScatter : .allReduce, bytes: hiddenBytes) }
        normBackward(&p)
        return p
    }
}
