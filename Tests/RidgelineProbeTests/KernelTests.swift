import Testing
import RidgelineKernels

/// The micro-benchmark kernels compute what they claim, so the compiler cannot have deleted them
/// and the rates they give are rates of real work.
@Suite struct KernelTests {
    @Test(arguments: [1, 7, 100, 5000])
    func fmaChainsMatchTheClosedForm(iterations: Int) {
        let x = 1 - 1.0 / 1024, y = 0.75
        for bytes in [4, 8] {
            for kernel in FMAKernel.variants(elementBytes: bytes) {
                let expected = Double(kernel.chains * kernel.lanes) * fmaChainExpected(iterations: iterations, x: x, y: y)
                let got = kernel.run(iterations, x, y)
                #expect(abs(got - expected) <= 1e-4 * expected, "\(kernel.name): \(got) vs \(expected)")
            }
        }
    }

    @Test func fmaFlopCount() {
        #expect(fmaFlops(iterations: 10, chains: 12, lanes: 16) == 3840)
    }

    @Test func dependentChainMatchesAPlainLoop() {
        let a: UInt64 = 0x1234_5678_9abc_def1, b: UInt64 = 0x0fed_cba9_8765_4321
        var x = a
        for _ in 0..<(8 * 1000) { x = (x &+ a) ^ b }
        #expect(dependentChain(iterations: 1000, a: a, b: b) == x)
        #expect(dependentChainCycles(iterations: 1000) == 16_000)
    }

    @Test func streamKernelsComputeTheirResults() {
        let n = 37
        let a = UnsafeMutablePointer<Line>.allocate(capacity: n), b = UnsafeMutablePointer<Line>.allocate(capacity: n)
        let c = UnsafeMutablePointer<Line>.allocate(capacity: n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<n { b[i] = Line(repeating: Double(i)); c[i] = Line(repeating: 2) }
        streamTriad(a, b, c, count: n, scalar: 3)
        #expect((0..<n).allSatisfy { a[$0] == Line(repeating: Double($0) + 6) })
        streamCopy(a, c, count: n)
        #expect((0..<n).allSatisfy { a[$0] == Line(repeating: 2) })
        streamWrite(a, count: n, value: 5)
        #expect((0..<n).allSatisfy { a[$0] == Line(repeating: 5) })
        // Σ over 37 lines × 8 lanes of i, plus the 0.5 added by the caller.
        #expect(streamRead(b, count: n, plus: 0.5) == 8 * Double((0..<n).reduce(0, +)) + 0.5)
        #expect(StreamKernel.triad.bytesPerElement == 24 && StreamKernel.copy.bytesPerElement == 16)
    }
}
