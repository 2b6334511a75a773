import Foundation
import Ridgeline
import Testing

/// `-` (and `/dev/stdin`) for every input-file flag: piped data gives the same answer as the file,
/// and a bad line is named `standard input:N`.
@Suite struct StdinCLITests {
    static func text(_ relativePath: String) throws -> String {
        try String(contentsOfFile: repositoryRoot + "/" + relativePath, encoding: .utf8)
    }

    static let kernels = "examples/kernels.jsonl"
    static let reference = "reference/gpu-measurements/h100-sxm5-kernels.jsonl"
    static let runs = "reference/training-runs/megatron-a100.csv"

    @Test(arguments: ["-", "/dev/stdin"])
    func predictReadsKernelsFromStandardInput(name: String) throws {
        let fromFile = try ridgeline(["predict", "--hardware", "h100-sxm5-80gb", "--kernels", Self.kernels, "--json"])
        let piped = try ridgeline(
            ["predict", "--hardware", "h100-sxm5-80gb", "--kernels", name, "--json"], input: try Self.text(Self.kernels))
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(fromFile.status == 0 && piped.stdout == fromFile.stdout)
    }

    @Test func aBadLineOnStandardInputIsNamed() throws {
        let input = "{\"op\":\"copy\",\"elements\":8,\"dtype\":\"fp32\"}\n{\"op\":\"copy\",\"elements\":\"eight\",\"dtype\":\"fp32\"}\n"
        let result = try ridgeline(["predict", "--hardware", "h100-sxm5-80gb", "--kernels", "-"], input: input)
        #expect(result.status != 0)
        #expect(result.stderr.contains("standard input:2: field 'elements' has value 'eight'"), "\(result.stderr)")
    }

    @Test func emptyStandardInputIsAnError() throws {
        let result = try ridgeline(["predict", "--hardware", "h100-sxm5-80gb", "--kernels", "-"], input: "")
        #expect(result.status != 0)
        #expect(result.stderr.contains("standard input: cannot be read: holds no kernel specs"), "\(result.stderr)")
    }

    @Test func checkMegatronReadsRunsFromStandardInput() throws {
        let fromFile = try ridgeline(["check-megatron", "--runs", Self.runs, "--json"])
        let piped = try ridgeline(["check-megatron", "--runs", "-", "--json"], input: try Self.text(Self.runs))
        #expect(piped.status == 0, "\(piped.stderr)")
        // The same answer; only the name of where the runs came from differs (the source, each row's origin).
        #expect(fromFile.status == 0 && piped.stdout == fromFile.stdout.replacingOccurrences(of: Self.runs, with: "standard input"))
    }

    /// One run (about 20 s in a debug build): the rows piped are the rows of the file.
    @Test func checkReferenceReadsMeasurementsFromStandardInput() throws {
        let rows = try ReferenceFile.load(path: repositoryRoot + "/" + Self.reference).measurements.count
        let piped = try ridgeline(["check-reference", "--measurements", "-"], input: try Self.text(Self.reference))
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.contains("\(rows) kernel rows from standard input"), "\(piped.stdout.prefix(200))")
    }

    /// `validate` and `calibrate` read `--measurements` with one loader (`Observations.load`);
    /// validate is the quick one to run.
    @Test func validateReadsMeasurementsFromStandardInput() throws {
        let validate = try ridgeline(
            ["validate", "--hardware", "h100-sxm5-80gb", "--measurements", "-", "--json"],
            input: try Self.text(Self.reference))
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("standard input:"), "sources name standard input")
    }

    @Test func reportAndCompareReadStandardInput() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-stdin-reports-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try ridgeline(
            ["report", "--measurements", "-", "--hardware", "h100-sxm5-80gb", "--mode", "eager", "-o", directory + "/m"],
            input: try Self.text(Self.reference))
        #expect(report.status == 0, "\(report.stderr)")
        let compare = try ridgeline(
            ["compare", "--hardware", "h100-sxm5-80gb,a100-sxm4-80gb", "--kernels", "-", "-o", directory + "/c"],
            input: try Self.text(Self.kernels))
        #expect(compare.status == 0, "\(compare.stderr)")
        let markdown = (try? String(contentsOfFile: directory + "/c/report.md", encoding: .utf8)) ?? ""
        #expect(markdown.contains("kernels from standard input"), "the report names its input")
        for sub in ["m", "c"] {
            #expect(!((try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + sub)) ?? []).isEmpty, "\(sub) report written")
        }
    }
}
