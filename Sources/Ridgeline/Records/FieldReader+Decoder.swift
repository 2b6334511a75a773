/// Kernel specs and measurement records have one reader, a `FieldReader` parser (their `.jsonl`
/// files are read a line at a time by `JSONObjectParser`, for speed), and are also parts of
/// `Codable` records. Their `init(from:)` reads the decoder's value with this reader and calls
/// that parser, so a spec inside a record accepts and refuses what a spec file does, and its
/// errors name the file (`RecordCoding.decode`'s) and the field's path in the record
/// (`rows[0].kernel.m`).
extension FieldReader {
    public init(decoder: any Decoder) throws {
        let path = decoder.codingPath.isEmpty ? "" : RecordCoding.path(decoder.codingPath)
        self.init(try FieldValue(from: decoder), path: path, file: decoder.userInfo[RecordCoding.fileKey] as? String)
    }
}

/// A decoded JSON value as `FieldReader` holds it: scalars as their text (numbers as JSON
/// writes them, `true`, `null`), lists, and objects with their keys sorted. Object keys are
/// kept as written (a decoder's key strategy does not touch a dictionary's keys).
extension FieldValue: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .scalar("null")
        } else if let b = try? c.decode(Bool.self) {
            self = .scalar(b ? "true" : "false")
        } else if let i = try? c.decode(Int.self) {
            self = .scalar(String(i))
        } else if let d = try? c.decode(Double.self) {
            self = .scalar("\(d)")
        } else if let s = try? c.decode(String.self) {
            self = .scalar(s)
        } else if let items = try? c.decode([FieldValue].self) {
            self = .sequence(items)
        } else {
            let pairs = try c.decode([String: FieldValue].self)
            self = .mapping(pairs.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
        }
    }
}
