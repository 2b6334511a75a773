import CDNNL
import Ridgeline
import RidgelineProbe

/// oneDNN (Debian libdnnl 2.6, C API) as a CPU tensor engine: matmul, convolution (fwd,
/// bwd_data, bwd_weights), eltwise, binary, softmax, layer norm, reduction and reorder (copy).
///
/// Layouts follow what frameworks do: matmul and element-wise ops on plain row-major tensors,
/// convolutions on whatever blocked layout oneDNN prefers (`format_tag_any`), with the inputs
/// reordered into it before timing. A dtype runs only where oneDNN has a real kernel for it on
/// this CPU: when it would fall back to its reference implementation (an emulated path, orders of
/// magnitude slower), the kernel is reported unsupported rather than measured.
public struct OneDNNEngine: TensorEngine {
    public let threads: Int
    let context: DNNLContext
    /// oneDNN's effective instruction set on this CPU ("avx512_core_bf16").
    public let isa: String
    /// Why each non-fp32 dtype cannot run here; absent when it can.
    public let dtypeUnsupported: [DType: String]
    public let binding: String

    public init(threads: Int) throws {
        self.threads = threads
        ThreadControl.setOpenMPThreads(threads)
        do { binding = ThreadControl.bindOpenMPThreads(threads, hwloc: try Hwloc.shared()) } catch { binding = "none (\(error))" }
        context = try DNNLContext.shared()
        isa = Self.isaName(dnnl_get_effective_cpu_isa())
        var unsupported: [DType: String] = [:]
        for dtype in [DType.bf16, .fp16] {
            if let why = Self.probeNative(dtype, context: context, isa: isa) { unsupported[dtype] = why }
        }
        dtypeUnsupported = unsupported
    }

    public var id: Engine { .onednn }

