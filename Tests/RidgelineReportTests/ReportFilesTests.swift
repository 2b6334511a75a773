import Foundation
import Ridgeline
import RidgelineTraining
import Testing

@testable import RidgelineReport

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A table's JSON file as written: rows of key → number, text or null.
struct TableFile: Decodable {
    enum Value: Decodable {
        case number(Double), text(String), null
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let d = try? c.decode(Double.self) {
                self = .number(d)
            } else {
                self = .text(try c.decode(String.self))
            }
        }
        var number: Double? { if case .number(let d) = self { return d } else { return nil } }
    }
    var rows: [[String: Value]]
}

@Suite struct ReportFilesTests {
    /// Splits RFC 4180 CSV into records of fields.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = [], field = "", record: [String] = [], quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(field); field = ""
            } else if c == "\r\n" || c == "\n" {
                record.append(field); records.append(record); record = []; field = ""
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }

    /// Cell texts of the HTML table `id`, row by row (HTML entities decoded).
    static func htmlRows(_ html: String, table id: String) -> [[String]] {
        guard let start = html.range(of: "<table data-table=\"\(id)\">"), let body = html[start.upperBound...].range(of: "<tbody>"),
            let end = html[body.upperBound...].range(of: "</tbody>")
        else { return [] }
        let rows = html[body.upperBound..<end.lowerBound].components(separatedBy: "</tr>").filter { $0.contains("<td") }
        let cell = try! NSRegularExpression(pattern: "<td[^>]*>(.*?)</td>")
        return rows.map { row in
            cell.matches(in: row, range: NSRange(row.startIndex..., in: row)).map {
                String(row[Range($0.range(at: 1), in: row)!]).replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(
                    of: "&gt;", with: ">"
                )
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(
                    of: "&amp;", with: "&")
            }
        }
    }

    /// Cell texts of the Markdown table that follows the `**title**` line.
    static func markdownRows(_ md: String, title: String) -> [[String]] {
        guard let start = md.range(of: "**\(MarkdownRenderer.escape(title))** (") else { return [] }
        let lines = md[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2)
        var rows: [[String]] = []
        for line in lines.dropFirst(2) {
            guard line.hasPrefix("|") else { break }
            rows.append(line.dropFirst(2).dropLast(2).components(separatedBy: " | ").map(unescapeMarkdown))
        }
        return rows
    }

    /// What a Markdown reader sees: every backslash escape undone.
    static func unescapeMarkdown(_ text: String) -> String {
        var out = "", escaped = false
        for ch in text {
            if ch == "\\" && !escaped { escaped = true; continue }
            out.append(ch); escaped = false
        }
        return out
    }

    /// A displayed number read back: "12.34 ms" → 0.01234, "2.5 kFLOP" → 2500, "42%" → 0.42.
    static func parseDisplay(_ text: String, _ format: DataTable.Format) -> Double? {
        switch format {
        case .text: return nil
        case .number: return Double(text)
        case .percent: return Double(text.dropLast()).map { $0 / 100 }
        case .ratio: return Double(text.dropLast())
        case .quantity(let dimension): return text == "0" ? 0 : try? Quantity.parse(text, as: dimension, field: "", file: nil)
        case .si(let unit):
            var t = unit.isEmpty ? text : String(text.dropLast(unit.count + 1))
            let prefixes: [Character: Double] = [
                "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18, "m": 1e-3, "µ": 1e-6, "n": 1e-9,
            ]
            var scale = 1.0
            if let last = t.last, let s = prefixes[last] { scale = s; t.removeLast() }
            return Double(t).map { $0 * scale }
        }
    }

    @Test func numbersAgreeAcrossHTMLMarkdownCSVAndJSON() throws {
        for report in try Fixtures.allReports() {
            let files = Dictionary(uniqueKeysWithValues: ReportWriter.files(report))
            let html = try #require(files["index.html"]), md = try #require(files["report.md"])
            var checked = 0
            for table in report.tables + report.charts.map(\.data) {
                let csv = Self.parseCSV(try #require(files["\(table.id).csv"]))
                // JSONDecoder, not JSONSerialization: the latter rounds the last bit of some doubles on Linux.
                let jsonRows = try JSONDecoder().decode(TableFile.self, from: Data(try #require(files["\(table.id).json"]).utf8)).rows
                #expect(csv.first == table.columns.map(\.key), "\(report.name)/\(table.id): CSV header")
                #expect(csv.count - 1 == table.rows.count && jsonRows.count == table.rows.count)
                let isDocumentTable = report.tables.contains { $0.id == table.id }
                let htmlRows = isDocumentTable ? Self.htmlRows(html, table: table.id) : []
                let mdRows = isDocumentTable ? Self.markdownRows(md, title: table.title) : []
                if isDocumentTable {
                    #expect(htmlRows.count == table.rows.count && mdRows.count == table.rows.count, "\(report.name)/\(table.id)")
                }
                for r in table.rows.indices {
                    for (shown, c) in table.documentColumns.enumerated() where isDocumentTable {
                        #expect(htmlRows[r][shown] == mdRows[r][shown], "\(table.id)[\(r)].\(table.columns[c].key): HTML vs Markdown")
                    }
                    for (c, column) in table.columns.enumerated() {
                        let csvText = csv[r + 1][c]
                        guard case .number = table.rows[r][c], let csvValue = Double(csvText) else { continue }
                        let jsonValue = try #require(jsonRows[r][column.key]?.number, "\(table.id)[\(r)].\(column.key) in JSON")
                        #expect(csvValue == jsonValue, "\(table.id)[\(r)].\(column.key): CSV \(csvValue) vs JSON \(jsonValue)")
                        guard isDocumentTable, let shown = table.documentColumns.firstIndex(of: c) else { continue }
                        let displayed = htmlRows[r][shown]
                        let read = try #require(
                            Self.parseDisplay(displayed, column.format), "\(table.id)[\(r)].\(column.key): '\(displayed)' is not a number")
                        // Four significant digits shown: the page may differ from the file by half a unit in the 4th digit.
                        #expect(
                            abs(read - csvValue) <= abs(csvValue) * 6e-4 + 1e-300,
                            "\(table.id)[\(r)].\(column.key): page \(displayed) vs file \(csvValue)")
                        checked += 1
                    }
                }
            }
            #expect(checked > 10, "\(report.name): only \(checked) numbers checked")
        }
    }

    final class XMLCheck: NSObject, XMLParserDelegate {
        var elements = 0
        var error: Error?
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) { elements += 1 }
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
    }

    /// Names come from the user (kernel labels, model names, engine versions): the Markdown shows
    /// them as text, never as HTML, and the CSV never hands a spreadsheet a formula.
    @Test func hostileTextStaysText() throws {
        let hostile = [
            "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://x\")", "+1+cmd", "-2+3", "@SUM(A1)", "plain",
        ]
        var table = DataTable(
            id: "t", title: "<b>title</b>", columns: [DataTable.Column("name", "Name"), DataTable.Column("x", "X", .number)])
        for (i, text) in hostile.enumerated() { table.add([.text(text), .number(Double(i) - 1)]) }
        let markdown = MarkdownRenderer.render(table)
        // Every angle bracket is escaped, so no tag reaches a Markdown renderer.
        let unescaped = markdown.indices.filter { markdown[$0] == "<" && (markdown[..<$0].last != "\\") }
        #expect(unescaped.isEmpty, "\(markdown)")
        #expect(markdown.contains("\\<script\\>"))
        let csv = table.csv.components(separatedBy: "\r\n")
        #expect(csv[1].hasPrefix("<script>"))
        for line in csv.dropFirst(3).dropLast(2) { #expect(line.hasPrefix("'") || line.hasPrefix("\"'"), "\(line)") }
        #expect(csv[7].hasPrefix("plain,"))
        // Numbers stay numbers: a negative value is not prefixed.
        #expect(csv[1].hasSuffix(",-1"))
    }

    @Test func everySVGIsWellFormedXML() throws {
        for report in try Fixtures.allReports() {
            #expect(!report.charts.isEmpty)
            for (name, text) in ReportWriter.files(report) where name.hasSuffix(".svg") {
                let parser = XMLParser(data: Data(text.utf8))
                let check = XMLCheck()
                parser.delegate = check
                #expect(parser.parse(), "\(report.name)/\(name): \(String(describing: check.error ?? parser.parserError))")
                #expect(check.elements > 20, "\(report.name)/\(name) has only \(check.elements) elements")
            }
        }
    }

    @Test func htmlIsSelfContained() throws {
        for report in try Fixtures.allReports() {
            let html = HTMLRenderer.render(report)
            #expect(!html.contains("<script"))
            #expect(!html.contains("http://") || !html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
            #expect(!html.contains("https://"))
            #expect(!html.contains("<link"))
            #expect(!html.contains("@import") && !html.contains("url(http"))
            #expect(html.components(separatedBy: "<svg ").count - 1 == report.charts.count)
        }
    }

    @Test func provenanceIsInEveryFormat() throws {
        let report = try Fixtures.allReports()[0]
        let files = Dictionary(uniqueKeysWithValues: ReportWriter.files(report))
        for name in ["index.html", "report.md", "report.json"] {
            let text = try #require(files[name])
            #expect(text.contains(ridgelineVersion), "\(name): version")
            #expect(text.contains("test-fingerprint"), "\(name): host fingerprint")
            #expect(text.contains("2027-01-15T08:00:00Z"), "\(name): date")
            #expect(text.contains("test-cpu") && text.contains("h100-sxm5-80gb"), "\(name): profiles")
        }
        #expect(files["report.md"]!.contains("`ridgeline test 'quoted arg'`"))
        #expect(
            Provenance.shellCommand(["ridgeline", "compare", "--hardware", "a,b", "it's"]) == "ridgeline compare --hardware a,b 'it'\\''s'")
    }

    @Test func writerReplacesFilesWholeAndLeavesNoTemporaries() throws {
        let dir = try Fixtures.temporaryDirectory("writer")
        let report = try Fixtures.allReports()[3]
        let index = try ReportWriter.write(report, to: dir + "/nested/out")
        #expect(index == dir + "/nested/out/index.html")
        try ReportWriter.write(report, to: dir + "/nested/out")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/nested/out")
        #expect(!names.contains { $0.contains(".tmp-") })
        #expect(Set(names) == Set(ReportWriter.files(report).map(\.0)))
    }
}

