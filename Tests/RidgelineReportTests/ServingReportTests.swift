import Foundation
import Ridgeline
import RidgelineServing
import RidgelineTestSupport
import Testing

@testable import RidgelineReport

/// The `compare --serve` page: the throughput-latency curve per device and prefill and decode
/// placed against each device's ridge point.
@Suite struct ServingReportTests {
    @Test func curveHasOneLinePerDeviceAndEveryLoadInItsData() throws {
        let report = try Fixtures.servingComparison()
        let curve = try #require(report.charts.first { $0.id == "throughput-latency" })
        #expect(curve.svg.components(separatedBy: "class=\"curve\"").count - 1 == 2)
        #expect(curve.data.rows.count == 8)
        #expect(curve.svg.contains("test-cpu (tp 1, bf16)") && curve.svg.contains("h100-sxm5-80gb (tp 1, bf16)"))
    }

    @Test func ridgePointIsPeakOverDeviceMemoryBandwidth() throws {
        let h100 = try Fixtures.h100()
        let device = CompareServingReport.Device(profile: h100, layout: "tp 1, bf16", dtype: .bf16, sweep: [], phases: [])
        #expect(abs(device.ridgePoint - 989.4e12 / 3.35e12) < 0.5)
        // fp8 doubles the peak and so the ridge point.
        let fp8 = CompareServingReport.Device(profile: h100, layout: "tp 1, fp8", dtype: .fp8, sweep: [], phases: [])
        #expect(abs(fp8.ridgePoint / device.ridgePoint - 2) < 1e-3)
    }

    @Test func prefillSitsRightOfTheRidgeAndSmallDecodeLeftOfIt() throws {
        let report = try Fixtures.servingComparison()
        let table = try #require(report.tables.first { $0.id == "prefill-decode" })
        let h100Rows = table.rows.filter { if case .text("h100-sxm5-80gb") = $0[0] { return true } else { return false } }
        #expect(h100Rows.count == 3)
        func number(_ cell: DataTable.Cell) -> Double { if case .number(let v) = cell { return v } else { return .nan } }
        let intensity = table.columns.firstIndex { $0.key == "intensity_flop_per_byte" }!,
            ridge = table.columns.firstIndex { $0.key == "ridge_point_flop_per_byte" }!
        #expect(number(h100Rows[0][intensity]) > number(h100Rows[0][ridge]))
        #expect(number(h100Rows[1][intensity]) < number(h100Rows[1][ridge]))
        // Each device gets its own roofline with the passes as points.
        #expect(report.charts.contains { $0.id == "roofline-h100-sxm5-80gb" } && report.charts.contains { $0.id == "roofline-test-cpu" })
    }

    @Test func pointsALogAxisCannotShowAreLeftOut() {
        let chart = CurveChart(
            id: "c", title: "t",
            series: [.init(name: "a", points: [(x: 0, y: 1, label: "zero"), (x: 1, y: 2, label: "one"), (x: 2, y: 3, label: "two")])],
            xTitle: "x", yTitle: "y")
        #expect(chart.svg.components(separatedBy: "class=\"point\"").count - 1 == 2)
        #expect(chart.xAxis.domain.lowerBound > 0)
    }

    /// What `ridgeline serve --json` writes (`ServeRecord`): Llama 3.1 8B on an H100 at 2 requests/s.
    static func serveRecord() throws -> ServeRecord {
        guard case .transformer(let model) = try shippedProfiles.model("llama3.1-8b") else {
            throw RidgelineError.missingField(file: nil, field: "llama3.1-8b")
        }
        let config = ServingConfig(model: model, profile: try Fixtures.h100(), inputTokens: 1000, outputTokens: 200)
        return ServeRecord(try ServingPredictor(config).estimate(.rate(2)))
    }

    @Test func serveJSONBecomesTheServingPage() throws {
        let record = try Self.serveRecord()
        let text = try RecordCoding.json(record)
        let path = try Fixtures.file("serve.json", text)
        let file = try ServingFile.load(path: path)
        let decode = try #require(record.decode)
        #expect(file.point.concurrency == Int(record.batch.rounded(.up)) && file.decode.label == "decode step, batch \(decode.tokens)")
        #expect(file.prefill.seconds == record.prefill?.timeS && file.point.ttft == record.ttftS && file.inputTokens == 1000)
        let report = try file.report(profile: try Fixtures.h100(), file: path, provenance: Fixtures.provenance([try Fixtures.h100()]))
        let phases = try #require(report.tables.first { $0.id == "prefill-decode" })
        #expect(phases.rows.count == 2)
        // A file without its decode pass, or with a field of the wrong type, is refused by name.
        let broken = try Fixtures.file("broken.json", text.replacingOccurrences(of: "\"decode\"", with: "\"decoding\""))
        let missing = ReportInputErrorTests.message { _ = try ServingFile.load(path: broken) }
        #expect(missing == "\(broken): missing required field 'decode'", "\(missing)")
        let wrong = try Fixtures.file("wrong.json", text.replacingOccurrences(of: "\"ttft_s\" : ", with: "\"ttft_s\" : \"soon\", \"x\" : "))
        let w = ReportInputErrorTests.message { _ = try ServingFile.load(path: wrong) }
        #expect(w.contains(wrong) && w.contains("'ttft_s'") && w.contains("soon"), "\(w)")
    }
}
