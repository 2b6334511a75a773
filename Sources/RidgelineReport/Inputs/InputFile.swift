import Foundation
import Ridgeline

/// Reading the files reports are made from. An empty or malformed file is an error that names the
/// file, the line or field and the value: a report of nothing would look like a report of success.
enum InputFile {
    /// A file's text (`-` reads standard input, `TextInput`); an empty one is an error.
    static func read(_ path: String) throws -> TextInput {
        let input = try TextInput(path: path)
        guard !input.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw RidgelineError.unreadable(file: input.name, reason: "the file is empty")
        }
        return input
    }

    /// Readers over the JSON objects of a JSON Lines input, each named `file:line`; blank lines and
    /// `#` comments are skipped.
    static func jsonLines(_ input: TextInput) throws -> [FieldReader] {
        var readers: [FieldReader] = []
        for line in TextInput.contentLines(input.text) {
            guard line.text.hasPrefix("{") else {
                throw RidgelineError.unreadable(
                    file: "\(input.name):\(line.number)", reason: "expected one JSON object per line, found '\(line.text.prefix(40))'")
            }
            readers.append(try FieldReader.parse(String(line.text), file: "\(input.name):\(line.number)"))
        }
        return readers
    }

    /// A reader over a JSON document whose top level is an object.
    static func jsonObject(_ path: String) throws -> FieldReader {
        let input = try read(path)
        let text = input.text
        guard text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") else {
            throw RidgelineError.unreadable(
                file: input.name,
                reason: "expected a JSON object, found '\(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(40))'")
        }
        return try FieldReader.parse(text, file: input.name)
    }
}
