import Foundation
import Ridgeline
import RidgelineProbe
import Testing

/// `ridgeline counters` and the counters of `ridgeline measure`, run as a user runs them, here and
/// with PAPI's perf_event component disabled. `LIBPFM_FORCE_PMU=none` makes libpfm4 find no PMU,
/// which is what a guest whose CPU model libpfm4 does not know gets ("no default PMU found"):
/// PAPI then disables its perf_event component, software events included.
@Suite("counters (CLI)", .serialized)
struct CountersCLITests {
    static let papiWithoutPMU = ["LIBPFM_FORCE_PMU": "none"]

    /// `counters --json`, read with the schema the command writes it with.
    static func report(_ environment: [String: String] = [:]) throws -> CounterReport {
        let result = try ridgeline(["counters", "--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        return try RecordCoding.decode(CounterReport.self, from: result.stdout, file: "ridgeline counters --json")
    }

    /// One small kernel measured with `--counters MODE`; the record's `counters` object.
    static func measuredCounters(_ mode: String, environment: [String: String] = [:]) throws -> [String: Any] {
        let suite = NSTemporaryDirectory() + "ridgeline-counters-\(ProcessInfo.processInfo.processIdentifier).jsonl"
        try #"{"op":"copy","elements":65536,"dtype":"fp32"}"#.write(toFile: suite, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: suite) }
        let result = try ridgeline(
            ["measure", "--suite", suite, "--time-cap", "0.1", "--threads", "1", "--counters", mode],
            environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let record = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(record?["counters"] as? [String: Any])
    }

    @Test("the report's source is its first available layer, and it counts something")
    func reportHere() throws {
        let report = try Self.report()
        #expect(report.layers.map(\.name) == ["papi", "perf_event", "rusage"])
        #expect(report.source == report.layers.first(where: \.available)?.name)
        #expect(!report.used.isEmpty)
        for layer in report.layers where !layer.available { #expect(layer.reason?.isEmpty == false, "\(layer.name)") }
    }

    @Test("PAPI's perf_event component disabled: another layer counts, and PAPI's reason is quoted verbatim")
    func papiComponentDisabled() throws {
        let report = try Self.report(Self.papiWithoutPMU)
        try #require(report.papiVersion != nil, "PAPI does not start on this machine at all")
        let reason = try #require(report.papiPerfEventDisabledReason, "libpfm4 ignored LIBPFM_FORCE_PMU=none")
        let papi = try #require(report.layers.first { $0.name == "papi" })
        #expect(!papi.available)
        #expect(papi.reason?.contains(reason) == true)
        #expect(report.source != "papi" && report.source != "none")
        #expect(!report.used.isEmpty)

        // The records of a measurement say the same.
        let counters = try Self.measuredCounters("auto", environment: Self.papiWithoutPMU)
        #expect(counters["source"] as? String == report.source)
        let unavailable = counters["unavailable"] as? [String: String] ?? [:]
        #expect(unavailable["papi"]?.contains(reason) == true, "\(unavailable)")
    }

    @Test("--counters rusage counts with getrusage and says what it lacks")
    func rusage() throws {
        let counters = try Self.measuredCounters("rusage")
        #expect(counters["source"] as? String == "rusage")
        let unavailable = counters["unavailable"] as? [String: String] ?? [:]
        #expect(unavailable["CPU-MIGRATIONS"] != nil)
        let medians = counters["per_repetition_median"] as? [String: Double] ?? [:]
        // A disturbed-only run keeps no medians; otherwise the CPU time is there and positive.
        if let cpu = medians["rusage::CPU-TIME"] { #expect(cpu >= 0) }
    }

    @Test("--counters none measures without counters and says so")
    func none() throws {
        let counters = try Self.measuredCounters("none")
        #expect(counters["source"] as? String == "none")
    }

    @Test("an unknown --counters value is refused, naming it")
    func unknownMode() throws {
        let result = try ridgeline(["measure", "--suite", "short", "--counters", "pmu"])
        #expect(result.status != 0)
        #expect(
            result.stderr.contains("'pmu'") && result.stderr.contains("--counters") && result.stderr.contains("perf_event"),
            "\(result.stderr)")
    }
}
