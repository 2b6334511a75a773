import Foundation

/// The text of an input file named on the command line (`--kernels`, `--measurements`, `--runs`,
/// ...): a path, or `-` for standard input. `/dev/stdin`, a pipe, a FIFO or `<(...)` read like any
/// file, to the end. Every loader of a user's file reads it here, once, so all of them accept the
/// same names and fail with the same messages.
public struct TextInput: Sendable {
    /// The name that means standard input.
    public static let standardInput = "-"

    /// The path as given.
    public let path: String
    /// How messages name the input: the path, or `standard input` for `-`.
    public let name: String
    public let text: String

    /// How messages, reports and calibration sources name an input: `standard input` for `-`.
    public static func name(of path: String) -> String { path == standardInput ? "standard input" : path }

    public init(path: String) throws {
        self.path = path
        name = Self.name(of: path)
        let data: Data
        if path == Self.standardInput {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RidgelineError.fileNotFound(path: path)
            }
            guard !isDirectory.boolValue else { throw RidgelineError.unreadable(file: path, reason: "it is a directory") }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw RidgelineError.unreadable(file: path, reason: String(cString: strerror(errno)))
            }
            defer { try? handle.close() }
            do { data = try handle.readToEnd() ?? Data() } catch {
                throw RidgelineError.unreadable(file: path, reason: "\(error.localizedDescription)")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else { throw RidgelineError.unreadable(file: name, reason: "not UTF-8 text") }
        self.text = text
    }

    /// The lines of `text`, split at "\n" and at "\r\n" (Windows line ends; Swift reads "\r\n" as one
    /// `Character`, so splitting at "\n" alone keeps a CRLF file one line), none of them ending in
    /// "\r". Empty lines are kept, so that offsets are line numbers. Every line-oriented reader
    /// (JSON Lines, CSV, text outputs) splits here.
    public static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// The lines that hold content, numbered from 1 as in the file, without leading or trailing
    /// spaces and tabs; blank lines and `#` comments are skipped. Every JSON Lines reader reads
    /// through here. The trimming is plain Swift: Foundation's `trimmingCharacters` bridged each
    /// line through NSString and was a fifth of the time `validate` spent on 100,000 records.
    public static func contentLines(_ text: String) -> [(number: Int, text: Substring)] {
        var result: [(number: Int, text: Substring)] = []
        for (index, line) in lines(text).enumerated() {
            let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
            guard let first = line.firstIndex(where: { !blank($0) }), let last = line.lastIndex(where: { !blank($0) }) else { continue }
            let content = line[first...last]
            if content.hasPrefix("#") { continue }
            result.append((index + 1, content))
        }
        return result
    }

    /// `TextInput.lines(text)`.
    public var lines: [Substring] { Self.lines(text) }
}
