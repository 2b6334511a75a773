/// What measured a kernel: a tensor engine `ridgeline measure` drives (`--engine`, a record's
/// `engine`), or `reference` for the rows of the reference GPU files. A closed set: a record naming
/// another engine is an error that lists these.
public enum Engine: String, CaseIterable, Sendable, Codable {
    /// oneDNN, in process.
    case onednn
    /// OpenBLAS, in process (GEMM only).
    case openblas
    /// PyTorch, run as a child process by `scripts/torch_engine.py`.
    case torch
    /// The reference GPU measurements (`reference/gpu-measurements`): PyTorch timings too.
    case reference

    /// The engines `--engine` accepts.
    public static let measurable: [Engine] = [.onednn, .openblas, .torch]

    /// Whether its times include a framework's per-op dispatch (PyTorch's eager mode), so that
    /// they are judged in eager mode by default.
    public var timesIncludeDispatch: Bool { self == .torch || self == .reference }
}

extension ExecutionMode {
    /// The mode to judge `engines`' times in when the user did not say: eager when every one
    /// includes the framework's dispatch, else kernel.
    public static func judging(_ engines: some Sequence<Engine>) -> ExecutionMode {
        engines.allSatisfy(\.timesIncludeDispatch) ? .eager : .kernel
    }
}
