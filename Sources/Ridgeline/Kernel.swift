/// One operation with a shape and a dtype: the unit the roofline engine predicts and the
/// measurement harness times. Specs follow the contract in DESIGN.md (`op` plus fields).
public enum Kernel: Hashable, Sendable {
    case gemm(GEMM)
    case conv2d(Conv2D)
    case elementwise(Elementwise)
    case copy(Copy)
    case reduction(Reduction)
    case rowwise(RowWise)
    case attention(Attention)
    case embedding(Embedding)
    case optimizer(OptimizerUpdate)

    /// The cost model of the case's payload.
    public var cost: any KernelCost {
        switch self {
        case .gemm(let k): return k
        case .conv2d(let k): return k
        case .elementwise(let k): return k
        case .copy(let k): return k
        case .reduction(let k): return k
        case .rowwise(let k): return k
        case .attention(let k): return k
        case .embedding(let k): return k
        case .optimizer(let k): return k
        }
    }

    public var flops: Double { cost.flops }
    public var bytes: Double { cost.bytes }
    public var dtype: DType { cost.dtype }
    /// The dtype whose calibrated compute share the kernel runs at (`Calibration.computeFraction`):
    /// its own, except an fp8 GEMM that accumulates fast, which skips the promotion that sets the
    /// fp8 share apart and runs at the 16-bit GEMMs' (`Calibration.computeByDType`). The engine
    /// prices by it and the fit groups its samples by it, so the two read one rule.
    public var computeShareDType: DType {
        if case .gemm(let g) = self, g.dtype == .fp8, g.fastAccumulation { return .bf16 }
        return dtype
    }
    public var kernelClass: KernelClass { cost.kernelClass }
    public var op: String { cost.op }
    /// Short human label: "gemm 4096x4096x4096 bf16".
    public var label: String { cost.label }
}

/// What every kernel knows about itself, computed in Double so no shape can overflow.
public protocol KernelCost: Sendable {
    var op: String { get }
    var dtype: DType { get }
    var kernelClass: KernelClass { get }
    /// Arithmetic operations (a fused multiply-add counts two).
    var flops: Double { get }
    /// Minimum bytes moved: every input read once and every output written once.
    var bytes: Double { get }
    /// Exponentials, tanh, erf or logs evaluated: special-function work that costs several FLOPs
    /// each (see `Roofline.gpuSpecialFunctionRate`, `KernelAssumptions.cpuTranscendentalCost`), counted apart from `flops`.
    var transcendentals: Double { get }
    /// The same work by function: evaluations of each special function, which a CPU profile may
    /// cost apart (`SpecialFunction`). Empty for kernels whose `transcendentals` are not split.
    var specialFunctions: [SpecialFunction: Double] { get }
    /// Human label for tables.
    var label: String { get }
    /// The spec fields (besides `op`) in contract order, for JSON output.
    var fields: [(String, SpecValue)] { get }
}

extension KernelCost {
    public var transcendentals: Double { 0 }
    public var specialFunctions: [SpecialFunction: Double] { [:] }
}

/// A spec field value as written in JSON.
public enum SpecValue: Hashable, Sendable {
    case int(Int), string(String), bool(Bool), double(Double)
}

public enum Pass: String, CaseIterable, Sendable { case fwd, bwd }
public enum ConvPass: String, CaseIterable, Sendable {
    case fwd, bwdData = "bwd_data", bwdWeights = "bwd_weights"
}

/// Matrix multiply C[m×n] = A[m×k]·B[k×n], `batch` times.
public struct GEMM: KernelCost, Hashable {
    public var m, n, k: Int
    public var batch: Int = 1
    public var transA = false
    public var transB = false
    public var dtype: DType
    /// fp8 only: the partial sums stay in the tensor cores' accumulators (cuBLASLt
    /// `CUBLASLT_MATMUL_DESC_FAST_ACCUM`, torch `_scaled_mm(use_fast_accum=True)`, CUTLASS's
    /// `…FP8FastAccum` schedules). Without it Hopper's fp8 GEMMs periodically promote them to FP32
    /// on the CUDA cores, which costs throughput (`Calibration.computeByDType`). PyTorch's
    /// `_scaled_mm` and Transformer Engine's gradient GEMMs promote; Transformer Engine's forward
    /// GEMMs and inference engines accumulate fast.
    public var fastAccumulation = false

