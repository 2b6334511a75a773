import Foundation
import Ridgeline
import Testing

/// `ridgeline measure`, `validate` and `calibrate` run as a user runs them: the built binary.
@Suite("measure, validate, calibrate (CLI)", .serialized)
struct EngineMeasureCLITests {
    static let root = repositoryRoot

    /// The `ridgeline` executable built beside the test bundle.
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ridgeline").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : root + "/.build/debug/ridgeline"
    }

    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "ridgeline-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test("a suite with a malformed line is refused, naming the line")
    func malformedSuite() throws {
        let suite = Self.temporaryPath("bad.jsonl")
        try """
        {"op":"copy","elements":1024,"dtype":"fp32"}
        # a comment
        {"op":"gemm","m":16,"n":16,"dtype":"fp32"}
        """.write(toFile: suite, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: suite) }
        let result = try Self.run(["measure", "--suite", suite, "-o", Self.temporaryPath("never.jsonl")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(suite):3"))
        #expect(result.stderr.contains("'k'"))
        #expect(!FileManager.default.fileExists(atPath: Self.temporaryPath("never.jsonl")))
    }

    @Test("an interrupted run (SIGINT) keeps every finished record, each complete")
    func interrupted() throws {
        let suite = Self.temporaryPath("long.jsonl"), output = Self.temporaryPath("interrupted.jsonl")
        let total = 40
        try String(repeating: "{\"op\":\"gemm\",\"m\":768,\"n\":768,\"k\":768,\"dtype\":\"fp32\"}\n", count: total)
            .write(toFile: suite, atomically: true, encoding: .utf8)
        defer { for p in [suite, output] { try? FileManager.default.removeItem(atPath: p) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["measure", "--suite", suite, "-o", output, "--time-cap", "0.3"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        func lines() -> Int {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        while lines() < 2 && Date() < deadline && process.isRunning { usleep(20_000) }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.hasSuffix("\n"), "the last record is complete")
        let records = try MeasurementRecord.parseLines(text, file: output)
        #expect(records.count >= 2)
        #expect(records.count < total, "SIGINT stopped the run before the end")
        #expect(process.terminationReason == .uncaughtSignal || process.terminationStatus != 0)
        for record in records {
            #expect(record.engine == .onednn && record.samples >= 3 && record.medianSeconds > 0)
        }
    }

    @Test("measure, validate --json and calibrate on a small suite")
    func measureValidateCalibrate() throws {
        let suite = Self.temporaryPath("small.jsonl"), output = Self.temporaryPath("small-run.jsonl")
        let calibrated = Self.temporaryPath("calibrated.yaml")
        try """
        {"op":"gemm","m":128,"n":128,"k":128,"dtype":"fp32"}
        {"op":"gemm","m":256,"n":256,"k":128,"dtype":"fp32"}
        {"op":"elementwise","name":"relu","elements":65536,"dtype":"fp32"}
        {"op":"elementwise","name":"relu","elements":131072,"dtype":"fp32"}
        {"op":"rmsnorm","rows":8,"cols":64,"dtype":"fp32"}
        """.write(toFile: suite, atomically: true, encoding: .utf8)
        defer { for p in [suite, output, calibrated] { try? FileManager.default.removeItem(atPath: p) } }
        let measured = try Self.run(["measure", "--suite", suite, "-o", output, "--time-cap", "0.2"])
        #expect(measured.status == 0, "\(measured.stderr)")
        #expect(measured.stderr.contains("skipped rmsnorm"), "unsupported kernels are named with the reason")
        let records = try MeasurementRecord.load(path: output)
        #expect(records.count == 4)

        // CPU records judged on a GPU profile describe no machine: refused, naming both.
        let wrongDevice = try Self.run(["validate", "--hardware", "h100-sxm5-80gb", "--measurements", output])
        #expect(
            wrongDevice.status != 0 && wrongDevice.stderr.contains("ran on cpu but h100-sxm5-80gb is a gpu profile"),
            "\(wrongDevice.stderr)")

        let validated = try Self.run(["validate", "--hardware", "epyc-9654", "--measurements", output, "--json"])
        #expect(validated.status == 0, "\(validated.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(validated.stdout.utf8)) as? [String: Any])
        #expect((object["rows"] as? [Any])?.count == 4)
        #expect(object["median_ape"] is Double && object["p90_ape"] is Double)
        #expect((object["flop_check"] as? [String: Any])?["note"] is String)
        // `report --validation` reads what validate writes, with the same schema (`ValidationRecord`).
        let record = try RecordCoding.decode(ValidationRecord.self, from: validated.stdout, file: "validate --json")
        #expect(record.rows.count == 4 && record.hardware == "epyc-9654")
        let validation = Self.temporaryPath("validation.json"), report = Self.temporaryPath("validation-report")
        try validated.stdout.write(toFile: validation, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: validation); try? FileManager.default.removeItem(atPath: report) }
        let reported = try Self.run(["report", "--validation", validation, "-o", report])
        #expect(reported.status == 0, "\(reported.stderr)")
        #expect(FileManager.default.fileExists(atPath: report + "/accuracy.json"))

        let result = try Self.run(["calibrate", "--hardware", "epyc-9654", "--measurements", output, "-o", calibrated])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Held-out error"))
        let profile = try HardwareProfile.load(path: calibrated)
        #expect(profile.calibration != nil && profile.origin == .calibrated)

        let inPlace = try Self.run([
            "calibrate", "--hardware", "epyc-9654", "--measurements", output,
            "-o", "profiles/hardware/epyc-9654.yaml",
        ])
        #expect(inPlace.status != 0 && inPlace.stderr.contains("never edits a shipped profile"))
    }

    /// oneDNN picks softmax backward's implementation by ISA (2.6: a JIT kernel on AVX-512, the
    /// reference loops `ref:any` elsewhere). Whatever it picked here, validate and calibrate say so:
    /// a reference implementation is listed as not judged, with its reason, and left out of the
    /// figures; a JIT one is judged like any kernel.
    @Test("a kernel oneDNN ran on its reference implementation is listed as not judged")
    func referenceImplementationIsNotJudged() throws {
        let suite = Self.temporaryPath("ref.jsonl"), output = Self.temporaryPath("ref-run.jsonl")
        try """
        {"op":"softmax","pass":"bwd","rows":16,"cols":256,"dtype":"fp32"}
        {"op":"elementwise","name":"relu","elements":65536,"dtype":"fp32"}
        {"op":"elementwise","name":"relu","elements":131072,"dtype":"fp32"}
        """.write(toFile: suite, atomically: true, encoding: .utf8)
        defer { for p in [suite, output] { try? FileManager.default.removeItem(atPath: p) } }
        let measured = try Self.run(["measure", "--suite", suite, "-o", output, "--time-cap", "0.2"])
        #expect(measured.status == 0, "\(measured.stderr)")
        let records = try MeasurementRecord.load(path: output)
        let softmax = try #require(records.first { $0.kernel.kernelClass == .softmax })
        let reference = softmax.implementation?.hasPrefix("ref") == true
        let validated = try Self.run(["validate", "--hardware", "epyc-9654", "--measurements", output, "--json"])
        #expect(validated.status == 0, "\(validated.stderr)")
        let record = try RecordCoding.decode(ValidationRecord.self, from: validated.stdout, file: "validate --json")
        #expect(record.rows.count == (reference ? 2 : 3), "implementation \(softmax.implementation ?? "none")")
        #expect((record.refused?.count ?? 0) == (reference ? 1 : 0))
        if reference {
            #expect(record.refused?.first?.reason.contains("reference implementation (\(softmax.implementation ?? ""))") == true)
            let text = try Self.run(["validate", "--hardware", "epyc-9654", "--measurements", output])
            #expect(text.stdout.contains("Not judged (1):") && text.stdout.contains("softmax bwd"), "\(text.stdout)")
        }
    }
}
