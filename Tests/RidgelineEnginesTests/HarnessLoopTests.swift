import Ridgeline
import RidgelineFakes
import RidgelineProbe
import Testing

@testable import RidgelineEngines

/// The harness's loop driven by a scripted clock and scripted counters: how long it warms up, how
/// many repetitions it runs, which it leaves out, when it stops. Durations are multiples of
/// 1/1024 s, so every sum is exact and each count follows from the options alone. The loop on a
/// real kernel and a real clock is `HarnessStatisticsTests` and `HarnessSuiteTests`.
@Suite("Harness loop (fake clock)")
struct HarnessLoopTests {
    /// A binary millisecond.
    static let unit = 1.0 / 1024
    static let host = MeasurementRecord.Host(fingerprint: "fake host", cpu: "fake CPU", cores: 1)

    /// Options with no warm-up time and no stability target unless a test sets them.
    static func options(_ change: (inout HarnessOptions) -> Void = { _ in }) -> HarnessOptions {
        var options = HarnessOptions()
        options.warmupSeconds = 0
        change(&options)
        return options
    }

    static func time(
        _ options: HarnessOptions, counters: any CounterSource = NoCounters(), cpuShare: Double = 1,
        duration: @escaping (Int) -> Double
    ) throws -> (run: Harness.Run, kernel: FakeKernel) {
        let clock = FakeClock()
        var harness = Harness(options: options, counters: counters, host: host, clock: clock)
        let kernel = FakeKernel(clock: clock, cpuShare: cpuShare, duration: duration)
        return (try harness.time(kernel), kernel)
    }

    @Test("warm-up lasts its repetitions and its seconds, whichever is longer")
    func warmUp() throws {
        let long = try Self.time(
            Self.options {
                $0.warmupRepetitions = 2; $0.warmupSeconds = 20 * Self.unit
            }
        ) { _ in Self.unit }
        #expect(long.run.warmup == 20)
        let short = try Self.time(
            Self.options {
                $0.warmupRepetitions = 2; $0.warmupSeconds = 20 * Self.unit
            }
        ) { _ in 30 * Self.unit }
        #expect(short.run.warmup == 2)
        // Warm-up runs are not timed: the kernel ran them on top of the repetitions.
        #expect(long.kernel.runs == long.run.warmup + long.run.repetitions)
    }

    @Test("a kernel the clock cannot see warms up 1,000 times and stops at the repetition cap, unstable")
    func invisibleKernel() throws {
        let (run, _) = try Self.time(Self.options { $0.warmupSeconds = 1 }) { _ in 0 }
        #expect(run.warmup == 1000)
        #expect(run.repetitions == HarnessOptions().maxRepetitions)
        #expect(!run.stable && run.stats.relativeCI95 == .infinity)
    }

    @Test("a steady kernel stops at the first repetition that has both the count and the seconds")
    func steadyStops() throws {
        // 256 × 1/1024 s = the 0.25 s minimum; the median is exact from the eighth repetition on.
        let (run, _) = try Self.time(Self.options()) { _ in Self.unit }
        #expect(run.stable && run.repetitions == 256 && run.discarded == 0)
        #expect(run.stats.median == Self.unit && run.stats.relativeCI95 == 0)
        let quick = try Self.time(Self.options { $0.minSeconds = 0 }) { _ in Self.unit }
        #expect(quick.run.stable && quick.run.repetitions == HarnessOptions().minRepetitions)
    }

    @Test("a kernel whose median never settles stops at the time cap, or the repetition cap before it")
    func noisyStopsAtCaps() throws {
        // Runs alternate 1 and 3 units (warm-up: runs 0 and 1); the median's interval spans both.
        let alternating: (Int) -> Double = { $0 % 2 == 0 ? Self.unit : 3 * Self.unit }
        let capped = try Self.time(Self.options(), duration: alternating)
        #expect(!capped.run.stable)
        #expect(capped.run.repetitions == 512, "1 s cap = 1,024 units = 512 repetitions of 2 units on average")
        let counted = try Self.time(Self.options { $0.maxRepetitions = 100 }, duration: alternating)
        #expect(counted.run.repetitions == 100 && !counted.run.stable)
    }

    @Test("a repetition longer than the time cap still gives three samples")
    func slowKernel() throws {
        let (run, _) = try Self.time(Self.options()) { _ in 2 }
        #expect(run.repetitions == 3 && run.warmup == 2 && !run.stable && !run.fallback)
    }

    /// Every third repetition counted as context-switched, from the first stop on.
    static func everyThirdSwitched() -> ScriptedCounters {
        ScriptedCounters(events: ["perf::CONTEXT-SWITCHES", "perf::TASK-CLOCK"]) { n in
            ["perf::CONTEXT-SWITCHES": n % 3 == 2 ? 1 : 0, "perf::TASK-CLOCK": n % 3 == 2 ? 9000 : 1000]
        }
    }

