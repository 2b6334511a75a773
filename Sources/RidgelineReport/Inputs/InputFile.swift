import Foundation
import Ridgeline

/// Reading the files reports are made from. An empty or malformed file is an error that names the
/// file, the line or field and the value: a report of nothing would look like a report of success.
enum InputFile {
    static func text(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw RidgelineError.fileNotFound(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw RidgelineError.unreadable(file: path, reason: "permission denied or not a file") }
        guard let text = String(data: data, encoding: .utf8) else { throw RidgelineError.unreadable(file: path, reason: "not UTF-8 text") }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw RidgelineError.unreadable(file: path, reason: "the file is empty")
        }
        return text
    }

    /// Readers over the JSON objects of a JSON Lines file, each named `file:line`; blank lines and
    /// `#` comments are skipped.
    static func jsonLines(_ path: String) throws -> [FieldReader] {
        let text = try text(path)
        var readers: [FieldReader] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard trimmed.hasPrefix("{") else {
                throw RidgelineError.unreadable(file: "\(path):\(index + 1)", reason: "expected one JSON object per line, found '\(trimmed.prefix(40))'")
            }
            readers.append(try FieldReader.parse(trimmed, file: "\(path):\(index + 1)"))
        }
        return readers
    }

    /// A reader over a JSON document whose top level is an object.
    static func jsonObject(_ path: String) throws -> FieldReader {
        let text = try text(path)
        guard text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") else {
            throw RidgelineError.unreadable(file: path, reason: "expected a JSON object, found '\(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(40))'")
        }
        return try FieldReader.parse(text, file: path)
    }
}
