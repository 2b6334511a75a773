import CDNNL
import Foundation
import Ridgeline

/// Thin, owning Swift wrappers over oneDNN's C API (Debian libdnnl 2.6): the CPU engine and
/// stream, memory objects, primitives and reorders. Every status is checked and turned into an
/// `EngineError` naming the call.
enum DNNL {
    static func check(_ status: dnnl_status_t, _ call: String) throws {
        guard status == dnnl_success else {
            throw EngineError.library(engine: "onednn", call: call, detail: statusName(status))
        }
    }

    static func statusName(_ status: dnnl_status_t) -> String {
        switch status {
        case dnnl_out_of_memory: return "out of memory"
        case dnnl_invalid_arguments: return "invalid arguments"
        case dnnl_unimplemented: return "no implementation for these shapes and data types"
        case dnnl_iterator_ends: return "iterator ends"
        case dnnl_runtime_error: return "runtime error"
        case dnnl_not_required: return "not required"
        default: return "status \(status.rawValue)"
        }
    }

    /// oneDNN's data type for a Ridgeline dtype, or nil when oneDNN 2.6 has none on CPUs.
    static func dataType(_ dtype: DType) -> dnnl_data_type_t? {
        switch dtype {
        case .fp32: return dnnl_f32
        case .bf16: return dnnl_bf16
        case .fp16: return dnnl_f16
        default: return nil
        }
    }

    /// The plain (row-major, dense) format tag for a tensor of `ndims` dimensions.
    static func plainTag(_ ndims: Int) -> dnnl_format_tag_t {
        switch ndims {
        case 1: return dnnl_a
        case 2: return dnnl_ab
        case 3: return dnnl_abc
        case 4: return dnnl_abcd
        default: return dnnl_abcde
        }
    }

    static func md(_ dims: [Int], _ type: dnnl_data_type_t, tag: dnnl_format_tag_t? = nil) throws -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let d = dims.map(Int64.init)
        try check(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d, type, tag ?? plainTag(d.count)), "dnnl_memory_desc_init_by_tag")
        return md
    }

    static func md(_ dims: [Int], _ type: dnnl_data_type_t, strides: [Int]) throws -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        try check(
            dnnl_memory_desc_init_by_strides(&md, Int32(dims.count), dims.map(Int64.init), type, strides.map(Int64.init)),
            "dnnl_memory_desc_init_by_strides")
        return md
    }

    /// The logical dimensions of a memory descriptor.
    static func dims(_ md: dnnl_memory_desc_t) -> [Int] {
        var md = md
        return withUnsafeBytes(of: &md.dims) { raw in
            Array(raw.bindMemory(to: Int64.self).prefix(Int(md.ndims))).map(Int.init)
        }
    }
}

/// The CPU engine and an in-order stream, created once per process (oneDNN caches JIT code per
/// engine, so one engine for the whole run is what frameworks do too).
final class DNNLContext: @unchecked Sendable {
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t

    private init() throws {
        var engine: dnnl_engine_t?
        try DNNL.check(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create")
        var stream: dnnl_stream_t?
        try DNNL.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "dnnl_stream_create")
        self.engine = engine!
        self.stream = stream!
    }

    private static let created = Result { try DNNLContext() }
    static func shared() throws -> DNNLContext { try created.get() }
}

/// A oneDNN memory object that owns its buffer.
final class DNNLMemory {
    let handle: dnnl_memory_t
    let md: dnnl_memory_desc_t

    init(_ md: dnnl_memory_desc_t, _ context: DNNLContext) throws {
        var md = md
        var handle: dnnl_memory_t?
        try DNNL.check(dnnl_memory_create(&handle, &md, context.engine, rl_memory_allocate()), "dnnl_memory_create")
        self.handle = handle!
        self.md = md
    }

    deinit { dnnl_memory_destroy(handle) }

    var byteCount: Int {
        var md = self.md
        return dnnl_memory_desc_get_size(&md)
    }

    var pointer: UnsafeMutableRawPointer {
        var data: UnsafeMutableRawPointer?
        dnnl_memory_get_data_handle(handle, &data)
        return data!
    }

    func same(layoutAs other: dnnl_memory_desc_t) -> Bool {
        var a = md, b = other
        return dnnl_memory_desc_equal(&a, &b) != 0
    }
}

/// A primitive with its descriptor and the memories bound to its arguments.
final class DNNLPrimitive {
    let pd: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t

    /// Takes ownership of `pd`.
    init(pd: dnnl_primitive_desc_t) throws {
        var primitive: dnnl_primitive_t?
        let status = dnnl_primitive_create(&primitive, pd)
        if status != dnnl_success { dnnl_primitive_desc_destroy(pd) }
        try DNNL.check(status, "dnnl_primitive_create")
        self.pd = pd
        self.primitive = primitive!
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(pd)
    }

    var implementation: String { String(cString: rl_impl_info(pd)) }

    func execute(_ args: [(Int32, DNNLMemory)], _ context: DNNLContext) throws {
        let raw = args.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.handle) }
        try DNNL.check(dnnl_primitive_execute(primitive, context.stream, Int32(raw.count), raw), "dnnl_primitive_execute")
        try DNNL.check(dnnl_stream_wait(context.stream), "dnnl_stream_wait")
    }

    /// Creates a primitive descriptor for an op descriptor, optionally with a forward hint
    /// (backward primitives need the forward one they pair with).
    static func descriptor<Desc>(
        _ desc: inout Desc, _ context: DNNLContext, hint: dnnl_primitive_desc_t? = nil
    ) throws -> dnnl_primitive_desc_t {
        var pd: dnnl_primitive_desc_t?
        let status = withUnsafePointer(to: &desc) { pointer in
            dnnl_primitive_desc_create(&pd, UnsafeRawPointer(pointer), nil, context.engine, hint)
        }
        try DNNL.check(status, "dnnl_primitive_desc_create")
        return pd!
    }

    /// A reorder from one layout/type to another (also the copy kernel).
    static func reorder(from src: dnnl_memory_desc_t, to dst: dnnl_memory_desc_t, _ context: DNNLContext) throws -> DNNLPrimitive {
        var src = src, dst = dst
        var pd: dnnl_primitive_desc_t?
        try DNNL.check(
            dnnl_reorder_primitive_desc_create(&pd, &src, context.engine, &dst, context.engine, nil),
            "dnnl_reorder_primitive_desc_create")
        return try DNNLPrimitive(pd: pd!)
    }

    /// The memory descriptor the primitive wants for `what` (index for ops with several).
    func md(_ what: dnnl_query_t, _ index: Int32 = 0) -> dnnl_memory_desc_t? {
        guard let p = dnnl_primitive_desc_query_md(pd, what, index) else { return nil }
        return p.pointee
    }
}
