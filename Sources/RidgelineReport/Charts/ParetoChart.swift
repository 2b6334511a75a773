import Foundation

/// Time to train against cost, log-log, every evaluated configuration as a hollow point and the
/// Pareto front (no other configuration is both faster and cheaper) as a connected staircase.
public struct ParetoChart: Sendable {
    public struct Point: Sendable {
        public var tag: String
        public var label: String
        public var seconds: Double
        public var cost: Double
        public var group: Int
        public init(tag: String, label: String, seconds: Double, cost: Double, group: Int) {
            self.tag = tag; self.label = label; self.seconds = seconds; self.cost = cost; self.group = group
        }
    }

    public var id: String
    public var title: String
    public var points: [Point]
    /// Names of the groups (hardware), indexing `Point.group`.
    public var groups: [String]
    public var costTitle: String
    /// Drawn as a vertical line when set.
    public var deadlineDays: Double?
    /// Drawn as a horizontal line when set.
    public var budget: Double?
    public var frame = PlotFrame(width: 900, plotHeight: 440)

    public init(id: String, title: String, points: [Point], groups: [String], costTitle: String = "Cost (USD)") {
        self.id = id; self.title = title; self.points = points; self.groups = groups; self.costTitle = costTitle
    }

    var plottable: [Point] { points.filter { $0.seconds > 0 && $0.cost > 0 } }

    /// Time to train is drawn in days: the unit plans are read in.
    public static let secondsPerDay = 86400.0
    /// The axes include the deadline and the budget, so the reader sees where they fall.
    public var xAxis: Axis {
        Axis.covering(
            plottable.map { $0.seconds / Self.secondsPerDay } + [deadlineDays].compactMap { $0 }, pixels: frame.xPixels,
            title: "Time to train (days)")
    }
    public var yAxis: Axis { Axis.covering(plottable.map(\.cost) + [budget].compactMap { $0 }, pixels: frame.yPixels, title: costTitle) }

    /// Indices of the points no other point beats on both time and cost, fastest first.
    public static func front(_ points: [(seconds: Double, cost: Double)]) -> [Int] {
        let order = points.indices.sorted { (points[$0].seconds, points[$0].cost) < (points[$1].seconds, points[$1].cost) }
        var best = Double.infinity
        var result: [Int] = []
        for i in order where points[i].cost < best {
            best = points[i].cost
            result.append(i)
        }
        return result
    }

    public var svg: String {
        let x = xAxis, y = yAxis
        let shown = plottable
        let front = Self.front(shown.map { ($0.seconds, $0.cost) })
        let usedGroups = Array(Set(shown.map(\.group))).sorted()
        var legend = usedGroups.map {
            LegendEntry($0 < groups.count ? groups[$0] : "group \($0)", .marker(Palette.style($0), filled: false))
        }
        legend.append(LegendEntry("Pareto front", .line(SeriesStyle(color: "#000", dash: nil, marker: .circle, hatch: .none))))
        var canvas = SVGCanvas(id: id, width: frame.width, height: frame.height(legendEntries: legend.count))
        frame.drawAxes(&canvas, title: title, x: x, y: y)
        canvas.add("<g class=\"points\">")
        for (i, p) in shown.enumerated() where !front.contains(i) {
            let s = Palette.style(p.group)
            canvas.add(
                "<g class=\"point\"><title>\(xmlEscape(p.label))</title>"
                    + markerElement(
                        s.marker, x: x.position(p.seconds / Self.secondsPerDay), y: y.position(p.cost), size: 4, color: s.color,
                        filled: false) + "</g>")
        }
        // Staircase: from each front point go right, then down to the next.
        var stairs: [(Double, Double)] = []
        for (k, i) in front.enumerated() {
            let p = shown[i]
            if k > 0 { stairs.append((x.position(p.seconds / Self.secondsPerDay), stairs.last!.1)) }
            stairs.append((x.position(p.seconds / Self.secondsPerDay), y.position(p.cost)))
        }
        canvas.polyline(stairs, stroke: "#000", width: 1.8, extra: "class=\"pareto-front\"")
        if let deadlineDays, x.contains(deadlineDays) {
            let p = x.position(deadlineDays)
            canvas.line(
                x1: p, y1: frame.plotTop, x2: p, y2: frame.plotBottom, stroke: "#D55E00", width: 1.5, dash: "6 3",
                extra: "class=\"deadline\"")
            canvas.text(
                "deadline \(SI.trimmed(deadlineDays, digits: 3)) days", x: p - 4, y: frame.plotTop + 14, size: 11, anchor: "end",
                fill: "#D55E00")
        }
        if let budget, y.contains(budget) {
            let p = y.position(budget)
            canvas.line(
                x1: frame.plotLeft, y1: p, x2: frame.plotRight, y2: p, stroke: "#D55E00", width: 1.5, dash: "2 3", extra: "class=\"budget\""
            )
            canvas.text(
                "budget $\(SI.format(budget, digits: 3))", x: frame.plotRight - 4, y: p - 5, size: 11, anchor: "end", fill: "#D55E00")
        }
        for i in front {
            let p = shown[i]
            let s = Palette.style(p.group)
            let cx = x.position(p.seconds / Self.secondsPerDay), cy = y.position(p.cost)
            canvas.add(
                "<g class=\"point front\"><title>\(xmlEscape(p.label))</title>"
                    + markerElement(s.marker, x: cx, y: cy, size: 5.5, color: s.color, filled: true) + "</g>")
            if !p.tag.isEmpty {
                canvas.text(
                    p.tag, x: cx + 8, y: cy - 7, size: 11, weight: "bold",
                    extra: "paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\"")
            }
        }
        canvas.add("</g>")
        frame.drawLegend(&canvas, legend)
        return canvas.render(title: title)
    }
}
