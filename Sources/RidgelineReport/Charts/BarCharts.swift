import Foundation

/// Stacked bars: one bar per category (a device, a configuration), one segment per component
/// (the parts of a training step). `normalized` draws every bar as 100% with its total written
/// on top, for categories whose totals differ by orders of magnitude (a CPU and a GPU).
public struct StackedBarChart: Sendable {
    public var id: String
    public var title: String
    public var categories: [String]
    public var components: [String]
    /// values[category][component], in the unit of `valueTitle`.
    public var values: [[Double]]
    public var valueTitle: String
    /// Draw each bar as 100% (shares), its total written on top.
    public var normalized: Bool
    public var frame = PlotFrame(width: 900, plotHeight: 400)

    public init(
        id: String, title: String, categories: [String], components: [String], values: [[Double]],
        valueTitle: String, normalized: Bool
    ) {
        self.id = id; self.title = title; self.categories = categories; self.components = components
        self.values = values; self.valueTitle = valueTitle; self.normalized = normalized
    }

    public var totals: [Double] { values.map { $0.reduce(0, +) } }

    public var yAxis: Axis {
        if normalized { return Axis(scale: .linear, domain: 0...100, pixels: frame.yPixels, title: "Share of step time (%)") }
        return Axis.linearCovering(totals, pixels: frame.yPixels, title: valueTitle)
    }

    /// Left and right pixel of the bar of category `index`.
    public func barSpan(_ index: Int) -> (Double, Double) {
        let slot = frame.plotWidth / Double(max(1, categories.count))
        let width = min(110, slot * 0.6)
        let centre = frame.plotLeft + slot * (Double(index) + 0.5)
        return (centre - width / 2, centre + width / 2)
    }

    public var svg: String {
        let y = yAxis
        let legend = components.enumerated().map { LegendEntry($1, .swatch(Palette.style($0))) }
        var canvas = SVGCanvas(id: id, width: frame.width, height: frame.height(legendEntries: legend.count))
        frame.defineHatches(&canvas)
        frame.drawAxes(&canvas, title: title, x: nil, y: y)
        for (i, category) in categories.enumerated() {
            let (left, right) = barSpan(i)
            let total = totals[i]
            var base = 0.0
            canvas.add("<g class=\"bar\" data-category=\"\(xmlEscape(category))\">")
            for (j, component) in components.enumerated() {
                let raw = j < values[i].count ? values[i][j] : 0
                let v = normalized ? (total > 0 ? raw / total * 100 : 0) : raw
                guard v > 0 else { continue }
                let top = y.position(base + v), bottom = y.position(base)
                let s = Palette.style(j)
                let tip = "<title>\(xmlEscape("\(category) · \(component): \(SI.format(raw, digits: 4))"))</title>"
                canvas.add(
                    "<g class=\"segment\">\(tip)<rect x=\"\(px(left))\" y=\"\(px(top))\" width=\"\(px(right - left))\" height=\"\(px(bottom - top))\" fill=\"\(s.color)\" stroke=\"#222\" stroke-width=\"0.8\"/>"
                        + (s.hatch == .none
                            ? ""
                            : "<rect x=\"\(px(left))\" y=\"\(px(top))\" width=\"\(px(right - left))\" height=\"\(px(bottom - top))\" fill=\"url(#\(id)-\(s.hatch.rawValue))\"/>")
                        + "</g>")
                base += v
            }
            canvas.add("</g>")
            canvas.text(
                normalized ? "total " + SI.format(total, digits: 3) + totalUnit : SI.format(total, digits: 3),
                x: (left + right) / 2, y: y.position(base) - 6, size: 11, anchor: "middle", weight: "bold")
            canvas.text(Legend.truncate(category, 22), x: (left + right) / 2, y: frame.plotBottom + 18, size: 12, anchor: "middle")
        }
        frame.drawLegend(&canvas, legend)
        return canvas.render(title: title)
    }

