import Ridgeline
import RidgelineKernels
import RidgelineProbe
import Testing

/// The micro-benchmark kernels compute what they claim, so the compiler cannot have deleted them
/// and the rates they give are rates of real work.
@Suite struct KernelTests {
    static let cpuFlags = Array(CPUInfo.read().flags)

    @Test(arguments: [1, 7, 100, 5000])
    func fmaChainsMatchTheClosedForm(iterations: Int) {
        for dtype in [DType.fp32, .fp64] {
            let variants = FMAKernel.variants(dtype, simdFeatures: Self.cpuFlags)
            #expect(variants.count == 2)
            for kernel in variants {
                for sample in [0, 13] {
                    let expected = kernel.expected(iterations, sample)
                    let got = kernel.run(iterations, sample)
                    #expect(abs(got - expected) <= 1e-4 * expected, "\(kernel.name): \(got) vs \(expected)")
                }
            }
        }
    }

    /// VDPBF16PS chains (C, AVX512-BF16) return their exact closed form where the CPU has the
    /// unit; elsewhere there is no bf16 kernel, and the peak is derived and labelled so.
    @Test(arguments: [1, 7, 100, 5000, 1 << 20])
    func bf16DotChainsAreExact(iterations: Int) throws {
        let variants = FMAKernel.variants(.bf16, simdFeatures: Self.cpuFlags)
        guard Self.cpuFlags.contains("avx512_bf16") && !Self.cpuFlags.contains("amx_bf16") else {
            #expect(variants.isEmpty)
            return
        }
        let kernel = try #require(variants.first)
        for sample in [0, 5] {
            #expect(kernel.run(iterations, sample) == kernel.expected(iterations, sample), "\(kernel.name) sample \(sample)")
        }
        // The sum depends on the input: a kernel that skipped its work could not match both.
        #expect(kernel.run(iterations, 0) != kernel.run(iterations, 1))
    }

    @Test func flopCounts() {
        let fp32 = FMAKernel.variants(.fp32, simdFeatures: [])
        #expect(fp32.last?.flops(iterations: 10) == 3840)  // 12 chains × 16 lanes × 2 × 10
        #expect(FMAKernel.variants(.bf16, simdFeatures: []).isEmpty)
    }

    @Test func dependentChainMatchesAPlainLoop() {
        let a: UInt64 = 0x1234_5678_9abc_def1, b: UInt64 = 0x0fed_cba9_8765_4321
        var x = a
        for _ in 0..<(8 * 1000) { x = (x &+ a) ^ b }
        #expect(dependentChain(iterations: 1000, a: a, b: b) == x)
        #expect(dependentChainCycles(iterations: 1000) == 16_000)
    }

    @Test func dependentVectorAddsMatchAPlainLoop() {
        var x = SIMD8<Float>(repeating: 0)
        for _ in 0..<(8 * 100) { x = x + SIMD8<Float>(repeating: 0.5) }
        #expect(dependentVectorAdds(iterations: 100, step: 0.5) == x.sum())
        #expect(dependentVectorAddCount(iterations: 100) == 800)
    }

    @Test func streamKernelsComputeTheirResults() {
        let n = 37
        let a = UnsafeMutablePointer<Line>.allocate(capacity: n), b = UnsafeMutablePointer<Line>.allocate(capacity: n)
        let c = UnsafeMutablePointer<Line>.allocate(capacity: n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<n { b[i] = Line(repeating: Double(i)); c[i] = Line(repeating: 2) }
        // Both loop shapes; 37 lines leave a remainder after the four-line iterations.
        for unrolled in [false, true] {
            a.initialize(repeating: Line(repeating: -1), count: n)
            streamTriad(a, b, c, count: n, scalar: 3, unrolled: unrolled)
            #expect((0..<n).allSatisfy { a[$0] == Line(repeating: Double($0) + 6) }, "unrolled: \(unrolled)")
            streamCopy(a, c, count: n, unrolled: unrolled)
            #expect((0..<n).allSatisfy { a[$0] == Line(repeating: 2) }, "unrolled: \(unrolled)")
            streamWrite(a, count: n, value: 5, unrolled: unrolled)
            #expect((0..<n).allSatisfy { a[$0] == Line(repeating: 5) }, "unrolled: \(unrolled)")
        }
        // Σ over 37 lines × 8 lanes of i, plus the 0.5 added by the caller.
        #expect(streamRead(b, count: n, plus: 0.5) == 8 * Double((0..<n).reduce(0, +)) + 0.5)
        #expect(StreamKernel.triad.bytesPerElement == 24 && StreamKernel.copy.bytesPerElement == 16)
    }
}
