import Foundation
import Testing

/// `ridgeline compare` and `ridgeline report` as users run them: files written, path printed,
/// bad input refused with a message and a non-zero exit.
@Suite struct ReportCLITests {
    static func temporaryDirectory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "ridgeline-cli-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func compareWritesEveryFileAndPrintsTheIndexPath() throws {
        let dir = try Self.temporaryDirectory("compare") + "/out"
        let result = try ridgeline(["compare", "--hardware", "epyc-9654,h100-sxm5-80gb", "--kernels", "examples/kernels.jsonl", "-o", dir])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == dir + "/index.html\n")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        for name in [
            "index.html", "report.md", "report.json", "devices.csv", "devices.json", "kernel-times.csv", "roofline.svg",
            "roofline.csv", "roofline-epyc-9654.svg", "roofline-h100-sxm5-80gb.svg", "peaks.svg", "bandwidth.svg",
        ] {
            #expect(names.contains(name), "missing \(name)")
        }
        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        #expect(md.contains("ridgeline compare --hardware epyc-9654,h100-sxm5-80gb --kernels examples/kernels.jsonl -o \(dir)"))
    }

    @Test func compareOneTrainingRunAcrossDevices() throws {
        let dir = try Self.temporaryDirectory("model") + "/out"
        let result = try ridgeline(["compare", "--hardware", "host,h100-sxm5-80gb", "--model", "gpt2-124m", "--tokens", "10e9", "-o", dir])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try String(contentsOfFile: dir + "/time-to-train.csv", encoding: .utf8)
        #expect(csv.hasPrefix("hardware,tokens,train_time_s,"))
        #expect(csv.contains("host,10000000000,") && csv.contains("h100-sxm5-80gb,10000000000,"))
        for name in ["training.csv", "breakdown.svg", "time-to-train-chart.svg", "peaks.svg", "devices.csv"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + name), "missing \(name)")
        }
        let badModel = try ridgeline(["compare", "--hardware", "h100-sxm5-80gb", "--model", "no-such-model"])
        #expect(badModel.status != 0 && badModel.stderr.contains("no-such-model"))
    }

    @Test func reportOfAPlanThatRidgelinePlanWrote() throws {
        let dir = try Self.temporaryDirectory("plan")
        let plan = try ridgeline([
            "plan", "--model", "gpt2-124m", "--tokens", "1e9", "--hardware", "h100-sxm5-80gb,a100-sxm4-80gb",
            "--max-devices", "8", "--deadline", "2", "--json",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        try plan.stdout.write(toFile: dir + "/plan.json", atomically: true, encoding: .utf8)
        let result = try ridgeline(["report", "--plan", dir + "/plan.json", "-o", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let best = try #require(object["best"] as? [[String: Any]])
        let csv = try String(contentsOfFile: dir + "/out/configurations.csv", encoding: .utf8)
        #expect(csv.split(separator: "\r\n").count == best.count + 1, "one row per ranked configuration")
        #expect(FileManager.default.fileExists(atPath: dir + "/out/pareto.svg"))
        let svg = try String(contentsOfFile: dir + "/out/pareto.svg", encoding: .utf8)
        #expect(svg.contains("class=\"deadline\""), "the 2-day deadline is drawn")
    }

    /// `compare --serve` and `report --serving`: the serving page from the model, and from a
    /// `serve --json` file.
    @Test func servingPagesFromCompareAndFromServeJSON() throws {
        let dir = try Self.temporaryDirectory("serve")
        let compare = try ridgeline([
            "compare", "--serve", "--hardware", "h100-sxm5-80gb,a100-sxm4-80gb", "--model", "llama3.1-8b",
            "--input-tokens", "1000", "--output-tokens", "200", "-o", dir + "/compare",
        ])
        #expect(compare.status == 0, "\(compare.stderr)")
        for name in [
            "throughput-latency.svg", "throughput-latency.csv", "prefill-decode.csv", "roofline-h100-sxm5-80gb.svg",
            "roofline-a100-sxm4-80gb.svg",
        ] {
            #expect(FileManager.default.fileExists(atPath: dir + "/compare/" + name), "missing \(name)")
        }
        let phases = try String(contentsOfFile: dir + "/compare/prefill-decode.csv", encoding: .utf8)
        #expect(phases.contains("\"decode step, batch 1\",") && phases.contains("\"prefill, 1000-token prompt\","))
        let serve = try ridgeline([
            "serve", "--model", "llama3.1-8b", "--hardware", "h100-sxm5-80gb", "--input-tokens", "1000", "--output-tokens", "200",
            "--rate", "2", "--json",
        ])
        #expect(serve.status == 0, "\(serve.stderr)")
        try serve.stdout.write(toFile: dir + "/serve.json", atomically: true, encoding: .utf8)
        let report = try ridgeline(["report", "--serving", dir + "/serve.json", "-o", dir + "/report"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/report/roofline-h100-sxm5-80gb.svg"))
        let noTokens = try ridgeline(["compare", "--serve", "--hardware", "h100-sxm5-80gb", "--model", "llama3.1-8b"])
        #expect(noTokens.status != 0 && noTokens.stderr.contains("--input-tokens"))
        let fp4 = try ridgeline([
            "serve", "--model", "llama3.1-8b", "--hardware", "b200", "--precision", "fp4", "--input-tokens", "10",
            "--output-tokens", "10", "--batch", "1",
        ])
        #expect(fp4.status == 0 && fp4.stdout.contains("fp4 weights, fp8 KV cache"), "\(fp4.stderr)")
        let noFP4 = try ridgeline([
            "serve", "--model", "llama3.1-8b", "--hardware", "h100-sxm5-80gb", "--precision", "fp4", "--input-tokens", "10",
            "--output-tokens", "10", "--batch", "1",
        ])
        #expect(noFP4.status != 0 && noFP4.stderr.contains("no fp4 tensor peak"))
    }

    @Test func compareRefusesBadRequests() throws {
        let noWorkload = try ridgeline(["compare", "--hardware", "h100-sxm5-80gb"])
        #expect(noWorkload.status != 0 && noWorkload.stderr.contains("--kernels FILE or --model M"))
        let twice = try ridgeline(["compare", "--hardware", "h100-sxm5-80gb,h100-sxm5-80gb", "--kernels", "examples/kernels.jsonl"])
        #expect(twice.status != 0 && twice.stderr.contains("names a device twice"))
        let unknown = try ridgeline(["compare", "--hardware", "h100-sxm5-80gb,nope", "--kernels", "examples/kernels.jsonl"])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown hardware profile 'nope'"))
    }

    @Test func reportOfAnEmptyOrMalformedFileIsAnError() throws {
        let dir = try Self.temporaryDirectory("report")
        try "".write(toFile: dir + "/empty.jsonl", atomically: true, encoding: .utf8)
        let empty = try ridgeline(["report", "--measurements", dir + "/empty.jsonl", "--hardware", "host", "-o", dir + "/out"])
        #expect(empty.status != 0 && empty.stderr.contains("empty.jsonl: cannot be read: the file is empty"), "\(empty.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/index.html"), "no page for an empty input")
        try #"{"best":[{"hardware":"h100-sxm5-80gb","step_time_s":"slow","train_time_s":1}]}"#.write(
            toFile: dir + "/plan.json", atomically: true, encoding: .utf8)
        let plan = try ridgeline(["report", "--plan", dir + "/plan.json", "-o", dir + "/out"])
        #expect(plan.status != 0 && plan.stderr.contains("best[0].step_time_s") && plan.stderr.contains("slow"), "\(plan.stderr)")
        let two = try ridgeline(["report", "--plan", dir + "/plan.json", "--validation", dir + "/plan.json"])
        #expect(two.status != 0 && two.stderr.contains("exactly one of"))
    }

    @Test func reportOfMeasurementsOnTheHost() throws {
        let dir = try Self.temporaryDirectory("measured")
        try """
        {"kernel":{"op":"gemm","m":512,"n":512,"k":512,"dtype":"fp32"},"engine":"onednn","engine_version":"2.6","device":"cpu","threads":1,"host":{"fingerprint":"f"},"median_s":0.002,"min_s":0.0019,"samples":10}
        {"kernel":{"op":"copy","elements":4194304,"dtype":"fp32"},"engine":"onednn","engine_version":"2.6","device":"cpu","threads":1,"host":{"fingerprint":"f"},"median_s":0.001,"samples":10}
        """.write(toFile: dir + "/m.jsonl", atomically: true, encoding: .utf8)
        let result = try ridgeline(["report", "--measurements", dir + "/m.jsonl", "--hardware", "host", "-o", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try String(contentsOfFile: dir + "/out/kernels.csv", encoding: .utf8)
        #expect(csv.contains(",0.002,") && csv.contains(",0.001,"), "measured times are carried to the CSV")
    }
}