    @Test("repetitions the counters saw disturbed are left out of the statistics and the counter medians, and counted")
    func disturbedLeftOut() throws {
        let options = Self.options {
            $0.minRepetitions = 30; $0.targetRelativeCI = -1; $0.maxRepetitions = 60; $0.timeCapSeconds = 1e6
        }
        // Timed repetition r is kernel run r + 2 (two warm-up runs); the disturbed ones are slow.
        let (run, _) = try Self.time(options, counters: Self.everyThirdSwitched()) { ($0 - 2) % 3 == 2 ? 50 * Self.unit : Self.unit }
        #expect(run.repetitions == 60 && run.discarded == 20 && run.stats.count == 40)
        #expect(run.stats.max == Self.unit, "no disturbed repetition's time is in the statistics")
        #expect(run.counters == ["perf::CONTEXT-SWITCHES": 0, "perf::TASK-CLOCK": 1000])
        #expect(!run.stable && !run.fallback)
    }

    @Test("a slow repetition the counters saw undisturbed is kept: the harness drops by counters, never by time")
    func slowButUndisturbedKept() throws {
        let counters = ScriptedCounters(source: "scripted", events: ["perf::CONTEXT-SWITCHES"])
        let options = Self.options {
            $0.targetRelativeCI = -1; $0.maxRepetitions = 20; $0.timeCapSeconds = 1e6
        }
        let (run, _) = try Self.time(options, counters: counters) { $0 == 7 ? 100 * Self.unit : Self.unit }
        #expect(run.discarded == 0 && run.stats.max == 100 * Self.unit)
    }

    @Test("with fewer than three undisturbed repetitions, the statistics fall back to all of them, without counters")
    func fallback() throws {
        let counters = ScriptedCounters(events: ["perf::CPU-MIGRATIONS"]) { n in ["perf::CPU-MIGRATIONS": n < 2 ? 0 : 1] }
        let options = Self.options {
            $0.maxRepetitions = 10; $0.timeCapSeconds = 1e6
        }
        let (run, _) = try Self.time(options, counters: counters) { Double($0 + 1) * Self.unit }
        #expect(run.fallback && run.repetitions == 10 && run.discarded == 8)
        #expect(run.stats.count == 10 && run.counters.isEmpty)
    }

    @Test("thread CPU time comes from the thread's clock, apart from the wall time")
    func threadCPU() throws {
        let (run, _) = try Self.time(Self.options(), cpuShare: 0.5) { _ in Self.unit }
        #expect(run.threadCPU.median == run.stats.median / 2)
        #expect(run.threadCPU.count == run.stats.count)
    }

    static func measure(_ counters: any CounterSource, engine: FakeEngine = FakeEngine()) throws -> MeasurementRecord {
        var harness = Harness(options: options { $0.minSeconds = 0 }, counters: counters, host: host, clock: engine.clock)
        return try harness.measure(.copy(Copy(elements: 64, dtype: .fp32)), on: engine, threads: 1)
    }

    @Test("counters that fail to start are dropped for the rest of the run, and the record says why")
    func countersFailToStart() throws {
        var counters = ScriptedCounters(source: "scripted", events: ["perf::TASK-CLOCK"])
        counters.failStartFrom = 2
        let record = try Self.measure(counters)
        #expect(counters.calls.starts == 3 && counters.calls.stops == 2, "no call after the failure")
        #expect(record.counterSource == "none")
        #expect(record.countersUnavailable["*"] == "counters failed to start: scripted start failure at call 2")
        #expect(record.counters == ["perf::TASK-CLOCK": 0], "the medians of the two repetitions counted")
    }

    @Test("counters that fail to stop are dropped too, the repetition's time kept")
    func countersFailToStop() throws {
        var counters = ScriptedCounters(source: "scripted", events: ["perf::TASK-CLOCK"])
        counters.failStopFrom = 1
        let record = try Self.measure(counters)
        #expect(counters.calls.starts == 2 && counters.calls.stops == 2)
        #expect(record.counterSource == "none" && record.countersUnavailable["*"]?.contains("failed to stop") == true)
        #expect(record.repetitions == record.samples && record.samples == HarnessOptions().minRepetitions)
    }

    @Test("a record names the engine, the implementation and how it was measured")
    func record() throws {
        let engine = FakeEngine(.openblas)
        engine.binding = "fake: core 0"
        let record = try Self.measure(NoCounters(), engine: engine)
        #expect(record.engine == .openblas && record.engineVersion == "fake openblas 0.0")
        #expect(record.implementation == "fake:copy" && record.binding == "fake: core 0" && record.host == Self.host)
        #expect(record.counterSource == "none" && record.countersUnavailable["*"] == "measured without counters")
        #expect(record.medianSeconds == FakeEngine.defaultSeconds && record.stable && record.cache == "warm")
        #expect(engine.prepared.count == 1)
    }
}
