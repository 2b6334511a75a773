import Foundation
import Ridgeline
import RidgelineProbe

/// One figure a bench section measured, with the target it must meet.
struct BenchFigure {
    var name: String
    var value: String
    var target: String
    /// nil: informational, no target.
    var pass: Bool?
}

/// Context shared by the sections of one bench run (figures measured by one section that a later
/// one reuses, e.g. the fp32 peak).
final class BenchContext {
    var values: [String: Double] = [:]
    /// Directory with the built products (`ridgeline` next to `ridgeline-bench`).
    let productsDirectory: URL
    init(productsDirectory: URL) { self.productsDirectory = productsDirectory }

    /// Runs the built `ridgeline` with `arguments`, as a user would: its output (stdout and stderr
    /// together) and wall seconds, or an error naming the command and its exit status.
    func ridgeline(_ arguments: [String]) throws -> (output: String, seconds: Double) {
        let binary = productsDirectory.appendingPathComponent("ridgeline").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw RidgelineError.fileNotFound(path: "\(binary) (build it: swift build -c release)")
        }
        let start = Date()
        let (status, output) = try runCapturingOutput(binary, arguments)
        guard status == 0 else {
            throw RidgelineError.unavailable(
                what: "ridgeline \(arguments.joined(separator: " "))", reason: "exit \(status): \(output.suffix(500))")
        }
        return (output, Date().timeIntervalSince(start))
    }
}

/// A named group of measurements. New benchmarks add a section to `sections` in main.swift.
protocol BenchSection {
    var name: String { get }
    var summary: String { get }
    func run(_ context: BenchContext) throws -> [BenchFigure]
}

/// Prints the progress of a long section on stderr when stderr is a terminal.
func benchProgress(_ text: String) {
    if isatty(2) != 0 { FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8)) }
}

func benchProgressDone() {
    if isatty(2) != 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}

func ratio(_ a: Double, _ b: Double) -> String { formatSignificant(a / b, digits: 3) }
