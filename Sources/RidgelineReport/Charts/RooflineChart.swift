import Foundation

/// The roofline (Williams, Waterman & Patterson, CACM 2009), log-log: attainable FLOP/s against
/// arithmetic intensity. A compute ceiling is a horizontal line at a dtype's peak; a memory
/// ceiling is the diagonal rate = bandwidth × intensity of one memory level (the hierarchical
/// roofline of Ilic et al., 2014). Kernels are points: filled when measured, hollow when predicted.
public struct RooflineChart: Sendable {
    public struct Ceiling: Sendable {
        public enum Kind: Sendable, Equatable {
            /// A peak in FLOP/s.
            case compute(Double)
            /// A bandwidth in bytes/s.
            case memory(Double)
        }
        public var kind: Kind
        public var label: String
        /// Ceilings of one device share a group: diagonals stop at the group's highest peak and
        /// horizontals start at the group's fastest diagonal, which draws the nested roofs.
        public var group: Int
        public var style: SeriesStyle
        public init(_ kind: Kind, label: String, group: Int, style: SeriesStyle) {
            self.kind = kind; self.label = label; self.group = group; self.style = style
        }
    }

    public struct Point: Sendable {
        /// Short tag drawn next to the marker ("3"), matching a table row.
        public var tag: String
        /// Full description, shown as the marker's tooltip.
        public var label: String
        public var intensity: Double
        public var flopsPerSecond: Double
        public var measured: Bool
        public var style: SeriesStyle
        public init(tag: String, label: String, intensity: Double, flopsPerSecond: Double, measured: Bool, style: SeriesStyle) {
            self.tag = tag; self.label = label; self.intensity = intensity; self.flopsPerSecond = flopsPerSecond
            self.measured = measured; self.style = style
        }
    }

    public var id: String
    public var title: String
    public var ceilings: [Ceiling]
    public var points: [Point]
    public var legend: [LegendEntry]
    public var frame = PlotFrame()

    public init(id: String, title: String, ceilings: [Ceiling], points: [Point], legend: [LegendEntry]) {
        self.id = id; self.title = title; self.ceilings = ceilings; self.points = points; self.legend = legend
    }

    /// Points a log axis cannot show (zero FLOPs or zero bytes).
    public var unplottable: [Point] { points.filter { !($0.intensity > 0 && $0.flopsPerSecond > 0) } }
    var plottable: [Point] { points.filter { $0.intensity > 0 && $0.flopsPerSecond > 0 } }

    private var peaks: [Double] { ceilings.compactMap { if case .compute(let p) = $0.kind { return p } else { return nil } } }
    private var bandwidths: [Double] { ceilings.compactMap { if case .memory(let b) = $0.kind { return b } else { return nil } } }

    /// Intensity axis: covers every point and every ridge point (peak / bandwidth), with room on
    /// either side so the knee of each roof is visible.
    public var xAxis: Axis {
        // One decade beyond the rightmost point leaves room for the ceiling labels at the right.
        var values = plottable.map(\.intensity) + plottable.map { $0.intensity * 20 }
        for p in peaks { for b in bandwidths { values += [p / b / 8, p / b * 8] } }
        if values.isEmpty { values = [0.1, 1000] }
        return Axis.logCovering(values, pixels: frame.xPixels, title: "Arithmetic intensity (FLOP/byte)", minimumDecades: 4)
    }

    /// Rate axis: from the lowest point or the slowest diagonal at the left edge up to the
    /// highest peak.
    public var yAxis: Axis {
        let x = xAxis
        var values = plottable.map(\.flopsPerSecond) + peaks.map { $0 * 1.5 }
        if let slowest = bandwidths.min() { values.append(slowest * x.domain.lowerBound * 2) }
        if values.isEmpty { values = [1e9, 1e15] }
        return Axis.logCovering(values, pixels: frame.yPixels, title: "Attainable performance (FLOP/s)", minimumDecades: 3)
    }

    /// Moves horizontal-line labels apart vertically (13 px at least) so that ceilings with
    /// close peaks stay readable; diagonal labels are staggered along their lines instead.
    static func separated(_ labels: [(String, Double, Double, Double, String)]) -> [(String, Double, Double, Double, String)] {
        var horizontal = labels.filter { $0.3 == 0 }.sorted { $0.2 < $1.2 }
        for i in horizontal.indices.dropFirst() where horizontal[i].2 - horizontal[i - 1].2 < 13 {
            horizontal[i].2 = horizontal[i - 1].2 + 13
        }
        return horizontal + labels.filter { $0.3 != 0 }
    }

