import Ridgeline
import RidgelineFakes
import Testing

@testable import RidgelineProbe

/// How `LayeredCounters` picks a layer, with scripted layers: the order it tries them in, what it
/// says about those it passed over, and getrusage's context switches riding along. Whether each
/// real layer counts on this machine is `CounterTests`.
@Suite("Counter layer order (fakes)")
struct CounterLayerOrderTests {
    static let switches = "rusage::CONTEXT-SWITCHES"
    // Functions, not constants: each test counts its own sources' calls.
    static func rusage() -> ScriptedCounters {
        ScriptedCounters(source: "rusage", events: ["rusage::CPU-TIME", switches]) { n in
            ["rusage::CPU-TIME": 1000, switches: Int64(n + 5)]
        }
    }
    static func papi() -> ScriptedCounters { ScriptedCounters(source: "papi", events: ["PAPI_TOT_CYC"]) { _ in ["PAPI_TOT_CYC": 42] } }
    static func perf() -> ScriptedCounters {
        ScriptedCounters(source: "perf_event", events: ["perf::TASK-CLOCK", "perf::CONTEXT-SWITCHES"])
    }

    @Test("layers are tried best first, and the first that opens is kept; the ones passed over say why")
    func bestFirst() throws {
        let layers = FakeCounterLayers(sources: [.perfEvent: Self.perf(), .rusage: Self.rusage()], refusals: [.papi: "no PMU"])
        let counters = try LayeredCounters(layers: layers)
        #expect(counters.source == "perf_event")
        #expect(layers.opened == [.papi, .perfEvent], "rusage neither tried nor riding along: perf_event counts switches")
        #expect(counters.passedOver.map(\.layer) == [.papi] && counters.passedOver.map(\.reason) == ["no PMU"])
        #expect(counters.unavailable == ["papi": "no PMU"])
        #expect(counters.events == ["perf::TASK-CLOCK", "perf::CONTEXT-SWITCHES"])
    }

    @Test("with PAPI and perf_event refused, getrusage counts, and both refusals are kept in order")
    func lastResort() throws {
        let layers = FakeCounterLayers(sources: [.rusage: Self.rusage()], refusals: [.papi: "disabled", .perfEvent: "paranoid 4"])
        let counters = try LayeredCounters(layers: layers)
        #expect(counters.source == "rusage" && layers.opened == [.papi, .perfEvent, .rusage])
        #expect(counters.passedOver.map(\.layer) == [.papi, .perfEvent])
        #expect(counters.unavailable["papi"] == "disabled" && counters.unavailable["perf_event"] == "paranoid 4")
    }

    @Test("a layer that cannot count context switches gets getrusage's beside it, read around the same region")
    func switchesRideAlong() throws {
        let papi = Self.papi(), rusage = Self.rusage()
        let layers = FakeCounterLayers(sources: [.papi: papi, .rusage: rusage])
        var counters = try LayeredCounters(layers: layers)
        #expect(counters.source == "papi" && layers.opened == [.papi, .rusage])
        #expect(counters.events == ["PAPI_TOT_CYC", Self.switches])
        try counters.start()
        #expect(try counters.stop() == ["PAPI_TOT_CYC": 42, Self.switches: 5])
        #expect(rusage.calls.starts == 1 && rusage.calls.stops == 1 && papi.calls.starts == 1 && papi.calls.stops == 1)
    }

    @Test("only: the one layer asked for is tried; none counting is an error listing every layer's reason")
    func onlyAndNone() throws {
        let layers = FakeCounterLayers(sources: [.papi: Self.papi(), .rusage: Self.rusage()], refusals: [.perfEvent: "paranoid 4"])
        #expect { try LayeredCounters(only: .perfEvent, layers: layers) } throws: { "\($0)".contains("perf_event: paranoid 4") }
        #expect(layers.opened == [.perfEvent])
        let rusageOnly = try LayeredCounters(
            only: .rusage, layers: FakeCounterLayers(sources: [.papi: Self.papi(), .rusage: Self.rusage()]))
        #expect(rusageOnly.source == "rusage" && rusageOnly.passedOver.isEmpty)
        let none = FakeCounterLayers(refusals: [.papi: "a", .perfEvent: "b", .rusage: "c"])
        #expect { try LayeredCounters(layers: none) } throws: { "\($0)".contains("papi: a; perf_event: b; rusage: c") }
    }
}
