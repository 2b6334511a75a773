import Foundation

/// The fields of one kernel spec, read one op family at a time: each function below is the spec
/// contract of its op (keys, defaults, ranges, cross-field checks). Unknown keys are rejected before
/// any field is read, and fields are read in the order written, so a spec with several bad fields
/// always names the same one.
struct KernelSpecFields {
    let r: FieldReader

    /// Where the spec came from, for errors about the whole shape rather than one field.
    var source: String { r.file ?? "kernel spec" }

    /// `dtype`, required unless the op has a natural default (`fallback`).
    func dtype(_ fallback: DType? = nil) throws -> DType {
        if let fallback, !r.has("dtype") { return fallback }
        return try DType.parse(try r.string("dtype"), field: r.name("dtype"), file: r.file)
    }

    /// A tensor dimension: a whole number from 1 to `Kernel.maxElements`; `value` when absent, if given.
    func dim(_ key: String, default value: Int? = nil) throws -> Int {
        if let value, !r.has(key) { return value }
        return try r.int(key, in: 1...Int(Kernel.maxElements))
    }

    /// `pass` of the ops with a forward and a backward kernel; forward when absent.
    func pass() throws -> Pass { try r.optionalEnum("pass", Pass.self) ?? .fwd }

    func gemm() throws -> GEMM {
        try r.rejectUnknownKeys(["op", "m", "n", "k", "batch", "trans_a", "trans_b", "dtype", "fast_accum"])
        let gemm = GEMM(
            m: try dim("m"), n: try dim("n"), k: try dim("k"), batch: try dim("batch", default: 1),
            transA: try r.optionalBool("trans_a") ?? false, transB: try r.optionalBool("trans_b") ?? false,
            dtype: try dtype(), fastAccumulation: try r.optionalBool("fast_accum") ?? false)
        // Only fp8 GEMMs have an accumulation mode to choose (cuBLASLt ignores the flag elsewhere).
        guard !gemm.fastAccumulation || gemm.dtype == .fp8 else {
            throw RidgelineError.invalidValue(
                file: r.file, field: r.name("fast_accum"), value: "true", expected: "false unless dtype is fp8 (got \(gemm.dtype.rawValue))"
            )
        }
        return gemm
    }

    func conv2d() throws -> Conv2D {
        try r.rejectUnknownKeys(["op", "n", "c", "h", "w", "k", "r", "s", "stride", "pad", "groups", "pass", "dtype"])
        let conv = Conv2D(
            n: try dim("n"), c: try dim("c"), h: try dim("h"), w: try dim("w"), k: try dim("k"),
            r: try dim("r"), s: try dim("s"), stride: try dim("stride", default: 1),
            pad: try r.optionalInt("pad", in: 0...65536) ?? 0, groups: try dim("groups", default: 1),
            pass: try r.optionalEnum("pass", ConvPass.self) ?? .fwd, dtype: try dtype())
        guard conv.c % conv.groups == 0, conv.k % conv.groups == 0 else {
            throw RidgelineError.invalidValue(
                file: r.file, field: r.name("groups"), value: "\(conv.groups)",
                expected: "a divisor of c (\(conv.c)) and k (\(conv.k))")
        }
        guard conv.h + 2 * conv.pad >= conv.r, conv.w + 2 * conv.pad >= conv.s else {
            throw RidgelineError.invalidSpec(
                source: source, detail: "the \(conv.r)x\(conv.s) filter is larger than the padded \(conv.h)x\(conv.w) input")
        }
        return conv
    }

    func elementwise() throws -> Elementwise {
        try r.rejectUnknownKeys(["op", "name", "elements", "inputs", "outputs", "flops_per_element", "dtype"])
        let name = try r.string("name")
        // An op Ridgeline does not know has no FLOP count: say so rather than assume one.
        guard Elementwise.flopsByName[name] != nil || r.has("flops_per_element") else {
            throw RidgelineError.invalidValue(
                file: r.file, field: r.name("name"), value: name,
                expected: "one of \(Elementwise.flopsByName.keys.sorted().joined(separator: ", ")), or any name with flops_per_element")
        }
        return Elementwise(
            name: name, elements: try dim("elements"),
            inputs: try r.optionalInt("inputs", in: 0...64) ?? 1, outputs: try r.optionalInt("outputs", in: 1...64) ?? 1,
            flopsPerElement: try r.optionalDouble("flops_per_element", in: 0...1e6), dtype: try dtype())
    }

    func copy() throws -> Copy {
        try r.rejectUnknownKeys(["op", "elements", "dtype"])
        return Copy(elements: try dim("elements"), dtype: try dtype())
    }

    func reduction() throws -> Reduction {
        try r.rejectUnknownKeys(["op", "elements", "outputs", "index_bytes", "dtype"])
        let reduction = Reduction(
            elements: try dim("elements"), outputs: try dim("outputs", default: 1),
            indexBytes: try r.optionalInt("index_bytes", in: 0...8) ?? 0, dtype: try dtype())
        guard reduction.outputs <= reduction.elements else {
            throw RidgelineError.invalidValue(
                file: r.file, field: r.name("outputs"), value: "\(reduction.outputs)",
                expected: "at most elements (\(reduction.elements)): a reduction has fewer outputs than inputs")
        }
        return reduction
    }

    /// softmax, layernorm and rmsnorm: one row-wise pass over a rows × cols matrix.
    func rowWise(_ op: RowWise.Op) throws -> RowWise {
        try r.rejectUnknownKeys(["op", "rows", "cols", "pass", "dtype"])
        return RowWise(op, rows: try dim("rows"), cols: try dim("cols"), pass: try pass(), dtype: try dtype())
    }

    func attention() throws -> Attention {
        try r.rejectUnknownKeys(["op", "batch", "heads", "kv_heads", "seq", "seq_kv", "head_dim", "causal", "impl", "pass", "dtype"])
        let heads = try dim("heads")
        let attention = Attention(
            batch: try dim("batch"), heads: heads, kvHeads: try dim("kv_heads", default: heads), seq: try dim("seq"),
            seqKV: r.has("seq_kv") ? try dim("seq_kv") : nil, headDim: try dim("head_dim"),
            causal: try r.optionalBool("causal") ?? false, impl: try r.optionalEnum("impl", Attention.Impl.self) ?? .flash,
            pass: try pass(), dtype: try dtype())
        guard attention.heads % attention.kvHeads == 0 else {
            throw RidgelineError.invalidValue(
                file: r.file, field: r.name("kv_heads"), value: "\(attention.kvHeads)",
                expected: "a divisor of heads (\(attention.heads))")
        }
        return attention
    }

    func embedding() throws -> Embedding {
        try r.rejectUnknownKeys(["op", "tokens", "d_model", "vocab", "pass", "dtype"])
        return Embedding(
            tokens: try dim("tokens"), dModel: try dim("d_model"), vocab: try dim("vocab"), pass: try pass(), dtype: try dtype())
    }

    /// An optimizer step over `params` weights; fp32 (the master weights) unless `dtype` says otherwise.
    func optimizer() throws -> OptimizerUpdate {
        try r.rejectUnknownKeys(["op", "name", "params", "dtype"])
        return OptimizerUpdate(try r.enumValue("name", OptimizerUpdate.Name.self), params: try dim("params"), dtype: try dtype(.fp32))
    }
}
