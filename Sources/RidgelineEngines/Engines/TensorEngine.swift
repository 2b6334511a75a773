import Ridgeline

/// A library that runs kernels for real (oneDNN, OpenBLAS, PyTorch): the measured side of
/// validation. Engines split a kernel's life in two so the harness times only the work:
/// `prepare` builds the primitive, allocates and fills the tensors (outside the timed region),
/// and the returned `PreparedKernel` executes the kernel once per `run()`.
public protocol TensorEngine {
    /// The id used on the command line and in records.
    var id: Engine { get }
    /// Library version and build details, for records ("oneDNN 2.6.3, isa avx512_core").
    var version: String { get }
    /// How the engine's threads are bound to cores, for records ("hwloc: OpenMP thread i on core i").
    var binding: String { get }
    /// What a user should know before trusting this engine's times on this machine (a BLAS that
    /// picked kernels older than the CPU); empty when there is nothing to say.
    var warnings: [String] { get }
    /// Whether this engine can run `kernel`, and if not, why.
    func support(_ kernel: Kernel) -> EngineSupport
    /// Builds everything the kernel needs; throws `EngineError.unsupported` for kernels it cannot run.
    func prepare(_ kernel: Kernel) throws -> any PreparedKernel
}

/// A kernel ready to run: `run()` executes it once and returns when its results are complete.
public protocol PreparedKernel: AnyObject {
    /// The implementation the library picked ("brg:avx512_core", "sgemm"), for records.
    var implementation: String { get }
    func run() throws
}

public enum EngineSupport: Equatable, Sendable {
    case supported
    case unsupported(String)

    public var reason: String? {
        if case .unsupported(let why) = self { return why }
        return nil
    }
}

public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// The engine cannot run this kernel; `reason` says why ("bf16 unsupported on this CPU: …").
    case unsupported(engine: String, kernel: String, reason: String)
    /// The library reported an error while preparing or running a kernel.
    case library(engine: String, call: String, detail: String)
    /// The engine itself is missing (no PyTorch, no GPU).
    case unavailable(engine: String, reason: String)

    public var description: String {
        switch self {
        case .unsupported(let engine, let kernel, let reason): return "\(engine) cannot run \(kernel): \(reason)"
        case .library(let engine, let call, let detail): return "\(engine): \(call) failed: \(detail)"
        case .unavailable(let engine, let reason): return "engine \(engine) is not available: \(reason)"
        }
    }
}

extension TensorEngine {
    public var warnings: [String] { [] }
    /// The id as text, for messages.
    public var name: String { id.rawValue }

    /// `prepare` after checking support, so every engine reports unsupported kernels the same way.
    public func checkedPrepare(_ kernel: Kernel) throws -> any PreparedKernel {
        if case .unsupported(let why) = support(kernel) {
            throw EngineError.unsupported(engine: name, kernel: kernel.label, reason: why)
        }
        return try prepare(kernel)
    }
}
