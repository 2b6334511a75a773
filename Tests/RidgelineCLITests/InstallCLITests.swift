import Foundation
import Testing

/// Installed and run from anywhere: `make install-files` (what `make install` runs after its release
/// build) lays the built binary and its data out under a temporary prefix, and the installed
/// `ridgeline` works from a directory that is no clone.
@Suite(.serialized) struct InstallCLITests {
    /// A fresh directory under the system's temporary folder, outside any clone.
    static func scratch(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-\(name)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The environment of a user who set nothing.
    static let plain = ["RIDGELINE_PROFILES": "", "RIDGELINE_TORCH_SCRIPT": ""]

    static func make(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["make", "--no-print-directory", "-C", repositoryRoot] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func installedBinaryRunsFromAnyDirectory() throws {
        let prefix = try Self.scratch("prefix")
        let elsewhere = try Self.scratch("cwd")
        defer { try? FileManager.default.removeItem(atPath: prefix); try? FileManager.default.removeItem(atPath: elsewhere) }
        let install = try Self.make(["install-files", "PREFIX=\(prefix)", "BIN=\(try ridgelineExecutable().path)"])
        #expect(install.status == 0, "\(install.output)")
        for file in [
            "bin/ridgeline", "share/ridgeline/profiles/hardware/h100-sxm5-80gb.yaml", "share/ridgeline/profiles/suites/short.jsonl",
            "share/ridgeline/reference/training-runs/megatron-a100.csv", "share/ridgeline/reference/README.md",
            "share/ridgeline/scripts/torch_engine.py",
        ] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + file), "\(file) installed")
        }
        let installed = URL(fileURLWithPath: prefix + "/bin/ridgeline")
        func run(_ arguments: [String]) throws -> CLIResult {
            try ridgeline(arguments, environment: Self.plain, directory: elsewhere, executable: installed)
        }
        let profiles = try run(["profiles"])
        #expect(profiles.status == 0, "\(profiles.stderr)")
        #expect(profiles.stdout.contains("h100-sxm5-80gb"))
        let predict = try run([
            "predict", "--hardware", "h100-sxm5-80gb", "--kernel", #"{"op":"gemm","m":4096,"n":4096,"k":4096,"dtype":"bf16"}"#,
        ])
        #expect(predict.status == 0, "\(predict.stderr)")
        let train = try run(["train", "--model", "gpt2-124m", "--hardware", "a100-sxm4-80gb", "--tokens", "1e9"])
        #expect(train.status == 0, "\(train.stderr)")
        let megatron = try run(["check-megatron", "--json"])
        #expect(megatron.status == 0, "\(megatron.stderr)")
        let reference = try run(["check-reference"])
        #expect(reference.status == 0, "\(reference.stderr)")
        #expect(
            reference.stdout.contains(prefix + "/share/ridgeline/reference/gpu-measurements/h100-sxm5-kernels.jsonl"),
            "the default comes from the installed data, not the clone: \(reference.stdout.prefix(300))")

        let uninstall = try Self.make(["uninstall", "PREFIX=\(prefix)"])
        #expect(uninstall.status == 0, "\(uninstall.output)")
        #expect(!FileManager.default.fileExists(atPath: prefix + "/bin/ridgeline"))
        #expect(!FileManager.default.fileExists(atPath: prefix + "/share/ridgeline"))
    }

    /// A binary with no data anywhere near it: ids fail saying where it looked, paths still work.
    @Test func aLoneBinaryNeedsNoProfilesForPaths() throws {
        let bin = try Self.scratch("lone")
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let lone = URL(fileURLWithPath: bin + "/ridgeline")
        try FileManager.default.copyItem(at: try ridgelineExecutable(), to: lone)
        let profiles = try ridgeline(["profiles"], environment: Self.plain, directory: bin, executable: lone)
        #expect(profiles.status != 0)
        #expect(profiles.stderr.contains("no profiles/hardware in") && profiles.stderr.contains("RIDGELINE_PROFILES"), "\(profiles.stderr)")
        let hardware = repositoryRoot + "/profiles/hardware/h100-sxm5-80gb.yaml"
        let predict = try ridgeline(
            ["predict", "--hardware", hardware, "--kernel", #"{"op":"copy","elements":1048576,"dtype":"fp32"}"#],
            environment: Self.plain, directory: bin, executable: lone)
        #expect(predict.status == 0, "\(predict.stderr)")
        let train = try ridgeline(
            ["train", "--model", repositoryRoot + "/profiles/models/gpt2-124m.yaml", "--hardware", hardware, "--tokens", "1e9"],
            environment: Self.plain, directory: bin, executable: lone)
        #expect(train.status == 0, "\(train.stderr)")
    }

    @Test func aMissingProfilesFolderInTheEnvironmentIsNamed() throws {
        let result = try ridgeline(["profiles"], environment: ["RIDGELINE_PROFILES": "/nonexistent"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("RIDGELINE_PROFILES") && result.stderr.contains("/nonexistent"), "\(result.stderr)")
        let unknown = try ridgeline(["show", "h100-sxm5-80gb"], environment: ["RIDGELINE_PROFILES": "/nonexistent"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("RIDGELINE_PROFILES"), "\(unknown.stderr)")
    }
}
