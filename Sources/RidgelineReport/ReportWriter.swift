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
        document["charts"] = .array(report.charts.map { .object(["id": .string($0.id), "title": .string($0.title), "data": .object($0.data.jsonObject)]) })
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
            try writeWhole(text, to: directory + "/" + name)
        }
        return directory + "/index.html"
    }

    /// Temporary file in the same directory, then rename: atomic on POSIX file systems.
    static func writeWhole(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(text.utf8).write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw RidgelineError.unreadable(file: path, reason: "cannot rename into place: \(reason)")
            }
        } catch let error as RidgelineError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw RidgelineError.unreadable(file: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
