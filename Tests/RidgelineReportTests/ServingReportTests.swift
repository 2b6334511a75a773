import Foundation
import Ridgeline
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

    static let serveJSON = """
        {"model": "Llama 3.1 8B", "hardware": "h100-sxm5-80gb", "precision": "bf16", "kv_precision": "bf16", "gpus": 1, "tp": 1, "pp": 1, "ep": 1,
         "input_tokens": 1000, "output_tokens": 200, "ttft_s": 0.08, "tpot_s": 0.009, "e2e_latency_s": 1.9, "output_tokens_per_s": 400,
         "output_tokens_per_s_per_gpu": 400, "requests_per_s": 2, "batch": 3.6, "max_concurrency": 400,
         "prefill": {"time_s": 0.07, "compute_s": 0.05, "memory_s": 0.03, "communication_s": 0, "overhead_s": 0.001, "flops": 1.6e13, "bytes": 2e10, "bound": "compute", "tokens": 1000},
         "decode": {"time_s": 0.008, "compute_s": 0.001, "memory_s": 0.007, "communication_s": 0, "overhead_s": 0.0007, "flops": 6e10, "bytes": 1.7e10, "bound": "memory", "tokens": 4}}
        """

    @Test func serveJSONBecomesTheServingPage() throws {
        let path = try Fixtures.file("serve.json", Self.serveJSON)
        let file = try ServingFile.load(path: path)
        #expect(file.point.concurrency == 4 && file.decode.label == "decode step, batch 4")
        let report = try file.report(profile: try Fixtures.h100(), file: path, provenance: Fixtures.provenance([try Fixtures.h100()]))
        let phases = try #require(report.tables.first { $0.id == "prefill-decode" })
        #expect(phases.rows.count == 2)
        // A file without its decode pass is refused by name.
        let broken = try Fixtures.file("broken.json", Self.serveJSON.replacingOccurrences(of: "\"decode\"", with: "\"decoding\""))
        #expect(throws: (any Error).self) { try ServingFile.load(path: broken) }
        do { _ = try ServingFile.load(path: broken) } catch { #expect("\(error)".contains("decode")) }
    }
}
