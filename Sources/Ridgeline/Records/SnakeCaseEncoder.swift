import Foundation

// How `RecordCoding` writes snake_case keys: Foundation's own `.convertToSnakeCase` spelling,
// converted once per distinct key (`SnakeCaseKeys`) and remembered, by an `Encoder` that hands
// each keyed container's keys to `JSONEncoder` already spelled (its key strategy left at the
// default). Converting every key of every record cost `predict --json` about 4.5 s of CPU per
// 200,000 predictions (a `CharacterSet` search and a `lowercased()` per word, some 4.6 million
// times); a `.custom` strategy saves little, since `JSONEncoder` builds the whole coding path for
// every key it asks the closure about. String-keyed maps (counter names, dtypes, levels) keep
// their keys as they are, as `JSONEncoder` leaves them under any key strategy; the records in
// them are still spelled. The output is byte for byte what `.convertToSnakeCase` writes
// (`RecordCodingTests`).
//
// The containers below only forward: each primitive to the same call on `JSONEncoder`'s
// container (so numbers are written exactly as before), each other value wrapped so that its
// own containers are spelled too.

/// Foundation's `.convertToSnakeCase` spelling of each key, converted once and remembered
/// (records have a few dozen distinct keys).
final class SnakeCaseKeys: @unchecked Sendable {
    static let shared = SnakeCaseKeys()

    /// Guards `keys`: records may be encoded on several threads.
    private let lock = NSLock()
    private var keys: [String: FileKey] = [:]

    func key(for key: some CodingKey) -> FileKey {
        let name = key.stringValue
        lock.lock()
        defer { lock.unlock() }
        if let known = keys[name] { return known }
        let converted = FileKey(Self.convert(name))
        keys[name] = converted
        return converted
    }

    /// `name` through `JSONEncoder`'s `.convertToSnakeCase`: an object with that one key, encoded
    /// and read back.
    static func convert(_ name: String) -> String {
        struct Probe: Encodable {
            let name: String
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: FileKey.self)
                try c.encodeNil(forKey: FileKey(name))
            }
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // A null under one key, and the object just written read back: neither can fail.
        guard let data = try? encoder.encode(Probe(name: name)),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let key = object.keys.first
        else { preconditionFailure("JSONEncoder could not write the key \(name)") }
        return key
    }
}

/// A key as the file spells it.
struct FileKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ stringValue: String) { self.stringValue = stringValue }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// `value` encoded with the keys of its keyed containers, and of those of everything in it,
/// spelled in snake_case.
struct SnakeCased<T: Encodable>: Encodable {
    let value: T
    init(_ value: T) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        if let map = value as? any StringKeyedMap { return try map.snakeCasedValues.encode(to: encoder) }
        try value.encode(to: SnakeCaseEncoder(base: encoder))
    }

    /// What a container hands `JSONEncoder`'s: a map with its keys as they are, anything else wrapped.
    static func wrap(_ value: T) -> any Encodable {
        if value is any KeyFree { return value }
        if let map = value as? any StringKeyedMap { return map.snakeCasedValues }
        return SnakeCased(value)
    }
}

/// A value with no keyed container in it (numbers, text, and lists and maps of those), which
/// `JSONEncoder` writes as it would anyway: handed over as it is, without a wrapper per element.
protocol KeyFree {}
extension String: KeyFree {}
extension Double: KeyFree {}
extension Int: KeyFree {}
extension Bool: KeyFree {}
extension Array: KeyFree where Element: KeyFree {}
extension Dictionary: KeyFree where Key == String, Value: KeyFree {}
extension Optional: KeyFree where Wrapped: KeyFree {}

/// A `[String: V]` map: its keys are data, written as they are; its values are spelled.
protocol StringKeyedMap {
    var snakeCasedValues: SnakeCasedMap { get }
}

extension Dictionary: StringKeyedMap where Key == String, Value: Encodable {
    var snakeCasedValues: SnakeCasedMap {
        SnakeCasedMap { encoder in
            var c = encoder.container(keyedBy: FileKey.self)
            for (key, value) in self { try c.encode(SnakeCased<Value>(value), forKey: FileKey(key)) }
        }
    }
}

/// A map's entries, encoded under their own keys.
struct SnakeCasedMap: Encodable {
    let entries: (any Encoder) throws -> Void
    func encode(to encoder: any Encoder) throws { try entries(encoder) }
}

