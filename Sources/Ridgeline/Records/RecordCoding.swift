import Foundation

/// The one way Ridgeline's JSON outputs are written and read back: `Codable` record types with
/// camelCase properties, and snake_case keys in the file (`stepTimeS` is `step_time_s`), so that
/// each format is one type used by the command that writes it and by the reader of the file.
/// Keys come out sorted and slashes unescaped, so outputs are stable byte for byte. Free-form
/// maps (counter names, dtypes) keep their keys as they are. A property named otherwise than its
/// key gets a `CodingKeys` raw value in the key's camelCase form (`timeSeconds = "timeS"`): a
/// snake_case raw value would be written as is but not found when reading.
public enum RecordCoding {
    /// A record as JSON: snake_case keys (Foundation's `.convertToSnakeCase` spelling, which
    /// `SnakeCaseEncoder` remembers per key instead of converting it again for every key of every
    /// record), sorted, slashes unescaped; `pretty` indents (what `--json` prints).
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(SnakeCased(value))
    }

    /// A record as JSON text.
    public static func json<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        String(decoding: try encode(value, pretty: pretty), as: UTF8.self)
    }

    /// Reads a record from JSON text. A missing field, or one of the wrong type, is a
    /// `RidgelineError` naming `file`, the field's path as the file spells it
    /// (`best[0].step_time_s`) and the value found there.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, file: String) throws -> T {
        let data = Data(text.utf8)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.userInfo[fileKey] = file
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw describe(error, data: data, file: file)
        }
    }

    /// Where `decode` keeps the file's name, for the parts of a record read by `FieldReader`
    /// (`FieldDecodable`), whose errors name the file themselves.
    static let fileKey = CodingUserInfoKey(rawValue: "ridgeline.file")!

    /// `error` in Ridgeline's words: which field, which value, what was expected.
    static func describe(_ error: DecodingError, data: Data, file: String) -> RidgelineError {
        switch error {
        case .keyNotFound(let key, let context):
            return .missingField(file: file, field: path(context.codingPath + [key]))
        case .valueNotFound(let type, let context):
            return .invalidValue(file: file, field: path(context.codingPath), value: "null", expected: expected(type))
        case .typeMismatch(let type, let context):
            return .invalidValue(
                file: file, field: path(context.codingPath), value: value(at: context.codingPath, in: data),
                expected: expected(type))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .unreadable(
                    file: file, reason: "not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))")
            }
            return .invalidValue(
                file: file, field: path(context.codingPath), value: value(at: context.codingPath, in: data),
                expected: context.debugDescription)
        @unknown default:
            return .unreadable(file: file, reason: "\(error)")
        }
    }

    /// `best[0].step_time_s`: the coding path with the keys as the file spells them.
    public static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + snakeCase(key.stringValue) }
        }
        return text.isEmpty ? "(top level)" : text
    }

    /// The text of the value at `codingPath`, for messages; "(unreadable)" when it cannot be found.
    static func value(at codingPath: [any CodingKey], in data: Data) -> String {
        var node = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        for key in codingPath {
            if let index = key.intValue, let list = node as? [Any], list.indices.contains(index) {
                node = list[index]
            } else if let object = node as? [String: Any] {
                node = object[snakeCase(key.stringValue)] ?? object[key.stringValue]
            } else {
                return "(unreadable)"
            }
        }
        switch node {
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        case .some(let other): return String(describing: other).replacingOccurrences(of: "\n", with: " ")
        case .none: return "(absent)"
        }
    }

    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type: return "a whole number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default:
            let name = "\(type)"
            return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "an object" : "a \(name)"
        }
    }

    /// The key as it appears in the file: a decoder's path holds the converted (camelCase) keys.
    static func snakeCase(_ key: String) -> String {
        var out = ""
        for (i, ch) in key.enumerated() {
            if ch.isUppercase {
                if i > 0 { out.append("_") }
                out.append(contentsOf: ch.lowercased())
            } else {
                out.append(ch)
            }
        }
        return out
    }
}
