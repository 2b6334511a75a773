import Foundation
import Testing

@testable import Ridgeline

/// Kernel spec parsing: the defaults DESIGN.md promises, and a clear error for each kind of bad spec.
@Suite("Kernel specs")
struct KernelSpecTests {
    static func parse(_ json: String) throws -> Kernel { try Kernel.parse(json: json, source: "spec.jsonl:3") }

    @Test func defaultsFollowTheContract() throws {
        #expect(
            try Self.parse(#"{"op":"gemm","m":2,"n":3,"k":4,"dtype":"bf16"}"#)
                == .gemm(GEMM(m: 2, n: 3, k: 4, batch: 1, transA: false, transB: false, dtype: .bf16)))
        #expect(
            try Self.parse(#"{"op":"conv2d","n":1,"c":2,"h":5,"w":5,"k":2,"r":3,"s":3,"dtype":"fp32"}"#)
                == .conv2d(Conv2D(n: 1, c: 2, h: 5, w: 5, k: 2, r: 3, s: 3, stride: 1, pad: 0, groups: 1, pass: .fwd, dtype: .fp32)))
        #expect(
            try Self.parse(#"{"op":"attention","batch":1,"heads":4,"seq":8,"head_dim":16,"dtype":"fp16"}"#)
                == .attention(
                    Attention(
                        batch: 1, heads: 4, kvHeads: 4, seq: 8, seqKV: 8, headDim: 16, causal: false,
                        impl: .flash, pass: .fwd, dtype: .fp16)))
        #expect(
            try Self.parse(#"{"op":"optimizer","name":"adamw","params":10}"#)
                == .optimizer(OptimizerUpdate(.adamw, params: 10, dtype: .fp32)))
        #expect(try Self.parse(#"{"op":"layernorm","rows":2,"cols":3,"dtype":"BF16"}"#).dtype == .bf16, "dtype is case-insensitive")
    }

    @Test func unknownDType() {
        let message = ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":1,"n":1,"k":1,"dtype":"int4"}"#) }
        #expect(message == "spec.jsonl:3: field 'dtype' has value 'int4': expected one of fp64, fp32, tf32, bf16, fp16, fp8, int8, fp4")
    }