    public init(
        m: Int, n: Int, k: Int, batch: Int = 1, transA: Bool = false, transB: Bool = false, dtype: DType,
        fastAccumulation: Bool = false
    ) {
        self.m = m; self.n = n; self.k = k; self.batch = batch; self.transA = transA; self.transB = transB; self.dtype = dtype
        self.fastAccumulation = fastAccumulation
    }

    public var op: String { "gemm" }
    public var kernelClass: KernelClass { .gemm }
    public var flops: Double { 2 * Double(batch) * Double(m) * Double(n) * Double(k) }
    public var bytes: Double { Double(batch) * (Double(m) * Double(k) + Double(k) * Double(n) + Double(m) * Double(n)) * dtype.bytes }
    public var label: String {
        "gemm \(batch > 1 ? "\(batch)x" : "")\(m)x\(n)x\(k) \(dtype.rawValue)\(fastAccumulation ? " fast-accum" : "")"
    }
    /// `fast_accum` only when set, so that every other spec reads as it always has.
    public var fields: [(String, SpecValue)] {
        [
            ("m", .int(m)), ("n", .int(n)), ("k", .int(k)), ("batch", .int(batch)), ("trans_a", .bool(transA)),
            ("trans_b", .bool(transB)), ("dtype", .string(dtype.rawValue)),
        ] + (fastAccumulation ? [("fast_accum", .bool(true))] : [])
    }
}

/// 2-D convolution, NCHW input, KCRS filter; each pass touches input, filter and output once.
public struct Conv2D: KernelCost, Hashable {
    public var n, c, h, w, k, r, s: Int
    public var stride = 1
    public var pad = 0
    public var groups = 1
    public var pass: ConvPass = .fwd
    public var dtype: DType

    public init(
        n: Int, c: Int, h: Int, w: Int, k: Int, r: Int, s: Int, stride: Int = 1, pad: Int = 0, groups: Int = 1,
        pass: ConvPass = .fwd, dtype: DType
    ) {
        self.n = n; self.c = c; self.h = h; self.w = w; self.k = k; self.r = r; self.s = s
        self.stride = stride; self.pad = pad; self.groups = groups; self.pass = pass; self.dtype = dtype
    }

    public var outH: Int { (h + 2 * pad - r) / stride + 1 }
    public var outW: Int { (w + 2 * pad - s) / stride + 1 }
    /// The implicit-GEMM view (Chetlur et al., cuDNN 2014): M = N·P·Q, N = K, K = C/g·R·S for fwd.
    /// Backward data runs over the input pixels, each reached by K/g·R·S·(P·Q)/(H·W) taps on
    /// average: a strided convolution's other taps land between output pixels, and strided
    /// dgrad skips them (CUTLASS `StrideSupport::kStrided` splits it into stride² unit-stride
    /// problems), so every pass's M·N·K is the forward's multiply-adds.
    public var implicitGEMM: (m: Double, n: Double, k: Double) {
        let npq = Double(n) * Double(outH) * Double(outW)
        let nhw = Double(n) * Double(h) * Double(w)
        let crs = Double(c / groups) * Double(r) * Double(s)
        switch pass {
        case .fwd: return (npq, Double(k), crs)
        case .bwdData: return (nhw, Double(c), Double(k / groups) * Double(r) * Double(s) * npq / nhw)
        case .bwdWeights: return (Double(k), crs, npq)
        }
    }

    /// Fewer input channels per group than `lanes`: a depthwise (or nearly) convolution that no
    /// GEMM micro-kernel can fill.
    public func isDepthwise(lanes: Double) -> Bool { groups > 1 && Double(c / groups) < lanes }

