import Foundation
import Ridgeline
import Testing

/// The `detect` and `counters` contracts as scripts use them (without --measure, which belongs to
/// `make bench`: the tests stay fast).
@Suite struct DetectCLITests {
    func stateDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-cli-\(UUID().uuidString)").path
    }

    @Test func detectJSONCarriesTheContractFields() throws {
        let state = stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let result = try ridgeline(["detect", "--json"], environment: ["RIDGELINE_STATE": state])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "no progress when stderr is not a terminal")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["cores", "threads", "caches", "simd", "fingerprint", "nominal"] { #expect(object[key] != nil, "missing \(key)") }
        #expect(object["peak_flops_per_s"] == nil, "measured fields only with --measure")
        #expect((object["cores"] as? Int ?? 0) >= 1)
        #expect(FileManager.default.fileExists(atPath: state + "/host.yaml"))
        // The schema `report --ceilings` reads it with; unmeasured, the report says what to run.
        let host = try RecordCoding.decode(HostReport.self, from: result.stdout, file: "detect --json")
        #expect(host.cores == object["cores"] as? Int && host.nominal != nil && host.peakFlopsPerS == nil)
        let file = state + "/detect.json"
        try result.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let report = try ridgeline(["report", "--ceilings", file, "-o", state + "/report"])
        #expect(
            report.status != 0
                && report.stderr.contains(
                    "\(file): missing required field 'peak_flops_per_s (write the file with `ridgeline detect --measure --json`)'"),
            "\(report.stderr)")
        // `--hardware host` now resolves to the detected profile.
        let show = try ridgeline(["show", "host"], environment: ["RIDGELINE_STATE": state])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("origin: detected"))
    }

    @Test func hostIsDetectedOnFirstUse() throws {
        let state = stateDirectory()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let result = try ridgeline(
            ["predict", "--hardware", "host", "--kernel", #"{"op":"copy","elements":1000000,"dtype":"fp32"}"#, "--json"],
            environment: ["RIDGELINE_STATE": state])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: state + "/host.yaml"))
    }

    @Test func detectRejectsAnUnwritablePath() throws {
        let result = try ridgeline(["detect", "-o", "/proc/ridgeline/host.yaml"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/proc/ridgeline/host.yaml"))
    }

    @Test func detectRefusesADirectoryBeforeMeasuring() throws {
        let result = try ridgeline(["detect", "--measure", "-o", NSTemporaryDirectory()])
        #expect(result.status != 0)
        #expect(result.stderr.contains("is a directory"))
    }

    @Test func detectRefusesABudgetOutOfBounds() throws {
        for budget in ["2", "1e9", "nan", "-40"] {
            let result = try ridgeline(["detect", "--measure", "--budget", budget, "-o", NSTemporaryDirectory() + "/never.yaml"])
            #expect(result.status != 0, "--budget \(budget)")
            #expect(result.stderr.contains("--budget"), "\(result.stderr)")
        }
    }

    @Test func detectNeverWritesIntoTheShippedProfiles() throws {
        let shipped = repositoryRoot + "/profiles/hardware/host.yaml"
        let before = try String(contentsOfFile: shipped, encoding: .utf8)
        let result = try ridgeline(["detect", "-o", shipped])
        #expect(result.status != 0)
        #expect(result.stderr.contains("never edits a shipped profile"))
        #expect(try String(contentsOfFile: shipped, encoding: .utf8) == before)
    }

    @Test func countersExplainsMissingEvents() throws {
        let result = try ridgeline(["counters", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let layers = try #require(object["layers"] as? [[String: Any]])
        #expect(layers.count == 3)
        for layer in layers {
            let events = try #require(layer["events"] as? [[String: Any]])
            #expect(!events.isEmpty)
            for event in events where event["used"] as? Bool == false {
                #expect((event["reason"] as? String)?.isEmpty == false, "\(layer["name"] ?? "?") \(event["name"] ?? "?") has no reason")
            }
        }
    }
}