    @Test func anUnknownElementwiseOpNeedsItsFlops() throws {
        let message = ridgelineErrorMessage { try Self.parse(#"{"op":"elementwise","name":"hardswish","elements":8,"dtype":"fp32"}"#) }
        #expect(message.hasPrefix("spec.jsonl:3: field 'name' has value 'hardswish': expected one of abs, add,"))
        #expect(message.hasSuffix("or any name with flops_per_element"))
        let declared = try Self.parse(#"{"op":"elementwise","name":"hardswish","elements":8,"flops_per_element":5,"dtype":"fp32"}"#)
        #expect(declared.flops == 40)
    }

    @Test func aReductionHasFewerOutputsThanInputs() {
        let message = ridgelineErrorMessage { try Self.parse(#"{"op":"reduction","elements":16,"outputs":1000,"dtype":"fp32"}"#) }
        #expect(
            message
                == "spec.jsonl:3: field 'outputs' has value '1000': expected at most elements (16): a reduction has fewer outputs than inputs"
        )
    }

    @Test func aMatrixDTypeTheDeviceLacksIsPredictedAtTheFallbackRateAndSaysSo() throws {
        let v100 = try loadShippedProfile("v100-sxm2-32gb")
        let fp8 = Roofline(v100).predict(try Self.parse(#"{"op":"gemm","m":4096,"n":4096,"k":4096,"dtype":"fp8"}"#))
        #expect(fp8.computeDType == .fp16)
        #expect(
            fp8.warnings == [
                "v100-sxm2-32gb has no fp8 peak: gemm 4096x4096x4096 fp8 is predicted at its fp16 rate, as frameworks fall back"
            ])
        let fp16 = Roofline(v100).predict(try Self.parse(#"{"op":"gemm","m":4096,"n":4096,"k":4096,"dtype":"fp16"}"#))
        #expect(fp16.warnings.isEmpty)
        let h100 = try loadShippedProfile("h100-sxm5-80gb")
        #expect(Roofline(h100).predict(try Self.parse(#"{"op":"gemm","m":64,"n":64,"k":64,"dtype":"fp8"}"#)).warnings.isEmpty)
    }

    @Test func zeroSizeShape() {
        let message = ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":0,"n":1,"k":1,"dtype":"fp32"}"#) }
        #expect(message.hasPrefix("spec.jsonl:3: field 'm' has value '0'"))
        let negative = ridgelineErrorMessage { try Self.parse(#"{"op":"copy","elements":-5,"dtype":"fp32"}"#) }
        #expect(negative.contains("'elements'") && negative.contains("'-5'"))
    }

    @Test func absurdlyLargeShape() {
        // m = n = k = 10^9: each dimension is legal, but the operands hold 3·10^18 elements.
        let message = ridgelineErrorMessage {
            try Self.parse(#"{"op":"gemm","m":1000000000,"n":1000000000,"k":1000000000,"dtype":"bf16"}"#)
        }
        #expect(message.hasPrefix("spec.jsonl:3: shape is absurdly large"))
        #expect(message.contains("2^48"))
        // A single dimension past 2^48 is rejected by its field.
        let dim = ridgelineErrorMessage { try Self.parse(#"{"op":"copy","elements":1000000000000000000,"dtype":"fp8"}"#) }
        #expect(dim.contains("'elements'") && dim.contains("1000000000000000000"))
        // Past Int64 entirely: still an error, not a trap.
        let beyond = ridgelineErrorMessage { try Self.parse(#"{"op":"copy","elements":99999999999999999999999,"dtype":"fp8"}"#) }
        #expect(beyond.contains("'elements'"))
        // Attention whose score matrix explodes.
        let attention = ridgelineErrorMessage {
            try Self.parse(#"{"op":"attention","batch":1000000,"heads":1000,"seq":100000,"head_dim":128,"dtype":"bf16"}"#)
        }
        #expect(attention.contains("absurdly large"))
    }

    @Test func nonIntegerDimension() {
        let message = ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":4.5,"n":1,"k":1,"dtype":"fp32"}"#) }
        #expect(message == "spec.jsonl:3: field 'm' has value '4.5': expected a whole number")
        let text = ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":"many","n":1,"k":1,"dtype":"fp32"}"#) }
        #expect(text.contains("'m'") && text.contains("'many'"))
    }

    @Test func unknownOp() {
        let message = ridgelineErrorMessage { try Self.parse(#"{"op":"matmul","m":1,"n":1,"k":1,"dtype":"fp32"}"#) }
        #expect(message.contains("field 'op' has value 'matmul'") && message.contains("gemm, conv2d"))
    }

    @Test func missingField() {
        #expect(
            ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":1,"n":1,"dtype":"fp32"}"#) }
                == "spec.jsonl:3: missing required field 'k'")
        #expect(
            ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":1,"n":1,"k":1}"#) }
                == "spec.jsonl:3: missing required field 'dtype'")
        #expect(
            ridgelineErrorMessage { try Self.parse(#"{"m":1,"n":1,"k":1,"dtype":"fp32"}"#) }
                == "spec.jsonl:3: missing required field 'op'")
    }

    @Test func groupsMustDivideChannels() {
        let message = ridgelineErrorMessage {
            try Self.parse(#"{"op":"conv2d","n":1,"c":6,"h":8,"w":8,"k":8,"r":3,"s":3,"groups":4,"dtype":"fp32"}"#)
        }
        #expect(message == "spec.jsonl:3: field 'groups' has value '4': expected a divisor of c (6) and k (8)")
        let k = ridgelineErrorMessage {
            try Self.parse(#"{"op":"conv2d","n":1,"c":8,"h":8,"w":8,"k":6,"r":3,"s":3,"groups":4,"dtype":"fp32"}"#)
        }
        #expect(k.contains("'groups'") && k.contains("k (6)"))
    }

    @Test func otherBadSpecs() {
        let typo = ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":1,"n":1,"k":1,"dtpye":"fp32"}"#) }
        #expect(typo.contains("'dtpye'") && typo.contains("a known field"))
        let pass = ridgelineErrorMessage { try Self.parse(#"{"op":"softmax","rows":1,"cols":1,"pass":"backward","dtype":"fp32"}"#) }
        #expect(pass.contains("'pass'") && pass.contains("'backward'") && pass.contains("fwd, bwd"))
        let kvHeads = ridgelineErrorMessage {
            try Self.parse(#"{"op":"attention","batch":1,"heads":8,"kv_heads":3,"seq":8,"head_dim":16,"dtype":"bf16"}"#)
        }
        #expect(kvHeads.contains("'kv_heads'") && kvHeads.contains("'3'") && kvHeads.contains("heads (8)"))
        let filter = ridgelineErrorMessage {
            try Self.parse(#"{"op":"conv2d","n":1,"c":1,"h":2,"w":2,"k":1,"r":5,"s":5,"dtype":"fp32"}"#)
        }
        #expect(filter.contains("filter is larger"))
        let optimizer = ridgelineErrorMessage { try Self.parse(#"{"op":"optimizer","name":"lion","params":10}"#) }
        #expect(optimizer.contains("'name'") && optimizer.contains("'lion'"))
        let flag = ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":1,"n":1,"k":1,"trans_a":"maybe","dtype":"fp32"}"#) }
        #expect(flag.contains("'trans_a'") && flag.contains("true or false"))
        #expect(ridgelineErrorMessage { try Self.parse("[1, 2]") }.contains("expected a mapping"))
        #expect(ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":1"#) }.contains("not valid YAML/JSON"))
    }

    /// Unknown keys are rejected before any field is read, and fields are read in the order the
    /// contract lists them, so a spec with several faults names the same one every time.
    @Test func aSpecWithSeveralFaultsNamesTheFirstInReadingOrder() {
        let unknownFirst = ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":0,"n":4,"dtype":"bf17","alpha":1}"#) }
        #expect(
            unknownFirst
                == "spec.jsonl:3: field 'alpha' has value 'alpha': expected a known field (batch, dtype, fast_accum, k, m, n, op, trans_a, trans_b)"
        )
        let mFirst = ridgelineErrorMessage { try Self.parse(#"{"op":"gemm","m":0,"n":4,"dtype":"bf17","batch":-1}"#) }
        #expect(mFirst == "spec.jsonl:3: field 'm' has value '0': expected a whole number in 1...281474976710656")
        let shapeBeforeDType = ridgelineErrorMessage {
            try Self.parse(#"{"op":"attention","batch":1,"heads":8,"seq":8,"head_dim":16,"impl":"magic","dtype":"bf17"}"#)
        }
        #expect(shapeBeforeDType == "spec.jsonl:3: field 'impl' has value 'magic': expected one of flash, unfused")
    }

    @Test func jsonLinesNameTheirLine() throws {
        let text = """
            # comment
            {"op":"copy","elements":10,"dtype":"fp32"}

            {"op":"copy","elements":0,"dtype":"fp32"}
            """
        let message = ridgelineErrorMessage { try Kernel.parseLines(text, file: "k.jsonl") }
        #expect(message.hasPrefix("k.jsonl:4: field 'elements'"))
        let good = try Kernel.parseLines("{\"op\":\"copy\",\"elements\":10,\"dtype\":\"fp32\"}\n\n# done\n", file: "k.jsonl")
        #expect(good == [.copy(Copy(elements: 10, dtype: .fp32))])
    }

    @Test func specsEncodeToTheContractFields() throws {
        let k = try Self.parse(#"{"op":"attention","batch":1,"heads":8,"kv_heads":2,"seq":16,"head_dim":64,"causal":true,"dtype":"bf16"}"#)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(k.json.utf8)) as? [String: Any])
        #expect(object["op"] as? String == "attention")
        #expect(object["kv_heads"] as? Int == 2 && object["seq_kv"] as? Int == 16)
        #expect(object["causal"] as? Bool == true && object["impl"] as? String == "flash" && object["pass"] as? String == "fwd")
    }
}

@Suite struct TextInputLinesTests {
    @Test func windowsAndUnixLineEndsSplitAlike() {
        #expect(TextInput.lines("a\r\nb\nc\r\n").map(String.init) == ["a", "b", "c", ""])
        #expect(TextInput.lines("a\n\nb").map(String.init) == ["a", "", "b"])
        #expect(TextInput.lines("").map(String.init) == [""])
    }
}
