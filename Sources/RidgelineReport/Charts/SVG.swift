import Foundation

/// Escapes text for XML character data and attribute values, so a kernel or device name with
/// `<`, `&` or quotes cannot break the document it is drawn into.
public func xmlEscape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for ch in text.unicodeScalars {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default:
            // Control characters other than tab/newline are not allowed in XML 1.0 at all.
            if ch.value < 0x20 && ch != "\t" && ch != "\n" && ch != "\r" { out += " " } else { out.unicodeScalars.append(ch) }
        }
    }
    return out
}

/// A pixel coordinate with one decimal: enough for a screen, short enough to keep files small.
func px(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let rounded = (value * 10).rounded() / 10
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(format: "%.1f", rounded)
}

/// Builds one `<svg>` element: a list of child elements inside a fixed-size canvas.
/// `id` prefixes every internal id (clip paths, patterns) because several charts share one HTML
/// page and ids must be unique in a document.
public struct SVGCanvas: Sendable {
    public let id: String
    public let width: Double
    public let height: Double
    public private(set) var elements: [String] = []
    public private(set) var definitions: [String] = []

    public init(id: String, width: Double, height: Double) {
        self.id = id; self.width = width; self.height = height
    }

    public mutating func add(_ element: String) { elements.append(element) }
    public mutating func define(_ definition: String) { definitions.append(definition) }

    public mutating func text(
        _ string: String, x: Double, y: Double, size: Double = 12, anchor: String = "start",
        weight: String? = nil, rotate: Double? = nil, fill: String = "#222", extra: String = ""
    ) {
        var attributes = "x=\"\(px(x))\" y=\"\(px(y))\" font-size=\"\(px(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let rotate { attributes += " transform=\"rotate(\(px(rotate)) \(px(x)) \(px(y)))\"" }
        if !extra.isEmpty { attributes += " " + extra }
        add("<text \(attributes)>\(xmlEscape(string))</text>")
    }

    public mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
        dash: String? = nil, extra: String = ""
    ) {
        var attributes =
            "x1=\"\(px(x1))\" y1=\"\(px(y1))\" x2=\"\(px(x2))\" y2=\"\(px(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(px(width))\""
        if let dash { attributes += " stroke-dasharray=\"\(dash)\"" }
        if !extra.isEmpty { attributes += " " + extra }
        add("<line \(attributes)/>")
    }

    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
        extra: String = ""
    ) {
        var attributes = "x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(max(0, width)))\" height=\"\(px(max(0, height)))\" fill=\"\(fill)\""
        if let stroke { attributes += " stroke=\"\(stroke)\"" }
        if !extra.isEmpty { attributes += " " + extra }
        add("<rect \(attributes)/>")
    }

    public mutating func polyline(
        _ points: [(Double, Double)], stroke: String, width: Double = 1.5, dash: String? = nil,
        fill: String = "none", extra: String = ""
    ) {
        let list = points.map { "\(px($0.0)),\(px($0.1))" }.joined(separator: " ")
        var attributes = "points=\"\(list)\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(px(width))\""
        if let dash { attributes += " stroke-dasharray=\"\(dash)\"" }
        if !extra.isEmpty { attributes += " " + extra }
        add("<polyline \(attributes)/>")
    }

    public mutating func polygon(_ points: [(Double, Double)], fill: String, stroke: String = "none", extra: String = "") {
        let list = points.map { "\(px($0.0)),\(px($0.1))" }.joined(separator: " ")
        add("<polygon points=\"\(list)\" fill=\"\(fill)\" stroke=\"\(stroke)\"\(extra.isEmpty ? "" : " " + extra)/>")
    }

    /// The finished element. `title` becomes the accessible name (`<title>` and `aria-label`).
    public func render(title: String) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(xmlEscape(id))\" class=\"chart\" role=\"img\" "
        out += "aria-label=\"\(xmlEscape(title))\" width=\"\(px(width))\" height=\"\(px(height))\" "
        out += "viewBox=\"0 0 \(px(width)) \(px(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        out += "<title>\(xmlEscape(title))</title>\n"
        if !definitions.isEmpty { out += "<defs>\n" + definitions.joined(separator: "\n") + "\n</defs>\n" }
        out += "<rect x=\"0\" y=\"0\" width=\"\(px(width))\" height=\"\(px(height))\" fill=\"#ffffff\"/>\n"
        out += elements.joined(separator: "\n")
        out += "\n</svg>\n"
        return out
    }
}
