import Foundation

/// Lines through points, one series per device, on log-log axes: the serving chart people draw,
/// throughput per device against latency as the load grows (each point one batch or concurrency).
public struct CurveChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        /// (x, y, label): the label is the point's tooltip and its tag when `tagged`.
        public var points: [(x: Double, y: Double, label: String)]
        public init(name: String, points: [(x: Double, y: Double, label: String)]) { self.name = name; self.points = points }
    }

    public var id: String
    public var title: String
    public var series: [Series]
    public var xTitle: String
    public var yTitle: String
    public var frame = PlotFrame()

    public init(id: String, title: String, series: [Series], xTitle: String, yTitle: String) {
        self.id = id; self.title = title; self.series = series; self.xTitle = xTitle; self.yTitle = yTitle
    }

    /// Points a log axis can show.
    func plottable(_ s: Series) -> [(x: Double, y: Double, label: String)] {
        s.points.filter { $0.x > 0 && $0.y > 0 && $0.x.isFinite && $0.y.isFinite }
    }

    public var xAxis: Axis {
        Axis.logCovering(series.flatMap { plottable($0).map(\.x) }, pixels: frame.xPixels, title: xTitle, minimumDecades: 1)
    }
    public var yAxis: Axis {
        Axis.logCovering(series.flatMap { plottable($0).map(\.y) }, pixels: frame.yPixels, title: yTitle, minimumDecades: 1)
    }

    public var svg: String {
        let x = xAxis, y = yAxis
        let legend = series.indices.map { LegendEntry(series[$0].name, .lineAndMarker(Palette.style($0))) }
        var canvas = SVGCanvas(id: id, width: frame.width, height: frame.height(legendEntries: legend.count))
        frame.drawAxes(&canvas, title: title, x: x, y: y)
        canvas.add("<g class=\"series\" clip-path=\"url(#\(id)-plot)\">")
        for (i, s) in series.enumerated() {
            let style = Palette.style(i)
            let shown = plottable(s)
            canvas.polyline(
                shown.map { (x.position($0.x), y.position($0.y)) }, stroke: style.color, width: 2, dash: style.dash,
                extra: "class=\"curve\"")
            for p in shown {
                canvas.add(
                    "<g class=\"point\"><title>\(xmlEscape("\(s.name): \(p.label)"))</title>"
                        + markerElement(style.marker, x: x.position(p.x), y: y.position(p.y), size: 4.5, color: style.color, filled: true)
                        + "</g>")
            }
        }
        canvas.add("</g>")
        frame.drawLegend(&canvas, legend)
        return canvas.render(title: title)
    }
}
