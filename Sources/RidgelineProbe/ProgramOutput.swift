import Foundation

/// Runs a program (a path, or a name looked up on PATH through /usr/bin/env) and returns its exit
/// status with its stdout and stderr together: how Ridgeline drives python3, gcc and itself.
public func runCapturingOutput(
    _ program: String, _ arguments: [String],
    environment: [String: String] = [:]
) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [program] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
