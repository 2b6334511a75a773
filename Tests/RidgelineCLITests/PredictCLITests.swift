import Foundation
import Testing

/// The `predict`, `profiles` and `show` contracts as scripts use them.
@Suite struct PredictCLITests {
    @Test func predictJSONCarriesTheContractFields() throws {
        let result = try ridgeline(["predict", "--hardware", "h100-sxm5-80gb", "--kernels", "examples/kernels.jsonl", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let lines = try String(contentsOfFile: repositoryRoot + "/examples/kernels.jsonl", encoding: .utf8)
            .split(separator: "\n").filter { !$0.isEmpty }
        #expect(array.count == lines.count)
        for (object, line) in zip(array, lines) {
            for key in ["kernel", "time_s", "flops", "bytes", "bound", "attained_flops_per_s"] {
                #expect(object[key] != nil, "missing \(key)")
            }
            let spec = try #require(object["kernel"] as? [String: Any])
            let input = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(spec["op"] as? String == input["op"] as? String, "output is in input order")
            #expect((object["time_s"] as? Double ?? 0) > 0)
        }
    }

    @Test func eagerModeIsNeverFasterThanKernelMode() throws {
        let spec = #"{"op":"copy","elements":64,"dtype":"fp32"}"#
        let kernel = try ridgeline(["predict", "--hardware", "h100-sxm5-80gb", "--kernel", spec, "--json"])
        let eager = try ridgeline(["predict", "--hardware", "h100-sxm5-80gb", "--kernel", spec, "--mode", "eager", "--json"])
        func time(_ r: CLIResult) throws -> Double {
            let a = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
            return try #require(a.first?["time_s"] as? Double)
        }
        #expect(try time(eager) > time(kernel))
    }

    @Test(arguments: [
        (["predict", "--hardware", "no-such-gpu", "--kernel", "{}"], "unknown hardware profile 'no-such-gpu'"),
        (
            ["predict", "--hardware", "h100-sxm5-80gb", "--kernel", #"{"op":"gemm","m":0,"n":1,"k":1,"dtype":"bf16"}"#],
            "field 'm' has value '0'"
        ),
        (
            ["predict", "--hardware", "h100-sxm5-80gb", "--kernel", #"{"op":"gemm","m":1,"n":1,"k":1,"dtype":"bf12"}"#],
            "field 'dtype' has value 'bf12'"
        ),
        (
            [
                "predict", "--hardware", "h100-sxm5-80gb", "--kernel",
                #"{"op":"gemm","m":1000000000,"n":1000000000,"k":1000000000,"dtype":"bf16"}"#,
            ], "absurdly large"
        ),
        (["predict", "--hardware", "h100-sxm5-80gb", "--kernels", "does/not/exist.jsonl"], "does/not/exist.jsonl: no such file"),
        (["predict", "--hardware", "h100-sxm5-80gb"], "give at least one --kernel"),
        (["show", "nope"], "unknown hardware profile 'nope'"),
    ])
    func badInputIsAClearErrorAndNonZeroExit(arguments: [String], message: String) throws {
        let result = try ridgeline(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "stderr was: \(result.stderr)")
    }

    @Test func malformedLineInAKernelsFileIsNamed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-bad-\(getpid()).jsonl")
        try "{\"op\":\"copy\",\"elements\":8,\"dtype\":\"fp32\"}\n{\"op\":\"copy\",\"elements\":\"eight\",\"dtype\":\"fp32\"}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try ridgeline(["predict", "--hardware", "h100-sxm5-80gb", "--kernels", file.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(file.path):2: field 'elements' has value 'eight'"), "\(result.stderr)")
    }

    /// The file is read a line at a time and predicted as it goes, but a bad line at the end still
    /// leaves stdout empty: no partial table of the lines before it.
    @Test func aBadLastLinePrintsNoPartialTable() throws {
        let good = #"{"op":"gemm","m":64,"n":64,"k":64,"dtype":"bf16"}"#
        for json in [false, true] {
            let result = try ridgeline(
                ["predict", "--hardware", "h100-sxm5-80gb", "--kernels", "-"] + (json ? ["--json"] : []),
                input: String(repeating: good + "\n", count: 5000) + #"{"op":"gemm","m":64,"n":64,"k":-1,"dtype":"bf16"}"# + "\n")
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty, "\(result.stdout.prefix(200))")
            #expect(result.stderr.contains("standard input:5001: field 'k' has value '-1'"), "\(result.stderr)")
        }
    }

    @Test func badProfileFileIsNamedWithItsField() throws {
        let good = try String(contentsOfFile: repositoryRoot + "/profiles/hardware/h100-sxm5-80gb.yaml", encoding: .utf8)
        let bad = good.replacingOccurrences(of: "bandwidth: 3.35 TB/s", with: "bandwidth: -3.35 TB/s")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-bad-\(getpid()).yaml")
        try bad.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try ridgeline(["show", file.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("field 'memory[2].bandwidth' has value '-3.35 TB/s'"), "\(result.stderr)")
    }

    @Test func profilesListsTheShippedIds() throws {
        let result = try ridgeline(["profiles", "--json"])
        #expect(result.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(rows.contains { $0["id"] as? String == "h100-sxm5-80gb" })
    }

    @Test func showPrintsRidgePoints() throws {
        let result = try ridgeline(["show", "h100-sxm5-80gb"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("ridge hbm"))
    }
}
