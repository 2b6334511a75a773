import Foundation
import PropertyBased
import Ridgeline
import Synchronization
import Testing

/// Random kernel specs — valid, half-valid and hostile — at the parser and the roofline engine:
/// either a clear error naming the field, or a prediction whose every number is finite, on every
/// shipped profile, in both modes.
@Suite struct KernelSpecProperties {
    /// Each op's own fields, as DESIGN.md lists them ("" and "matmul" are not ops).
    static let opKeys: [(op: String, keys: [String])] = [
        ("gemm", ["m", "n", "k", "batch", "trans_a", "trans_b", "fast_accum"]),
        ("conv2d", ["n", "c", "h", "w", "k", "r", "s", "stride", "pad", "groups", "pass"]),
        ("elementwise", ["name", "elements", "inputs", "outputs", "flops_per_element"]),
        ("copy", ["elements"]), ("reduction", ["elements", "outputs", "index_bytes"]),
        ("softmax", ["rows", "cols", "pass"]), ("layernorm", ["rows", "cols", "pass"]), ("rmsnorm", ["rows", "cols", "pass"]),
        ("attention", ["batch", "heads", "kv_heads", "seq", "seq_kv", "head_dim", "causal", "impl", "pass"]),
        ("embedding", ["tokens", "d_model", "vocab", "pass"]), ("optimizer", ["name", "params"]),
        ("matmul", ["m", "n", "k"]), ("", ["elements"]),
    ]
    /// Sizes mostly sane, then the edges: zero, negative, beyond 2^48, Int.max, not integers.
    static let sizes = [
        "1", "2", "3", "7", "8", "16", "64", "128", "1000", "4096", "65536", "1", "8", "256", "1024",
        "0", "-1", "281474976710657", "9223372036854775807", "1e300", "0.5", "\"x\"", "null", "[]",
    ]
    static let enums: [String: [String]] = [
        "pass": ["\"fwd\"", "\"bwd\"", "\"bwd_data\"", "\"bwd_weights\"", "\"sideways\"", "1"],
        "impl": ["\"flash\"", "\"unfused\"", "\"magic\""],
        "name": ["\"gelu\"", "\"relu\"", "\"add\"", "\"adamw\"", "\"sgd\"", "\"hardswish\"", "\"\"", "7"],
        "causal": ["true", "false", "\"yes\""], "trans_a": ["true", "false", "2"], "trans_b": ["true", "false"],
        "fast_accum": ["true", "false", "1"],
        "flops_per_element": ["0", "1.5", "7", "-1", "1e7", "1e300"],
    ]
    static let dtypes = ["\"bf16\"", "\"fp32\"", "\"fp16\"", "\"fp8\"", "\"tf32\"", "\"fp64\"", "\"int8\"", "\"fp4\"", "\"int4\""]
    static let strangers = ["bogus", "dtype", "m", "elements", "pass"]

    /// A spec: an op and its fields, each present nine times in ten, each value drawn from its
    /// pool; one time in eight a field that does not belong (or a repeated one).
    static let specs = zip(
        Gen.int(in: 0..<opKeys.count), Gen.int(in: 0...1_000_000).array(of: 12),
        Gen.int(in: 0..<10).array(of: 12), Gen.int(in: 0..<(8 * strangers.count))
    )
    .map { opIndex, picks, presence, stranger -> String in
        let (op, keys) = opKeys[opIndex]
        var fields = ["\"op\": \"\(op)\"", "\"dtype\": \(dtypes[picks[11] % dtypes.count])"]
        for (i, key) in keys.enumerated() where presence[i] != 0 {
            let pool = enums[key] ?? sizes
            fields.append("\"\(key)\": \(pool[picks[i] % pool.count])")
        }
        if stranger < strangers.count { fields.append("\"\(strangers[stranger])\": 3") }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    static let profiles: [HardwareProfile] = ((try? shippedProfiles.hardwareIds()) ?? []).compactMap { try? shippedProfiles.hardware($0) }

    @Test func everySpecParsesToSanePredictionsOrNamesTheField() async {
        #expect(Self.profiles.count >= 10)
        let parsed = Mutex(0)
        await propertyCheck(count: 4000, input: Self.specs) { text in
            do {
                let kernel = try Kernel.parse(json: text, source: "fuzz.jsonl:1")
                parsed.withLock { $0 += 1 }
                #expect(kernel.flops.isFinite && kernel.bytes.isFinite && kernel.bytes > 0, "\(text)")
                for profile in Self.profiles {
                    for mode in ExecutionMode.allCases {
                        let p = Roofline(profile).predict(kernel, mode: mode)
                        #expect(isSane(p), "\(text) on \(profile.id) \(mode): \(p.timeSeconds) s")
                    }
                }
            } catch let error as RidgelineError {
                let message = error.description
                #expect(message.hasPrefix("fuzz.jsonl:1"), "\(text): \(message)")
                #expect(namesTheField(message), "\(text): \(message)")
            } catch {
                Issue.record("\(text): not a RidgelineError: \(error)")
            }
        }
        // The generator reaches the model, not only the parser's refusals.
        #expect(parsed.withLock { $0 } >= 200, "only \(parsed.withLock { $0 }) of 4000 specs parsed")
    }
}
