/// Parses one JSON object (RFC 8259) from UTF-8 bytes into a `FieldValue`, keeping every number
/// as written so that `FieldReader` reads JSON and YAML alike (`m: 4096` and `"m": 4096` give the
/// same text) and an error quotes the value the user typed.
///
/// Every line of a `.jsonl` file (kernel specs, measurement records, reference rows) is one
/// object. libyaml's general composer spent ~70 µs on each, Foundation's `JSONDecoder` (a fresh
/// decoder and a thrown error per failed type guess) ~20 µs plus the YAML nodes built from it;
/// this is one pass over the bytes. Anything it does not accept (YAML flow mappings such as
/// `{a: 1}`, trailing text, broken JSON) returns nil and goes to Yams, which names the problem.
enum JSONObjectParser {
    /// Deeper nesting than any spec or record has; refusing it keeps the recursion bounded.
    static let maxDepth = 64

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> FieldValue? {
        var parser = Cursor(bytes: bytes)
        parser.skipSpace()
        guard parser.peek == UInt8(ascii: "{"), let value = parser.value(depth: 0) else { return nil }
        parser.skipSpace()
        return parser.atEnd ? value : nil
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard peek == byte else { return false }
            i += 1
            return true
        }

        mutating func value(depth: Int) -> FieldValue? {
            guard depth < JSONObjectParser.maxDepth else { return nil }
            skipSpace()
            guard let c = peek else { return nil }
            switch c {
            case UInt8(ascii: "{"):
                i += 1
                var pairs: [(key: String, value: FieldValue)] = []
                if take(UInt8(ascii: "}")) { return .mapping(pairs) }
                repeat {
                    skipSpace()
                    guard let key = string(), take(UInt8(ascii: ":")), let item = value(depth: depth + 1) else { return nil }
                    pairs.append((key, item))
                } while take(UInt8(ascii: ","))
                return take(UInt8(ascii: "}")) ? .mapping(pairs) : nil
            case UInt8(ascii: "["):
                i += 1
                var items: [FieldValue] = []
                if take(UInt8(ascii: "]")) { return .sequence(items) }
                repeat {
                    guard let item = value(depth: depth + 1) else { return nil }
                    items.append(item)
                } while take(UInt8(ascii: ","))
                return take(UInt8(ascii: "]")) ? .sequence(items) : nil
            case UInt8(ascii: "\""):
                return string().map(FieldValue.scalar)
            case UInt8(ascii: "t"): return word("true")
            case UInt8(ascii: "f"): return word("false")
            case UInt8(ascii: "n"): return word("null")
            default: return number()
            }
        }

        /// true, false and null as their words, as YAML holds them.
        mutating func word(_ text: String) -> FieldValue? {
            var k = i
            for byte in text.utf8 {
                guard k < bytes.count, bytes[k] == byte else { return nil }
                k += 1
            }
            i = k
            return .scalar(text)
        }

        /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, as written.
        mutating func number() -> FieldValue? {
            let start = i
            func digits(_ cursor: inout Cursor) -> Int {
                let from = cursor.i
                while let d = cursor.peek, d >= 0x30 && d <= 0x39 { cursor.i += 1 }
                return cursor.i - from
            }
            if peek == UInt8(ascii: "-") { i += 1 }
            if peek == UInt8(ascii: "0") { i += 1 } else if digits(&self) == 0 { return nil }
            if peek == UInt8(ascii: ".") {
                i += 1
                if digits(&self) == 0 { return nil }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                i += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
                if digits(&self) == 0 { return nil }
            }
            return .scalar(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
        }

        /// A string at the cursor (which is on its opening quote); nil for invalid UTF-8, a control
        /// character, a bad escape or an unpaired surrogate.
        mutating func string() -> String? {
            guard peek == UInt8(ascii: "\"") else { return nil }
            i += 1
            let start = i
            // Plain strings (no escapes) are one slice of the line.
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    defer { i += 1 }
                    return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { return nil }
                i += 1
            }
            guard i < bytes.count else { return nil }
            var out = Array(bytes[start..<i])
            while i < bytes.count {
                let c = bytes[i]
                i += 1
                switch c {
                case UInt8(ascii: "\""):
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let e = peek else { return nil }
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            // A high surrogate must be followed by an escaped low one.
                            guard peek == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                            i += 2
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { return nil }
                        out.append(contentsOf: String(Character(unicode)).utf8)
                    default: return nil
                    }
                default:
                    if c < 0x20 { return nil }
                    out.append(c)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard bytes.count - i >= 4 else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[i]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x41...0x46: d = c - 0x41 + 10
                case 0x61...0x66: d = c - 0x61 + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
                i += 1
            }
            return v
        }
    }
}
