import Ridgeline
import RidgelineEngines

/// A prepared kernel that does no work: its n-th run (warm-up included, from 0) advances the
/// fake clock by `duration(n)`. It tests the harness's loop, never a measurement.
public final class FakeKernel: PreparedKernel {
    public let implementation: String
    /// Runs so far, warm-up included.
    public private(set) var runs = 0
    let clock: FakeClock
    let cpuShare: Double
    let duration: (Int) -> Double

    public init(clock: FakeClock, implementation: String = "fake", cpuShare: Double = 1, duration: @escaping (Int) -> Double) {
        self.clock = clock; self.implementation = implementation; self.cpuShare = cpuShare; self.duration = duration
    }

    public func run() throws {
        clock.advance(duration(runs), cpuShare: cpuShare)
        runs += 1
    }
}

/// An engine whose answers a test sets: which kernels it refuses (`support`), which it fails to
/// prepare and how, and how long each run of the others takes on a `FakeClock`. It records
/// what it was asked to prepare.
public final class FakeEngine: TensorEngine {
    public let id: Engine
    public let threads: Int
    public var version: String
    public var binding = "fake: unbound"
    public var warnings: [String] = []
    /// Kernels `support` refuses, by label, with the reason.
    public var unsupported: [String: String] = [:]
    /// What `prepare` throws, by kernel label (as a library that fails on a kernel it claimed).
    public var prepareErrors: [String: any Error] = [:]
    public let clock: FakeClock
    /// Seconds the n-th run of a kernel takes: by default 1/1024 s, a binary fraction, so that
    /// sums of it are exact.
    public var duration: (Kernel, Int) -> Double = { _, _ in FakeEngine.defaultSeconds }
    public static let defaultSeconds = 1.0 / 1024
    /// Labels of the kernels prepared, in order.
    public private(set) var prepared: [String] = []

    public init(_ id: Engine = .onednn, threads: Int = 1, clock: FakeClock = FakeClock()) {
        self.id = id; self.threads = threads; self.clock = clock
        version = "fake \(id.rawValue) 0.0"
    }

    public func support(_ kernel: Kernel) -> EngineSupport {
        unsupported[kernel.label].map { .unsupported($0) } ?? .supported
    }

    public func prepare(_ kernel: Kernel) throws -> any PreparedKernel {
        prepared.append(kernel.label)
        if let error = prepareErrors[kernel.label] { throw error }
        let duration = self.duration
        return FakeKernel(clock: clock, implementation: "fake:\(kernel.op)") { duration(kernel, $0) }
    }
}

/// Engines by id, or a refusal, as a test sets them; it records every request.
public final class FakeEngineCatalog: EngineCatalog {
    public var engines: [Engine: FakeEngine] = [:]
    /// Engines that cannot be had, with the reason (`EngineError.unavailable`).
    public var refusals: [Engine: String] = [:]
    public private(set) var requests: [(engine: Engine, threads: Int)] = []

    public init(_ engines: [FakeEngine] = []) {
        for engine in engines { self.engines[engine.id] = engine }
    }

    public func make(_ engine: Engine, threads: Int) throws -> any TensorEngine {
        requests.append((engine, threads))
        if let reason = refusals[engine] { throw EngineError.unavailable(engine: engine.rawValue, reason: reason) }
        guard let made = engines[engine] else {
            throw EngineError.unavailable(engine: engine.rawValue, reason: "not in this fake catalog")
        }
        return made
    }
}
