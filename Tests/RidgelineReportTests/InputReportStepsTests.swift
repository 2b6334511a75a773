import Foundation
import Ridgeline
import Testing

@testable import RidgelineReport

/// The steps the ceilings and plan reports are built from, each on the case it exists for.
@Suite struct InputReportStepsTests {
    static func host(_ edit: (inout HostReport) -> Void = { _ in }) throws -> HostCeilings {
        var report = try RecordCoding.decode(HostReport.self, from: try Fixtures.detectJSON(), file: "d.json")
        edit(&report)
        return try HostCeilings(report, file: "d.json")
    }

    @Test func ceilingsKeyFiguresJudgeFP32AndTheRidgePoint() throws {
        let host = try Self.host()
        let figures = CeilingsReport.keyFigures(host, dtypes: [.fp64, .fp32])
        #expect(
            figures.map(\.0) == [
                "CPU", "cores", "measured clock, all cores", "nominal clock (the peaks' basis)", "fp32 peak measured ÷ nominal",
                "measured fp32 ridge point",
            ])
        #expect(figures[1].1 == "8 (16 threads)")
        // 690 GFLOP/s over 39 GB/s of DRAM.
        #expect(figures.last?.1 == "17.7 FLOP/B")
    }

    /// Without a nominal fp32 peak the fraction is the first dtype that has both; without a DRAM
    /// bandwidth there is no ridge point to state.
    @Test func ceilingsKeyFiguresFallBackWhenFP32OrDRAMIsMissing() throws {
        let host = try Self.host {
            $0.nominal?.peakFlopsPerS = ["fp64": 384e9]
            $0.bandwidthBytesPerS = ["l1": 1.3e12]
        }
        let labels = CeilingsReport.keyFigures(host, dtypes: [.fp64, .fp32]).map(\.0)
        #expect(labels.contains("fp64 peak measured ÷ nominal"))
        #expect(!labels.contains("measured fp32 ridge point"))
    }

    @Test func ceilingsMemorySectionOrdersLevelsAndIsLeftOutWithoutBandwidth() throws {
        let section = try #require(CeilingsReport.memorySection(try Self.host(), profile: Fixtures.cpu))
        let table = try #require(section.items.compactMap { if case .table(let t) = $0 { t } else { nil } }.first)
        #expect(table.rows.map { $0[0] } == [.text("l1"), .text("l2"), .text("dram")])
        #expect(CeilingsReport.memorySection(try Self.host { $0.bandwidthBytesPerS = nil }, profile: nil) == nil)
    }

    @Test func computeTableLeavesWhatIsNotKnownEmpty() throws {
        let host = try Self.host { $0.nominal?.peakFlopsPerS = ["fp64": 384e9] }
        let table = CeilingsReport.computeTable(host, dtypes: [.fp64, .fp32], profile: nil)
        let fp32 = try #require(table.rows.first { $0[0] == .text("fp32") })
        #expect(fp32[2] == .empty && fp32[3] == .empty && fp32[4] == .empty)
    }

    static func plan() throws -> PlanFile { try PlanFile.load(path: try Fixtures.file("p.json", Fixtures.planJSON)) }

    /// The fixture's Pareto front repeats two ranked rows: the chart shows each configuration once.
    @Test func planChartShowsEveryConfigurationOnce() throws {
        let plan = try Self.plan()
        #expect(CapacityPlanReport.allConfigurations(plan).count == 3)
        let chart = try #require(CapacityPlanReport.paretoChart(plan))
        #expect(chart.data.rows.count == 3)
    }

    @Test func planWithoutCostsHasNoParetoChartButItsTable() throws {
        var plan = try Self.plan()
        for i in plan.best.indices { plan.best[i].costUSD = nil }
        for i in plan.pareto.indices { plan.pareto[i].costUSD = nil }
        #expect(CapacityPlanReport.paretoChart(plan) == nil)
        let report = CapacityPlanReport.build(plan, file: "p.json", provenance: Fixtures.provenance([]))
        #expect(report.charts.map(\.id) == ["breakdown"])
        #expect(report.tables.map(\.id) == ["configurations"])
    }

    @Test func planTableLeavesAnUncheckedConstraintEmpty() throws {
        #expect(CapacityPlanReport.yesNo(nil) == .empty)
        #expect(CapacityPlanReport.yesNo(true) == .text("yes"))
        let table = CapacityPlanReport.rankedTable(try Self.plan())
        #expect(table.rows.map { $0[0] } == [.number(1), .number(2), .number(3)])
    }
}