    public var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        rl_dnnl_version(&major, &minor, &patch)
        return "oneDNN \(major).\(minor).\(patch) (isa \(isa), OpenMP)"
    }

    public func support(_ kernel: Kernel) -> EngineSupport {
        let dtype = kernel.dtype
        if dtype != .fp32 {
            if let why = dtypeUnsupported[dtype] { return .unsupported(why) }
            if DNNL.dataType(dtype) == nil {
                return .unsupported("oneDNN 2.6 has no \(dtype.rawValue) \(kernel.op) on CPUs (fp32, bf16 and fp16 only)")
            }
        }
        switch kernel {
        case .gemm, .conv2d, .copy: return .supported
        case .elementwise(let e):
            if e.outputs != 1 { return .unsupported("oneDNN element-wise primitives write one output, the spec asks for \(e.outputs)") }
            switch e.inputs {
            case 1:
                return Self.eltwise(e.name) == nil
                    ? .unsupported("no oneDNN eltwise algorithm for '\(e.name)' (have: \(Self.unaryNames.joined(separator: ", ")))")
                    : .supported
            case 2:
                return Self.binary(e.name) == nil
                    ? .unsupported("no oneDNN binary algorithm for '\(e.name)' (have: add, mul, sub, div, max, min)") : .supported
            default: return .unsupported("oneDNN element-wise primitives take one or two inputs, the spec has \(e.inputs)")
            }
        case .reduction(let r):
            return r.elements % r.outputs == 0
                ? .supported
                : .unsupported("\(r.elements) elements do not split evenly into \(r.outputs) outputs")
        case .rowwise(let r):
            if r.kind == .rmsnorm {
                return .unsupported("oneDNN 2.6 layer normalization always subtracts the mean (RMS norm arrived in oneDNN 3.x)")
            }
            return .supported
        case .attention:
            return .unsupported("oneDNN 2.6 has no fused attention primitive; measure its matmuls and softmax as separate kernels")
        case .embedding:
            return .unsupported("oneDNN 2.6 has no gather (embedding lookup) primitive")
        case .optimizer:
            return .unsupported("oneDNN has no optimizer-update primitive")
        }
    }

    public func prepare(_ kernel: Kernel) throws -> any PreparedKernel {
        guard let type = DNNL.dataType(kernel.dtype) else {
            throw EngineError.unsupported(engine: name, kernel: kernel.label, reason: support(kernel).reason ?? "dtype")
        }
        let prepared: OneDNNKernel
        switch kernel {
        case .gemm(let g): prepared = try matmul(g, type)
        case .conv2d(let c): prepared = try convolution(c, type)
        case .elementwise(let e): prepared = try elementwise(e, type)
        case .copy(let c): prepared = try copy(c, type)
        case .reduction(let r): prepared = try reduction(r, type)
        case .rowwise(let r): prepared = r.kind == .softmax ? try softmax(r, type) : try layerNorm(r, type)
        default: throw EngineError.unsupported(engine: name, kernel: kernel.label, reason: support(kernel).reason ?? "unsupported")
        }
        if kernel.dtype != .fp32, prepared.implementation.hasPrefix("ref") {
            throw EngineError.unsupported(
                engine: name, kernel: kernel.label,
                reason:
                    "oneDNN has only its reference implementation (\(prepared.implementation)) for \(kernel.op) in \(kernel.dtype.rawValue) on this CPU (isa \(isa)): an emulated path, not measured"
            )
        }
        return prepared
    }

    // MARK: Matmul

    /// C[b,m,n] = A[b,m,k]·B[b,k,n]; a transposed operand is the same logical tensor stored
    /// column-major (strides), as a framework passes a transposed view.
    func matmul(_ g: GEMM, _ type: dnnl_data_type_t) throws -> OneDNNKernel {
        let batched = g.batch > 1
        func operand(rows: Int, cols: Int, transposed: Bool) throws -> dnnl_memory_desc_t {
            let dims = batched ? [g.batch, rows, cols] : [rows, cols]
            let inner = transposed ? [1, rows] : [cols, 1]
            return try DNNL.md(dims, type, strides: batched ? [rows * cols] + inner : inner)
        }
        var src = try operand(rows: g.m, cols: g.k, transposed: g.transA)
        var weights = try operand(rows: g.k, cols: g.n, transposed: g.transB)
        var dst = try DNNL.md(batched ? [g.batch, g.m, g.n] : [g.m, g.n], type)
        var desc = dnnl_matmul_desc_t()
        try DNNL.check(dnnl_matmul_desc_init(&desc, &src, &weights, nil, &dst), "dnnl_matmul_desc_init")
        let kernel = OneDNNKernel(try DNNLPrimitive(pd: try DNNLPrimitive.descriptor(&desc, context)), context)
        try kernel.bind("src", RL_ARG_SRC, src, input: true)
        try kernel.bind("weights", RL_ARG_WEIGHTS, weights, input: true)
        try kernel.bind("dst", RL_ARG_DST, dst, input: false)
        return kernel
    }

    // MARK: Convolution

    /// NCHW activations and (G)OIHW filters as logical shapes, stored in the layout oneDNN picks.
    func convolution(_ c: Conv2D, _ type: dnnl_data_type_t) throws -> OneDNNKernel {
        let any = dnnl_format_tag_any
        var src = try DNNL.md([c.n, c.c, c.h, c.w], type, tag: any)
        let filterDims = c.groups > 1 ? [c.groups, c.k / c.groups, c.c / c.groups, c.r, c.s] : [c.k, c.c, c.r, c.s]
        var weights = try DNNL.md(filterDims, type, tag: any)
        var dst = try DNNL.md([c.n, c.k, c.outH, c.outW], type, tag: any)
        let strides: [Int64] = [Int64(c.stride), Int64(c.stride)]
        let padL: [Int64] = [Int64(c.pad), Int64(c.pad)]
        // Symmetric padding: oneDNN's output size (h + 2·pad − r) / stride + 1 floors as PyTorch's does.
        let padR = padL
        var fwd = dnnl_convolution_desc_t()
        let prop = c.pass == .fwd ? dnnl_forward_inference : dnnl_forward_training
        try DNNL.check(
            dnnl_convolution_forward_desc_init(
                &fwd, prop, dnnl_convolution_auto, &src, &weights, nil, &dst,
                strides, padL, padR), "dnnl_convolution_forward_desc_init")
        let fwdPD = try DNNLPrimitive.descriptor(&fwd, context)
        defer { if c.pass != .fwd { dnnl_primitive_desc_destroy(fwdPD) } }
        switch c.pass {
        case .fwd:
            let p = try DNNLPrimitive(pd: fwdPD)
            let kernel = OneDNNKernel(p, context)
            try kernel.bind("src", RL_ARG_SRC, p.md(dnnl_query_src_md)!, input: true)
            try kernel.bind("weights", RL_ARG_WEIGHTS, p.md(dnnl_query_weights_md)!, input: true)
            try kernel.bind("dst", RL_ARG_DST, p.md(dnnl_query_dst_md)!, input: false)
            return kernel
        case .bwdData:
            var desc = dnnl_convolution_desc_t()
            try DNNL.check(
                dnnl_convolution_backward_data_desc_init(
                    &desc, dnnl_convolution_auto, &src, &weights, &dst,
                    strides, padL, padR), "dnnl_convolution_backward_data_desc_init")
            let p = try DNNLPrimitive(pd: try DNNLPrimitive.descriptor(&desc, context, hint: fwdPD))
            let kernel = OneDNNKernel(p, context)
            try kernel.bind("diff_dst", RL_ARG_DIFF_DST, p.md(dnnl_query_diff_dst_md)!, input: true)
            try kernel.bind("weights", RL_ARG_WEIGHTS, p.md(dnnl_query_weights_md)!, input: true)
            try kernel.bind("diff_src", RL_ARG_DIFF_SRC, p.md(dnnl_query_diff_src_md)!, input: false)
            return kernel
        case .bwdWeights:
            var desc = dnnl_convolution_desc_t()
            try DNNL.check(
                dnnl_convolution_backward_weights_desc_init(
                    &desc, dnnl_convolution_auto, &src, &weights, nil, &dst,
                    strides, padL, padR), "dnnl_convolution_backward_weights_desc_init")
            let p = try DNNLPrimitive(pd: try DNNLPrimitive.descriptor(&desc, context, hint: fwdPD))
            let kernel = OneDNNKernel(p, context)
            try kernel.bind("src", RL_ARG_SRC, p.md(dnnl_query_src_md)!, input: true)
            try kernel.bind("diff_dst", RL_ARG_DIFF_DST, p.md(dnnl_query_diff_dst_md)!, input: true)
            try kernel.bind("diff_weights", RL_ARG_DIFF_WEIGHTS, p.md(dnnl_query_diff_weights_md)!, input: false)
            return kernel
        }
    }

    // MARK: Element-wise, copy, reduction

    static let unaryNames = [
        "relu", "gelu", "gelu_erf", "exp", "log", "tanh", "sigmoid", "sqrt", "square", "abs",
        "silu", "swish", "mul_scalar", "scale", "neg",
    ]

    /// The eltwise algorithm and its alpha/beta for a unary op name.
    static func eltwise(_ name: String) -> (dnnl_alg_kind_t, Float, Float)? {
        switch name {
        case "relu": return (dnnl_eltwise_relu, 0, 0)
        case "gelu": return (dnnl_eltwise_gelu_tanh, 0, 0)
        case "gelu_erf": return (dnnl_eltwise_gelu_erf, 0, 0)
        case "exp": return (dnnl_eltwise_exp, 0, 0)
        case "log": return (dnnl_eltwise_log, 0, 0)
        case "tanh": return (dnnl_eltwise_tanh, 0, 0)
        case "sigmoid": return (dnnl_eltwise_logistic, 0, 0)
        case "sqrt": return (dnnl_eltwise_sqrt, 0, 0)
        case "square": return (dnnl_eltwise_square, 0, 0)
        case "abs": return (dnnl_eltwise_abs, 0, 0)
        case "silu", "swish": return (dnnl_eltwise_swish, 1, 0)
        // y = alpha·x + beta: multiplication by a scalar, as PyTorch's `x * 2`.
        case "mul_scalar", "scale": return (dnnl_eltwise_linear, 2, 0)
        case "neg": return (dnnl_eltwise_linear, -1, 0)
        default: return nil
        }
    }

    static func binary(_ name: String) -> dnnl_alg_kind_t? {
        switch name {
        case "add": return dnnl_binary_add
        case "mul": return dnnl_binary_mul
        case "sub": return dnnl_binary_sub
        case "div": return dnnl_binary_div
        case "max": return dnnl_binary_max
        case "min": return dnnl_binary_min
        default: return nil
        }
    }

    func elementwise(_ e: Elementwise, _ type: dnnl_data_type_t) throws -> OneDNNKernel {
        var data = try DNNL.md([e.elements], type)
        if e.inputs == 2, let alg = Self.binary(e.name) {
            var dst = data
            var desc = dnnl_binary_desc_t()
            try DNNL.check(dnnl_binary_desc_init(&desc, alg, &data, &data, &dst), "dnnl_binary_desc_init")
            let kernel = OneDNNKernel(try DNNLPrimitive(pd: try DNNLPrimitive.descriptor(&desc, context)), context)
            try kernel.bind("src", RL_ARG_SRC, data, input: true)
            try kernel.bind("src1", RL_ARG_SRC_1, data, input: true, range: 0.5...1.5)
            try kernel.bind("dst", RL_ARG_DST, dst, input: false)
            return kernel
        }
        guard let (alg, alpha, beta) = Self.eltwise(e.name) else {
            throw EngineError.unsupported(engine: name, kernel: e.label, reason: "no oneDNN algorithm for '\(e.name)'")
        }
        var desc = dnnl_eltwise_desc_t()
        try DNNL.check(
            dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_inference, alg, &data, alpha, beta),
            "dnnl_eltwise_forward_desc_init")
        let kernel = OneDNNKernel(try DNNLPrimitive(pd: try DNNLPrimitive.descriptor(&desc, context)), context)
        // log and sqrt get positive inputs so that the timing is not of NaN handling.
        let positive = ["log", "sqrt"].contains(e.name)
        try kernel.bind("src", RL_ARG_SRC, data, input: true, range: positive ? 0.5...1.5 : -1...1)
        try kernel.bind("dst", RL_ARG_DST, data, input: false)
        return kernel
    }

    /// A copy is a reorder between two plain tensors of the same type (what `clone()` does).
    func copy(_ c: Copy, _ type: dnnl_data_type_t) throws -> OneDNNKernel {
        let data = try DNNL.md([c.elements], type)
        let kernel = OneDNNKernel(try DNNLPrimitive.reorder(from: data, to: data, context), context)
        try kernel.bind("src", RL_ARG_FROM, data, input: true)
        try kernel.bind("dst", RL_ARG_TO, data, input: false)
        return kernel
    }

    /// Sums `elements` into `outputs` values: rows of elements/outputs reduced along the row.
    func reduction(_ r: Reduction, _ type: dnnl_data_type_t) throws -> OneDNNKernel {
        var src = try DNNL.md([r.outputs, r.elements / r.outputs], type)
        var dst = try DNNL.md([r.outputs, 1], type)
        var desc = dnnl_reduction_desc_t()
        try DNNL.check(dnnl_reduction_desc_init(&desc, dnnl_reduction_sum, &src, &dst, 0, 0), "dnnl_reduction_desc_init")
        let kernel = OneDNNKernel(try DNNLPrimitive(pd: try DNNLPrimitive.descriptor(&desc, context)), context)
        try kernel.bind("src", RL_ARG_SRC, src, input: true)
        try kernel.bind("dst", RL_ARG_DST, dst, input: false)
        return kernel
    }

    // MARK: Row-wise

    func softmax(_ r: RowWise, _ type: dnnl_data_type_t) throws -> OneDNNKernel {
        var data = try DNNL.md([r.rows, r.cols], type)
        var fwd = dnnl_softmax_desc_t()
        let prop = r.pass == .fwd ? dnnl_forward_inference : dnnl_forward_training
        try DNNL.check(dnnl_softmax_forward_desc_init(&fwd, prop, &data, 1), "dnnl_softmax_forward_desc_init")
        let fwdPD = try DNNLPrimitive.descriptor(&fwd, context)
        if r.pass == .fwd {
            let kernel = OneDNNKernel(try DNNLPrimitive(pd: fwdPD), context)
            try kernel.bind("src", RL_ARG_SRC, data, input: true)
            try kernel.bind("dst", RL_ARG_DST, data, input: false)
            return kernel
        }
        defer { dnnl_primitive_desc_destroy(fwdPD) }
        var desc = dnnl_softmax_desc_t()
        try DNNL.check(dnnl_softmax_backward_desc_init(&desc, &data, &data, 1), "dnnl_softmax_backward_desc_init")
        let kernel = OneDNNKernel(try DNNLPrimitive(pd: try DNNLPrimitive.descriptor(&desc, context, hint: fwdPD)), context)
        try kernel.bind("dst", RL_ARG_DST, data, input: true, range: 0...0.01)
        try kernel.bind("diff_dst", RL_ARG_DIFF_DST, data, input: true)
        try kernel.bind("diff_src", RL_ARG_DIFF_SRC, data, input: false)
        return kernel
    }

    /// Layer norm over the last axis with a learned scale and shift (fp32, one per column).
    func layerNorm(_ r: RowWise, _ type: dnnl_data_type_t) throws -> OneDNNKernel {
        var data = try DNNL.md([r.rows, r.cols], type)
        let param = try DNNL.md([r.cols], dnnl_f32)
        var stat = try DNNL.md([r.rows], dnnl_f32)
        let flags = UInt32(dnnl_use_scale.rawValue | dnnl_use_shift.rawValue)
        let epsilon: Float = 1e-5
        var fwd = dnnl_layer_normalization_desc_t()
        let prop = r.pass == .fwd ? dnnl_forward_inference : dnnl_forward_training
        try DNNL.check(
            dnnl_layer_normalization_forward_desc_init(&fwd, prop, &data, &stat, epsilon, flags),
            "dnnl_layer_normalization_forward_desc_init")
        let fwdPD = try DNNLPrimitive.descriptor(&fwd, context)
        if r.pass == .fwd {
            let kernel = OneDNNKernel(try DNNLPrimitive(pd: fwdPD), context)
            try kernel.bind("src", RL_ARG_SRC, data, input: true)
            try kernel.bind("scale", RL_ARG_SCALE, param, input: true, range: 0.5...1.5)
            try kernel.bind("shift", RL_ARG_SHIFT, param, input: true)
            try kernel.bind("dst", RL_ARG_DST, data, input: false)
            return kernel
        }
        defer { dnnl_primitive_desc_destroy(fwdPD) }
        var desc = dnnl_layer_normalization_desc_t()
        try DNNL.check(
            dnnl_layer_normalization_backward_desc_init(&desc, dnnl_backward, &data, &data, &stat, epsilon, flags),
            "dnnl_layer_normalization_backward_desc_init")
        let kernel = OneDNNKernel(try DNNLPrimitive(pd: try DNNLPrimitive.descriptor(&desc, context, hint: fwdPD)), context)
        try kernel.bind("src", RL_ARG_SRC, data, input: true)
        try kernel.bind("mean", RL_ARG_MEAN, stat, input: true, range: -0.1...0.1)
        try kernel.bind("variance", RL_ARG_VARIANCE, stat, input: true, range: 0.5...1.5)
        try kernel.bind("diff_dst", RL_ARG_DIFF_DST, data, input: true)
        try kernel.bind("scale", RL_ARG_SCALE, param, input: true, range: 0.5...1.5)
        try kernel.bind("shift", RL_ARG_SHIFT, param, input: true)
        try kernel.bind("diff_src", RL_ARG_DIFF_SRC, data, input: false)
        try kernel.bind("diff_scale", RL_ARG_DIFF_SCALE, param, input: false)
        try kernel.bind("diff_shift", RL_ARG_DIFF_SHIFT, param, input: false)
        return kernel
    }

    // MARK: Capabilities

    static func isaName(_ isa: dnnl_cpu_isa_t) -> String {
        switch isa {
        case dnnl_cpu_isa_sse41: return "sse41"
        case dnnl_cpu_isa_avx: return "avx"
        case dnnl_cpu_isa_avx2: return "avx2"
        case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni"
        case dnnl_cpu_isa_avx512_core: return "avx512_core"
        case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx"
        default: return "isa 0x\(String(isa.rawValue, radix: 16))"
        }
    }

    /// Nil when oneDNN has a native (JIT) matmul for `dtype` on this CPU, else the reason it
    /// does not: the primitive is unimplemented or only the reference (emulated) path exists.
    static func probeNative(_ dtype: DType, context: DNNLContext, isa: String) -> String? {
        guard let type = DNNL.dataType(dtype) else { return "oneDNN has no \(dtype.rawValue) type" }
        do {
            var a = try DNNL.md([64, 64], type), b = a, c = a
            var desc = dnnl_matmul_desc_t()
            try DNNL.check(dnnl_matmul_desc_init(&desc, &a, &b, nil, &c), "dnnl_matmul_desc_init")
            let p = try DNNLPrimitive(pd: try DNNLPrimitive.descriptor(&desc, context))
            if p.implementation.hasPrefix("ref") {
                return
                    "\(dtype.rawValue) unsupported on this CPU: oneDNN (isa \(isa)) offers only its reference implementation (\(p.implementation)), an emulated path"
            }
            return nil
        } catch {
            return "\(dtype.rawValue) unsupported on this CPU: oneDNN (isa \(isa)) has no \(dtype.rawValue) matmul (\(error))"
        }
    }
}