    public var op: String { "conv2d" }
    public var kernelClass: KernelClass { .conv }
    /// Every pass does the same multiply-adds: N·K·P·Q·(C/g)·R·S of them.
    public var flops: Double {
        2 * Double(n) * Double(k) * Double(outH) * Double(outW) * Double(c / groups) * Double(r) * Double(s)
    }
    public var bytes: Double {
        let input = Double(n) * Double(c) * Double(h) * Double(w)
        let filter = Double(k) * Double(c / groups) * Double(r) * Double(s)
        let output = Double(n) * Double(k) * Double(outH) * Double(outW)
        return (input + filter + output) * dtype.bytes
    }
    public var label: String { "conv2d \(pass.rawValue) n\(n) c\(c) \(h)x\(w) k\(k) \(r)x\(s)/\(stride) \(dtype.rawValue)" }
    public var fields: [(String, SpecValue)] {
        [
            ("n", .int(n)), ("c", .int(c)), ("h", .int(h)), ("w", .int(w)), ("k", .int(k)), ("r", .int(r)), ("s", .int(s)),
            ("stride", .int(stride)), ("pad", .int(pad)), ("groups", .int(groups)), ("pass", .string(pass.rawValue)),
            ("dtype", .string(dtype.rawValue)),
        ]
    }
}

/// A unary, binary or fused element-wise chain over `elements`.
public struct Elementwise: KernelCost, Hashable {
    public var name: String
    public var elements: Int
    public var inputs = 1
    public var outputs = 1
    public var flopsPerElement: Double
    public var dtype: DType

    public init(name: String, elements: Int, inputs: Int = 1, outputs: Int = 1, flopsPerElement: Double? = nil, dtype: DType) {
        self.name = name; self.elements = elements; self.inputs = inputs; self.outputs = outputs
        self.flopsPerElement = flopsPerElement ?? Self.defaultFlops(name); self.dtype = dtype
    }

    /// Arithmetic FLOPs per element by op name; the exponential, tanh, erf or log an op needs is
    /// counted apart (`transcendentalsPerElement`). gelu (tanh form) = 7 arithmetic + tanh;
    /// sigmoid = 1 + e^−x and a reciprocal; silu = sigmoid and a multiply.
    public static func defaultFlops(_ name: String) -> Double { flopsByName[name] ?? 1 }

    /// The op names a spec may give without `flops_per_element`.
    public static let flopsByName: [String: Double] = [
        "relu": 1, "add": 1, "mul": 1, "sub": 1, "scale": 1, "mul_scalar": 1, "neg": 1, "abs": 1, "bias": 1,
        "max": 1, "min": 1, "exp": 1, "log": 1, "tanh": 1,
        "div": 2, "square": 2, "fma": 2, "axpy": 2, "dropout": 2,
        "sigmoid": 3, "silu": 4, "swish": 4, "swiglu": 4, "sqrt": 4,
        "gelu": 7, "gelu_erf": 7, "geglu": 7,
    ]

    /// Special-function evaluations per element by op name. tanh, sigmoid (and so silu and the
    /// tanh form of gelu) need an exponential and a reciprocal, and a SIMD reciprocal to full
    /// precision costs about as much as the exponential: two.
    public static func transcendentalsPerElement(_ name: String) -> Double {
        switch name {
        case "exp", "log": return 1
        case "tanh", "sigmoid", "silu", "swish", "swiglu", "gelu", "gelu_erf", "geglu": return 2
        default: return 0
        }
    }

    public var transcendentals: Double { Double(elements) * Self.transcendentalsPerElement(name) }
    public var specialFunctions: [SpecialFunction: Double] {
        SpecialFunction.of(elementwise: name).map { [$0: Double(elements)] } ?? [:]
    }

    public var op: String { "elementwise" }
    public var kernelClass: KernelClass { .elementwise }
    public var flops: Double { Double(elements) * flopsPerElement }
    public var bytes: Double { Double(elements) * Double(inputs + outputs) * dtype.bytes }
    public var label: String { "\(name) \(elements) \(dtype.rawValue)" }
    public var fields: [(String, SpecValue)] {
        [
            ("name", .string(name)), ("elements", .int(elements)), ("inputs", .int(inputs)), ("outputs", .int(outputs)),
            ("flops_per_element", .double(flopsPerElement)), ("dtype", .string(dtype.rawValue)),
        ]
    }
}

