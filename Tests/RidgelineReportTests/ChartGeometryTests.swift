import Foundation
import Ridgeline
import Testing

@testable import RidgelineReport

@Suite struct AxisTests {
    @Test func logAxisPlacesDecadesEvenly() {
        let axis = Axis(scale: .log10, domain: 1...10_000, pixels: (100, 500), title: "x")
        #expect(axis.position(1) == 100)
        #expect(axis.position(10_000) == 500)
        #expect(abs(axis.position(100) - 300) < 1e-9)
        #expect(abs(axis.position(10) - 200) < 1e-9)
        #expect(abs(axis.value(at: axis.position(3.7)) - 3.7) < 1e-9)
        #expect(axis.ticks == [1, 10, 100, 1000, 10_000])
        #expect(axis.ticks.map(axis.label) == ["1", "10", "100", "1k", "10k"])
    }

    @Test func yAxisRunsBottomToTop() {
        let axis = Axis(scale: .log10, domain: 1e9...1e15, pixels: (400, 40), title: "FLOP/s")
        #expect(axis.position(1e9) == 400)
        #expect(axis.position(1e15) == 40)
        #expect(abs(axis.position(1e12) - 220) < 1e-9)
        #expect(axis.ticks.map(axis.label) == ["1G", "10G", "100G", "1T", "10T", "100T", "1P"])
    }

    @Test func linearAxisTicksAreRound() {
        let axis = Axis.linearCovering([0.31, 0.9], pixels: (0, 100), title: "s")
        #expect(axis.domain == 0...1)
        #expect(axis.ticks.map(axis.label) == ["0", "200m", "400m", "600m", "800m", "1"])
        #expect(abs(axis.position(0.25) - 25) < 1e-9)
    }

    @Test func logCoveringSpansWholeDecades() {
        let axis = Axis.logCovering([0.3, 4200], pixels: (0, 1), title: "x")
        #expect(axis.domain == 0.1...10_000)
    }

    @Test func narrowLogAxesGetIntermediateTicks() {
        let axis = Axis(scale: .log10, domain: 10_000...100_000, pixels: (0, 1), title: "x")
        #expect(axis.ticks.map(axis.label) == ["10k", "20k", "50k", "100k"])
    }

    @Test func siLabels() {
        #expect(SI.format(1) == "1")
        #expect(SI.format(100) == "100")
        #expect(SI.format(1000) == "1k")
        #expect(SI.format(999.99) == "1k")
        #expect(SI.format(1e6) == "1M")
        #expect(SI.format(2.5e12) == "2.5T")
        #expect(SI.format(989.4e12) == "989T")
        #expect(SI.format(1e-3) == "1m")
        #expect(SI.format(2e-6) == "2µ")
        #expect(SI.format(0) == "0")
        #expect(SI.format(-1500) == "-1.5k")
    }
}

@Suite struct ChartTests {
    /// The first element of `tag` (e.g. `<circle`) inside `svg`, as its attributes.
    static func attributes(of tag: String, in svg: String, after marker: String = "") -> [String: Double] {
        var text = Substring(svg)
        if !marker.isEmpty, let r = text.range(of: marker) { text = text[r.upperBound...] }
        guard let start = text.range(of: "<" + tag + " ") else { return [:] }
        let element = text[start.upperBound...].prefix { $0 != ">" }
        var result: [String: Double] = [:]
        let regex = try! NSRegularExpression(pattern: "([a-z0-9-]+)=\"([-0-9.e]+)\"")
        let s = String(element)
        for m in regex.matches(in: s, range: NSRange(s.startIndex..., in: s)) {
            let key = String(s[Range(m.range(at: 1), in: s)!]), value = Double(s[Range(m.range(at: 2), in: s)!])
            if let value { result[key] = value }
        }
        return result
    }

    @Test func rooflinePointLandsWhereTheAxesSay() {
        let style = SeriesStyle(color: "#000", dash: nil, marker: .circle, hatch: .none)
        let chart = RooflineChart(
            id: "r", title: "t",
            ceilings: [
                .init(.compute(1e12), label: "peak", group: 0, style: style),
                .init(.memory(1e11), label: "dram", group: 0, style: style),
            ],
            points: [.init(tag: "1", label: "k", intensity: 3.0, flopsPerSecond: 2.5e11, measured: true, style: style)],
            legend: [])
        let svg = chart.svg
        let circle = Self.attributes(of: "circle", in: svg, after: "class=\"point\"")
        #expect(abs(circle["cx"]! - chart.xAxis.position(3.0)) <= 0.05)
        #expect(abs(circle["cy"]! - chart.yAxis.position(2.5e11)) <= 0.05)
        // And back: the pixel reads as the data on the axes.
        #expect(abs(chart.xAxis.value(at: circle["cx"]!) / 3.0 - 1) < 1e-3)
        #expect(abs(chart.yAxis.value(at: circle["cy"]!) / 2.5e11 - 1) < 1e-3)
    }

