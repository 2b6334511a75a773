import Foundation
import Ridgeline
import RidgelineProbe
import RidgelineTestSupport
import Testing

@testable import RidgelineEngines

/// Whether `python3 -c 'import torch'` (or `$RIDGELINE_PYTHON`) works here; the torch engine's
/// own tests run only then.
let torchAvailable: Bool = {
    if case .success = TorchBridge(script: "").availability() { return true }
    return false
}()

@Suite("PyTorch engine")
struct EngineTorchTests {
    static let root = repositoryRoot
    static let script = root + "/scripts/torch_engine.py"

    @Test(
        "without PyTorch, Ridgeline says so and the script exits with the reason",
        .disabled(if: torchAvailable, "PyTorch is installed here"))
    func absent() throws {
        guard case .failure(let error) = TorchBridge(script: Self.script).availability() else {
            Issue.record("availability() succeeded without torch")
            return
        }
        #expect(error.description.contains("import torch"))
        let (status, output) = try runCapturingOutput(TorchBridge.defaultPython, [Self.script, "--suite", "/dev/null"])
        #expect(status == 3 && output.contains("PyTorch is not installed"))
    }

    @Test(
        "the script measures kernels on the CPU and writes records Ridgeline loads",
        .torchInstalled)
    func measures() throws {
        let files = try ScratchSuite(
            "measures",
            """
            {"op":"gemm","m":64,"n":64,"k":64,"dtype":"fp32"}
            {"op":"softmax","rows":32,"cols":128,"dtype":"fp32"}
            {"op":"rmsnorm","rows":32,"cols":128,"pass":"bwd","dtype":"fp32"}
            """)
        defer { files.remove() }
        let status = try TorchBridge(script: Self.script).measure(
            suite: files.suite, device: "cpu", output: files.output, threads: 1,
            cold: false, timeCap: 0.2)
        #expect(status == 0)
        let records = try MeasurementRecord.load(path: files.output)
        #expect(records.map(\.kernel.op) == ["gemm", "softmax", "rmsnorm"])
        #expect(records.allSatisfy { $0.engine == .torch && $0.medianSeconds > 0 && $0.samples >= 3 })
    }

    @Test(
        "an fp8 GEMM without a GPU is skipped with the reason, and the rest of the suite still runs",
        .torchInstalled)
    func fp8GEMMNeedsAGPU() throws {
        let files = try ScratchSuite(
            "fp8",
            """
            {"op":"gemm","m":64,"n":64,"k":64,"dtype":"fp8","fast_accum":true}
            {"op":"gemm","m":64,"n":64,"k":64,"dtype":"fp32"}
            """)
        defer { files.remove() }
        let (status, printed) = try runCapturingOutput(
            TorchBridge.defaultPython, [Self.script, "--suite", files.suite, "--device", "cpu", "-o", files.output, "--time-cap", "0.2"])
        #expect(status == 0, "\(printed)")
        #expect(printed.contains("skipped \(files.suite):1: fp8 GEMMs need torch._scaled_mm on a GPU"), "\(printed)")
        #expect(try MeasurementRecord.load(path: files.output).map(\.kernel.dtype) == [.fp32])
    }

    @Test(
        "--kernel-names records what one call launched, beside the timing, and Ridgeline still loads the record",
        .torchInstalled)
    func kernelNames() throws {
        let files = try ScratchSuite("names", #"{"op":"gemm","m":64,"n":64,"k":256,"dtype":"fp32"}"#)
        defer { files.remove() }
        let (status, log) = try runCapturingOutput(
            TorchBridge.defaultPython,
            [Self.script, "--suite", files.suite, "-o", files.output, "--kernel-names", "--time-cap", "0.1", "--min-time", "0.01"])
        #expect(status == 0, "\(log)")
        let line = try String(contentsOfFile: files.output, encoding: .utf8)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        // On a CPU torch.profiler names ATen ops (on a GPU, the kernels); the matrix product is among them.
        let launched = try #require(record["launched"] as? [String: Any], "\(record.keys.sorted())")
        #expect(launched["activity"] as? String == "cpu")
        let events = try #require(launched["events"] as? [[String: Any]])
        #expect(events.contains { ($0["name"] as? String)?.contains("mm") == true && ($0["us"] as? Double ?? 0) > 0 }, "\(events)")
        #expect(try MeasurementRecord.load(path: files.output).map(\.kernel.op) == ["gemm"])
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where the script can import PyTorch (CI does not install it).
    static var torchInstalled: Self {
        .enabled(if: torchAvailable, "python3 -c 'import torch' fails: PyTorch is not installed (CI does not install it)")
    }
}

/// A suite file of `specs` and the path its records go to, both in the temporary folder.
private struct ScratchSuite {
    let suite: String, output: String

    init(_ name: String, _ specs: String) throws {
        suite = NSTemporaryDirectory() + "torch-\(name)-\(getpid()).jsonl"
        output = NSTemporaryDirectory() + "torch-\(name)-out-\(getpid()).jsonl"
        try (specs + "\n").write(toFile: suite, atomically: true, encoding: .utf8)
    }

    func remove() { for path in [suite, output] { try? FileManager.default.removeItem(atPath: path) } }
}
