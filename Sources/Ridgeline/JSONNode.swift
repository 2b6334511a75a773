import Foundation
import Yams

/// A JSON value read with Foundation's JSON decoder and turned into the nodes Yams would have
/// composed, so that `FieldReader` reads it the same way.
///
/// Every line of a `.jsonl` file (kernel specs, measurement records, reference rows) is a JSON
/// object, and libyaml's general YAML composer spent ~70 µs on each: a 200,000-line kernel file
/// took 30 s to read. Text that is not a JSON object, or that the JSON decoder refuses (YAML's
/// flow mappings such as `{a: 1}`), still goes to Yams, which reports its own errors.
enum JSONNode: Decodable {
    case object([String: JSONNode])
    case array([JSONNode])
    case scalar(String)

    /// The nodes of `text` when it is a JSON object; nil otherwise.
    static func compose(_ text: String) -> Node? {
        guard text.first(where: { !$0.isWhitespace }) == "{",
              let value = try? JSONDecoder().decode(JSONNode.self, from: Data(text.utf8)) else { return nil }
        return value.node
    }

    init(from decoder: Decoder) throws {
        if var items = try? decoder.unkeyedContainer() {
            var values: [JSONNode] = []
            while !items.isAtEnd { values.append(try items.decode(JSONNode.self)) }
            self = .array(values)
            return
        }
        if let object = try? decoder.container(keyedBy: Key.self) {
            var values: [String: JSONNode] = [:]
            for key in object.allKeys { values[key.stringValue] = try object.decode(JSONNode.self, forKey: key) }
            self = .object(values)
            return
        }
        // Scalars as the text Yams would hold: whole numbers as written, other numbers in
        // Swift's shortest form, booleans and null as their words.
        let value = try decoder.singleValueContainer()
        if value.decodeNil() { self = .scalar("null") }
        else if let bool = try? value.decode(Bool.self) { self = .scalar(bool ? "true" : "false") }
        else if let int = try? value.decode(Int.self) { self = .scalar(String(int)) }
        else if let double = try? value.decode(Double.self) { self = .scalar("\(double)") }
        else { self = .scalar(try value.decode(String.self)) }
    }

    /// Keys in sorted order, so that an error naming the first unknown key is the same every run.
    var node: Node {
        switch self {
        case .scalar(let text): return Node(text)
        case .array(let items): return Node(items.map(\.node))
        case .object(let fields):
            return .mapping(Node.Mapping(fields.keys.sorted().map { (Node($0), fields[$0]!.node) }))
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