    @Test func rooflineCeilingsMeetAtTheRidgePoint() {
        let style = SeriesStyle(color: "#000", dash: nil, marker: .circle, hatch: .none)
        let chart = RooflineChart(
            id: "r", title: "t",
            ceilings: [
                .init(.compute(1e12), label: "peak", group: 0, style: style),
                .init(.memory(1e11), label: "dram", group: 0, style: style),
            ],
            points: [], legend: [])
        let svg = chart.svg
        let compute = Self.attributes(of: "line", in: svg, after: "class=\"ceilings\"")
        #expect(abs(compute["y1"]! - chart.yAxis.position(1e12)) <= 0.05)
        // The horizontal starts at the ridge point: peak / bandwidth = 10 FLOP/byte.
        #expect(abs(compute["x1"]! - chart.xAxis.position(10)) <= 0.05)
        let memory = Self.attributes(of: "line", in: svg, after: "class=\"ceiling compute\"/>")
        // Every point on the diagonal reads rate = bandwidth × intensity.
        for (xk, yk) in [("x1", "y1"), ("x2", "y2")] {
            let intensity = chart.xAxis.value(at: memory[xk]!), rate = chart.yAxis.value(at: memory[yk]!)
            #expect(abs(rate / (1e11 * intensity) - 1) < 2e-3)
        }
        #expect(abs(chart.xAxis.value(at: memory["x2"]!) / 10 - 1) < 2e-3)
    }

    @Test func accuracyBandsAreTenAndTwentyFivePercent() {
        let chart = AccuracyChart(
            id: "a", title: "t",
            points: [
                .init(tag: "1", label: "k", measured: 1e-3, predicted: 1.2e-3, style: Palette.style(0))
            ], legend: [])
        let svg = chart.svg
        #expect(svg.contains("data-fraction=\"0.1\"") && svg.contains("data-fraction=\"0.25\""))
        let circle = Self.attributes(of: "circle", in: svg, after: "class=\"point\"")
        #expect(abs(chart.xAxis.value(at: circle["cx"]!) / 1e-3 - 1) < 1e-3)
        #expect(abs(chart.yAxis.value(at: circle["cy"]!) / 1.2e-3 - 1) < 1e-3)
    }

    @Test func stackedBarSegmentsAddUpToTheTotal() {
        let chart = StackedBarChart(
            id: "s", title: "t", categories: ["a"], components: ["x", "y"], values: [[0.2, 0.3]],
            valueTitle: "Step time (s)", normalized: false)
        let svg = chart.svg
        let regex = try! NSRegularExpression(
            pattern:
                "<g class=\"segment\"><title>[^<]*</title><rect x=\"[-0-9.]+\" y=\"([-0-9.]+)\" width=\"[-0-9.]+\" height=\"([-0-9.]+)\"")
        let matches = regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg))
        #expect(matches.count == 2)
        let heights = matches.map { Double(svg[Range($0.range(at: 2), in: svg)!])! }
        let top = matches.map { Double(svg[Range($0.range(at: 1), in: svg)!])! }.min()!
        let y = chart.yAxis
        #expect(abs(heights.reduce(0, +) - (y.position(0) - y.position(0.5))) < 0.2)
        #expect(abs(top - y.position(0.5)) < 0.1)
    }

    @Test func paretoFrontKeepsOnlyUndominatedPoints() {
        let points: [(seconds: Double, cost: Double)] = [(10, 100), (20, 50), (15, 120), (30, 50), (40, 10)]
        #expect(ParetoChart.front(points) == [0, 1, 4])
    }

    @Test func paretoPointsLandInDaysAndCostOnTheirAxes() {
        let points = [
            ParetoChart.Point(tag: "1", label: "a", seconds: 3 * 86400, cost: 130_000, group: 0),
            ParetoChart.Point(tag: "2", label: "b", seconds: 30 * 86400, cost: 118_000, group: 0),
        ]
        var chart = ParetoChart(id: "p", title: "t", points: points, groups: ["h100"])
        chart.deadlineDays = 10
        // Costs within 20× of each other: a linear axis; times spanning 10×: still linear here.
        #expect(chart.yAxis.scale == .linear && chart.yAxis.contains(118_000) && chart.yAxis.contains(130_000))
        let svg = chart.svg
        let first = Self.attributes(of: "circle", in: svg, after: "class=\"point front\"")
        #expect(abs(chart.xAxis.value(at: first["cx"]!) - 3) < 0.01)
        #expect(abs(chart.yAxis.value(at: first["cy"]!) - 130_000) < 100)
        let deadline = Self.attributes(of: "line", in: svg, after: "class=\"pareto-front\"/>")
        #expect(abs(deadline["x1"]! - chart.xAxis.position(10)) < 0.1)
        #expect(Axis.covering([1, 1000], pixels: (0, 1), title: "").scale == .log10)
    }

    @Test func paletteStylesDifferBeyondColour() {
        let styles = (0..<8).map(Palette.style)
        #expect(Set(styles.map(\.marker)).count == 8)
        #expect(Set(styles.map { $0.dash ?? "solid" }).count == 8)
        #expect(Set(styles.map(\.color)).count == 8)
        #expect(Set(styles.map(\.hatch)).count == 8)
    }

    @Test func textIsEscaped() {
        #expect(xmlEscape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;")
        let chart = GroupedBarChart(
            id: "g", title: "<script>&", groups: ["x&y"], series: ["<s>"], values: [[1]], valueTitle: "v", logScale: false)
        #expect(!chart.svg.contains("<script>"))
        #expect(chart.svg.contains("&lt;script&gt;&amp;"))
    }
}
