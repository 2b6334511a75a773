import Yams

/// Reads typed fields out of a parsed YAML or JSON document (JSON is YAML), keeping the path of
/// every field so that an error can name exactly which one is wrong: `memory[2].bandwidth`.
public struct FieldReader {
    /// The mapping (or, for `list`, the element) this reader reads.
    public let content: FieldValue
    public let path: String
    public let file: String?

    public init(_ content: FieldValue, path: String = "", file: String?) {
        self.content = content
        self.path = path
        self.file = file
    }

    /// Parses YAML (or JSON) text into a reader over its top-level mapping.
    public static func parse(_ text: String, file: String?) throws -> FieldReader {
        var text = text
        return try text.withUTF8 { try parse(bytes: $0, file: file) }
    }

    /// Parses UTF-8 bytes (one line of a JSON Lines file, or a whole YAML document): a JSON object
    /// goes through `JSONObjectParser`, anything else through Yams, which reports its own errors.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>, file: String?) throws -> FieldReader {
        let parsed: FieldValue?
        if let json = JSONObjectParser.parse(bytes) {
            parsed = json
        } else {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw RidgelineError.unreadable(file: file ?? "input", reason: "not UTF-8 text")
            }
            do {
                parsed = try Yams.compose(yaml: text).map(FieldValue.init)
            } catch {
                throw RidgelineError.unreadable(file: file ?? "input", reason: "not valid YAML/JSON (\(error))")
            }
        }
        guard let parsed, parsed.mapping != nil else {
            throw RidgelineError.unreadable(file: file ?? "input", reason: "expected a mapping of fields at the top level")
        }
        return FieldReader(parsed, file: file)
    }

    public func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value at `key` (the first, if a key repeats).
    func value(_ key: String) -> FieldValue? {
        guard case .mapping(let pairs) = content else { return nil }
        for pair in pairs where pair.key == key { return pair.value }
        return nil
    }

    public var keys: [String] { content.mapping?.map(\.key) ?? [] }

    public func has(_ key: String) -> Bool { value(key) != nil }

    /// The nested mapping at `key`, or nil when absent.
    public func optionalChild(_ key: String) throws -> FieldReader? {
        guard let child = value(key) else { return nil }
        guard child.mapping != nil else {
            throw RidgelineError.invalidValue(file: file, field: name(key), value: describe(child), expected: "a mapping")
        }
        return FieldReader(child, path: name(key), file: file)
    }

    public func child(_ key: String) throws -> FieldReader {
        guard let child = try optionalChild(key) else { throw RidgelineError.missingField(file: file, field: name(key)) }
        return child
    }

    /// The list at `key` as readers (each element a mapping), or [] when absent.
    public func list(_ key: String) throws -> [FieldReader] {
        guard let child = value(key) else { return [] }
        guard let seq = child.sequence else {
            throw RidgelineError.invalidValue(file: file, field: name(key), value: describe(child), expected: "a list")
        }
        return seq.enumerated().map { FieldReader($1, path: "\(name(key))[\($0)]", file: file) }
    }

    public func strings(_ key: String) throws -> [String] {
        guard let child = value(key) else { return [] }
        guard let seq = child.sequence else {
            throw RidgelineError.invalidValue(file: file, field: name(key), value: describe(child), expected: "a list of strings")
        }
        return try seq.enumerated().map { index, item in
            guard let s = item.scalar else {
                throw RidgelineError.invalidValue(file: file, field: "\(name(key))[\(index)]", value: describe(item), expected: "a string")
            }
            return s
        }
    }

    public func optionalString(_ key: String) throws -> String? {
        guard let child = value(key) else { return nil }
        guard let scalar = child.scalar else {
            throw RidgelineError.invalidValue(file: file, field: name(key), value: describe(child), expected: "a string")
        }
        return scalar
    }

    public func string(_ key: String) throws -> String {
        guard let s = try optionalString(key) else { throw RidgelineError.missingField(file: file, field: name(key)) }
        return s
    }

    /// A whole number, rejecting fractions, non-numbers and values outside `range`.
    public func optionalInt(_ key: String, in range: ClosedRange<Int> = 1...Int.max) throws -> Int? {
        guard let child = value(key) else { return nil }
        guard let text = child.scalar, let value = Int(text) else {
            throw RidgelineError.invalidValue(file: file, field: name(key), value: describe(child), expected: "a whole number")
        }
        guard range.contains(value) else {
            throw RidgelineError.invalidValue(file: file, field: name(key), value: text, expected: Self.describe(range))
        }
        return value
    }

    public func int(_ key: String, in range: ClosedRange<Int> = 1...Int.max) throws -> Int {
        guard let v = try optionalInt(key, in: range) else { throw RidgelineError.missingField(file: file, field: name(key)) }
        return v
    }

    public func optionalDouble(
        _ key: String, in range: ClosedRange<Double> = Double.leastNonzeroMagnitude...Double.greatestFiniteMagnitude
    ) throws -> Double? {
        guard let child = value(key) else { return nil }
        guard let text = child.scalar, let value = Double(text), value.isFinite else {
            throw RidgelineError.invalidValue(file: file, field: name(key), value: describe(child), expected: "a number")
        }
        guard range.contains(value) else {
            throw RidgelineError.invalidValue(file: file, field: name(key), value: text, expected: Self.describe(range))
        }
        return value
    }

    public func double(
        _ key: String, in range: ClosedRange<Double> = Double.leastNonzeroMagnitude...Double.greatestFiniteMagnitude
    ) throws -> Double {
        guard let v = try optionalDouble(key, in: range) else { throw RidgelineError.missingField(file: file, field: name(key)) }
        return v
    }

    public func optionalBool(_ key: String) throws -> Bool? {
        guard let child = value(key) else { return nil }
        switch child.scalar?.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            throw RidgelineError.invalidValue(file: file, field: name(key), value: describe(child), expected: "true or false")
        }
    }

    public func optionalQuantity(_ key: String, _ dimension: Dimension) throws -> Double? {
        guard let child = value(key) else { return nil }
        guard let text = child.scalar else {
            throw RidgelineError.invalidValue(file: file, field: name(key), value: describe(child), expected: dimension.rawValue)
        }
        return try Quantity.parse(text, as: dimension, field: name(key), file: file)
    }

    public func quantity(_ key: String, _ dimension: Dimension) throws -> Double {
        guard let v = try optionalQuantity(key, dimension) else { throw RidgelineError.missingField(file: file, field: name(key)) }
        return v
    }

    /// A keyword field whose allowed values are the cases of `T`.
    public func optionalEnum<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = try optionalString(key) else { return nil }
        guard let value = T(rawValue: text) else {
            throw RidgelineError.invalidValue(
                file: file, field: name(key), value: text,
                expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    public func enumValue<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T where T.RawValue == String {
        guard let v = try optionalEnum(key, type) else { throw RidgelineError.missingField(file: file, field: name(key)) }
        return v
    }

    /// Rejects keys the schema does not know, so a typo is an error and not a silent default.
    public func rejectUnknownKeys(_ allowed: Set<String>) throws {
        for key in keys where !allowed.contains(key) {
            throw RidgelineError.invalidValue(
                file: file, field: name(key), value: key,
                expected: "a known field (" + allowed.sorted().joined(separator: ", ") + ")")
        }
    }

    private func describe(_ node: FieldValue) -> String {
        if let s = node.scalar { return s }
        if node.sequence != nil { return "a list" }
        return "a mapping"
    }

    /// The default range reads "a positive number", not Double's extremes.
    private static func describe(_ range: ClosedRange<Double>) -> String {
        guard range.upperBound == Double.greatestFiniteMagnitude else { return "a number in \(range.lowerBound)...\(range.upperBound)" }
        return range.lowerBound == Double.leastNonzeroMagnitude ? "a positive number" : "a number ≥ \(range.lowerBound)"
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "a whole number ≥ \(range.lowerBound)" }
        return "a whole number in \(range.lowerBound)...\(range.upperBound)"
    }
}