@Suite struct ReportInputErrorTests {
    static func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return "\(error)" }
    }

    @Test func emptyFilesAreErrors() throws {
        let empty = try Fixtures.file("empty.jsonl", "\n  \n")
        #expect(Self.message { _ = try MeasuredKernel.load(path: empty) } == "\(empty): cannot be read: the file is empty")
        let comments = try Fixtures.file("comments.jsonl", "# nothing\n")
        #expect(Self.message { _ = try MeasuredKernel.load(path: comments) }.contains("holds no measurement records"))
        let emptyJSON = try Fixtures.file("empty.json", "")
        #expect(Self.message { _ = try ValidationResult.load(path: emptyJSON) }.contains("the file is empty"))
        #expect(Self.message { _ = try PlanFile.load(path: "/nonexistent/plan.json") } == "/nonexistent/plan.json: no such file")
    }

    @Test func malformedRecordsNameFileLineFieldAndValue() throws {
        let path = try Fixtures.file(
            "bad.jsonl",
            """
            {"kernel":{"op":"gemm","m":8,"n":8,"k":8,"dtype":"bf16"},"engine":"onednn","engine_version":"2.6","threads":1,"host":{"fingerprint":"f"},"median_s":0.001,"samples":5}
            {"kernel":{"op":"gemm","m":8,"n":8,"k":8,"dtype":"bf17"},"engine":"onednn","engine_version":"2.6","threads":1,"host":{"fingerprint":"f"},"median_s":0.001,"samples":5}
            """)
        let m = Self.message { _ = try MeasuredKernel.load(path: path) }
        #expect(m.contains("\(path):2") && m.contains("kernel.dtype") && m.contains("bf17"), "\(m)")
        let noTime = try Fixtures.file(
            "notime.jsonl",
            #"{"kernel":{"op":"copy","elements":8,"dtype":"fp32"},"engine":"onednn","engine_version":"2.6","threads":1,"host":{"fingerprint":"f"},"median_s":"fast","samples":5}"#
        )
        let n = Self.message { _ = try MeasuredKernel.load(path: noTime) }
        #expect(n.contains("\(noTime):1") && n.contains("median_s") && n.contains("fast"), "\(n)")
        let notJSON = try Fixtures.file("text.jsonl", "median 3 ms\n")
        #expect(Self.message { _ = try MeasuredKernel.load(path: notJSON) }.contains("\(notJSON):1"))
    }

    @Test func measurementsOnFewerThreadsArePredictedOnThoseCores() throws {
        let path = try Fixtures.file(
            "one-thread.jsonl",
            #"{"kernel":{"op":"gemm","m":64,"n":64,"k":64,"dtype":"fp32"},"engine":"onednn","engine_version":"2.6","device":"cpu","threads":1,"host":{"fingerprint":"f"},"median_s":0.001,"samples":5}"#
        )
        let records = try MeasuredKernel.load(path: path)
        let restricted = MeasuredKernel.profile(Fixtures.cpu, for: records)
        #expect(restricted.compute.units == 1)
        #expect(abs(restricted.compute.peak[.fp32]! - 768e9 / 8) < 1)
        #expect(MeasuredKernel.profile(try Fixtures.h100(), for: records).compute.units == 132, "GPU profiles are not cut down")
    }

    @Test func aValidationIsReportedFromWhatValidateWrites() throws {
        let text = try Fixtures.validationJSON()
        let path = try Fixtures.file("validation.json", text)
        let result = try ValidationResult.load(path: path)
        let record = try RecordCoding.decode(ValidationRecord.self, from: text, file: path)
        #expect(result.rows.map(\.label) == record.rows.map(\.kernel) && result.rows.count == 4)
        #expect(result.rows[3].label.contains(" + ") && result.rows[3].kernelClass == "elementwise")
        #expect(result.medianAPE == record.medianApe && result.hardware == "test-cpu")
        #expect(abs(result.rows[0].ape - record.rows[0].ape) < 1e-12)
        // Rows are named, not specified: no roofline, the accuracy chart.
        let report = ValidationReport.build(result, profile: try Fixtures.h100(), file: path, provenance: Fixtures.provenance([]))
        #expect(report.charts.map(\.id) == ["accuracy"])
    }

    @Test func validationAndPlanFieldsAreChecked() throws {
        let noRows = try Fixtures.file("norows.json", #"{"median_ape":0.1,"rows":[]}"#)
        #expect(Self.message { _ = try ValidationResult.load(path: noRows) }.contains("field 'rows' has value '[]'"))
        let row =
            #"{"kernel":"copy 8 fp32","kernel_class":"copy","source":"r.jsonl:1","predicted_s":1e-6,"measured_s":-2,"error":0,"ape":0,"bound":"latency"}"#
        let badRow = try Fixtures.file("badrow.json", #"{"rows":["# + row + "]}")
        let b = Self.message { _ = try ValidationResult.load(path: badRow) }
        #expect(b.contains(badRow) && b.contains("rows[0].measured_s") && b.contains("-2"), "\(b)")
        let noClass = try Fixtures.file(
            "noclass.json", #"{"rows":["# + row.replacingOccurrences(of: #""kernel_class":"copy","#, with: "") + "]}")
        let c = Self.message { _ = try ValidationResult.load(path: noClass) }
        #expect(c == "\(noClass): missing required field 'rows[0].kernel_class'", "\(c)")
        let noBest = try Fixtures.file("nobest.json", #"{"pareto":[]}"#)
        #expect(Self.message { _ = try PlanFile.load(path: noBest) }.contains("missing required field 'best'"))
        let emptyBest = try Fixtures.file("emptybest.json", #"{"best":[],"pareto":[],"configurations_evaluated":0,"elapsed_s":0}"#)
        #expect(Self.message { _ = try PlanFile.load(path: emptyBest) }.contains("field 'best' has value '[]'"))
        let badConfig = try Fixtures.file("badconfig.json", #"{"best":[{"hardware":"h100","step_time_s":0.3}]}"#)
        #expect(Self.message { _ = try PlanFile.load(path: badConfig) }.contains("best[0].train_time_s"))
        let unmeasured = try Fixtures.file("detect.json", #"{"cores":2,"threads":2,"caches":[],"simd":["neon"]}"#)
        #expect(
            Self.message { _ = try HostCeilings.load(path: unmeasured) }.contains(
                "peak_flops_per_s (write the file with `ridgeline detect --measure --json`)"))
        let noCaches = try Fixtures.file("nocaches.json", #"{"cores":2,"threads":2,"simd":[],"peak_flops_per_s":{"fp32":1e9}}"#)
        #expect(Self.message { _ = try HostCeilings.load(path: noCaches) } == "\(noCaches): missing required field 'caches'")
        let badPeak = try Fixtures.file(
            "badpeak.json", #"{"cores":2,"threads":2,"caches":[],"simd":[],"peak_flops_per_s":{"fp32":"fast"}}"#)
        let p = Self.message { _ = try HostCeilings.load(path: badPeak) }
        #expect(p.contains(badPeak) && p.contains("peak_flops_per_s.fp32") && p.contains("fast"), "\(p)")
        let noElapsed = try Fixtures.file("noelapsed.json", #"{"best":[],"pareto":[],"configurations_evaluated":0}"#)
        #expect(Self.message { _ = try PlanFile.load(path: noElapsed) }.contains("missing required field 'elapsed_s'"))
        let wrongType = try Fixtures.file(
            "wrongtype.json", #"{"best":[{"hardware":"h100","step_time_s":0.3,"train_time_s":1,"tokens_per_s":1,"mfu":"high"}]}"#)
        let w = Self.message { _ = try PlanFile.load(path: wrongType) }
        #expect(w.contains("best[0].mfu") && w.contains("high") && w.contains("a number"), "\(w)")
        let array = try Fixtures.file("array.json", "[1,2]")
        #expect(Self.message { _ = try PlanFile.load(path: array) }.contains("expected a JSON object"))
    }
}

@Suite struct CompareModelReportTests {
    @Test func budgetsScaleTimeAndTheFasterDeviceIsNamed() throws {
        let report = try Fixtures.modelComparison()
        let budget = try #require(report.tables.first { $0.id == "time-to-train" })
        // Rows: cpu 1e9, cpu 1e10, h100 1e9, h100 1e10; ten times the tokens is ten times the steps.
        guard case .number(let t1) = budget.rows[0][2], case .number(let t10) = budget.rows[1][2],
            case .number(let g1) = budget.rows[2][2]
        else { Issue.record("time column is not numeric"); return }
        #expect(abs(t10 / t1 - 10) < 0.01)
        #expect(g1 < t1, "the H100 trains faster than an 8-core CPU")
        #expect(report.charts.map(\.id) == ["time-to-train-chart", "breakdown", "peaks", "bandwidth"])
        #expect(CompareModelReport.humanDuration(3 * 86400) == "3 days")
        #expect(CompareModelReport.humanDuration(90) == "90 seconds")
        #expect(CompareModelReport.humanDuration(5 * 3600) == "5 hours")
    }
}

/// `train --json` and `plan --json` are written and read with one type each (`TrainRecord`,
/// `PlanRecord`): what the model writes reads back equal, with the contract's snake_case keys.
@Suite struct OutputSchemaTests {
    @Test func aTrainRecordReadsBackAsWritten() throws {
        let estimate = try TrainingPredictor.predict(
            model: try ProfileStore(root: Fixtures.repository.appendingPathComponent("profiles").path).model("gpt2-124m"),
            profile: try Fixtures.h100(),
            settings: KernelSettings(microBatch: 8, seq: 1024),
            layout: Layout(devices: 1, globalBatch: 512, microBatch: 8), tokens: 1e9)
        let record = TrainRecord(estimate, unit: "tokens")
        let text = try RecordCoding.json(record)
        #expect(try RecordCoding.decode(TrainRecord.self, from: text, file: "train.json") == record)
        for key in [
            "step_time_s", "tokens_per_s", "mfu", "hfu", "fits_in_memory", "memory_per_device_bytes", "train_time_s",
            "gpu_hours", "energy_kwh", "breakdown", "micro_batches_per_step", "exposed_communication",
        ] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
        #expect(!text.contains("stepTimeS"))
    }

    /// The example plan committed under reports/ was written before the layout had cp, ep, etp,
    /// stage layers or fine-tuning; it still reads.
    @Test func theCommittedExamplePlanReads() throws {
        let plan = try PlanFile.load(path: Fixtures.repository.path + "/reports/plan-llama2-7b-2t/plan.json")
        #expect(!plan.best.isEmpty && plan.best.allSatisfy { $0.devices > 0 && $0.breakdown.count == 7 })
    }
}
