import Foundation
import Ridgeline
import Testing

@testable import RidgelineReport

/// Renders each kind of report in a real browser (headless Chromium, as `make setup` installs it)
/// and checks what a reader would see: the page loads without errors, every chart's SVG is in the
/// DOM and has content, and the screenshot is not blank. Skipped, saying why, where there is no
/// Chromium.
@Suite(.serialized) struct BrowserTests {
    static let chromium: String? = {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["RIDGELINE_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].compactMap
        { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 90) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while the process runs so a full pipe cannot stall it.
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter();
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        group.enter();
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        if group.wait(timeout: .now() + timeout) == .timedOut { process.terminate() }
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Decodes an 8-bit RGB(A) PNG with the standard library only and prints pixel statistics.
    static let pngStatistics = #"""
        import json, struct, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
        pos, idat, width, height, ctype = 8, b'', 0, 0, 0
        while pos < len(data):
            length, kind = struct.unpack('>I4s', data[pos:pos + 8]); body = data[pos + 8:pos + 8 + length]; pos += 12 + length
            if kind == b'IHDR':
                width, height, depth, ctype = struct.unpack('>IIBB', body[:10]); assert depth == 8 and ctype in (2, 6), (depth, ctype)
            elif kind == b'IDAT': idat += body
        bpp = 4 if ctype == 6 else 3
        raw, stride, prev, rows = zlib.decompress(idat), width * bpp, bytearray(width * bpp), []
        for y in range(height):
            f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
                if f == 1: line[i] = (line[i] + a) & 255
                elif f == 2: line[i] = (line[i] + b) & 255
                elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
                elif f == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 255
            rows.append(line); prev = line
        grey = [(r[i] * 299 + r[i + 1] * 587 + r[i + 2] * 114) // 1000 for r in rows[::4] for i in range(0, stride, bpp * 4)]
        mean = sum(grey) / len(grey)
        colours = len({bytes(r[i:i + 3]) for r in rows[::8] for i in range(0, stride, bpp * 8)})
        print(json.dumps({"width": width, "height": height, "mean": mean, "stddev": (sum((g - mean) ** 2 for g in grey) / len(grey)) ** 0.5,
                          "dark_fraction": sum(1 for g in grey if g < 128) / len(grey), "colours": colours}))
        """#

    @Test(
        .enabled(if: chromium != nil, "Chromium is not installed (make setup installs it); the real-browser check cannot run"),
        .enabled(if: python != nil, "python3 is not installed; the PNG check needs it"),
        arguments: 0..<7)
    func reportRendersInChromium(kind: Int) throws {
        let chromium = try #require(Self.chromium), python = try #require(Self.python)
        let report = try Fixtures.allReports()[kind]
        let dir = try Fixtures.temporaryDirectory("browser-\(kind)")
        let index = try ReportWriter.write(report, to: dir)
        let url = URL(fileURLWithPath: index).absoluteString
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
            "--user-data-dir=\(dir)/profile", "--enable-logging=stderr", "--v=0",
        ]

        // The DOM after load: every chart present, with drawn content.
        let dom = try Self.run(chromium, common + ["--dump-dom", url])
        #expect(dom.status == 0, "chromium --dump-dom exited \(dom.status): \(dom.stderr.suffix(600))")
        for chart in report.charts {
            guard let start = dom.stdout.range(of: "id=\"\(chart.id)\""), let end = dom.stdout[start.upperBound...].range(of: "</svg>")
            else {
                Issue.record("\(report.name): chart \(chart.id) is missing from the DOM"); continue
            }
            let body = dom.stdout[start.upperBound..<end.lowerBound]
            let shapes = ["<line", "<rect", "<polyline", "<polygon", "<circle", "<text"].map { body.components(separatedBy: $0).count - 1 }
                .reduce(0, +)
            #expect(shapes > 20, "\(report.name): chart \(chart.id) has only \(shapes) shapes in the DOM")
        }
        #expect(dom.stdout.contains("<h1>"))
        // Load errors: failed resources or console errors are logged on stderr.
        // Chromium logs console messages as ":CONSOLE:" lines and failed requests as "net::ERR_".
        for marker in ["net::ERR_", "Failed to load resource", "Uncaught", ":CONSOLE"] {
            #expect(
                !dom.stderr.contains(marker),
                "\(report.name): browser reported '\(marker)': \(dom.stderr.components(separatedBy: "\n").filter { $0.contains(marker) }.prefix(3))"
            )
        }

        // Every link or source the page names resolves: an in-page anchor or a file of the report.
        let reference = try NSRegularExpression(pattern: "(?:href|src)=\"([^\"]*)\"")
        for m in reference.matches(in: dom.stdout, range: NSRange(dom.stdout.startIndex..., in: dom.stdout)) {
            let target = String(dom.stdout[Range(m.range(at: 1), in: dom.stdout)!])
            if target.hasPrefix("#") {
                #expect(dom.stdout.contains("id=\"\(target.dropFirst())\""), "\(report.name): anchor \(target) has no target"); continue
            }
            #expect(
                !target.contains(":") && FileManager.default.fileExists(atPath: dir + "/" + target),
                "\(report.name): '\(target)' does not resolve to a report file")
        }

        // The picture: a screenshot that is neither blank nor one flat colour.
        let png = dir + "/screenshot.png"
        let shot = try Self.run(chromium, common + ["--screenshot=\(png)", "--window-size=1280,2000", url])
        #expect(shot.status == 0 && FileManager.default.fileExists(atPath: png), "screenshot failed: \(shot.stderr.suffix(600))")
        let script = dir + "/png_stats.py"
        try Self.pngStatistics.write(toFile: script, atomically: true, encoding: .utf8)
        let stats = try Self.run(python, [script, png])
        #expect(stats.status == 0, "PNG decode failed: \(stats.stderr)")
        let values = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Double])
        #expect(values["width"] == 1280 && values["height"] == 2000)
        #expect(values["stddev"]! > 20, "\(report.name): the page looks blank (grey stddev \(values["stddev"]!))")
        #expect(values["dark_fraction"]! > 0.005, "\(report.name): almost no ink on the page")
        #expect(values["colours"]! > 8, "\(report.name): only \(values["colours"]!) colours: charts did not draw")
    }
}