    public var svg: String {
        let x = xAxis, y = yAxis
        var canvas = SVGCanvas(id: id, width: frame.width, height: frame.height(legendEntries: legend.count))
        frame.drawAxes(&canvas, title: title, x: x, y: y)
        canvas.add("<g clip-path=\"url(#\(id)-plot)\" class=\"ceilings\">")
        let xLo = x.domain.lowerBound, xHi = x.domain.upperBound
        var labels: [(String, Double, Double, Double, String)] = []
        var memoryIndex = 0
        for c in ceilings {
            let groupPeaks = ceilings.filter { $0.group == c.group }.compactMap {
                if case .compute(let p) = $0.kind { return p } else { return nil }
            }
            let groupBandwidths = ceilings.filter { $0.group == c.group }.compactMap {
                if case .memory(let b) = $0.kind { return b } else { return nil }
            }
            switch c.kind {
            case .compute(let peak):
                let start = groupBandwidths.max().map { max(xLo, peak / $0) } ?? xLo
                canvas.line(
                    x1: x.position(start), y1: y.position(peak), x2: x.position(xHi), y2: y.position(peak),
                    stroke: c.style.color, width: 2, dash: c.style.dash, extra: "class=\"ceiling compute\"")
                labels.append((c.label, x.position(xHi) - 6, y.position(peak) - 5, 0, "end"))
            case .memory(let bandwidth):
                let end = groupPeaks.max().map { min(xHi, $0 / bandwidth) } ?? xHi
                let x1 = x.position(xLo), y1 = y.position(bandwidth * xLo)
                let x2 = x.position(end), y2 = y.position(bandwidth * end)
                canvas.line(
                    x1: x1, y1: y1, x2: x2, y2: y2, stroke: c.style.color, width: 2, dash: c.style.dash,
                    extra: "class=\"ceiling memory\"")
                // Label along the diagonal where it is inside the plot, rotated to its slope.
                let angle = atan2(y2 - y1, x2 - x1) * 180 / .pi
                let firstVisible = max(x1, x.position(y.domain.lowerBound / bandwidth))
                let t = firstVisible + (x2 - firstVisible) * (0.12 + 0.16 * Double(memoryIndex % 5))
                memoryIndex += 1
                let ty = y1 + (y2 - y1) * (t - x1) / max(1e-9, x2 - x1)
                // Alternate above and below the line, so near-parallel diagonals keep legible labels.
                labels.append((c.label, t, memoryIndex % 2 == 1 ? ty - 6 : ty + 14, angle, "start"))
            }
        }
        canvas.add("</g>")
        labels = Self.separated(labels)
        canvas.add("<g class=\"ceiling-labels\">")
        for (text, lx, ly, angle, anchor) in labels where ly > frame.plotTop + 8 && ly < frame.plotBottom - 4 {
            canvas.add(
                "<text x=\"\(px(lx))\" y=\"\(px(ly))\" font-size=\"11\" text-anchor=\"\(anchor)\" fill=\"#222\" paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\"\(angle != 0 ? " transform=\"rotate(\(px(angle)) \(px(lx)) \(px(ly)))\"" : "")>\(xmlEscape(text))</text>"
            )
        }
        canvas.add("</g>")
        canvas.add("<g class=\"points\">")
        for p in plottable {
            let cx = x.position(p.intensity), cy = y.position(p.flopsPerSecond)
            canvas.add(
                "<g class=\"point\" data-intensity=\"\(p.intensity)\" data-rate=\"\(p.flopsPerSecond)\"><title>\(xmlEscape(p.label))</title>"
                    + markerElement(p.style.marker, x: cx, y: cy, color: p.style.color, filled: p.measured) + "</g>")
            // Past 40 points numbers only clutter; each point keeps its tooltip.
            if plottable.count <= 40 {
                canvas.text(
                    p.tag, x: cx + 7, y: cy - 6, size: 11, weight: "bold",
                    extra: "paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\"")
            }
        }
        canvas.add("</g>")
        if !unplottable.isEmpty {
            let tags = unplottable.map(\.tag).filter { !$0.isEmpty }
            canvas.text(
                tags.count <= 12
                    ? "not on a log axis (0 FLOPs): " + tags.joined(separator: ", ")
                    : "\(tags.count) kernels with 0 FLOPs are not on the log axes",
                x: frame.plotLeft + 6, y: frame.plotBottom - 8, size: 11, fill: "#555")
        }
        frame.drawLegend(&canvas, legend)
        return canvas.render(title: title)
    }
}
