import Foundation
import Ridgeline

/// A report: a title, where it came from, and sections of text, tables and charts. Renderers
/// turn one `Report` into HTML, Markdown and data files, so the formats cannot disagree.
public struct Report: Sendable {
    public struct Chart: Sendable {
        /// File stem and SVG id: lower-case letters, digits and dashes.
        public var id: String
        public var title: String
        public var svg: String
        /// The numbers drawn, written next to the chart as CSV and JSON.
        public var data: DataTable
        public var caption: String
        public init(id: String, title: String, svg: String, data: DataTable, caption: String = "") {
            self.id = id; self.title = title; self.svg = svg; self.data = data; self.caption = caption
        }
    }

    public enum Item: Sendable {
        case paragraph(String)
        /// Headline figures: label and value pairs shown as a highlighted list.
        case keyFigures([(String, String)])
        case table(DataTable)
        case chart(Chart)
    }

    public struct Section: Sendable {
        public var title: String
        public var items: [Item]
        public init(_ title: String, _ items: [Item]) { self.title = title; self.items = items }
    }

    /// Directory name under `reports/`.
    public var name: String
    public var title: String
    public var summary: String
    public var provenance: Provenance
    public var sections: [Section]

    public init(name: String, title: String, summary: String, provenance: Provenance, sections: [Section]) {
        self.name = name; self.title = title; self.summary = summary; self.provenance = provenance; self.sections = sections
    }

    public var tables: [DataTable] {
        sections.flatMap { $0.items.compactMap { if case .table(let t) = $0 { return t } else { return nil } } }
    }

    public var charts: [Chart] {
        sections.flatMap { $0.items.compactMap { if case .chart(let c) = $0 { return c } else { return nil } } }
    }
}

/// Where a report came from, so a reader can judge it and regenerate it.
public struct Provenance: Sendable {
    public struct ProfileUse: Sendable {
        public var id: String
        public var name: String
        /// How the profile's numbers were obtained.
        public var origin: HardwareProfile.Origin
        public var calibrated: Bool
        public var calibrationSource: String?
        public var fingerprint: String?
        public init(
            id: String, name: String, origin: HardwareProfile.Origin, calibrated: Bool, calibrationSource: String? = nil,
            fingerprint: String? = nil
        ) {
            self.id = id; self.name = name; self.origin = origin; self.calibrated = calibrated
            self.calibrationSource = calibrationSource; self.fingerprint = fingerprint
        }
    }

    public var version: String
    public var date: Date
    /// The exact command line that regenerates the report.
    public var command: String
    public var profiles: [ProfileUse]
    /// The host's fingerprint where one is known (from measurements or a detected profile).
    public var hostFingerprint: String?
    /// Input files the report read.
    public var inputs: [String]

    public init(version: String, date: Date, command: String, profiles: [ProfileUse], hostFingerprint: String?, inputs: [String]) {
        self.version = version; self.date = date; self.command = command; self.profiles = profiles
        self.hostFingerprint = hostFingerprint; self.inputs = inputs
    }

    public var dateText: String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// Label/value rows, in the order every renderer shows them.
    public var rows: [(String, String)] {
        var rows = [("Ridgeline", version), ("Generated", dateText), ("Command", command)]
        for p in profiles {
            var text =
                "\(p.name) (\(p.id)): \(p.origin.rawValue) numbers, "
                + (p.calibrated ? "calibrated" + (p.calibrationSource.map { " (\($0))" } ?? "") : "not calibrated")
            if let fp = p.fingerprint { text += ", fingerprint \(fp)" }
            rows.append(("Profile", text))
        }
        rows.append(("Host fingerprint", hostFingerprint ?? "unknown (run `ridgeline detect` to record one)"))
        for input in inputs { rows.append(("Input", input)) }
        return rows
    }

    public var jsonObject: JSONValue {
        .object([
            "ridgeline_version": .string(version), "generated": .string(dateText), "command": .string(command),
            "host_fingerprint": hostFingerprint.map(JSONValue.string) ?? .null,
            "inputs": .array(inputs.map(JSONValue.string)),
            "profiles": .array(
                profiles.map { p in
                    .object([
                        "id": .string(p.id), "name": .string(p.name), "origin": .string(p.origin.rawValue),
                        "calibrated": .bool(p.calibrated),
                        "calibration_source": p.calibrationSource.map(JSONValue.string) ?? .null,
                        "fingerprint": p.fingerprint.map(JSONValue.string) ?? .null,
                    ])
                }),
        ])
    }

    /// Quotes arguments for a POSIX shell only where needed, so the command pastes back as is.
    public static func shellCommand(_ arguments: [String]) -> String {
        arguments.map { arg in
            if !arg.isEmpty, arg.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }) { return arg }
            return "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
