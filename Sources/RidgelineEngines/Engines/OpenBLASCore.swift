import Ridgeline
import RidgelineProbe

/// The kernel family OpenBLAS picked for this CPU (`openblas_get_corename()`), and the SIMD it
/// uses. A DYNAMIC_ARCH build picks by CPUID family and model; a CPU newer than the build knows
/// (OpenBLAS 0.3.21 on an Intel family 6 model 207 guest) falls back to "Prescott", SSE3 kernels
/// that reach a fraction of an AVX-512 core's peak (64 of 353 GFLOP/s measured there), silently.
public struct OpenBLASCore: Sendable, Equatable {
    public let name: String

    public init(name: String) { self.name = name }

    /// The vector width the family's GEMM kernels use, and whether they fuse multiply-add; nil
    /// for a name Ridgeline does not know (then nothing is claimed). See `LibraryKernels.openBLAS`.
    public var simd: (bits: Int, fma: Bool)? {
        LibraryKernels.openBLAS(core: name).map { ($0.bits, $0.fma) }
    }

    /// A warning, with the fix, when the family uses narrower vectors (or no FMA) than the CPU has.
    public func warning(cpu: SIMDCapabilities) -> String? {
        guard let simd else { return nil }
        let better: String?
        if cpu.has("avx512f") && simd.bits < 512 {
            better = "SkylakeX"
        } else if cpu.has("avx2") && cpu.has("fma") && (simd.bits < 256 || !simd.fma) {
            better = "Haswell"
        } else {
            better = nil
        }
        guard let better else { return nil }
        return "OpenBLAS chose its \(name) kernels (\(simd.bits)-bit\(simd.fma ? " FMA" : ", no FMA")) on a CPU with "
            + "\(cpu.has("avx512f") ? "AVX-512" : "AVX2 and FMA"): its GEMMs run far below this CPU's peak. "
            + "OPENBLAS_CORETYPE=\(better) makes it use the wider kernels (a newer OpenBLAS may know this CPU)."
    }
}
