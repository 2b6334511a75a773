import COpenBLAS
import Ridgeline
import RidgelineProbe

/// OpenBLAS (Debian libopenblas) as a second GEMM engine: `cblas_sgemm` for fp32 and
/// `cblas_dgemm` for fp64, row-major; a batched GEMM is a loop of GEMMs, as a framework without
/// a batched BLAS call runs it.
public struct OpenBLASEngine: TensorEngine {
    public let threads: Int
    public let binding: String

    public init(threads: Int) {
        self.threads = threads
        openblas_set_num_threads(Int32(threads))
        do { binding = ThreadControl.bindCallingThread(threads: threads, hwloc: try Hwloc.shared(), pool: "OpenBLAS") } catch {
            binding = "none (\(error))"
        }
    }

    public var id: Engine { .openblas }
    /// `openblas_get_config()` (version, build options) and the kernel family chosen for this CPU
    /// (`openblas_get_corename()`), named "(core …)" so that validation models the records at
    /// that family's SIMD width (`LibraryKernels`).
    public var version: String {
        let config = String(cString: openblas_get_config()).trimmingCharacters(in: .whitespaces)
        return (config.hasPrefix("OpenBLAS") ? config : "OpenBLAS " + config) + " (core \(core.name))"
    }

    /// The kernel family OpenBLAS picked for this CPU.
    public var core: OpenBLASCore { OpenBLASCore(name: String(cString: openblas_get_corename())) }

    public var warnings: [String] {
        guard let cpu = try? Hwloc.shared().hostTopology().simd, let warning = core.warning(cpu: cpu) else { return [] }
        return [warning]
    }

    public func support(_ kernel: Kernel) -> EngineSupport {
        guard case .gemm(let g) = kernel else { return .unsupported("OpenBLAS runs GEMM only (BLAS level 3)") }
        guard g.dtype == .fp32 || g.dtype == .fp64 else {
            return .unsupported("cblas has sgemm (fp32) and dgemm (fp64) only, not \(g.dtype.rawValue)")
        }
        return .supported
    }

    public func prepare(_ kernel: Kernel) throws -> any PreparedKernel {
        guard case .gemm(let g) = kernel, support(kernel) == .supported else {
            throw EngineError.unsupported(engine: name, kernel: kernel.label, reason: support(kernel).reason ?? "")
        }
        return g.dtype == .fp32 ? OpenBLASGEMM<Float>(g) : OpenBLASGEMM<Double>(g)
    }
}

/// Operands of one (batched) GEMM in row-major storage; a transposed operand is stored as its
/// transpose and passed with `CblasTrans`.
public final class OpenBLASGEMM<Scalar: BinaryFloatingPoint>: PreparedKernel {
    public let gemm: GEMM
    public var a: [Scalar], b: [Scalar], c: [Scalar]

    init(_ g: GEMM) {
        gemm = g
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func fill(_ count: Int) -> [Scalar] {
            (0..<count).map { _ in
                seed ^= seed >> 12; seed ^= seed << 25; seed ^= seed >> 27
                return Scalar(Double((seed &* 2685821657736338717) >> 11) / Double(1 << 53) * 2 - 1)
            }
        }
        a = fill(g.batch * g.m * g.k)
        b = fill(g.batch * g.k * g.n)
        c = [Scalar](repeating: 0, count: g.batch * g.m * g.n)
    }

    public var implementation: String { Scalar.self == Float.self ? "cblas_sgemm" : "cblas_dgemm" }

    public func run() throws {
        let g = gemm
        let ta = g.transA ? CblasTrans : CblasNoTrans, tb = g.transB ? CblasTrans : CblasNoTrans
        let lda = Int32(g.transA ? g.m : g.k), ldb = Int32(g.transB ? g.k : g.n), ldc = Int32(g.n)
        let sa = g.m * g.k, sb = g.k * g.n, sc = g.m * g.n
        let m = Int32(g.m), n = Int32(g.n), k = Int32(g.k)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    for i in 0..<g.batch {
                        let ai = UnsafeRawPointer(pa.baseAddress! + i * sa), bi = UnsafeRawPointer(pb.baseAddress! + i * sb)
                        let ci = UnsafeMutableRawPointer(pc.baseAddress! + i * sc)
                        if Scalar.self == Float.self {
                            cblas_sgemm(
                                CblasRowMajor, ta, tb, m, n, k, 1, ai.assumingMemoryBound(to: Float.self), lda,
                                bi.assumingMemoryBound(to: Float.self), ldb, 0, ci.assumingMemoryBound(to: Float.self), ldc)
                        } else {
                            cblas_dgemm(
                                CblasRowMajor, ta, tb, m, n, k, 1, ai.assumingMemoryBound(to: Double.self), lda,
                                bi.assumingMemoryBound(to: Double.self), ldb, 0, ci.assumingMemoryBound(to: Double.self), ldc)
                        }
                    }
                }
            }
        }
    }
}
