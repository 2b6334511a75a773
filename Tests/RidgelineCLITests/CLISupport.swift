import Foundation

/// Runs the built `ridgeline` executable, as users and scripts do, and captures what it prints.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The `ridgeline` binary next to the test bundle (same build directory and configuration).
func ridgelineExecutable() throws -> URL {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<3 {
        let candidate = dir.appendingPathComponent("ridgeline")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir.deleteLastPathComponent()
    }
    struct Missing: Error, CustomStringConvertible { var description = "the ridgeline executable was not built next to the tests" }
    throw Missing()
}

@discardableResult
func ridgeline(_ arguments: [String], environment: [String: String] = [:], directory: String = repositoryRoot) throws -> CLIResult {
    let process = Process()
    process.executableURL = try ridgelineExecutable()
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}
