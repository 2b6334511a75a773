import Foundation
@_exported import RidgelineTestSupport

/// Runs the built `ridgeline` executable, as users and scripts do, and captures what it prints.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

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

/// Runs `ridgeline` (the built one, or `executable`) in `directory`; `input`, when given, is piped
/// to its standard input.
@discardableResult
func ridgeline(
    _ arguments: [String], environment: [String: String] = [:], directory: String = repositoryRoot,
    input: String? = nil, executable: URL? = nil
) throws -> CLIResult {
    let process = Process()
    process.executableURL = try executable ?? ridgelineExecutable()
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe(), stdin = Pipe()
    process.standardOutput = out
    process.standardError = err
    if input != nil { process.standardInput = stdin }
    try process.run()
    if let input {
        // A child that exits before reading everything must fail the test, not kill it with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}
