import Foundation
import Testing

@testable import Ridgeline

/// The JSON Lines path: `JSONObjectParser` against Foundation's JSON parser and against Yams, and
/// `TextInput.forEachContentLine` against `TextInput.contentLines`.
@Suite struct JSONLinesTests {
    func parse(_ text: String) -> FieldValue? {
        var text = text
        return text.withUTF8 { JSONObjectParser.parse($0) }
    }

    /// The parsed value in a comparable form: scalars as text, mappings as key-ordered lists.
    func flat(_ v: FieldValue?) -> String {
        switch v {
        case nil: return "nil"
        case .scalar(let s)?: return "<\(s)>"
        case .sequence(let items)?: return "[" + items.map { flat($0) }.joined(separator: ",") + "]"
        case .mapping(let pairs)?: return "{" + pairs.map { "\($0.key)=\(flat($0.value))" }.joined(separator: ",") + "}"
        }
    }

    @Test func objectsScalarsAndNesting() {
        #expect(
            flat(parse(#" { "op" : "gemm", "m":4096, "x":-1.5e-3, "t":true, "f":false, "n":null, "l":[1, [2], {}], "o":{"a":"b"} } "#))
                == "{op=<gemm>,m=<4096>,x=<-1.5e-3>,t=<true>,f=<false>,n=<null>,l=[<1>,[<2>],{}],o={a=<b>}}")
        // Numbers keep their text: an error quotes what was typed, and 4096.0 is not a whole number.
        #expect(flat(parse(#"{"m":4096.0,"e":1E+3,"z":0}"#)) == "{m=<4096.0>,e=<1E+3>,z=<0>}")
        // Key order is the document's, as Yams gives it.
        #expect(flat(parse(#"{"b":1,"a":2}"#)) == "{b=<1>,a=<2>}")
    }

    @Test func stringEscapesAndUnicode() throws {
        let text = #"{"s":"a\"b\\c\/d\b\f\n\r\t \u00e9 \ud83d\ude00 ü"}"#
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])["s"]
        #expect(flat(parse(text)) == "{s=<\(expected!)>}")
    }

    @Test func whatIsNotOneJSONObjectGoesToYams() {
        for text in [
            "", "[1]", "\"s\"", "{a: 1}", #"{"a":1} x"#, #"{"a":1,}"#, #"{"a":01}"#, #"{"a":1."#, #"{"a":"\x"}"#,
            #"{"a":"\ud83d"}"#, "{\"a\":\"tab\there\"}", #"{"a":tru}"#, #"{"a" 1}"#, #"{"a":-}"#, #"{"a":1e}"#,
            String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 100),
        ] {
            #expect(parse(text) == nil, "\(text)")
        }
        // Invalid UTF-8 inside a string is refused, and the reader says so.
        var bytes = Array(#"{"a":"x"}"#.utf8)
        bytes[6] = 0xFF
        #expect(bytes.withUnsafeBufferPointer { JSONObjectParser.parse($0) } == nil)
        let message = ridgelineErrorMessage { try bytes.withUnsafeBufferPointer { try FieldReader.parse(bytes: $0, file: "f.jsonl:3") } }
        #expect(message.contains("f.jsonl:3") && message.contains("not UTF-8"), "\(message)")
    }

    @Test func jsonAndYamlReadAlike() throws {
        let json = try FieldReader.parse(#"{"op":"gemm","m":4096,"n":11008,"k":4096,"dtype":"bf16","trans_a":true}"#, file: "j")
        let yaml = try FieldReader.parse("op: gemm\nm: 4096\nn: 11008\nk: 4096\ndtype: bf16\ntrans_a: true\n", file: "y")
        #expect(flat(json.content) == flat(yaml.content))
        #expect(try Kernel.parse(json) == Kernel.parse(yaml))
    }

    /// A block boundary can fall anywhere: lines longer than the 1 MiB block, CRLF, a BOM, no
    /// final newline, comments and blank lines all number and trim as `contentLines` does.
    @Test func streamingLinesMatchTheWholeText() throws {
        let long = #"{"op":"copy","elements":8,"dtype":"fp32","pad":""# + String(repeating: "x", count: 1_500_000) + "\"}"
        let text =
            "\u{FEFF}{\"a\":1}\r\n\n  # comment\n\t{\"b\":2}  \r\n" + long + "\n"
            + (1...40_000).map { "{\"n\":\($0)}" }.joined(separator: "\n")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ridgeline-lines-\(getpid()).jsonl")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var streamed: [(Int, String)] = []
        let (name, count) = try TextInput.forEachContentLine(path: file.path) { number, line in
            streamed.append((number, String(decoding: line, as: UTF8.self)))
        }
        var whole = TextInput.contentLines(text).map { ($0.number, String($0.text)) }
        whole[0].1 = String(whole[0].1.drop { $0 == "\u{FEFF}" })
        #expect(name == file.path && count == whole.count)
        #expect(streamed.map(\.0) == whole.map(\.0))
        #expect(streamed.map(\.1) == whole.map(\.1))
    }
}
