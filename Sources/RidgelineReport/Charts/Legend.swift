/// A legend entry: the sample drawn next to the label shows exactly how the series is drawn.
public struct LegendEntry: Sendable {
    public enum Sample: Sendable {
        case line(SeriesStyle)
        case marker(SeriesStyle, filled: Bool)
        case lineAndMarker(SeriesStyle)
        case swatch(SeriesStyle)
        case band(fill: String)
    }
    public var label: String
    public var sample: Sample

    public init(_ label: String, _ sample: Sample) { self.label = label; self.sample = sample }
}

/// Draws legend entries in rows under the plot, as many columns as fit in `width`.
struct Legend {
    static let rowHeight = 20.0
    static let columnWidth = 215.0

    static func height(entries: Int, width: Double) -> Double {
        guard entries > 0 else { return 0 }
        let columns = max(1, Int(width / columnWidth))
        return Double((entries + columns - 1) / columns) * rowHeight + 8
    }

    static func draw(
        _ entries: [LegendEntry], into canvas: inout SVGCanvas, x: Double, y: Double, width: Double,
        patternPrefix: String
    ) {
        let columns = max(1, Int(width / columnWidth))
        canvas.add("<g class=\"legend\">")
        for (index, entry) in entries.enumerated() {
            let cx = x + Double(index % columns) * columnWidth
            let cy = y + Double(index / columns) * rowHeight + 10
            switch entry.sample {
            case .line(let s):
                canvas.line(x1: cx, y1: cy, x2: cx + 28, y2: cy, stroke: s.color, width: 2.2, dash: s.dash)
            case .marker(let s, let filled):
                canvas.add(markerElement(s.marker, x: cx + 14, y: cy, color: s.color, filled: filled))
            case .lineAndMarker(let s):
                canvas.line(x1: cx, y1: cy, x2: cx + 28, y2: cy, stroke: s.color, width: 2.2, dash: s.dash)
                canvas.add(markerElement(s.marker, x: cx + 14, y: cy, color: s.color, filled: true))
            case .swatch(let s):
                canvas.rect(x: cx + 4, y: cy - 7, width: 20, height: 14, fill: s.color, stroke: "#333")
                if s.hatch != .none {
                    canvas.rect(x: cx + 4, y: cy - 7, width: 20, height: 14, fill: "url(#\(patternPrefix)-\(s.hatch.rawValue))")
                }
            case .band(let fill):
                canvas.rect(x: cx + 2, y: cy - 7, width: 24, height: 14, fill: fill, stroke: "#999")
            }
            canvas.text(truncate(entry.label, 30), x: cx + 34, y: cy + 4, size: 12)
        }
        canvas.add("</g>")
    }

    static func truncate(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}
