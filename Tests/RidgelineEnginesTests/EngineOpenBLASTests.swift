import Ridgeline
import RidgelineProbe
import Testing

@testable import RidgelineEngines

@Suite("OpenBLAS engine")
struct EngineOpenBLASTests {
    let engine = OpenBLASEngine(threads: 1)

    /// C = op(A)·op(B) per batch, with op(A) stored transposed when `transA`.
    func reference(_ g: GEMM, _ a: [Double], _ b: [Double]) -> [Double] {
        var c = [Double](repeating: 0, count: g.batch * g.m * g.n)
        for p in 0..<g.batch {
            for i in 0..<g.m {
                for j in 0..<g.n {
                    for l in 0..<g.k {
                        let av = g.transA ? a[p * g.m * g.k + l * g.m + i] : a[p * g.m * g.k + i * g.k + l]
                        let bv = g.transB ? b[p * g.k * g.n + j * g.k + l] : b[p * g.k * g.n + l * g.n + j]
                        c[(p * g.m + i) * g.n + j] += av * bv
                    }
                }
            }
        }
        return c
    }

    @Test("sgemm and dgemm, batched and transposed, match a plain reference")
    func gemm() throws {
        for (dtype, batch, ta, tb) in [
            (DType.fp32, 1, false, false), (.fp32, 3, true, false), (.fp64, 2, false, true), (.fp64, 1, true, true),
        ] {
            let g = GEMM(m: 5, n: 7, k: 4, batch: batch, transA: ta, transB: tb, dtype: dtype)
            let prepared = try engine.checkedPrepare(.gemm(g))
            if dtype == .fp32 {
                let k = try #require(prepared as? OpenBLASGEMM<Float>)
                try k.run()
                let expected = reference(g, k.a.map(Double.init), k.b.map(Double.init))
                for (x, y) in zip(k.c, expected) { #expect(abs(Double(x) - y) < 1e-5) }
            } else {
                let k = try #require(prepared as? OpenBLASGEMM<Double>)
                try k.run()
                let expected = reference(g, k.a, k.b)
                for (x, y) in zip(k.c, expected) { #expect(abs(x - y) < 1e-12) }
            }
        }
    }

    @Test("only fp32/fp64 GEMM is supported, and the version names OpenBLAS")
    func support() {
        #expect(engine.support(.gemm(GEMM(m: 2, n: 2, k: 2, dtype: .bf16))).reason?.contains("sgemm") == true)
        #expect(engine.support(.copy(Copy(elements: 4, dtype: .fp32))).reason != nil)
        #expect(engine.version.hasPrefix("OpenBLAS "))
    }
}

/// The kernel family OpenBLAS picks, judged against the CPU's own SIMD.
@Suite struct OpenBLASCoreTests {
    static func cpu(_ features: [String]) -> SIMDCapabilities {
        SIMDCapabilities(
            features: features, registerBits: features.contains("avx512f") ? 512 : 256, datapathBits: 256, fmaUnits: 2, basis: "test")
    }

    @Test func olderKernelsThanTheCPUAreNamedWithTheFix() {
        let avx512 = Self.cpu(["avx2", "fma", "avx512f"]), avx2 = Self.cpu(["avx2", "fma"])
        #expect(OpenBLASCore(name: "Prescott").warning(cpu: avx512)?.contains("OPENBLAS_CORETYPE=SkylakeX") == true)
        #expect(OpenBLASCore(name: "Haswell").warning(cpu: avx512)?.contains("256-bit") == true)
        #expect(OpenBLASCore(name: "Sandybridge").warning(cpu: avx2)?.contains("OPENBLAS_CORETYPE=Haswell") == true)
        #expect(OpenBLASCore(name: "Cooperlake").warning(cpu: avx512) == nil)
        #expect(OpenBLASCore(name: "Zen").warning(cpu: avx2) == nil)
        #expect(OpenBLASCore(name: "SomethingNew").warning(cpu: avx512) == nil, "an unknown family claims nothing")
    }

    /// For real: OPENBLAS_CORETYPE forces the generic SSE3 kernels, as on a CPU the build does not know.
    @Test func theForcedGenericKernelsAreReportedOnThisCPU() throws {
        let engine = OpenBLASEngine(threads: 1)
        let simd = try Hwloc.shared().hostTopology().simd
        let expectsWarning =
            engine.core.simd.map { core in
                (simd.has("avx512f") && core.bits < 512) || (simd.has("avx2") && simd.has("fma") && (core.bits < 256 || !core.fma))
            } ?? false
        #expect(engine.warnings.isEmpty == !expectsWarning, "\(engine.core.name): \(engine.warnings)")
        #expect(engine.version.contains(engine.core.name))
    }
}
