import Foundation

/// Kernel specs as JSON objects (one per line in .jsonl files): parsing with errors that name the
/// source, the field and the value, and writing back in the same form.
extension Kernel {
    /// No tensor in a spec may hold more than 2^48 elements (256 TiB of fp8): anything larger is a
    /// typo, and rejecting it keeps every product finite and every Int conversion safe.
    public static let maxElements = Double(1 << 48)

    /// Parses one spec. `source` names where it came from ("kernels.jsonl:12", "--kernel").
    public static func parse(json text: String, source: String) throws -> Kernel {
        let r = try FieldReader.parse(text, file: source)
        return try parse(r)
    }

    public static func parse(_ r: FieldReader) throws -> Kernel {
        let op = try r.string("op")
        let source = r.file ?? "kernel spec"
        func dtype(_ fallback: DType? = nil) throws -> DType {
            if let fallback, !r.has("dtype") { return fallback }
            return try DType.parse(try r.string("dtype"), field: r.name("dtype"), file: r.file)
        }
        func dim(_ key: String, default value: Int? = nil) throws -> Int {
            if let value, !r.has(key) { return value }
            return try r.int(key, in: 1...Int(Kernel.maxElements))
        }
        func pass() throws -> Pass { try r.optionalEnum("pass", Pass.self) ?? .fwd }
        let kernel: Kernel
        switch op {
        case "gemm":
            try r.rejectUnknownKeys(["op", "m", "n", "k", "batch", "trans_a", "trans_b", "dtype"])
            kernel = .gemm(
                GEMM(
                    m: try dim("m"), n: try dim("n"), k: try dim("k"), batch: try dim("batch", default: 1),
                    transA: try r.optionalBool("trans_a") ?? false, transB: try r.optionalBool("trans_b") ?? false,
                    dtype: try dtype()))
        case "conv2d":
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
            kernel = .conv2d(conv)
        case "elementwise":
            try r.rejectUnknownKeys(["op", "name", "elements", "inputs", "outputs", "flops_per_element", "dtype"])
            let name = try r.string("name")
            // An op Ridgeline does not know has no FLOP count: say so rather than assume one.
            guard Elementwise.flopsByName[name] != nil || r.has("flops_per_element") else {
                throw RidgelineError.invalidValue(
                    file: r.file, field: r.name("name"), value: name,
                    expected: "one of \(Elementwise.flopsByName.keys.sorted().joined(separator: ", ")), or any name with flops_per_element")
            }
            kernel = .elementwise(
                Elementwise(
                    name: name, elements: try dim("elements"),
                    inputs: try r.optionalInt("inputs", in: 0...64) ?? 1, outputs: try r.optionalInt("outputs", in: 1...64) ?? 1,
                    flopsPerElement: try r.optionalDouble("flops_per_element", in: 0...1e6), dtype: try dtype()))
        case "copy":
            try r.rejectUnknownKeys(["op", "elements", "dtype"])
            kernel = .copy(Copy(elements: try dim("elements"), dtype: try dtype()))
        case "reduction":
            try r.rejectUnknownKeys(["op", "elements", "outputs", "index_bytes", "dtype"])
            let reduction = Reduction(
                elements: try dim("elements"), outputs: try dim("outputs", default: 1),
                indexBytes: try r.optionalInt("index_bytes", in: 0...8) ?? 0, dtype: try dtype())
            guard reduction.outputs <= reduction.elements else {
                throw RidgelineError.invalidValue(
                    file: r.file, field: r.name("outputs"), value: "\(reduction.outputs)",
                    expected: "at most elements (\(reduction.elements)): a reduction has fewer outputs than inputs")
            }
            kernel = .reduction(reduction)
        case "softmax", "layernorm", "rmsnorm":
            try r.rejectUnknownKeys(["op", "rows", "cols", "pass", "dtype"])
            kernel = .rowwise(
                RowWise(
                    RowWise.Op(rawValue: op)!, rows: try dim("rows"), cols: try dim("cols"),
                    pass: try pass(), dtype: try dtype()))
        case "attention":
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
            kernel = .attention(attention)
        case "embedding":
            try r.rejectUnknownKeys(["op", "tokens", "d_model", "vocab", "pass", "dtype"])
            kernel = .embedding(
                Embedding(
                    tokens: try dim("tokens"), dModel: try dim("d_model"), vocab: try dim("vocab"),
                    pass: try pass(), dtype: try dtype()))
        case "optimizer":
            try r.rejectUnknownKeys(["op", "name", "params", "dtype"])
            kernel = .optimizer(
                OptimizerUpdate(
                    try r.enumValue("name", OptimizerUpdate.Name.self), params: try dim("params"),
                    dtype: try dtype(.fp32)))
        default:
            throw RidgelineError.invalidValue(
                file: r.file, field: r.name("op"), value: op,
                expected: "one of gemm, conv2d, elementwise, copy, reduction, softmax, layernorm, rmsnorm, attention, embedding, optimizer")
        }
        try kernel.checkSize(source: source)
        return kernel
    }

    /// Rejects shapes whose tensors exceed `maxElements`.
    func checkSize(source: String) throws {
        let elements = bytes / dtype.bytes
        guard elements <= Kernel.maxElements, flops <= Kernel.maxElements * Kernel.maxElements else {
            throw RidgelineError.invalidSpec(
                source: source,
                detail: "shape is absurdly large (\(formatSignificant(elements, digits: 3)) elements touched; the limit is 2^48 per kernel)"
            )
        }
    }

    /// Parses a JSON Lines file; blank lines and lines starting with '#' are skipped, any other
    /// malformed line is an error naming its line number.
    public static func parseLines(_ text: String, file: String) throws -> [Kernel] {
        var kernels: [Kernel] = []
        for line in TextInput.contentLines(text) {
            kernels.append(try parse(json: String(line.text), source: "\(file):\(line.number)"))
        }
        return kernels
    }

    /// Reads a JSON Lines file of specs (or standard input for `-`) one line at a time, handing
    /// each spec to `body` as it is read and checked; the first bad line stops the read with an
    /// error naming it. Throws when the input holds no spec. Returns how many were read.
    @discardableResult
    public static func forEach(path: String, _ body: (Kernel) throws -> Void) throws -> Int {
        let (name, count) = try TextInput.forEachContentLine(path: path) { number, line in
            try body(try parse(try FieldReader.parse(bytes: line, file: "\(TextInput.name(of: path)):\(number)")))
        }
        guard count > 0 else { throw RidgelineError.unreadable(file: name, reason: "holds no kernel specs") }
        return count
    }

    /// Reads a JSON Lines file of specs, or standard input for `-` (`TextInput`).
    public static func load(path: String) throws -> [Kernel] {
        var kernels: [Kernel] = []
        try forEach(path: path) { kernels.append($0) }
        return kernels
    }
}

/// Kernels encode as their contract spec: `op` plus the fields of the op (already snake_case,
/// which `RecordCoding` leaves as they are), and decode through the spec parser (`parse`).
extension Kernel: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws { self = try Kernel.parse(FieldReader(decoder: decoder)) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(op, forKey: Key("op"))
        for (key, value) in cost.fields {
            switch value {
            case .int(let v): try c.encode(v, forKey: Key(key))
            case .bool(let v): try c.encode(v, forKey: Key(key))
            case .double(let v): try c.encode(v, forKey: Key(key))
            case .string(let v): try c.encode(v, forKey: Key(key))
            }
        }
    }

    /// The spec as one line of JSON (keys sorted), as `.jsonl` files hold it.
    public var json: String { (try? RecordCoding.json(self, pretty: false)) ?? "" }
}
