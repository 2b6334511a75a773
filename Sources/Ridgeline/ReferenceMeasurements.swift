import Foundation

/// Reads the GPU kernel timings in `reference/gpu-measurements/*.jsonl` (PyTorch eager,
/// CUDA events) into kernels and measured seconds, so that measurements made elsewhere validate
/// the same way as Ridgeline's own.
public struct ReferenceMeasurement: Sendable {
    /// 0-based index among the kernel rows of the file (non-kernel sections are not counted).
    public var index: Int
    /// 1-based line number in the file.
    public var line: Int
    public var section: String
    /// The kernels whose times add up to the measurement (fwd+bwd attention is two).
    public var kernels: [Kernel]
    public var medianSeconds: Double
    public var minSeconds: Double
}

public struct ReferenceFile: Sendable {
    public var measurements: [ReferenceMeasurement]
    /// The eager per-op floor measured on the device (`launch` section), if present.
    public var launchFloorSeconds: Double?
    /// Rows that describe the setting rather than a kernel (device, clocks), by section.
    public var skipped: [String: Int]

    public static func load(path: String) throws -> ReferenceFile {
        let input = try TextInput(path: path)
        return try parse(input.text, file: input.name)
    }

    public static func parse(_ text: String, file: String) throws -> ReferenceFile {
        var result = ReferenceFile(measurements: [], launchFloorSeconds: nil, skipped: [:])
        for line in TextInput.contentLines(text) {
            try result.add(try FieldReader.parse(String(line.text), file: "\(file):\(line.number)"), line: line.number)
        }
        return result
    }

    /// Adds one row (the reader of line `line`).
    public mutating func add(_ r: FieldReader, line: Int) throws {
        let section = try r.string("section")
        switch section {
        case "launch":
            launchFloorSeconds = try r.double("ms_median") / 1000
        case "gemm", "bmm", "membound", "rowwise", "attention", "conv2d":
            measurements.append(
                ReferenceMeasurement(
                    index: measurements.count, line: line, section: section,
                    kernels: try Self.kernels(section: section, r), medianSeconds: try r.double("ms_median") / 1000,
                    minSeconds: try r.double("ms_min") / 1000))
        default:
            skipped[section, default: 0] += 1
        }
    }

    static func kernels(section: String, _ r: FieldReader) throws -> [Kernel] {
        func dtype() throws -> DType { try DType.parse(try r.string("dtype"), field: r.name("dtype"), file: r.file) }
        func dim(_ key: String) throws -> Int { try r.int(key, in: 1...Int(Kernel.maxElements)) }
        switch section {
        case "gemm", "bmm":
            return [
                .gemm(
                    GEMM(
                        m: try dim("m"), n: try dim("n"), k: try dim("k"),
                        batch: section == "bmm" ? try dim("batch") : 1, dtype: try dtype()))
            ]
        case "membound":
            let elements = try dim("numel")
            let op = try r.string("op")
            switch op {
            case "copy": return [.copy(Copy(elements: elements, dtype: try dtype()))]
            case "add": return [.elementwise(Elementwise(name: "add", elements: elements, inputs: 2, dtype: try dtype()))]
            case "mul_scalar", "gelu": return [.elementwise(Elementwise(name: op, elements: elements, dtype: try dtype()))]
            case "sum": return [.reduction(Reduction(elements: elements, dtype: try dtype()))]
            default:
                throw RidgelineError.invalidValue(file: r.file, field: "op", value: op, expected: "copy, add, mul_scalar, gelu or sum")
            }
        case "rowwise":
            let op = try r.string("op")
            let kinds: [String: RowWise.Op] = [
                "softmax": .softmax, "layernorm": .layernorm, "layer_norm": .layernorm,
                "rmsnorm": .rmsnorm, "rms_norm": .rmsnorm,
            ]
            guard let kind = kinds[op] else {
                throw RidgelineError.invalidValue(file: r.file, field: "op", value: op, expected: "softmax, layernorm or rmsnorm")
            }
            return [.rowwise(RowWise(kind, rows: try dim("rows"), cols: try dim("cols"), dtype: try dtype()))]
        case "attention":
            let pass = try r.string("pass_")
            let dtype = r.has("dtype") ? try dtype() : .bf16
            let fwd = Attention(
                batch: try dim("batch"), heads: try dim("heads"), seq: try dim("seq"),
                headDim: try dim("head_dim"), causal: try r.optionalBool("causal") ?? false, dtype: dtype)
            var bwd = fwd
            bwd.pass = .bwd
            switch pass {
            case "fwd": return [.attention(fwd)]
            case "fwd+bwd": return [.attention(fwd), .attention(bwd)]
            default: throw RidgelineError.invalidValue(file: r.file, field: "pass_", value: pass, expected: "fwd or fwd+bwd")
            }
        case "conv2d":
            let filter = try dim("r")
            return [
                .conv2d(
                    Conv2D(
                        n: try dim("n"), c: try dim("c"), h: try dim("h"), w: try dim("w"), k: try dim("k"),
                        r: filter, s: filter, stride: try dim("stride"), pad: filter / 2, dtype: try dtype()))
            ]
        default:
            return []
        }
    }
}

extension ReferenceMeasurement {
    /// The class the error table groups this row under: gemm, memory-bound, row-wise, attention, conv.
    public var group: String {
        switch section {
        case "gemm", "bmm": return "gemm"
        case "membound": return "memory-bound"
        case "rowwise": return "row-wise"
        default: return section
        }
    }
}