public struct Copy: KernelCost, Hashable {
    public var elements: Int
    public var dtype: DType
    public init(elements: Int, dtype: DType) { self.elements = elements; self.dtype = dtype }
    public var op: String { "copy" }
    public var kernelClass: KernelClass { .copy }
    public var flops: Double { 0 }
    public var bytes: Double { 2 * Double(elements) * dtype.bytes }
    public var label: String { "copy \(elements) \(dtype.rawValue)" }
    public var fields: [(String, SpecValue)] { [("elements", .int(elements)), ("dtype", .string(dtype.rawValue))] }
}

/// Sum (or max) of `elements` into `outputs` values. An argmax reduction also writes an index
/// of `indexBytes` beside each output: eager max pooling (`max_pool2d_with_indices`) keeps an
/// int64 argmax per output for its backward.
public struct Reduction: KernelCost, Hashable {
    public var elements: Int
    public var outputs = 1
    public var indexBytes = 0
    public var dtype: DType
    public init(elements: Int, outputs: Int = 1, indexBytes: Int = 0, dtype: DType) {
        self.elements = elements; self.outputs = outputs; self.indexBytes = indexBytes; self.dtype = dtype
    }
    public var op: String { "reduction" }
    public var kernelClass: KernelClass { .reduction }
    public var flops: Double { Double(elements) }
    public var bytes: Double { (Double(elements) + Double(outputs)) * dtype.bytes + Double(outputs) * Double(indexBytes) }
    public var label: String { "reduction \(elements)->\(outputs) \(dtype.rawValue)\(indexBytes > 0 ? " +\(indexBytes) B index" : "")" }
    /// `index_bytes` only where there is an index, so plain reductions keep their spec.
    public var fields: [(String, SpecValue)] {
        [("elements", .int(elements)), ("outputs", .int(outputs))] + (indexBytes > 0 ? [("index_bytes", .int(indexBytes))] : [])
            + [("dtype", .string(dtype.rawValue))]
    }
}

/// Softmax, layer norm and RMS norm: row-wise ops over a rows × cols tensor.
public struct RowWise: KernelCost, Hashable {
    public enum Op: String, CaseIterable, Sendable { case softmax, layernorm, rmsnorm }
    public var kind: Op
    public var rows, cols: Int
    public var pass: Pass = .fwd
    public var dtype: DType

    public init(_ kind: Op, rows: Int, cols: Int, pass: Pass = .fwd, dtype: DType) {
        self.kind = kind; self.rows = rows; self.cols = cols; self.pass = pass; self.dtype = dtype
    }

    public var op: String { kind.rawValue }
    public var kernelClass: KernelClass { kind == .softmax ? .softmax : .norm }
    var elements: Double { Double(rows) * Double(cols) }
    /// Softmax forward FLOPs per element (below); an unfused attention's softmax pays it per score.
    static let softmaxForwardFlopsPerElement = 5.0
    /// Per element: softmax fwd max, subtract, sum, divide and scale = 5 plus one exponential;
    /// bwd dot and fma = 4.
    /// Layer norm fwd mean, variance (2), normalise (2), scale and shift (2) = 7; bwd ≈ 12.
    /// RMS norm drops the mean and the shift: fwd 5, bwd 9.
    public var flops: Double {
        let perElement: Double
        switch (kind, pass) {
        case (.softmax, .fwd): perElement = Self.softmaxForwardFlopsPerElement
        case (.softmax, .bwd): perElement = 4
        case (.layernorm, .fwd): perElement = 7
        case (.layernorm, .bwd): perElement = 12
        case (.rmsnorm, .fwd): perElement = 5
        case (.rmsnorm, .bwd): perElement = 9
        }
        return elements * perElement
    }
    public var transcendentals: Double { kind == .softmax && pass == .fwd ? elements : 0 }
    public var specialFunctions: [SpecialFunction: Double] { kind == .softmax && pass == .fwd ? [.exp: elements] : [:] }
    /// fwd reads x and writes y; bwd reads x (or y) and dy and writes dx. Norm weights are a row
    /// each. A norm's bwd also reduces dy·x̂ and dy down the rows for the weights' gradients, and
    /// libraries do that in a pass of its own (PyTorch's CUDA layer norm in a separate
    /// GammaBetaBackward kernel, oneDNN's simple_layer_normalization in a separate loop), which
    /// reads x and dy again: 5 tensors. Measured on oneDNN at 4096 × 4096 fp32: bwd 26.6 ms
    /// against fwd 10.9 ms, 2.4×, where 3 tensors would say 1.5× and 5 say 2.5×.
    public var bytes: Double {
        let tensors: Double = pass == .fwd ? 2 : (kind == .softmax ? 3 : 5)
        let params: Double
        switch kind {
        case .softmax: params = 0
        case .layernorm: params = pass == .fwd ? 2 : 4
        case .rmsnorm: params = pass == .fwd ? 1 : 2
        }
        return (elements * tensors + Double(cols) * params) * dtype.bytes
    }
    public var label: String { "\(kind.rawValue) \(pass.rawValue) \(rows)x\(cols) \(dtype.rawValue)" }
    public var fields: [(String, SpecValue)] {
        [("rows", .int(rows)), ("cols", .int(cols)), ("pass", .string(pass.rawValue)), ("dtype", .string(dtype.rawValue))]
    }
}

