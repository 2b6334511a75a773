/// Renders a report as Markdown: tables inline, each chart as an image link to the `.svg` file
/// written beside `report.md`, so it reads well on GitHub and in any editor.
public enum MarkdownRenderer {
    public static func render(_ report: Report) -> String {
        var out = "# \(report.title)\n\n\(report.summary)\n\n"
        for section in report.sections {
            out += "## \(section.title)\n\n"
            for item in section.items { out += render(item) }
        }
        out += "## Provenance\n\n"
        for (label, value) in report.provenance.rows {
            out += "- **\(label)**: " + (label == "Command" ? "`\(value.replacingOccurrences(of: "`", with: "'"))`" : escape(value)) + "\n"
        }
        out += "\nData files: [report.json](report.json)"
        for t in report.tables { out += ", [\(t.id).csv](\(t.id).csv)" }
        for c in report.charts { out += ", [\(c.id).csv](\(c.id).csv)" }
        return out + "\n"
    }

    static func render(_ item: Report.Item) -> String {
        switch item {
        case .paragraph(let text): return escape(text) + "\n\n"
        case .keyFigures(let figures): return figures.map { "- **\(escape($0.1))** \(escape($0.0))" }.joined(separator: "\n") + "\n\n"
        case .table(let table): return render(table)
        case .chart(let chart):
            return "![\(escape(chart.title))](\(chart.id).svg)\n\n*\(escape(chart.caption.isEmpty ? chart.title : chart.caption))* "
                + "Data: [\(chart.id).csv](\(chart.id).csv), [\(chart.id).json](\(chart.id).json)\n\n"
        }
    }

    public static func render(_ table: DataTable) -> String {
        var out = "**\(escape(table.title))** ([CSV](\(table.id).csv), [JSON](\(table.id).json))\n\n"
        let shown = table.documentColumns.map { table.columns[$0] }
        out += "| " + shown.map { cell($0.title) }.joined(separator: " | ") + " |\n"
        out += "|" + shown.map { $0.format == .text ? "---|" : "---:|" }.joined() + "\n"
        for r in table.rows.indices {
            out += "| " + table.documentColumns.map { cell(table.display(r, $0)) }.joined(separator: " | ") + " |\n"
        }
        if !table.caption.isEmpty { out += "\n" + escape(table.caption) + "\n" }
        return out + "\n"
    }

    /// A table cell: markup escaped like any text (a kernel or model name is the user's, and may hold
    /// `<script>`), newlines folded.
    static func cell(_ s: String) -> String {
        escape(
            s.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(
                of: "\r", with: " "))
    }

    /// Text: characters Markdown would read as markup — raw HTML included — are escaped.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            if "\\`*_[]<>|".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }
}