/// An `Encoder` whose keyed containers spell their keys in snake_case (`SnakeCaseKeys`).
struct SnakeCaseEncoder: Encoder {
    let base: any Encoder
    var codingPath: [any CodingKey] { base.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { base.userInfo }
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(SnakeCaseKeyedContainer<Key>(base: base.container(keyedBy: FileKey.self)))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { SnakeCaseUnkeyedContainer(base: base.unkeyedContainer()) }
    func singleValueContainer() -> any SingleValueEncodingContainer { SnakeCaseSingleValueContainer(base: base.singleValueContainer()) }
}

struct SnakeCaseKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    var base: KeyedEncodingContainer<FileKey>
    var codingPath: [any CodingKey] { base.codingPath }
    func file(_ key: Key) -> FileKey { SnakeCaseKeys.shared.key(for: key) }
    mutating func encodeNil(forKey key: Key) throws { try base.encodeNil(forKey: file(key)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: String, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try base.encode(value, forKey: file(key)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try base.encode(SnakeCased<T>.wrap(value), forKey: file(key)) }
    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(SnakeCaseKeyedContainer<NestedKey>(base: base.nestedContainer(keyedBy: FileKey.self, forKey: file(key))))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        SnakeCaseUnkeyedContainer(base: base.nestedUnkeyedContainer(forKey: file(key)))
    }
    mutating func superEncoder() -> any Encoder { SnakeCaseEncoder(base: base.superEncoder()) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { SnakeCaseEncoder(base: base.superEncoder(forKey: file(key))) }
}

struct SnakeCaseUnkeyedContainer: UnkeyedEncodingContainer {
    var base: any UnkeyedEncodingContainer
    var codingPath: [any CodingKey] { base.codingPath }
    var count: Int { base.count }
    mutating func encodeNil() throws { try base.encodeNil() }
    mutating func encode(_ value: Bool) throws { try base.encode(value) }
    mutating func encode(_ value: String) throws { try base.encode(value) }
    mutating func encode(_ value: Double) throws { try base.encode(value) }
    mutating func encode(_ value: Float) throws { try base.encode(value) }
    mutating func encode(_ value: Int) throws { try base.encode(value) }
    mutating func encode(_ value: Int8) throws { try base.encode(value) }
    mutating func encode(_ value: Int16) throws { try base.encode(value) }
    mutating func encode(_ value: Int32) throws { try base.encode(value) }
    mutating func encode(_ value: Int64) throws { try base.encode(value) }
    mutating func encode(_ value: UInt) throws { try base.encode(value) }
    mutating func encode(_ value: UInt8) throws { try base.encode(value) }
    mutating func encode(_ value: UInt16) throws { try base.encode(value) }
    mutating func encode(_ value: UInt32) throws { try base.encode(value) }
    mutating func encode(_ value: UInt64) throws { try base.encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try base.encode(SnakeCased<T>.wrap(value)) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(SnakeCaseKeyedContainer<NestedKey>(base: base.nestedContainer(keyedBy: FileKey.self)))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        SnakeCaseUnkeyedContainer(base: base.nestedUnkeyedContainer())
    }
    mutating func superEncoder() -> any Encoder { SnakeCaseEncoder(base: base.superEncoder()) }
}

struct SnakeCaseSingleValueContainer: SingleValueEncodingContainer {
    var base: any SingleValueEncodingContainer
    var codingPath: [any CodingKey] { base.codingPath }
    mutating func encodeNil() throws { try base.encodeNil() }
    mutating func encode(_ value: Bool) throws { try base.encode(value) }
    mutating func encode(_ value: String) throws { try base.encode(value) }
    mutating func encode(_ value: Double) throws { try base.encode(value) }
    mutating func encode(_ value: Float) throws { try base.encode(value) }
    mutating func encode(_ value: Int) throws { try base.encode(value) }
    mutating func encode(_ value: Int8) throws { try base.encode(value) }
    mutating func encode(_ value: Int16) throws { try base.encode(value) }
    mutating func encode(_ value: Int32) throws { try base.encode(value) }
    mutating func encode(_ value: Int64) throws { try base.encode(value) }
    mutating func encode(_ value: UInt) throws { try base.encode(value) }
    mutating func encode(_ value: UInt8) throws { try base.encode(value) }
    mutating func encode(_ value: UInt16) throws { try base.encode(value) }
    mutating func encode(_ value: UInt32) throws { try base.encode(value) }
    mutating func encode(_ value: UInt64) throws { try base.encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try base.encode(SnakeCased<T>.wrap(value)) }
}
