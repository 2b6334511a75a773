import Yams

/// A parsed document as `FieldReader` reads it: scalars as their text, lists, and mappings with
/// their keys in document order. YAML documents come from Yams's composer; the JSON objects of
/// JSON Lines files come straight from `JSONObjectParser`, without the YAML node machinery (tags,
/// marks, resolvers), which cost more than the parse on a 100,000-line file.
public indirect enum FieldValue: Sendable {
    case scalar(String)
    case sequence([FieldValue])
    case mapping([(key: String, value: FieldValue)])

    /// Yams's node as a value. Keys that are not scalars (YAML allows a list as a key) have no
    /// name a field could be read by, and are left out, as `FieldReader.keys` always did.
    init(_ node: Node) {
        switch node {
        case .scalar(let s): self = .scalar(s.string)
        case .sequence(let items): self = .sequence(items.map(FieldValue.init))
        case .mapping(let pairs):
            self = .mapping(pairs.compactMap { pair in pair.key.scalar.map { (key: $0.string, value: FieldValue(pair.value)) } })
        case .alias: self = .scalar("")
        }
    }

    var scalar: String? { if case .scalar(let s) = self { return s } else { return nil } }
    var sequence: [FieldValue]? { if case .sequence(let items) = self { return items } else { return nil } }
    var mapping: [(key: String, value: FieldValue)]? { if case .mapping(let pairs) = self { return pairs } else { return nil } }
}
