import Foundation

/// Series styles that stay distinct in greyscale and for colour-blind readers: every style
/// differs in colour (Okabe & Ito's colour-blind-safe palette, 2008), marker shape, dash pattern
/// and, for areas, hatching, so no chart relies on colour alone.
public struct SeriesStyle: Sendable, Equatable {
    public var color: String
    /// `stroke-dasharray`, nil for a solid line.
    public var dash: String?
    public var marker: Marker
    public var hatch: Hatch
}

public enum Marker: String, CaseIterable, Sendable {
    case circle, square, triangle, diamond, cross, triangleDown, plus, star
}

public enum Hatch: String, CaseIterable, Sendable {
    case none, diagonal, dots, horizontal, crosshatch, antidiagonal, vertical, grid
}

public enum Palette {
    /// Okabe–Ito, reordered so neighbours differ most in lightness.
    public static let colors = ["#0072B2", "#E69F00", "#000000", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933"]
    static let dashes: [String?] = [nil, "7 4", "2 3", "9 3 2 3", "4 2", "1 4", "12 3 3 3 3 3", "6 2 2 2"]

    /// The style of the `index`-th series; styles repeat only after 64 series, and then with a
    /// different combination of marker and dash.
    public static func style(_ index: Int) -> SeriesStyle {
        let i = max(0, index)
        return SeriesStyle(
            color: colors[i % colors.count], dash: dashes[(i + i / colors.count) % dashes.count],
            marker: Marker.allCases[(i + 2 * (i / colors.count)) % Marker.allCases.count],
            hatch: Hatch.allCases[i % Hatch.allCases.count])
    }
}

/// SVG for one marker centred at (x, y). Filled markers mean "measured", hollow ones "predicted".
func markerElement(
    _ marker: Marker, x: Double, y: Double, size: Double = 5, color: String, filled: Bool,
    extra: String = ""
) -> String {
    let fill = filled ? color : "#ffffff"
    let common = "fill=\"\(fill)\" stroke=\"\(color)\" stroke-width=\"1.6\"\(extra.isEmpty ? "" : " " + extra)"
    let s = size
    func poly(_ points: [(Double, Double)]) -> String {
        "<polygon points=\"\(points.map { "\(px(x + $0.0)),\(px(y + $0.1))" }.joined(separator: " "))\" \(common)/>"
    }
    switch marker {
    case .circle: return "<circle cx=\"\(px(x))\" cy=\"\(px(y))\" r=\"\(px(s))\" \(common)/>"
    case .square:
        return "<rect x=\"\(px(x - s * 0.9))\" y=\"\(px(y - s * 0.9))\" width=\"\(px(s * 1.8))\" height=\"\(px(s * 1.8))\" \(common)/>"
    case .triangle: return poly([(0, -s * 1.15), (s * 1.05, s * 0.75), (-s * 1.05, s * 0.75)])
    case .triangleDown: return poly([(0, s * 1.15), (s * 1.05, -s * 0.75), (-s * 1.05, -s * 0.75)])
    case .diamond: return poly([(0, -s * 1.25), (s * 1.1, 0), (0, s * 1.25), (-s * 1.1, 0)])
    case .star:
        let points = (0..<10).map { k -> (Double, Double) in
            let r = k % 2 == 0 ? s * 1.3 : s * 0.55
            let a = Double(k) * .pi / 5 - .pi / 2
            return (r * cos(a), r * sin(a))
        }
        return poly(points)
    case .cross, .plus:
        // Hollow/filled does not apply to strokes; a filled cross is drawn thicker.
        let w = filled ? 2.6 : 1.4
        let d = marker == .cross ? s * 0.9 : s * 1.2
        let segments = marker == .cross ? [(-d, -d, d, d), (-d, d, d, -d)] : [(-d, 0.0, d, 0.0), (0.0, -d, 0.0, d)]
        let lines = segments.map {
            "<line x1=\"\(px(x + $0.0))\" y1=\"\(px(y + $0.1))\" x2=\"\(px(x + $0.2))\" y2=\"\(px(y + $0.3))\" stroke=\"\(color)\" stroke-width=\"\(w)\"/>"
        }
        return "<g\(extra.isEmpty ? "" : " " + extra)>" + lines.joined() + "</g>"
    }
}

/// A `<pattern>` definition overlaying `hatch` in dark grey; nil for `.none`.
func hatchPattern(_ hatch: Hatch, id: String) -> String? {
    let stroke = "stroke=\"#1a1a1a\" stroke-opacity=\"0.55\" stroke-width=\"1.2\""
    let body: String
    switch hatch {
    case .none: return nil
    case .diagonal: body = "<path d=\"M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4\" \(stroke)/>"
    case .antidiagonal: body = "<path d=\"M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4\" \(stroke)/>"
    case .horizontal: body = "<path d=\"M0,4 h8\" \(stroke)/>"
    case .vertical: body = "<path d=\"M4,0 v8\" \(stroke)/>"
    case .crosshatch: body = "<path d=\"M0,0 l8,8 M8,0 l-8,8\" \(stroke)/>"
    case .grid: body = "<path d=\"M0,4 h8 M4,0 v8\" \(stroke)/>"
    case .dots: body = "<circle cx=\"4\" cy=\"4\" r=\"1.5\" fill=\"#1a1a1a\" fill-opacity=\"0.6\"/>"
    }
    return "<pattern id=\"\(xmlEscape(id))\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">\(body)</pattern>"
}
