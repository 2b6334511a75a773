import Ridgeline

/// Makes the tensor engines a run asks for by id: the one thing `measure` needs of the engine
/// side before it times anything. The real ones are `InProcessEngines`; a test supplies scripted
/// engines (`FakeEngineCatalog` in Tests/RidgelineFakes) to check what the run does with them.
public protocol EngineCatalog {
    /// The engine `engine` with `threads` threads; `EngineError.unavailable` when it cannot be had.
    func make(_ engine: Engine, threads: Int) throws -> any TensorEngine
}

/// The engines that run in this process: oneDNN and OpenBLAS. Torch runs as a child process
/// (`TorchBridge`), and the reference rows were measured elsewhere.
public struct InProcessEngines: EngineCatalog {
    public init() {}

    public func make(_ engine: Engine, threads: Int) throws -> any TensorEngine {
        switch engine {
        case .onednn: return try OneDNNEngine(threads: threads)
        case .openblas: return OpenBLASEngine(threads: threads)
        case .torch, .reference:
            throw EngineError.unavailable(
                engine: engine.rawValue, reason: "not an in-process engine (have: onednn, openblas; torch runs as a child process)")
        }
    }
}