/// Scaled dot-product attention, fused (flash) or unfused (two GEMMs around a softmax whose
/// score matrix goes through memory).
public struct Attention: KernelCost, Hashable {
    public enum Impl: String, CaseIterable, Sendable { case flash, unfused }
    public var batch, heads, kvHeads, seq, seqKV, headDim: Int
    public var causal = false
    public var impl: Impl = .flash
    public var pass: Pass = .fwd
    public var dtype: DType

    public init(
        batch: Int, heads: Int, kvHeads: Int? = nil, seq: Int, seqKV: Int? = nil, headDim: Int, causal: Bool = false,
        impl: Impl = .flash, pass: Pass = .fwd, dtype: DType
    ) {
        self.batch = batch; self.heads = heads; self.kvHeads = kvHeads ?? heads; self.seq = seq; self.seqKV = seqKV ?? seq
        self.headDim = headDim; self.causal = causal; self.impl = impl; self.pass = pass; self.dtype = dtype
    }

    public var op: String { "attention" }
    public var kernelClass: KernelClass { .attention }
    /// Fraction of the score matrix the FLOP count charges: half when causal, the scores on or
    /// below the diagonal (the count FlashAttention's benchmarks and MFU figures use). It is not
    /// what a tiled kernel executes: that is `executedDensity`, which the roofline times.
    var countedDensity: Double { causal ? Self.causalCountedDensity : 1 }
    public static let causalCountedDensity = 0.5
    /// Fraction of the score matrix a tiled kernel computes for `blocks` query blocks: causal
    /// masks skip the blocks above the diagonal but compute the diagonal blocks whole, (t+1)/2t
    /// of the scores for t blocks (`Roofline.attentionTime`).
    func executedDensity(blocks: Double) -> Double { causal ? (blocks + 1) / (2 * blocks) : 1 }
    /// Backward FLOPs over forward: QKᵀ recomputed and four more GEMMs.
    public static let backwardFlopsFactor = 2.5
    var scores: Double { Double(batch) * Double(heads) * Double(seq) * Double(seqKV) }
    /// Forward: QKᵀ and PV, 2·s·s_kv·d each = 4·b·h·s·s_kv·d (FlashAttention-2 paper's count),
    /// halved when causal. Backward recomputes QKᵀ and does four more GEMMs: 2.5× forward.
    public var flops: Double {
        let fwd = 4 * scores * Double(headDim) * countedDensity
        return pass == .fwd ? fwd : Self.backwardFlopsFactor * fwd
    }
    var qBytes: Double { Double(batch) * Double(heads) * Double(seq) * Double(headDim) * dtype.bytes }
    var kvBytes: Double { Double(batch) * Double(kvHeads) * Double(seqKV) * Double(headDim) * dtype.bytes }
    /// The score/probability matrix an unfused implementation writes and reads back.
    public var scoreMatrixBytes: Double { scores * countedDensity * dtype.bytes }
    /// Flash fwd reads Q, K, V and writes O; bwd reads Q, K, V, O, dO and writes dQ, dK, dV.
    /// Unfused adds the score matrix: written and read twice (S, then P) forward, and in backward
    /// P and dP once more each way.
    public var bytes: Double {
        let fused = pass == .fwd ? 2 * qBytes + 2 * kvBytes : 4 * qBytes + 4 * kvBytes
        guard impl == .unfused else { return fused }
        return fused + (pass == .fwd ? 4 : 6) * scoreMatrixBytes
    }
    public var label: String {
        "attention \(impl.rawValue) \(pass.rawValue) b\(batch) h\(heads)\(kvHeads != heads ? "/\(kvHeads)" : "") s\(seq) d\(headDim)\(causal ? " causal" : "") \(dtype.rawValue)"
    }
    public var fields: [(String, SpecValue)] {
        [
            ("batch", .int(batch)), ("heads", .int(heads)), ("kv_heads", .int(kvHeads)), ("seq", .int(seq)),
            ("seq_kv", .int(seqKV)), ("head_dim", .int(headDim)), ("causal", .bool(causal)), ("impl", .string(impl.rawValue)),
            ("pass", .string(pass.rawValue)), ("dtype", .string(dtype.rawValue)),
        ]
    }
}

