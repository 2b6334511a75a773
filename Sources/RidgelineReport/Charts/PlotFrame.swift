/// The common layout of a chart with two axes: title on top, plot area with grid, ticks and axis
/// titles, legend underneath. Charts compute their axes from a frame and draw inside `plot`.
public struct PlotFrame: Sendable {
    public var width: Double
    public var plotHeight: Double
    public var margin = (left: 84.0, right: 28.0, top: 44.0, bottom: 58.0)

    public init(width: Double = 900, plotHeight: Double = 440) {
        self.width = width; self.plotHeight = plotHeight
    }

    public var plotLeft: Double { margin.left }
    public var plotRight: Double { width - margin.right }
    public var plotTop: Double { margin.top }
    public var plotBottom: Double { margin.top + plotHeight }
    public var plotWidth: Double { plotRight - plotLeft }

    public func height(legendEntries: Int) -> Double {
        plotBottom + margin.bottom + Legend.height(entries: legendEntries, width: plotWidth)
    }

    /// Pixels of the x axis (left to right) and of the y axis (bottom to top).
    public var xPixels: (Double, Double) { (plotLeft, plotRight) }
    public var yPixels: (Double, Double) { (plotBottom, plotTop) }

    /// Draws the title, grid, ticks and axis titles; `x` or `y` nil leaves that axis to the chart.
    func drawAxes(_ canvas: inout SVGCanvas, title: String, x: Axis?, y: Axis?) {
        canvas.text(title, x: width / 2, y: 24, size: 16, anchor: "middle", weight: "bold")
        canvas.define(
            "<clipPath id=\"\(canvas.id)-plot\"><rect x=\"\(px(plotLeft))\" y=\"\(px(plotTop))\" width=\"\(px(plotWidth))\" height=\"\(px(plotHeight))\"/></clipPath>"
        )
        canvas.add("<g class=\"axes\">")
        if let x {
            for tick in x.ticks {
                let p = x.position(tick)
                canvas.line(x1: p, y1: plotTop, x2: p, y2: plotBottom, stroke: "#e3e3e3")
                canvas.line(x1: p, y1: plotBottom, x2: p, y2: plotBottom + 5, stroke: "#333")
                canvas.text(x.label(tick), x: p, y: plotBottom + 19, size: 12, anchor: "middle", extra: "class=\"tick-x\"")
            }
            canvas.text(x.title, x: (plotLeft + plotRight) / 2, y: plotBottom + 42, size: 13, anchor: "middle")
        }
        if let y {
            for tick in y.ticks {
                let p = y.position(tick)
                canvas.line(x1: plotLeft, y1: p, x2: plotRight, y2: p, stroke: "#e3e3e3")
                canvas.line(x1: plotLeft - 5, y1: p, x2: plotLeft, y2: p, stroke: "#333")
                canvas.text(y.label(tick), x: plotLeft - 8, y: p + 4, size: 12, anchor: "end", extra: "class=\"tick-y\"")
            }
            canvas.text(y.title, x: 20, y: (plotTop + plotBottom) / 2, size: 13, anchor: "middle", rotate: -90)
        }
        canvas.rect(x: plotLeft, y: plotTop, width: plotWidth, height: plotHeight, fill: "none", stroke: "#333")
        canvas.add("</g>")
    }

    func drawLegend(_ canvas: inout SVGCanvas, _ entries: [LegendEntry]) {
        Legend.draw(
            entries, into: &canvas, x: plotLeft, y: plotBottom + margin.bottom, width: plotWidth,
            patternPrefix: canvas.id)
    }

    /// Defines one hatch pattern per `Hatch` case under `<chart id>-<hatch>`.
    func defineHatches(_ canvas: inout SVGCanvas) {
        for hatch in Hatch.allCases {
            if let p = hatchPattern(hatch, id: "\(canvas.id)-\(hatch.rawValue)") { canvas.define(p) }
        }
    }
}
