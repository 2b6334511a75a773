import Foundation
import Ridgeline
import RidgelineProbe
import Testing

@testable import RidgelineEngines

/// oneDNN computes what a plain Swift reference computes, on small inputs, for every op it runs.
@Suite("oneDNN engine")
struct EngineOneDNNTests {
    let engine: OneDNNEngine

    init() throws { engine = try OneDNNEngine(threads: 1) }

    func prepared(_ kernel: Kernel) throws -> OneDNNKernel {
        try #require(engine.checkedPrepare(kernel) as? OneDNNKernel)
    }

    func values(_ count: Int, seed: Int = 1) -> [Float] {
        (0..<count).map { Float(($0 * 37 + seed * 11) % 17) / 8 - 1 }
    }

    func expectClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-4, _ comment: Comment? = nil) {
        #expect(a.count == b.count, comment)
        for (x, y) in zip(a, b) where abs(x - y) > tolerance * max(1, abs(y)) {
            Issue.record("\(x) != \(y) \(comment?.description ?? "")")
            return
        }
    }

    @Test("matmul, plain and batched with transposed operands")
    func matmul() throws {
        for (batch, transA, transB) in [(1, false, false), (3, true, true), (2, false, true)] {
            let (m, n, k) = (5, 7, 6)
            let kernel = try prepared(.gemm(GEMM(m: m, n: n, k: k, batch: batch, transA: transA, transB: transB, dtype: .fp32)))
            let a = values(batch * m * k, seed: 1), b = values(batch * k * n, seed: 2)
            try kernel.write("src", a)
            try kernel.write("weights", b)
            try kernel.run()
            var expected = [Float](repeating: 0, count: batch * m * n)
            for p in 0..<batch {
                for i in 0..<m {
                    for j in 0..<n {
                        for l in 0..<k {
                            expected[(p * m + i) * n + j] += a[(p * m + i) * k + l] * b[(p * k + l) * n + j]
                        }
                    }
                }
            }
            expectClose(try kernel.read("dst"), expected, "batch \(batch) transA \(transA) transB \(transB)")
        }
    }

    /// Direct convolution, NCHW × (G)KCRS, the definition every pass is checked against.
    func referenceConv(_ c: Conv2D, src: [Float], weights: [Float]) -> [Float] {
        let (oh, ow) = (c.outH, c.outW)
        let cg = c.c / c.groups, kg = c.k / c.groups
        var out = [Float](repeating: 0, count: c.n * c.k * oh * ow)
        for n in 0..<c.n {
            for k in 0..<c.k {
                for y in 0..<oh {
                    for x in 0..<ow {
                        var sum: Float = 0
                        let g = k / kg
                        for ci in 0..<cg {
                            for r in 0..<c.r {
                                for s in 0..<c.s {
                                    let iy = y * c.stride - c.pad + r, ix = x * c.stride - c.pad + s
                                    guard iy >= 0, iy < c.h, ix >= 0, ix < c.w else { continue }
                                    let channel = g * cg + ci
                                    sum += src[((n * c.c + channel) * c.h + iy) * c.w + ix] * weights[((k * cg + ci) * c.r + r) * c.s + s]
                                }
                            }
                        }
                        out[((n * c.k + k) * oh + y) * ow + x] = sum
                    }
                }
            }
        }
        return out
    }

    @Test("convolution forward, strided, padded and grouped")
    func convolutionForward() throws {
        for conv in [
            Conv2D(n: 2, c: 3, h: 6, w: 5, k: 4, r: 3, s: 3, pad: 1, dtype: .fp32),
            Conv2D(n: 1, c: 4, h: 7, w: 7, k: 6, r: 3, s: 2, stride: 2, pad: 1, groups: 2, dtype: .fp32),
        ] {
            let kernel = try prepared(.conv2d(conv))
            let src = values(conv.n * conv.c * conv.h * conv.w, seed: 3)
            let weights = values(conv.k * (conv.c / conv.groups) * conv.r * conv.s, seed: 4)
            try kernel.write("src", src)
            try kernel.write("weights", weights)
            try kernel.run()
            expectClose(try kernel.read("dst"), referenceConv(conv, src: src, weights: weights), "\(conv.label)")
        }
    }

    @Test("convolution backward data and backward weights are the transposes of forward")
    func convolutionBackward() throws {
        var conv = Conv2D(n: 2, c: 3, h: 5, w: 6, k: 4, r: 3, s: 3, stride: 1, pad: 1, dtype: .fp32)
        let (oh, ow) = (conv.outH, conv.outW)
        let dy = values(conv.n * conv.k * oh * ow, seed: 5)
        let weights = values(conv.k * conv.c * conv.r * conv.s, seed: 6)
        let src = values(conv.n * conv.c * conv.h * conv.w, seed: 7)
        // <conv(x, w), dy> = <x, bwd_data(dy, w)> = <w, bwd_weights(x, dy)>: checked element by
        // element by differentiating the reference with unit vectors would be slow, so compute
        // the adjoints directly.
        var dx = [Float](repeating: 0, count: src.count), dw = [Float](repeating: 0, count: weights.count)
        for n in 0..<conv.n {
            for k in 0..<conv.k {
                for y in 0..<oh {
                    for x in 0..<ow {
                        let g = dy[((n * conv.k + k) * oh + y) * ow + x]
                        for c in 0..<conv.c {
                            for r in 0..<conv.r {
                                for s in 0..<conv.s {
                                    let iy = y - conv.pad + r, ix = x - conv.pad + s
                                    guard iy >= 0, iy < conv.h, ix >= 0, ix < conv.w else { continue }
                                    let xi = ((n * conv.c + c) * conv.h + iy) * conv.w + ix,
                                        wi = ((k * conv.c + c) * conv.r + r) * conv.s + s
                                    dx[xi] += g * weights[wi]
                                    dw[wi] += g * src[xi]
                                }
                            }
                        }
                    }
                }
            }
        }
        conv.pass = .bwdData
        let data = try prepared(.conv2d(conv))
        try data.write("diff_dst", dy)
        try data.write("weights", weights)
        try data.run()
        expectClose(try data.read("diff_src"), dx, "bwd_data")
        conv.pass = .bwdWeights
        let wgrad = try prepared(.conv2d(conv))
        try wgrad.write("src", src)
        try wgrad.write("diff_dst", dy)
        try wgrad.run()
        expectClose(try wgrad.read("diff_weights"), dw, tolerance: 1e-3, "bwd_weights")
    }

    @Test("eltwise and binary ops")
    func elementwise() throws {
        let x = values(37, seed: 8), y = values(37, seed: 9).map { $0 + 2 }
        let unary: [(String, (Float) -> Float)] = [
            ("relu", { max(0, $0) }),
            ("exp", { Float(exp(Double($0))) }),
            ("gelu", { v in 0.5 * v * (1 + Float(tanh(0.7978845608 * Double(v + 0.044715 * v * v * v)))) }),
            ("mul_scalar", { 2 * $0 }),
        ]
        for (name, f) in unary {
            let kernel = try prepared(.elementwise(Elementwise(name: name, elements: x.count, dtype: .fp32)))
            try kernel.write("src", x)
            try kernel.run()
            expectClose(try kernel.read("dst"), x.map(f), tolerance: 1e-3, "\(name)")
        }
        for (name, f) in [("add", { (a: Float, b: Float) in a + b }), ("mul", { $0 * $1 }), ("div", { $0 / $1 })] {
            let kernel = try prepared(.elementwise(Elementwise(name: name, elements: x.count, inputs: 2, dtype: .fp32)))
            try kernel.write("src", x)
            try kernel.write("src1", y)
            try kernel.run()
            expectClose(try kernel.read("dst"), zip(x, y).map(f), "\(name)")
        }
    }

    @Test("softmax and layer norm, forward and backward")
    func rowwise() throws {
        let (rows, cols) = (3, 10)
        let x = values(rows * cols, seed: 10)
        var softmax = [Float](), norm = [Float]()
        for r in 0..<rows {
            let row = Array(x[r * cols..<(r + 1) * cols])
            let e = row.map { Float(exp(Double($0 - row.max()!))) }
            softmax += e.map { $0 / e.reduce(0, +) }
            let mean = row.reduce(0, +) / Float(cols)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(cols)
            norm += row.map { ($0 - mean) / (variance + 1e-5).squareRoot() * 2 + 0.5 }
        }
        let s = try prepared(.rowwise(RowWise(.softmax, rows: rows, cols: cols, dtype: .fp32)))
        try s.write("src", x)
        try s.run()
        expectClose(try s.read("dst"), softmax, tolerance: 1e-5, "softmax")

        let ln = try prepared(.rowwise(RowWise(.layernorm, rows: rows, cols: cols, dtype: .fp32)))
        try ln.write("src", x)
        try ln.write("scale", [Float](repeating: 2, count: cols))
        try ln.write("shift", [Float](repeating: 0.5, count: cols))
        try ln.run()
        expectClose(try ln.read("dst"), norm, tolerance: 1e-4, "layernorm")

        // Softmax backward: dx = y ⊙ (dy − Σ dy ⊙ y) per row.
        let dy = values(rows * cols, seed: 11)
        var dx = [Float]()
        for r in 0..<rows {
            let yRow = softmax[r * cols..<(r + 1) * cols], dyRow = dy[r * cols..<(r + 1) * cols]
            let dot = zip(yRow, dyRow).map(*).reduce(0, +)
            dx += zip(yRow, dyRow).map { $0 * ($1 - dot) }
        }
        let sb = try prepared(.rowwise(RowWise(.softmax, rows: rows, cols: cols, pass: .bwd, dtype: .fp32)))
        try sb.write("dst", softmax)
        try sb.write("diff_dst", dy)
        try sb.run()
        expectClose(try sb.read("diff_src"), dx, tolerance: 1e-5, "softmax bwd")

        let lb = try prepared(.rowwise(RowWise(.layernorm, rows: rows, cols: cols, pass: .bwd, dtype: .fp32)))
        #expect(lb.tensorNames.contains("diff_src") && lb.tensorNames.contains("diff_scale"))
        try lb.run()
    }

    @Test("reduction and copy")
    func reductionAndCopy() throws {
        let x = values(60, seed: 12)
        let r = try prepared(.reduction(Reduction(elements: 60, outputs: 4, dtype: .fp32)))
        try r.write("src", x)
        try r.run()
        expectClose(try r.read("dst"), (0..<4).map { i in x[i * 15..<(i + 1) * 15].reduce(0, +) }, "sum")
        let c = try prepared(.copy(Copy(elements: 60, dtype: .fp32)))
        try c.write("src", x)
        try c.run()
        #expect(try c.read("dst") == x)
    }

    @Test("bf16 runs natively where oneDNN has bf16 kernels, and is refused with the reason where not")
    func bfloat16() throws {
        let gemm = Kernel.gemm(GEMM(m: 16, n: 16, k: 32, dtype: .bf16))
        if let reason = engine.dtypeUnsupported[.bf16] {
            #expect(reason.contains("bf16 unsupported on this CPU"))
            #expect(engine.support(gemm) == .unsupported(reason))
            #expect(throws: EngineError.self) { try engine.checkedPrepare(gemm) }
        } else {
            let kernel = try prepared(gemm)
            #expect(!kernel.implementation.hasPrefix("ref"))
            let a = values(16 * 32, seed: 13), b = values(32 * 16, seed: 14)
            try kernel.write("src", a)
            try kernel.write("weights", b)
            try kernel.run()
            var expected = [Float](repeating: 0, count: 16 * 16)
            for i in 0..<16 { for j in 0..<16 { for l in 0..<32 { expected[i * 16 + j] += a[i * 32 + l] * b[l * 16 + j] } } }
            // Inputs are multiples of 1/8 (exact in bf16); the bf16 output keeps 8 bits.
            expectClose(try kernel.read("dst"), expected, tolerance: 1e-2, "bf16 matmul")
        }
    }

    @Test("kernels oneDNN 2.6 cannot run are refused with a reason")
    func unsupported() {
        #expect(engine.support(.rowwise(RowWise(.rmsnorm, rows: 4, cols: 8, dtype: .fp32))).reason?.contains("RMS") == true)
        #expect(engine.support(.attention(Attention(batch: 1, heads: 1, seq: 8, headDim: 8, dtype: .fp32))).reason != nil)
        #expect(engine.support(.gemm(GEMM(m: 4, n: 4, k: 4, dtype: .fp64))).reason?.contains("fp64") == true)
        #expect(engine.support(.elementwise(Elementwise(name: "frobnicate", elements: 8, dtype: .fp32))).reason != nil)
        #expect(engine.version.hasPrefix("oneDNN 2."))
    }
}
