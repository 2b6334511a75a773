import CDNNL
import Ridgeline

/// One oneDNN primitive with its tensors allocated and filled: `run()` executes it once.
///
/// Tensors are named after the primitive's arguments ("src", "weights", "dst", "diff_dst", …).
/// Inputs are filled with deterministic pseudo-random values through a plain fp32 tensor and a
/// reorder, so blocked layouts and bf16 get the same logical values; `write` and `read` do the same
/// for tests, in logical row-major order.
public final class OneDNNKernel: PreparedKernel {
    struct Tensor {
        let arg: Int32
        let memory: DNNLMemory
    }

    let context: DNNLContext
    let primitive: DNNLPrimitive
    private(set) var tensors: [String: Tensor] = [:]
    private var args: [(Int32, DNNLMemory)] = []
    private var seed: UInt64 = 0x9E37_79B9_7F4A_7C15

    init(_ primitive: DNNLPrimitive, _ context: DNNLContext) {
        self.primitive = primitive
        self.context = context
    }

    public var implementation: String { primitive.implementation }

    public func run() throws { try primitive.execute(args, context) }

    /// Names of the bound tensors.
    public var tensorNames: [String] { tensors.keys.sorted() }

    /// Allocates a tensor of layout `md` for argument `arg`; inputs are filled with values in `range`.
    func bind(_ name: String, _ arg: Int32, _ md: dnnl_memory_desc_t, input: Bool, range: ClosedRange<Float> = -1...1) throws {
        let memory = try DNNLMemory(md, context)
        tensors[name] = Tensor(arg: arg, memory: memory)
        args.append((arg, memory))
        if input {
            let count = DNNL.dims(md).reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            for i in values.indices { values[i] = nextRandom(range) }
            try write(name, values)
        }
    }

    /// Writes logical (row-major) fp32 values into a tensor, converting layout and type.
    public func write(_ name: String, _ values: [Float]) throws {
        guard let tensor = tensors[name] else { throw missing(name) }
        let plain = try plainMemory(for: tensor.memory)
        guard values.count * 4 == plain.byteCount else {
            throw EngineError.library(
                engine: "onednn", call: "write \(name)",
                detail: "\(values.count) values for a tensor of \(plain.byteCount / 4)")
        }
        values.withUnsafeBytes { plain.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        if plain !== tensor.memory {
            let reorder = try DNNLPrimitive.reorder(from: plain.md, to: tensor.memory.md, context)
            try reorder.execute([(RL_ARG_FROM, plain), (RL_ARG_TO, tensor.memory)], context)
        }
    }

    /// Reads a tensor back as logical (row-major) fp32 values.
    public func read(_ name: String) throws -> [Float] {
        guard let tensor = tensors[name] else { throw missing(name) }
        let plain = try plainMemory(for: tensor.memory)
        if plain !== tensor.memory {
            let reorder = try DNNLPrimitive.reorder(from: tensor.memory.md, to: plain.md, context)
            try reorder.execute([(RL_ARG_FROM, tensor.memory), (RL_ARG_TO, plain)], context)
        }
        let count = plain.byteCount / 4
        return Array(UnsafeBufferPointer(start: plain.pointer.assumingMemoryBound(to: Float.self), count: count))
    }

    /// The memory itself when it is already plain fp32, else a new plain fp32 memory of its shape.
    private func plainMemory(for memory: DNNLMemory) throws -> DNNLMemory {
        let plainMD = try DNNL.md(DNNL.dims(memory.md), dnnl_f32)
        if memory.same(layoutAs: plainMD) { return memory }
        return try DNNLMemory(plainMD, context)
    }

    private func missing(_ name: String) -> EngineError {
        .library(engine: "onednn", call: "tensor \(name)", detail: "no such tensor; this kernel has \(tensorNames.joined(separator: ", "))")
    }

    /// xorshift64*: deterministic fill values, so every run measures the same data.
    private func nextRandom(_ range: ClosedRange<Float>) -> Float {
        seed ^= seed >> 12; seed ^= seed << 25; seed ^= seed >> 27
        let unit = Float((seed &* 2685821657736338717) >> 40) / Float(1 << 24)
        return range.lowerBound + (range.upperBound - range.lowerBound) * unit
    }
}
