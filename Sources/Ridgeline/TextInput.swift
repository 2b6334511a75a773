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
        let handle = try Self.open(path)
        defer { if path != Self.standardInput { try? handle.close() } }
        let data: Data
        do { data = try handle.readToEnd() ?? Data() } catch {
            throw RidgelineError.unreadable(file: name, reason: "\(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw RidgelineError.unreadable(file: name, reason: "not UTF-8 text") }
        self.text = text
    }

    /// The input opened for reading, or the error that says why it cannot be: no such file, a
    /// directory, no permission.
    static func open(_ path: String) throws -> FileHandle {
        if path == standardInput { return FileHandle.standardInput }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RidgelineError.fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else { throw RidgelineError.unreadable(file: path, reason: "it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw RidgelineError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        return handle
    }

    /// Reads the input at `path` a block at a time and calls `body` with each content line (as
    /// `contentLines` defines them: numbered from 1, trimmed, blank lines and `#` comments
    /// skipped) as UTF-8 bytes, valid only during the call. Memory stays at a block and the
    /// longest line however long the file, and a bad line stops the read where it is: a reader
    /// that checks each line as it comes reports one at the end of a 200,000-line file (or of a
    /// pipe that is still being written) without holding what came before. Returns the input's
    /// name (`standard input` for `-`) and the number of content lines.
    @discardableResult
    public static func forEachContentLine(
        path: String, _ body: (_ number: Int, _ line: UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> (name: String, lines: Int) {
        let name = Self.name(of: path)
        let handle = try open(path)
        defer { if path != standardInput { try? handle.close() } }
        let fd = handle.fileDescriptor
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var start = 0, end = 0, number = 0, content = 0
        var atEOF = false
        func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        func emit(_ from: Int, _ to: Int) throws {
            number += 1
            var lo = from, hi = to
            if hi > lo && buffer[hi - 1] == 0x0D { hi -= 1 }  // "\r\n" line ends
            // A UTF-8 byte-order mark on the first line.
            if number == 1 && hi - lo >= 3 && buffer[lo] == 0xEF && buffer[lo + 1] == 0xBB && buffer[lo + 2] == 0xBF { lo += 3 }
            while lo < hi && isBlank(buffer[lo]) { lo += 1 }
            while hi > lo && isBlank(buffer[hi - 1]) { hi -= 1 }
            guard lo < hi, buffer[lo] != UInt8(ascii: "#") else { return }
            content += 1
            try buffer.withUnsafeBufferPointer { try body(number, UnsafeBufferPointer(rebasing: $0[lo..<hi])) }
        }
        while true {
            // Every whole line in the buffer.
            var scan = start
            while let newline = buffer[scan..<end].firstIndex(of: 0x0A) {
                try emit(scan, newline)
                scan = newline + 1
            }
            start = scan
            if atEOF {
                if start < end { try emit(start, end) }
                return (name, content)
            }
            // Keep the partial line at the front, grow for a line longer than the buffer, refill.
            if start > 0 {
                buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                end -= start; start = 0
            }
            if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBufferPointer { read(fd, $0.baseAddress! + end, $0.count - end) }
            if count < 0 {
                if errno == EINTR { continue }
                throw RidgelineError.unreadable(file: name, reason: String(cString: strerror(errno)))
            }
            if count == 0 { atEOF = true } else { end += count }
        }
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
