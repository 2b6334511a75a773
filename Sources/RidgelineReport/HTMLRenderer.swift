/// Renders a report as ONE self-contained HTML file: inline CSS and SVG, no scripts, no fonts or
/// images fetched from anywhere, so it opens offline, in a mail attachment, or printed.
public enum HTMLRenderer {
    public static func render(_ report: Report) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="Ridgeline \(xmlEscape(report.provenance.version))">
            <title>\(xmlEscape(report.title))</title>
            <style>\(css)</style>
            </head>
            <body>
            <main>
            <h1>\(xmlEscape(report.title))</h1>
            <p class="summary">\(xmlEscape(report.summary))</p>

            """
        out +=
            "<nav><ol>"
            + report.sections.enumerated().map { "<li><a href=\"#s\($0.offset + 1)\">\(xmlEscape($0.element.title))</a></li>" }.joined()
            + "<li><a href=\"#provenance\">Provenance</a></li></ol></nav>\n"
        for (index, section) in report.sections.enumerated() {
            out += "<section id=\"s\(index + 1)\">\n<h2>\(xmlEscape(section.title))</h2>\n"
            for item in section.items { out += render(item) }
            out += "</section>\n"
        }
        out += "<section id=\"provenance\">\n<h2>Provenance</h2>\n<dl class=\"provenance\">\n"
        for (label, value) in report.provenance.rows {
            let body = label == "Command" ? "<code>\(xmlEscape(value))</code>" : xmlEscape(value)
            out += "<dt>\(xmlEscape(label))</dt><dd>\(body)</dd>\n"
        }
        out += "</dl>\n<p class=\"files\">Files: <a href=\"report.md\">report.md</a> · <a href=\"report.json\">report.json</a>"
        for t in report.tables { out += " · <a href=\"\(t.id).csv\">\(t.id).csv</a>" }
        for c in report.charts { out += " · <a href=\"\(c.id).svg\">\(c.id).svg</a>" }
        out += "</p>\n</section>\n</main>\n</body>\n</html>\n"
        return out
    }

    static func render(_ item: Report.Item) -> String {
        switch item {
        case .paragraph(let text):
            return "<p>\(xmlEscape(text))</p>\n"
        case .keyFigures(let figures):
            return "<ul class=\"figures\">"
                + figures.map { "<li><span class=\"value\">\(xmlEscape($0.1))</span><span class=\"label\">\(xmlEscape($0.0))</span></li>" }
                .joined() + "</ul>\n"
        case .table(let table):
            return render(table, dataLinks: true)
        case .chart(let chart):
            var out = "<figure id=\"fig-\(xmlEscape(chart.id))\">\n" + chart.svg
            out += "<figcaption>\(xmlEscape(chart.caption.isEmpty ? chart.title : chart.caption)) "
            out +=
                "<span class=\"data\">Data: <a href=\"\(chart.id).csv\">CSV</a> · <a href=\"\(chart.id).json\">JSON</a> · <a href=\"\(chart.id).svg\">SVG</a></span></figcaption>\n</figure>\n"
            return out
        }
    }

    static func render(_ table: DataTable, dataLinks: Bool) -> String {
        var out = "<div class=\"table\" id=\"table-\(xmlEscape(table.id))\">\n<table data-table=\"\(xmlEscape(table.id))\">\n"
        out += "<caption>\(xmlEscape(table.title))"
        if dataLinks { out += " <span class=\"data\"><a href=\"\(table.id).csv\">CSV</a> · <a href=\"\(table.id).json\">JSON</a></span>" }
        out += "</caption>\n<thead><tr>"
        // Short text (ids, yes/no) stays on one line; long text (layouts, kernel labels) wraps in a wide column.
        let classes = table.columns.indices.map { c -> String in
            guard table.columns[c].format == .text else { return " class=\"num\"" }
            let longest = table.rows.indices.map { table.display($0, c).count }.max() ?? 0
            return longest > 28 ? " class=\"wide\"" : " class=\"short\""
        }
        for c in table.documentColumns { out += "<th\(classes[c])>\(xmlEscape(table.columns[c].title))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for r in table.rows.indices {
            out += "<tr>"
            for c in table.documentColumns {
                out += "<td\(classes[c])>\(xmlEscape(table.display(r, c)))</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if !table.caption.isEmpty { out += "<p class=\"note\">\(xmlEscape(table.caption))</p>\n" }
        return out + "</div>\n"
    }

    /// System fonts only; print styles keep charts whole on a page.
    static let css = """
        :root{--ink:#1d1d1f;--muted:#5f6368;--rule:#d9d9de;--accent:#0072B2;--bg:#fbfbfc}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI","DejaVu Sans",Helvetica,Arial,sans-serif}
        main{max-width:1000px;margin:0 auto;padding:28px 24px 60px;background:#fff;min-height:100vh;box-shadow:0 0 0 1px var(--rule)}
        h1{font-size:28px;margin:0 0 6px;letter-spacing:-.01em}
        h2{font-size:20px;margin:36px 0 12px;padding-bottom:4px;border-bottom:2px solid var(--ink)}
        .summary{font-size:16px;color:var(--muted);margin:0 0 14px}
        nav ol{margin:0 0 8px;padding-left:22px;color:var(--muted);columns:2;font-size:14px}
        a{color:var(--accent)}
        .figures{list-style:none;display:flex;flex-wrap:wrap;gap:10px;padding:0;margin:14px 0}
        .figures li{border:1px solid var(--rule);border-left:4px solid var(--accent);padding:8px 14px;min-width:180px;background:#fafafa}
        .figures .value{display:block;font-size:20px;font-weight:700;font-variant-numeric:tabular-nums}
        .figures .label{display:block;font-size:13px;color:var(--muted)}
        .table{overflow-x:auto;margin:12px 0 20px}
        table{border-collapse:collapse;width:100%;font-size:13.5px}
        caption{text-align:left;font-weight:700;padding:4px 0 8px}
        caption .data,figcaption .data{font-weight:400;font-size:12px;color:var(--muted);margin-left:8px}
        th,td{padding:5px 9px;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
        thead th{border-bottom:2px solid var(--ink);white-space:nowrap}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        td.short{white-space:nowrap}
        td.wide{min-width:16em}
        tbody tr:nth-child(even){background:#f6f6f8}
        figure{margin:18px 0 26px}
        svg.chart{display:block;max-width:100%;height:auto;border:1px solid var(--rule)}
        figcaption{font-size:13px;color:var(--muted);margin-top:6px}
        .note{font-size:13px;color:var(--muted);margin:6px 0 0}
        dl.provenance{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;font-size:13.5px}
        dl.provenance dt{font-weight:700}
        dl.provenance dd{margin:0;word-break:break-word}
        code{font:12.5px/1.4 "DejaVu Sans Mono",Menlo,Consolas,monospace;background:#f1f1f4;padding:1px 4px}
        .files{font-size:13px;color:var(--muted)}
        @media print{body{background:#fff}main{box-shadow:none;max-width:none}figure,table{break-inside:avoid}nav{display:none}}
        """
}
