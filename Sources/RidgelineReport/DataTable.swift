import Foundation
import Ridgeline

/// A table of a report: what the HTML and Markdown show, and what the CSV and JSON files hold.
/// Cells keep their raw SI value; only rendering for people rounds and picks units, so the
/// files a script reads carry full precision and the page a person reads stays legible.
public struct DataTable: Sendable {
    public enum Format: Sendable, Equatable {
        case text
        /// A physical quantity shown in the unit that suits each value ("12.3 ms", "3.35 TB/s").
        case quantity(Ridgeline.Dimension)
        /// A count or ratio with an SI prefix and a unit suffix ("68.72 GFLOP", "156 FLOP/B").
        case si(String)
        /// A fraction shown as a percentage ("12.3%").
        case percent
        /// A plain number with four significant digits.
        case number
        /// A ratio with four significant digits and "×" ("1224×", "0.3148×"): no SI prefix, which
        /// would turn 0.315 into "315m".
        case ratio
    }

    public struct Column: Sendable {
        /// The CSV header and JSON key: lower-case, SI unit suffix (`time_s`, `peak_bf16_flops_per_s`).
        public var key: String
        /// The header people read.
        public var title: String
        public var format: Format
        /// False for long machine-oriented columns (a JSON spec) kept in the CSV and JSON only.
        public var inDocument: Bool
        public init(_ key: String, _ title: String, _ format: Format = .text, inDocument: Bool = true) {
            self.key = key; self.title = title; self.format = format; self.inDocument = inDocument
        }
    }

    public enum Cell: Sendable, Equatable {
        case text(String)
        case number(Double)
        case empty
    }

    public var id: String
    public var title: String
    public var columns: [Column]
    public var rows: [[Cell]]
    public var caption: String

    public init(id: String, title: String, columns: [Column], rows: [[Cell]] = [], caption: String = "") {
        self.id = id; self.title = title; self.columns = columns; self.rows = rows; self.caption = caption
    }

    public mutating func add(_ row: [Cell]) { rows.append(row) }

    /// Indices of the columns HTML and Markdown show.
    public var documentColumns: [Int] { columns.indices.filter { columns[$0].inDocument } }

    /// The text a person reads for the cell at (row, column).
    public func display(_ row: Int, _ column: Int) -> String {
        Self.display(rows[row][column], columns[column].format)
    }

    public static func display(_ cell: Cell, _ format: Format) -> String {
        switch cell {
        case .empty: return "–"
        case .text(let s): return s
        case .number(let v):
            guard v.isFinite else { return "n/a" }
            switch format {
            case .text, .number: return SI.trimmed(v, digits: 4)
            case .quantity(let dimension): return v == 0 ? "0" : Quantity.format(v, dimension, digits: 4)
            case .si(let unit): return SI.format(v, digits: 4) + (unit.isEmpty ? "" : " " + unit)
            case .percent: return SI.trimmed(v * 100, digits: 4) + "%"
            case .ratio: return SI.trimmed(v, digits: 4) + "×"
            }
        }
    }

    // MARK: CSV and JSON

    /// RFC 4180 CSV: header of keys, raw values at full precision (Swift's shortest round-trip
    /// representation), text quoted when it holds a comma, quote or newline.
    public var csv: String {
        var lines = [columns.map { Self.csvField($0.key) }.joined(separator: ",")]
        for row in rows {
            lines.append(
                row.map { cell -> String in
                    switch cell {
                    case .empty: return ""
                    case .text(let s): return Self.csvField(s)
                    case .number(let v): return v.isFinite ? Self.csvNumber(v) : ""
                    }
                }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Whole numbers without ".0" (counts read as counts); others in the shortest text that
    /// reads back as the same Double.
    static func csvNumber(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// Text quoted when it must be; and text a spreadsheet would run as a formula (starting with
    /// `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, as OWASP's CSV-injection
    /// advice says. Numbers are never text here, so no figure changes.
    static func csvField(_ s: String) -> String {
        let safe = s.first.map { "=+-@\t\r".contains($0) } == true ? "'" + s : s
        guard safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return safe }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `{"id", "title", "columns": [{key, title}], "rows": [{key: value}]}`: one object per row so a
    /// script reads `row["time_s"]` without knowing the column order.
    public var jsonObject: [String: JSONValue] {
        [
            "id": .string(id), "title": .string(title),
            "columns": .array(columns.map { .object(["key": .string($0.key), "title": .string($0.title)]) }),
            "rows": .array(
                rows.map { row in
                    var object: [String: JSONValue] = [:]
                    for (column, cell) in zip(columns, row) {
                        switch cell {
                        case .empty: object[column.key] = .null
                        case .text(let s): object[column.key] = .string(s)
                        case .number(let v): object[column.key] = v.isFinite ? .number(v) : .null
                        }
                    }
                    return .object(object)
                }),
        ]
    }
}

/// A JSON value with deterministic output (sorted keys), so regenerated reports diff cleanly: a
/// report's data files are tables whose keys are their columns', so they are maps, not records
/// (`RecordCoding` writes them, and leaves a map's keys as they are).
public indirect enum JSONValue: Sendable, Equatable, Encodable {
    case string(String), number(Double), bool(Bool), null
    case array([JSONValue])
    case object([String: JSONValue])

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let v): try c.encode(v)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var text: String { ((try? RecordCoding.json(self)) ?? "") + "\n" }
}