/// Token embedding lookup (a gather) forward, or the scatter-add of its gradient backward.
public struct Embedding: KernelCost, Hashable {
    public var tokens, dModel, vocab: Int
    public var pass: Pass = .fwd
    public var dtype: DType
    public init(tokens: Int, dModel: Int, vocab: Int, pass: Pass = .fwd, dtype: DType) {
        self.tokens = tokens; self.dModel = dModel; self.vocab = vocab; self.pass = pass; self.dtype = dtype
    }
    public var op: String { "embedding" }
    public var kernelClass: KernelClass { .embedding }
    var rows: Double { Double(tokens) * Double(dModel) }
    public var flops: Double { pass == .fwd ? 0 : rows }
    /// fwd: read the token ids (int64) and one table row per token, write the rows.
    /// bwd: read dY and read-modify-write one gradient row per token.
    public var bytes: Double {
        let ids = Double(tokens) * 8
        return ids + rows * dtype.bytes * (pass == .fwd ? 2 : 3)
    }
    public var label: String { "embedding \(pass.rawValue) \(tokens)x\(dModel) vocab \(vocab) \(dtype.rawValue)" }
    public var fields: [(String, SpecValue)] {
        [
            ("tokens", .int(tokens)), ("d_model", .int(dModel)), ("vocab", .int(vocab)), ("pass", .string(pass.rawValue)),
            ("dtype", .string(dtype.rawValue)),
        ]
    }
}

/// An optimizer step over `params` parameters, states in `dtype` (fp32 master weights by default).
public struct OptimizerUpdate: KernelCost, Hashable {
    public enum Name: String, CaseIterable, Sendable { case adamw, adam, sgd }
    public var name: Name
    public var params: Int
    public var dtype: DType = .fp32
    public init(_ name: Name, params: Int, dtype: DType = .fp32) { self.name = name; self.params = params; self.dtype = dtype }
    public var op: String { "optimizer" }
    public var kernelClass: KernelClass { .optimizer }
    /// AdamW reads weight, grad, m, v and writes weight, m, v (7 tensors), about 12 FLOPs a
    /// parameter (two moment updates, bias corrections, sqrt, divide, decay). SGD with momentum
    /// reads weight, grad, momentum and writes weight and momentum (5 tensors), 4 FLOPs.
    public var flops: Double { Double(params) * (name == .sgd ? 4 : 12) }
    public var bytes: Double { Double(params) * dtype.bytes * (name == .sgd ? 5 : 7) }
    public var label: String { "\(name.rawValue) \(params) \(dtype.rawValue)" }
    public var fields: [(String, SpecValue)] {
        [("name", .string(name.rawValue)), ("params", .int(params)), ("dtype", .string(dtype.rawValue))]
    }
}