    /// The unit in `valueTitle`'s parentheses ("Step time (s)" → "s"), for total labels.
    private var totalUnit: String {
        guard let open = valueTitle.lastIndex(of: "("), let close = valueTitle.lastIndex(of: ")"), open < close else { return "" }
        return " " + valueTitle[valueTitle.index(after: open)..<close]
    }
}

/// Grouped bars: for each group (a dtype's peak, a memory level) one bar per series (devices, or
/// "datasheet" and "measured"), on a log or linear axis.
public struct GroupedBarChart: Sendable {
    public var id: String
    public var title: String
    public var groups: [String]
    public var series: [String]
    /// values[group][series]; nil where a series has no value for a group.
    public var values: [[Double?]]
    public var valueTitle: String
    public var logScale: Bool
    public var frame = PlotFrame(width: 900, plotHeight: 380)

    public init(id: String, title: String, groups: [String], series: [String], values: [[Double?]], valueTitle: String, logScale: Bool) {
        self.id = id; self.title = title; self.groups = groups; self.series = series; self.values = values
        self.valueTitle = valueTitle; self.logScale = logScale
    }

    public var yAxis: Axis {
        let all = values.flatMap { $0.compactMap { $0 } }
        if logScale {
            return Axis.logCovering(all.map { $0 } + all.map { $0 * 2 }, pixels: frame.yPixels, title: valueTitle, minimumDecades: 1)
        }
        return Axis.linearCovering(all, pixels: frame.yPixels, title: valueTitle)
    }

    public func barSpan(group: Int, series index: Int) -> (Double, Double) {
        let slot = frame.plotWidth / Double(max(1, groups.count))
        let inner = slot * 0.8
        let width = min(60, inner / Double(max(1, series.count)))
        let start = frame.plotLeft + slot * Double(group) + (slot - width * Double(series.count)) / 2
        return (start + width * Double(index), start + width * Double(index + 1))
    }

    public var svg: String {
        let y = yAxis
        let legend = series.enumerated().map { LegendEntry($1, .swatch(Palette.style($0))) }
        var canvas = SVGCanvas(id: id, width: frame.width, height: frame.height(legendEntries: legend.count))
        frame.defineHatches(&canvas)
        frame.drawAxes(&canvas, title: title, x: nil, y: y)
        let base = logScale ? y.domain.lowerBound : 0
        for (g, group) in groups.enumerated() {
            for (s, name) in series.enumerated() {
                guard s < values[g].count, let v = values[g][s], v > 0 || !logScale else { continue }
                let (left, right) = barSpan(group: g, series: s)
                let top = y.position(v), bottom = y.position(base)
                let style = Palette.style(s)
                canvas.add(
                    "<g class=\"bar\"><title>\(xmlEscape("\(group) · \(name): \(SI.format(v, digits: 4))"))</title>"
                        + "<rect x=\"\(px(left))\" y=\"\(px(top))\" width=\"\(px(right - left))\" height=\"\(px(bottom - top))\" fill=\"\(style.color)\" stroke=\"#222\" stroke-width=\"0.8\"/>"
                        + (style.hatch == .none
                            ? ""
                            : "<rect x=\"\(px(left))\" y=\"\(px(top))\" width=\"\(px(right - left))\" height=\"\(px(bottom - top))\" fill=\"url(#\(id)-\(style.hatch.rawValue))\"/>")
                        + "</g>")
                if right - left >= 22 {
                    canvas.text(SI.format(v, digits: 3), x: (left + right) / 2, y: top - 4, size: 10, anchor: "middle")
                }
            }
            let (l, _) = barSpan(group: g, series: 0), (_, r) = barSpan(group: g, series: max(0, series.count - 1))
            canvas.text(Legend.truncate(group, 24), x: (l + r) / 2, y: frame.plotBottom + 18, size: 12, anchor: "middle")
        }
        frame.drawLegend(&canvas, legend)
        return canvas.render(title: title)
    }
}
