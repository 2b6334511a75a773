/// Every error a user can cause, phrased so the message alone says what to fix:
/// the file, the field and the offending value.
public enum RidgelineError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(path: String)
    case unreadable(file: String, reason: String)
    case unwritable(file: String, reason: String)
    case missingField(file: String?, field: String)
    case invalidValue(file: String?, field: String, value: String, expected: String)
    case inconsistent(file: String?, field: String, detail: String)
    case unknownId(kind: String, id: String, known: [String])
    case invalidSpec(source: String, detail: String)
    case unavailable(what: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .unreadable(let file, let reason):
            return "\(file): cannot be read: \(reason)"
        case .unwritable(let file, let reason):
            return "\(file): cannot be written: \(reason)"
        case .missingField(let file, let field):
            return "\(Self.prefix(file))missing required field '\(field)'"
        case .invalidValue(let file, let field, let value, let expected):
            return "\(Self.prefix(file))field '\(field)' has value '\(value)': expected \(expected)"
        case .inconsistent(let file, let field, let detail):
            return "\(Self.prefix(file))field '\(field)' is inconsistent: \(detail)"
        case .unknownId(let kind, let id, let known):
            return "unknown \(kind) '\(id)'; known: \(known.joined(separator: ", "))"
        case .invalidSpec(let source, let detail):
            return "\(source): \(detail)"
        case .unavailable(let what, let reason):
            return "\(what) is not available: \(reason)"
        }
    }

    private static func prefix(_ file: String?) -> String {
        file.map { "\($0): " } ?? ""
    }
}
