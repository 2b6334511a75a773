import Foundation
import Ridgeline
@_exported import RidgelineTestSupport

/// The shipped files of a kind, as (path, text), sorted by name.
func shippedFiles(_ directory: String) -> [(path: String, text: String)] {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    return names.compactMap { name in
        let path = directory + "/" + name
        return (try? String(contentsOfFile: path, encoding: .utf8)).map { (path, $0) }
    }
}

/// Values a hostile or careless user writes where a number with a unit belongs.
let hostileScalars = [
    "0", "-1", "-0.5", "1e300", "1e-300", "1e300 TB/s", "1e-300 TB/s", "1e308 TFLOP/s", "-5 GB", "0 GB", "nan", ".nan",
    ".inf", "-.inf", "inf TB/s", "99999999999999999999", "9223372036854775807", "-9223372036854775808", "abc",
    "3 furlongs", "12 TB", "12 us/s", "\"\"", "null", "~", "[1, 2]", "{a: 1}", "true", "1e18", "0.0000001 us",
    "4611686018427387904", "1.5", "fp8", "-", "0x10",
]

/// Whether an error message names what was wrong: a field, or the source and what is off.
func namesTheField(_ message: String) -> Bool {
    message.contains("field '") || message.contains(": ") && !message.hasPrefix(": ")
}

/// Every number a prediction reports is finite and not negative; the time is positive.
func isSane(_ p: Prediction) -> Bool {
    let numbers =
        [
            p.flops, p.bytes, p.computeSeconds, p.memorySeconds, p.overheadSeconds, p.arithmeticIntensity,
            p.attainedFlopsPerSecond,
        ] + Array(p.bytesByLevel.values)
    return p.timeSeconds.isFinite && p.timeSeconds > 0 && numbers.allSatisfy { $0.isFinite && $0 >= 0 }
}

/// A few kernels of every class, to run through a profile that parsed.
let probeKernels: [Kernel] = [
    #"{"op":"gemm","m":4096,"n":4096,"k":4096,"dtype":"bf16"}"#,
    #"{"op":"copy","elements":1048576,"dtype":"fp32"}"#,
    #"{"op":"softmax","rows":4096,"cols":4096,"dtype":"bf16"}"#,
    #"{"op":"attention","batch":4,"heads":16,"seq":2048,"head_dim":128,"causal":true,"dtype":"bf16"}"#,
    #"{"op":"conv2d","n":8,"c":64,"h":56,"w":56,"k":64,"r":3,"s":3,"pad":1,"dtype":"fp16"}"#,
].map { try! Kernel.parse(json: $0, source: "probe") }
