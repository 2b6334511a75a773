import Ridgeline
import RidgelineFakes
import RidgelineProbe
import Testing

@testable import RidgelineEngines

/// What `measure` does around the harness, with a scripted engine and scripted counters: which
/// kernels are run, skipped or failed, which engine and counters a run gets, and what it refuses.
/// The same paths on the real engines are `EngineOneDNNTests`, `EngineOpenBLASTests` and the CLI tests.
@Suite("Suite runs and engine selection (fakes)")
struct SuiteRunnerTests {
    static let host = MeasurementRecord.Host(fingerprint: "fake host", cpu: "fake CPU", cores: 1)
    static let kernels: [Kernel] = [
        .copy(Copy(elements: 64, dtype: .fp32)),
        .copy(Copy(elements: 128, dtype: .fp32)),
        .copy(Copy(elements: 256, dtype: .fp32)),
        .copy(Copy(elements: 512, dtype: .fp32)),
    ]

    static func runner(_ engine: FakeEngine, counters: any CounterSource = NoCounters()) -> SuiteRunner {
        var options = HarnessOptions()
        options.minSeconds = 0
        return SuiteRunner(
            engine: engine, harness: Harness(options: options, counters: counters, host: host, clock: engine.clock), threads: 1)
    }

    @Test("a kernel the engine refuses is skipped unprepared; one it fails to prepare is unsupported or failed, by the error")
    func skippedAndFailed() throws {
        let engine = FakeEngine()
        let (refused, unprepared, broken, good) = (Self.kernels[0], Self.kernels[1], Self.kernels[2], Self.kernels[3])
        engine.unsupported[refused.label] = "no such primitive"
        engine.prepareErrors[unprepared.label] = EngineError.unsupported(
            engine: "onednn", kernel: unprepared.label, reason: "reference only")
        engine.prepareErrors[broken.label] = EngineError.library(engine: "onednn", call: "dnnl_primitive_create", detail: "out of memory")
        var runner = Self.runner(engine)
        var progress: [(Int, Bool)] = [], sunk: [Kernel] = []
        let outcome = try runner.run(
            Self.kernels, progress: { index, _, record in progress.append((index, record != nil)) },
            record: { sunk.append($0.kernel) })
        #expect(engine.prepared == [unprepared.label, broken.label, good.label], "a refused kernel is never prepared")
        #expect(outcome.unsupported.map(\.kernel) == [refused, unprepared])
        #expect(outcome.unsupported.map(\.reason) == ["no such primitive", "reference only"])
        #expect(outcome.failed.map(\.kernel) == [broken])
        #expect(outcome.failed.first?.error == "onednn: dnnl_primitive_create failed: out of memory")
        #expect(outcome.records.map(\.kernel) == [good] && sunk == [good])
        #expect(progress.map(\.0) == [0, 1, 2, 3] && progress.map(\.1) == [false, false, false, true])
    }

    @Test("an error that is not the engine's stops the run: the kernels after it are not run")
    func otherErrorsStop() throws {
        let engine = FakeEngine()
        engine.prepareErrors[Self.kernels[1].label] = RidgelineError.unavailable(what: "memory", reason: "scripted")
        var runner = Self.runner(engine)
        #expect(throws: RidgelineError.self) { try runner.run(Self.kernels) { _ in } }
        #expect(engine.prepared == [Self.kernels[0].label, Self.kernels[1].label])
        // A record that cannot be written stops it too, after that kernel.
        let writing = FakeEngine()
        var second = Self.runner(writing)
        #expect(throws: ScriptedFailure.self) { try second.run(Self.kernels) { _ in throw ScriptedFailure(call: "write", number: 0) } }
        #expect(writing.prepared == [Self.kernels[0].label])
    }

    // MARK: Engine and counter selection

    static func settings(_ engine: Engine = .openblas, counters: CounterChoice = .auto) -> MeasureSettings {
        MeasureSettings(engine: engine, threads: 3, cache: .warm, timeCapSeconds: 0.5, counters: counters)
    }

    static func make(
        _ settings: MeasureSettings, catalog: FakeEngineCatalog, layers: FakeCounterLayers
    ) throws -> (runner: SuiteRunner, notices: [String]) {
        var notices: [String] = []
        let runner = try SuiteRunner(settings: settings, engines: catalog, counterLayers: layers, host: host) { notices.append($0) }
        return (runner, notices)
    }

