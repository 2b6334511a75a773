import Foundation
import Ridgeline

/// A CSV file read by header name (RFC 4180: quoted fields may hold commas, doubled quotes and
/// line breaks). Cells are strings; typed access names the file, row and column on error.
public struct CSVTable: Sendable {
    public let file: String
    public let header: [String]
    public let rows: [[String]]

    public init(text: String, file: String) throws {
        var records: [[String]] = []
        var field = "", record: [String] = []
        var quoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let ch = chars.popFirst() {
            if quoted {
                if ch == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.unicodeScalars.append(ch)
                }
                continue
            }
            switch ch {
            case "\"": quoted = true
            case ",": record.append(field); field = ""
            case "\n", "\r":
                if ch == "\r" && chars.first == "\n" { chars.removeFirst() }
                record.append(field); field = ""
                if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
                record = []
            default: field.unicodeScalars.append(ch)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard quoted == false else { throw RidgelineError.unreadable(file: file, reason: "a quoted field is not closed") }
        guard let header = records.first else { throw RidgelineError.unreadable(file: file, reason: "empty file") }
        for (index, r) in records.dropFirst().enumerated() where r.count != header.count {
            throw RidgelineError.unreadable(file: file, reason: "row \(index + 1) has \(r.count) fields, the header \(header.count)")
        }
        self.file = file; self.header = header; self.rows = Array(records.dropFirst())
    }

    public static func load(path: String) throws -> CSVTable {
        let input = try TextInput(path: path)
        return try CSVTable(text: input.text, file: input.name)
    }

    func column(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else { throw RidgelineError.missingField(file: file, field: "column \(name)") }
        return i
    }

    public func string(_ row: Int, _ name: String) throws -> String { rows[row][try column(name)] }

    public func optionalDouble(_ row: Int, _ name: String) throws -> Double? {
        let text = try string(row, name).trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        guard let v = Double(text), v.isFinite else {
            throw RidgelineError.invalidValue(file: file, field: "row \(row + 1) column \(name)", value: text, expected: "a number")
        }
        return v
    }

    public func optionalInt(_ row: Int, _ name: String) throws -> Int? {
        guard let v = try optionalDouble(row, name) else { return nil }
        guard v == v.rounded(), v >= 0, v < 1e15 else {
            throw RidgelineError.invalidValue(file: file, field: "row \(row + 1) column \(name)", value: "\(v)", expected: "a whole number")
        }
        return Int(v)
    }

    public func int(_ row: Int, _ name: String) throws -> Int {
        guard let v = try optionalInt(row, name) else {
            throw RidgelineError.missingField(file: file, field: "row \(row + 1) column \(name)")
        }
        return v
    }

    public func double(_ row: Int, _ name: String) throws -> Double {
        guard let v = try optionalDouble(row, name) else {
            throw RidgelineError.missingField(file: file, field: "row \(row + 1) column \(name)")
        }
        return v
    }

    /// A quantity that cannot be zero or negative (a measured time, a throughput); nil when empty.
    public func optionalPositiveDouble(_ row: Int, _ name: String) throws -> Double? {
        guard let v = try optionalDouble(row, name) else { return nil }
        guard v > 0 else {
            throw RidgelineError.invalidValue(
                file: file, field: "row \(row + 1) column \(name)", value: "\(v)", expected: "a positive number")
        }
        return v
    }

    public func positiveDouble(_ row: Int, _ name: String) throws -> Double {
        guard let v = try optionalPositiveDouble(row, name) else {
            throw RidgelineError.missingField(file: file, field: "row \(row + 1) column \(name)")
        }
        return v
    }
}
