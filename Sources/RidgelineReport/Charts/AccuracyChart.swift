import Foundation

/// Predicted against measured time, log-log, with the y = x line and shaded bands where the
/// prediction is within ±10% and ±25% of the measurement: the picture of a model's error.
public struct AccuracyChart: Sendable {
    public struct Point: Sendable {
        public var tag: String
        public var label: String
        public var measured: Double
        public var predicted: Double
        public var style: SeriesStyle
        public init(tag: String, label: String, measured: Double, predicted: Double, style: SeriesStyle) {
            self.tag = tag; self.label = label; self.measured = measured; self.predicted = predicted; self.style = style
        }
    }

    public var id: String
    public var title: String
    public var points: [Point]
    public var legend: [LegendEntry]
    public var frame = PlotFrame(width: 900, plotHeight: 520)

    public init(id: String, title: String, points: [Point], legend: [LegendEntry]) {
        self.id = id; self.title = title; self.points = points; self.legend = legend
    }

    var plottable: [Point] { points.filter { $0.measured > 0 && $0.predicted > 0 } }

    /// Both axes share one domain so that y = x is the diagonal of the square.
    var domain: [Double] { plottable.flatMap { [$0.measured, $0.predicted] } }
    public var xAxis: Axis { Axis.logCovering(domain, pixels: frame.xPixels, title: "Measured time (s)") }
    public var yAxis: Axis { Axis.logCovering(domain, pixels: frame.yPixels, title: "Predicted time (s)") }

    static let bandEntries = [
        LegendEntry("within ±10%", .band(fill: "#bdbdbd")), LegendEntry("within ±25%", .band(fill: "#e6e6e6")),
        LegendEntry("prediction = measurement", .line(SeriesStyle(color: "#333", dash: "5 3", marker: .circle, hatch: .none))),
    ]

    public var svg: String {
        let x = xAxis, y = yAxis
        let entries = Self.bandEntries + legend
        var canvas = SVGCanvas(id: id, width: frame.width, height: frame.height(legendEntries: entries.count))
        frame.drawAxes(&canvas, title: title, x: x, y: y)
        let lo = x.domain.lowerBound, hi = x.domain.upperBound
        canvas.add("<g clip-path=\"url(#\(id)-plot)\" class=\"bands\">")
        for (fraction, fill) in [(0.25, "#e6e6e6"), (0.10, "#bdbdbd")] {
            let band = [(lo, lo * (1 + fraction)), (hi, hi * (1 + fraction)), (hi, hi * (1 - fraction)), (lo, lo * (1 - fraction))]
            canvas.polygon(
                band.map { (x.position($0.0), y.position($0.1)) }, fill: fill, extra: "class=\"band\" data-fraction=\"\(fraction)\"")
        }
        canvas.line(x1: x.position(lo), y1: y.position(lo), x2: x.position(hi), y2: y.position(hi), stroke: "#333", width: 1.2, dash: "5 3")
        canvas.add("</g>")
        canvas.add("<g class=\"points\">")
        for p in plottable {
            let cx = x.position(p.measured), cy = y.position(p.predicted)
            canvas.add(
                "<g class=\"point\"><title>\(xmlEscape(p.label))</title>"
                    + markerElement(p.style.marker, x: cx, y: cy, color: p.style.color, filled: true) + "</g>")
            if plottable.count <= 40 {
                canvas.text(
                    p.tag, x: cx + 7, y: cy - 6, size: 11, weight: "bold",
                    extra: "paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\"")
            }
        }
        canvas.add("</g>")
        frame.drawLegend(&canvas, entries)
        return canvas.render(title: title)
    }
}
