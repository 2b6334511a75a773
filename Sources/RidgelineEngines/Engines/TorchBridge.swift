import Foundation
import Ridgeline
import RidgelineProbe

/// PyTorch as a child process: `scripts/torch_engine.py` times kernel specs on a CPU or a CUDA
/// GPU and writes the same measurement records as the Swift harness. PyTorch is gigabytes and
/// optional, so Ridgeline first asks whether `python3 -c 'import torch'` works and says so when
/// it does not. `$RIDGELINE_PYTHON` names another interpreter, for a PyTorch installed outside
/// the `python3` on the PATH (Debian's `python3-torch` lives under `/usr/bin/python3`).
public struct TorchBridge {
    public var python: String
    public var script: String

    public init(python: String = TorchBridge.defaultPython, script: String) {
        self.python = python
        self.script = script
    }

    /// `$RIDGELINE_PYTHON`, else `python3` from the PATH.
    public static var defaultPython: String {
        let chosen = ProcessInfo.processInfo.environment["RIDGELINE_PYTHON"] ?? ""
        return chosen.isEmpty ? "python3" : chosen
    }

    /// `$RIDGELINE_TORCH_SCRIPT`, else `scripts/torch_engine.py` in the data root (a clone, or
    /// `PREFIX/share/ridgeline` after `make install`).
    public static func locate() throws -> TorchBridge {
        if let env = ProcessInfo.processInfo.environment["RIDGELINE_TORCH_SCRIPT"], !env.isEmpty {
            return TorchBridge(script: env)
        }
        let path = try DataRoot.locate().script("torch_engine.py")
        guard FileManager.default.fileExists(atPath: path) else {
            throw EngineError.unavailable(engine: "torch", reason: "\(path) not found; set RIDGELINE_TORCH_SCRIPT")
        }
        return TorchBridge(script: path)
    }

    /// PyTorch's version, or why it cannot be used.
    public func availability() -> Result<String, EngineError> {
        let probe = "import torch; print(torch.__version__, 'cuda' if torch.cuda.is_available() else 'cpu-only')"
        guard let (status, output) = try? runCapturingOutput(python, ["-c", probe]) else {
            return .failure(.unavailable(engine: "torch", reason: "\(python) could not be started"))
        }
        guard status == 0 else {
            let last = output.split(separator: "\n").last.map(String.init) ?? "exit status \(status)"
            return .failure(.unavailable(engine: "torch", reason: "`\(python) -c 'import torch'` failed: \(last)"))
        }
        return .success(output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs the script on a suite; it appends records to `output` (stdout when nil) itself, so an
    /// interrupted run keeps what it finished. Returns the script's exit status.
    public func measure(suite: String, device: String, output: String?, threads: Int?, cold: Bool, timeCap: Double) throws -> Int32 {
        var arguments = [script, "--suite", suite, "--device", device, "--time-cap", String(timeCap)]
        if let output { arguments += ["-o", output] }
        if let threads { arguments += ["--threads", String(threads)] }
        if cold { arguments.append("--cold") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
