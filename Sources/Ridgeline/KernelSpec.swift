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

    /// Parses one spec read by `r`; the fields of each op are read by `KernelSpecFields`.
    public static func parse(_ r: FieldReader) throws -> Kernel {
        let op = try r.string("op")
        let spec = KernelSpecFields(r: r)
        let kernel: Kernel
        switch op {
        case "gemm": kernel = .gemm(try spec.gemm())
        case "conv2d": kernel = .conv2d(try spec.conv2d())
        case "elementwise": kernel = .elementwise(try spec.elementwise())
        case "copy": kernel = .copy(try spec.copy())
        case "reduction": kernel = .reduction(try spec.reduction())
        case "softmax", "layernorm", "rmsnorm": kernel = .rowwise(try spec.rowWise(RowWise.Op(rawValue: op)!))
        case "attention": kernel = .attention(try spec.attention())
        case "embedding": kernel = .embedding(try spec.embedding())
        case "optimizer": kernel = .optimizer(try spec.optimizer())
        default:
            throw RidgelineError.invalidValue(
                file: r.file, field: r.name("op"), value: op,
                expected: "one of gemm, conv2d, elementwise, copy, reduction, softmax, layernorm, rmsnorm, attention, embedding, optimizer")
        }
        try kernel.checkSize(source: spec.source)
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
