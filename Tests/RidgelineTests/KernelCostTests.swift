import Testing

@testable import Ridgeline

/// FLOP and byte counts of every kernel kind, each worked out by hand from the shape (the
/// arithmetic is written out next to the number) and reached through the JSON spec, so the
/// parser's defaults are checked at the same time.
@Suite("Kernel FLOP and byte counts")
struct KernelCostTests {
    static func kernel(_ json: String) throws -> Kernel { try Kernel.parse(json: json, source: "test") }

    static func expectCost(
        _ json: String, flops: Double, bytes: Double, class cls: KernelClass,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let k = try kernel(json)
        #expect(k.flops == flops, "flops of \(json)", sourceLocation: sourceLocation)
        #expect(k.bytes == bytes, "bytes of \(json)", sourceLocation: sourceLocation)
        #expect(k.kernelClass == cls, sourceLocation: sourceLocation)
        // The spec written back parses to the same kernel.
        #expect(try Kernel.parse(json: k.json, source: "round trip") == k, sourceLocation: sourceLocation)
    }

    @Test func gemm() throws {
        // 2·m·n·k = 2·512·1024·256 = 268,435,456; (m·k + k·n + m·n)·2 B = (131072 + 262144 + 524288)·2 = 1,835,008.
        try Self.expectCost(
            #"{"op":"gemm","m":512,"n":1024,"k":256,"dtype":"bf16"}"#,
            flops: 268_435_456, bytes: 1_835_008, class: .gemm)
        // Batched: 2·8·64³ = 4,194,304; 8·(3·64²)·4 B = 8·12288·4 = 393,216.
        try Self.expectCost(
            #"{"op":"gemm","m":64,"n":64,"k":64,"batch":8,"dtype":"fp32"}"#,
            flops: 4_194_304, bytes: 393_216, class: .gemm)
        // Transposes change neither count; tf32 moves 4-byte elements.
        // 2·100·200·300 = 12,000,000; (100·300 + 300·200 + 100·200)·4 = (30000 + 60000 + 20000)·4 = 440,000.
        try Self.expectCost(
            #"{"op":"gemm","m":100,"n":200,"k":300,"trans_a":true,"trans_b":true,"dtype":"tf32"}"#,
            flops: 12_000_000, bytes: 440_000, class: .gemm)
        // fp8: 1 byte. 2·16·16·16 = 8192; 3·256·1 = 768.
        try Self.expectCost(#"{"op":"gemm","m":16,"n":16,"k":16,"dtype":"fp8"}"#, flops: 8192, bytes: 768, class: .gemm)
    }

    @Test func conv2dAllPasses() throws {
        // n2 c3 8x8 k4 3x3, stride 1, pad 1: P = Q = (8 + 2 − 3)/1 + 1 = 8.
        // FLOPs 2·N·K·P·Q·C·R·S = 2·2·4·8·8·3·3·3 = 27,648.
        // Bytes: input 2·3·64 = 384, filter 4·3·9 = 108, output 2·4·64 = 512; 1004 · 4 B = 4016.
        for pass in ["fwd", "bwd_data", "bwd_weights"] {
            try Self.expectCost(
                #"{"op":"conv2d","n":2,"c":3,"h":8,"w":8,"k":4,"r":3,"s":3,"pad":1,"pass":"\#(pass)","dtype":"fp32"}"#,
                flops: 27_648, bytes: 4016, class: .conv)
        }
        // Stride 2, pad 1, 2 groups: n1 c4 9x9 k6 3x3. P = Q = (9 + 2 − 3)/2 + 1 = 5; C/g = 2.
        // FLOPs 2·1·6·5·5·2·3·3 = 5400. Bytes: input 4·81 = 324, filter 6·2·9 = 108, output 6·25 = 150;
        // 582 · 2 B = 1164.
        try Self.expectCost(
            #"{"op":"conv2d","n":1,"c":4,"h":9,"w":9,"k":6,"r":3,"s":3,"stride":2,"pad":1,"groups":2,"dtype":"fp16"}"#,
            flops: 5400, bytes: 1164, class: .conv)
        // No padding: n1 c8 10x10 k16 5x5: P = Q = 6. FLOPs 2·16·36·8·25 = 230,400.
        // Bytes: 8·100 + 16·8·25 + 16·36 = 800 + 3200 + 576 = 4576 · 2 = 9152.
        try Self.expectCost(
            #"{"op":"conv2d","n":1,"c":8,"h":10,"w":10,"k":16,"r":5,"s":5,"pass":"bwd_weights","dtype":"bf16"}"#,
            flops: 230_400, bytes: 9152, class: .conv)
    }

    @Test func conv2dImplicitGEMMShapes() throws {
        func shape(_ pass: String) throws -> (m: Double, n: Double, k: Double) {
            guard
                case .conv2d(let c) = try Self.kernel(
                    #"{"op":"conv2d","n":2,"c":3,"h":8,"w":8,"k":4,"r":3,"s":3,"pad":1,"pass":"\#(pass)","dtype":"fp32"}"#)
            else { Issue.record("not a conv"); return (0, 0, 0) }
            return c.implicitGEMM
        }
        // fwd: M = N·P·Q = 128, N = K = 4, K = C·R·S = 27.
        let fwd = try shape("fwd")
        #expect(fwd.m == 128 && fwd.n == 4 && fwd.k == 27)
        // bwd_data: M = N·H·W = 128, N = C = 3, K = K·R·S = 36.
        let data = try shape("bwd_data")
        #expect(data.m == 128 && data.n == 3 && data.k == 36)
        // bwd_weights: M = K = 4, N = C·R·S = 27, K = N·P·Q = 128.
        let weights = try shape("bwd_weights")
        #expect(weights.m == 4 && weights.n == 27 && weights.k == 128)
        // Stride 2: n1 c8 8x8 k16 3x3 pad 1, P = Q = 4. Backward data covers the 64 input pixels
        // with 16·9·16/64 = 36 taps each on average: M·N·K = 64·8·36 = 18,432 = the forward's
        // 16·16·8·9 multiply-adds (FLOPs / 2), not 4× them.
        let strided = Conv2D(n: 1, c: 8, h: 8, w: 8, k: 16, r: 3, s: 3, stride: 2, pad: 1, pass: .bwdData, dtype: .bf16)
        let dgrad = strided.implicitGEMM
        #expect(dgrad.m == 64 && dgrad.n == 8 && dgrad.k == 36)
        #expect(dgrad.m * dgrad.n * dgrad.k == strided.flops / 2)
    }

    @Test func elementwise() throws {
        // gelu: 7 arithmetic FLOPs an element by default (its tanh counted apart); one input, one
        // output: 1000·7 = 7000; 1000·2·2 B = 4000.
        try Self.expectCost(
            #"{"op":"elementwise","name":"gelu","elements":1000,"dtype":"bf16"}"#,
            flops: 7000, bytes: 4000, class: .elementwise)
        // tanh = an exponential and a reciprocal: two special-function evaluations per element.
        #expect(Kernel.elementwise(Elementwise(name: "gelu", elements: 1000, dtype: .bf16)).cost.transcendentals == 2000)
        #expect(Kernel.elementwise(Elementwise(name: "exp", elements: 1000, dtype: .fp32)).cost.transcendentals == 1000)
        #expect(Kernel.elementwise(Elementwise(name: "add", elements: 1000, dtype: .fp32)).cost.transcendentals == 0)
        // add: two inputs: 1000·1 = 1000; 1000·(2 + 1)·4 B = 12,000.
        try Self.expectCost(
            #"{"op":"elementwise","name":"add","elements":1000,"inputs":2,"dtype":"fp32"}"#,
            flops: 1000, bytes: 12_000, class: .elementwise)
        // An explicit rate wins: 400·2.5 = 1000; fused chain with 3 inputs and 2 outputs: 400·5·2 B = 4000.
        try Self.expectCost(
            #"{"op":"elementwise","name":"fused","elements":400,"inputs":3,"outputs":2,"flops_per_element":2.5,"dtype":"fp16"}"#,
            flops: 1000, bytes: 4000, class: .elementwise)
    }

    @Test func copy() throws {
        // Read and write each element once: 2·1000·2 B = 4000; no arithmetic.
        try Self.expectCost(#"{"op":"copy","elements":1000,"dtype":"fp16"}"#, flops: 0, bytes: 4000, class: .copy)
    }

    @Test func reduction() throws {
        // One add an element: 4096; read 4096 and write 16: 4112·4 B = 16,448.
        try Self.expectCost(
            #"{"op":"reduction","elements":4096,"outputs":16,"dtype":"fp32"}"#,
            flops: 4096, bytes: 16_448, class: .reduction)
        // Default one output: (100 + 1)·8 B = 808.
        try Self.expectCost(#"{"op":"reduction","elements":100,"dtype":"fp64"}"#, flops: 100, bytes: 808, class: .reduction)
        // Max pooling with int64 indices, 4 inputs an output: (4096 + 1024)·2 B + 1024·8 B = 18,432.
        try Self.expectCost(
            #"{"op":"reduction","elements":4096,"outputs":1024,"index_bytes":8,"dtype":"bf16"}"#,
            flops: 4096, bytes: 18_432, class: .reduction)
        // The index field is written only where there is one, and reads back the same kernel.
        let argmax = Kernel.reduction(Reduction(elements: 4096, outputs: 1024, indexBytes: 8, dtype: .bf16))
        #expect(try Kernel.parse(json: argmax.json, source: "test") == argmax)
        #expect(!Kernel.reduction(Reduction(elements: 4096, outputs: 16, dtype: .bf16)).json.contains("index_bytes"))
        #expect(throws: RidgelineError.self) {
            try Kernel.parse(json: #"{"op":"reduction","elements":4096,"outputs":16,"index_bytes":9,"dtype":"bf16"}"#, source: "test")
        }
    }

    /// A fill writes without reading: no inputs, one output of 2 B a bf16 element.
    @Test func aFillHasNoInputs() throws {
        try Self.expectCost(
            #"{"op":"elementwise","name":"fill","elements":1000,"inputs":0,"flops_per_element":0,"dtype":"bf16"}"#,
            flops: 0, bytes: 2000, class: .elementwise)
    }

    @Test func rowwiseForwardAndBackward() throws {
        // 32 × 128 = 4096 elements, bf16 (2 B), 128 columns of parameters.
        // softmax fwd: 5·4096 = 20,480 FLOPs and 4096 exponentials; read x, write y: 2·4096·2 = 16,384 B.
        try Self.expectCost(#"{"op":"softmax","rows":32,"cols":128,"dtype":"bf16"}"#, flops: 20_480, bytes: 16_384, class: .softmax)
        #expect(Kernel.rowwise(RowWise(.softmax, rows: 32, cols: 128, dtype: .bf16)).cost.transcendentals == 4096)
        // softmax bwd: 4·4096 = 16,384; read y, dy, write dx: 3·4096·2 = 24,576.
        try Self.expectCost(
            #"{"op":"softmax","rows":32,"cols":128,"pass":"bwd","dtype":"bf16"}"#, flops: 16_384, bytes: 24_576, class: .softmax)
        // layernorm fwd: 7·4096 = 28,672; (2·4096 + 2·128)·2 = (8192 + 256)·2 = 16,896.
        try Self.expectCost(#"{"op":"layernorm","rows":32,"cols":128,"dtype":"bf16"}"#, flops: 28_672, bytes: 16_896, class: .norm)
        // layernorm bwd: 12·4096 = 49,152; x and dy read twice (dx, then the weights' gradients),
        // dx written: (5·4096 + 4·128)·2 = (20480 + 512)·2 = 41,984.
        try Self.expectCost(
            #"{"op":"layernorm","rows":32,"cols":128,"pass":"bwd","dtype":"bf16"}"#, flops: 49_152, bytes: 41_984, class: .norm)
        // rmsnorm fwd: 5·4096 = 20,480; (2·4096 + 128)·2 = 16,640.
        try Self.expectCost(#"{"op":"rmsnorm","rows":32,"cols":128,"dtype":"bf16"}"#, flops: 20_480, bytes: 16_640, class: .norm)
        // rmsnorm bwd: 9·4096 = 36,864; (5·4096 + 2·128)·2 = (20480 + 256)·2 = 41,472.
        try Self.expectCost(
            #"{"op":"rmsnorm","rows":32,"cols":128,"pass":"bwd","dtype":"bf16"}"#, flops: 36_864, bytes: 41_472, class: .norm)
    }

    @Test func attention() throws {
        // b2 h8 s128 d64 bf16. Scores b·h·s·s_kv = 2·8·128·128 = 262,144.
        // Q (and O) = 2·8·128·64·2 B = 262,144 B; K (and V) the same with 8 kv heads.
        // flash fwd: 4·262144·64 = 67,108,864 FLOPs; read Q, K, V, write O = 4·262,144 = 1,048,576 B.
        let base = #""op":"attention","batch":2,"heads":8,"seq":128,"head_dim":64,"dtype":"bf16""#
        try Self.expectCost("{\(base)}", flops: 67_108_864, bytes: 1_048_576, class: .attention)
        // causal: half the scores: 33,554,432 FLOPs; flash traffic unchanged.
        try Self.expectCost(#"{\#(base),"causal":true}"#, flops: 33_554_432, bytes: 1_048_576, class: .attention)
        // flash bwd: 2.5·67,108,864 = 167,772,160; read Q K V O dO, write dQ dK dV = 8·262,144 = 2,097,152.
        try Self.expectCost(#"{\#(base),"pass":"bwd"}"#, flops: 167_772_160, bytes: 2_097_152, class: .attention)
        // causal bwd: 2.5·33,554,432 = 83,886,080.
        try Self.expectCost(#"{\#(base),"pass":"bwd","causal":true}"#, flops: 83_886_080, bytes: 2_097_152, class: .attention)
        // grouped-query, 2 kv heads: K = V = 2·2·128·64·2 = 65,536 B; fwd 2·262,144 + 2·65,536 = 655,360.
        try Self.expectCost(#"{\#(base),"kv_heads":2}"#, flops: 67_108_864, bytes: 655_360, class: .attention)
        // ... and backward: 4·262,144 + 4·65,536 = 1,310,720.
        try Self.expectCost(#"{\#(base),"kv_heads":2,"pass":"bwd"}"#, flops: 167_772_160, bytes: 1_310_720, class: .attention)
        // unfused fwd: the score matrix (262,144·2 B = 524,288 B) written and read twice: 1,048,576 + 4·524,288 = 3,145,728.
        try Self.expectCost(#"{\#(base),"impl":"unfused"}"#, flops: 67_108_864, bytes: 3_145_728, class: .attention)
        // unfused causal fwd: half the scores stored (262,144 B): 1,048,576 + 4·262,144 = 2,097,152.
        try Self.expectCost(#"{\#(base),"impl":"unfused","causal":true}"#, flops: 33_554_432, bytes: 2_097_152, class: .attention)
        // unfused bwd: 2,097,152 + 6·524,288 = 5,242,880.
        try Self.expectCost(#"{\#(base),"impl":"unfused","pass":"bwd"}"#, flops: 167_772_160, bytes: 5_242_880, class: .attention)
        // cross-attention, s_kv 256: scores 2·8·128·256 = 524,288; 4·524,288·64 = 134,217,728 FLOPs;
        // K = V = 2·8·256·64·2 = 524,288 B; 2·262,144 + 2·524,288 = 1,572,864.
        try Self.expectCost(#"{\#(base),"seq_kv":256}"#, flops: 134_217_728, bytes: 1_572_864, class: .attention)
    }

    @Test func embedding() throws {
        // 1024 tokens × 512 = 524,288 values, bf16; int64 ids: 1024·8 = 8192 B.
        // fwd gather: no FLOPs; ids + read rows + write rows = 8192 + 2·524,288·2 = 2,105,344.
        try Self.expectCost(
            #"{"op":"embedding","tokens":1024,"d_model":512,"vocab":50000,"dtype":"bf16"}"#,
            flops: 0, bytes: 2_105_344, class: .embedding)
        // bwd scatter-add: one add a value, 524,288; ids + read dY + read/write grad rows = 8192 + 3·524,288·2 = 3,153,920.
        try Self.expectCost(
            #"{"op":"embedding","tokens":1024,"d_model":512,"vocab":50000,"pass":"bwd","dtype":"bf16"}"#,
            flops: 524_288, bytes: 3_153_920, class: .embedding)
    }

    @Test func optimizer() throws {
        // AdamW over 1e6 fp32 params (dtype defaults to fp32): 12 FLOPs each = 12e6;
        // read w, g, m, v and write w, m, v = 7 tensors · 4 B · 1e6 = 28e6.
        try Self.expectCost(#"{"op":"optimizer","name":"adamw","params":1000000}"#, flops: 12e6, bytes: 28e6, class: .optimizer)
        // SGD with momentum: 4 FLOPs each = 4e6; read w, g, buf and write w, buf = 5 · 4 B · 1e6 = 20e6.
        try Self.expectCost(#"{"op":"optimizer","name":"sgd","params":1000000,"dtype":"fp32"}"#, flops: 4e6, bytes: 20e6, class: .optimizer)
        // bf16 states halve the bytes: 7 · 2 · 1e6 = 14e6.
        try Self.expectCost(
            #"{"op":"optimizer","name":"adamw","params":1000000,"dtype":"bf16"}"#, flops: 12e6, bytes: 14e6, class: .optimizer)
    }

    @Test func hugeButLegalShapesStayFinite() throws {
        // 2^20 on each side: 2·2^60 FLOPs = 2.305843009213694e18 exactly in Double; no Int overflow on the way.
        let k = try Self.kernel(#"{"op":"gemm","m":1048576,"n":1048576,"k":1048576,"dtype":"fp8"}"#)
        #expect(k.flops == 2 * 1_152_921_504_606_846_976.0)
        #expect(k.bytes == 3 * 1_099_511_627_776.0)
    }
}