    @Test("the engine asked for is made with the threads asked for, its warnings become notices, the settings reach the harness")
    func engineSelection() throws {
        let blas = FakeEngine(.openblas, threads: 3), dnn = FakeEngine(.onednn, threads: 3)
        blas.warnings = ["picked kernels older than the CPU"]
        let catalog = FakeEngineCatalog([blas, dnn])
        let layers = FakeCounterLayers(sources: [.rusage: ScriptedCounters(source: "rusage", events: ["rusage::CONTEXT-SWITCHES"])])
        let (runner, notices) = try Self.make(Self.settings(), catalog: catalog, layers: layers)
        #expect(catalog.requests.map(\.engine) == [.openblas] && catalog.requests.map(\.threads) == [3])
        #expect(runner.engine.id == .openblas && runner.threads == 3)
        #expect(notices == ["warning: picked kernels older than the CPU"])
        #expect(runner.harness.options.timeCapSeconds == 0.5 && runner.harness.options.cache == .warm)
        #expect(runner.harness.counterSourceName == "rusage")
    }

    @Test("an engine that cannot be had is refused before any counter is opened")
    func engineRefused() throws {
        let catalog = FakeEngineCatalog()
        catalog.refusals[.onednn] = "libdnnl.so.2 not found"
        let layers = FakeCounterLayers()
        #expect { try Self.make(Self.settings(.onednn), catalog: catalog, layers: layers) } throws: {
            ($0 as? EngineError) == .unavailable(engine: "onednn", reason: "libdnnl.so.2 not found")
        }
        #expect(layers.opened.isEmpty)
    }

    @Test("the in-process engines refuse torch and the reference rows, naming what runs in process")
    func inProcessRefusals() {
        for engine in [Engine.torch, .reference] {
            #expect { try InProcessEngines().make(engine, threads: 1) } throws: { error in
                guard case .unavailable(let name, let reason)? = error as? EngineError else { return false }
                return name == engine.rawValue && reason.contains("have: onednn, openblas")
            }
        }
    }

    @Test("--counters auto takes the best layer that counts and says which it passed over; with none it measures without, saying why")
    func countersAuto() throws {
        let catalog = FakeEngineCatalog([FakeEngine(.openblas, threads: 3)])
        let perf = ScriptedCounters(source: "perf_event", events: ["perf::CONTEXT-SWITCHES", "perf::TASK-CLOCK"])
        let layers = FakeCounterLayers(sources: [.perfEvent: perf], refusals: [.papi: "no PMU"])
        let (runner, notices) = try Self.make(Self.settings(), catalog: catalog, layers: layers)
        #expect(runner.harness.counterSourceName == "perf_event" && notices.isEmpty)
        #expect(runner.harness.counters.unavailable["papi"] == "no PMU")
        #expect(layers.opened == [.papi, .perfEvent])

        let none = FakeCounterLayers(refusals: [.papi: "no PMU", .perfEvent: "paranoid 4", .rusage: "old kernel"])
        let (bare, said) = try Self.make(Self.settings(), catalog: catalog, layers: none)
        #expect(bare.harness.counters is NoCounters && bare.harness.counterSourceName == "none")
        #expect(said.count == 1)
        #expect(said.first?.hasPrefix("counters: none can be read here (") == true)
        #expect(said.first?.contains("papi: no PMU; perf_event: paranoid 4; rusage: old kernel") == true)
        #expect(said.first?.hasSuffix("; measuring without counters") == true)
    }

    @Test("--counters LAYER that cannot count here is an error, never a silent downgrade; --counters none opens nothing")
    func countersByName() throws {
        let catalog = FakeEngineCatalog([FakeEngine(.openblas, threads: 3)])
        let layers = FakeCounterLayers(
            sources: [.perfEvent: ScriptedCounters(source: "perf_event", events: ["perf::TASK-CLOCK"])], refusals: [.papi: "no PMU"])
        #expect { try Self.make(Self.settings(counters: .only(.papi)), catalog: catalog, layers: layers) } throws: {
            "\($0)".contains("papi: no PMU")
        }
        #expect(layers.opened == [.papi])
        let quiet = FakeCounterLayers()
        let (runner, notices) = try Self.make(Self.settings(counters: .none), catalog: catalog, layers: quiet)
        #expect(quiet.opened.isEmpty && notices.isEmpty && runner.harness.counters is NoCounters)
    }

    @Test("--counters values parse to the choices, and nothing else does")
    func choiceArguments() {
        #expect(CounterChoice(argument: "auto") == .auto && CounterChoice(argument: "none") == CounterChoice.none)
        #expect(CounterChoice(argument: "perf_event") == .only(.perfEvent))
        #expect(CounterChoice(argument: "perfEvent") == nil && CounterChoice(argument: "") == nil)
        #expect(CounterChoice.allValueStrings == ["auto", "none", "papi", "perf_event", "rusage"])
    }
}
