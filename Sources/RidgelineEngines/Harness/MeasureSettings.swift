import Ridgeline
import RidgelineProbe

/// What `ridgeline measure` (and `validate` without records) asks of a run in this process.
public struct MeasureSettings: Sendable {
    public var engine: Engine
    public var threads: Int
    public var cache: CacheMode
    public var timeCapSeconds: Double
    public var counters: CounterChoice

    public init(engine: Engine, threads: Int, cache: CacheMode = .warm, timeCapSeconds: Double = 1, counters: CounterChoice = .auto) {
        self.engine = engine; self.threads = threads; self.cache = cache; self.timeCapSeconds = timeCapSeconds
        self.counters = counters
    }

    /// The harness's defaults with this cache mode and time cap.
    public var harnessOptions: HarnessOptions {
        var options = HarnessOptions()
        options.cache = cache
        options.timeCapSeconds = timeCapSeconds
        return options
    }
}

extension SuiteRunner {
    /// The runner `measure` uses: first the engine the settings name, from `engines` (its warnings
    /// go to `notice`, as "warning: …"), then the counters they ask for, from `counterLayers` (a
    /// note goes to `notice` when `auto` finds none), then the harness. An engine that cannot be
    /// had is an error before any counter is opened.
    public init(
        settings: MeasureSettings, engines: any EngineCatalog = InProcessEngines(),
        counterLayers: any CounterLayerOpener = SystemCounterLayers(), clock: any HarnessClock = MonotonicClock(),
        host: MeasurementRecord.Host = HostFingerprint.current(), notice: (String) -> Void
    ) throws {
        let engine = try engines.make(settings.engine, threads: settings.threads)
        for warning in engine.warnings { notice("warning: " + warning) }
        let counters = try settings.counters.counters(from: counterLayers)
        if let note = counters.note { notice(note) }
        self.init(
            engine: engine, harness: Harness(options: settings.harnessOptions, counters: counters.source, host: host, clock: clock),
            threads: settings.threads)
    }
}
