import Foundation
import Ridgeline

/// Writes a report's files into a directory: `index.html`, `report.md`, `report.json`, and for
/// every table and chart its CSV and JSON (and each chart's `.svg`). Each file is written whole to
/// a temporary name and renamed into place, so a reader never sees half a report file.
public enum ReportWriter {
    /// The files a report consists of, by name.
    public static func files(_ report: Report) -> [(String, String)] {
        var files: [(String, String)] = [("index.html", HTMLRenderer.render(report)), ("report.md", MarkdownRenderer.render(report))]
        var document: [String: JSONValue] = [
            "title": .string(report.title), "name": .string(report.name), "summary": .string(report.summary),
            "provenance": report.provenance.jsonObject,
        ]
        document["tables"] = .array(report.tables.map { .object($0.jsonObject) })
        document["charts"] = .array(
            report.charts.map { .object(["id": .string($0.id), "title": .string($0.title), "data": .object($0.data.jsonObject)]) })
        files.append(("report.json", JSONValue.object(document).text))
        for table in report.tables {
            files.append(("\(table.id).csv", table.csv))
            files.append(("\(table.id).json", JSONValue.object(table.jsonObject).text))
        }
        for chart in report.charts {
            files.append(("\(chart.id).svg", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + chart.svg))
            files.append(("\(chart.id).csv", chart.data.csv))
            files.append(("\(chart.id).json", JSONValue.object(chart.data.jsonObject).text))
        }
        return files
    }

    /// Writes every file of `report` into `directory` (created if needed) and returns the path of
    /// `index.html`.
    @discardableResult
    public static func write(_ report: Report, to directory: String) throws -> String {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw RidgelineError.unreadable(file: directory, reason: "cannot create the report directory (\(error.localizedDescription))")
        }
        let names = files(report).map(\.0)
        guard Set(names).count == names.count else {
            throw RidgelineError.inconsistent(file: nil, field: "report", detail: "two tables or charts share a file name")
        }
        for (name, text) in files(report) {
            try writeFileAtomically(text, to: directory + "/" + name)
        }
        return directory + "/index.html"
    }
}
