/// A strict RFC 8259 parser from UTF-8 bytes straight to `JSONValue`, without `Codable`.
///
/// Used where JSON arrives on every request (API Gateway events, request bodies): it is several
/// times cheaper than `JSONDecoder` into `JSONValue`. Rejects what `JSONDecoder` rejects:
/// invalid UTF-8, control characters in strings, lone surrogates, leading zeros, trailing
/// commas, trailing garbage; nesting is limited to `maxDepth`. Duplicate keys: the first wins,
/// as with `JSONDecoder`.
public struct JSONParser {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
        public init(offset: Int, reason: String) {
            self.offset = offset
            self.reason = reason
        }
    }

    public static let maxDepth = 64

    /// Parses one JSON text (any value at the top level, surrounded by optional whitespace).
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buf throws(Failure) -> JSONValue in
            var p = JSONParser(buf)
            p.skipWhitespace()
            let value = try p.value(depth: 0)
            p.skipWhitespace()
            guard p.i == buf.count else { throw p.fail("unexpected data after the JSON value") }
            return value
        }
    }

    let b: UnsafeBufferPointer<UInt8>
    var i = 0

    /// A reader over `b` for callers that walk a document themselves (`expectObject`,
    /// `nextMember`, `value`, `skipValue`) instead of building a whole `JSONValue` tree.
    public init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    func fail(_ reason: String) -> Failure { Failure(offset: i, reason: reason) }

    /// Fails unless only whitespace is left.
    public mutating func expectEnd() throws(Failure) {
        skipWhitespace()
        guard i == b.count else { throw fail("unexpected data after the JSON value") }
    }

    /// True (and consumed) when the next value is `null`.
    public mutating func takeNull() throws(Failure) -> Bool {
        skipWhitespace()
        guard i < b.count, b[i] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// Consumes the `{` of an object; then call `nextMember(&first)` (with `first` starting
    /// true) until it returns nil.
    public mutating func expectObject() throws(Failure) {
        skipWhitespace()
        guard i < b.count, b[i] == UInt8(ascii: "{") else { throw fail("expected an object") }
        i += 1
    }

    /// The next member name of the object being read (its value must be read or skipped next),
    /// or nil after the closing `}`.
    public mutating func nextMember(_ first: inout Bool) throws(Failure) -> String? {
        skipWhitespace()
        guard i < b.count else { throw fail("unexpected end of input") }
        if b[i] == UInt8(ascii: "}") {
            i += 1
            return nil
        }
        if !first {
            guard b[i] == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
            i += 1
            skipWhitespace()
        }
        first = false
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
        let key = try string()
        skipWhitespace()
        guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        i += 1
        return key
    }

    /// Reads the next value as a tree.
    public mutating func value() throws(Failure) -> JSONValue {
        skipWhitespace()
        return try value(depth: 1)
    }

    /// Reads the next value as a string (fails on any other type).
    public mutating func stringValue() throws(Failure) -> String {
        skipWhitespace()
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        return try string()
    }

    /// Skips the next value, checking its syntax, without building it.
    public mutating func skipValue() throws(Failure) {
        skipWhitespace()
        try skip(depth: 1)
    }

    mutating func skip(depth: Int) throws(Failure) {
        guard i < b.count else { throw fail("unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "{"):
            guard depth <= Self.maxDepth else { throw fail("nested too deeply") }
            i += 1
            var first = true
            while try nextMember(&first) != nil {
                skipWhitespace()
                try skip(depth: depth + 1)
            }
        case UInt8(ascii: "["):
            guard depth <= Self.maxDepth else { throw fail("nested too deeply") }
            i += 1
            if opensEmpty(UInt8(ascii: "]")) { return }
            repeat {
                skipWhitespace()
                try skip(depth: depth + 1)
            } while try !closes(UInt8(ascii: "]"))
        default:
            _ = try value(depth: depth)
        }
    }

    mutating func skipWhitespace() {
        while i < b.count {
            switch b[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard i < b.count else { throw fail("unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw fail("unexpected end of input") }
        for k in 0..<n where b[i + k] != word.utf8Start[k] { throw fail("invalid literal") }
        i += n
    }

    mutating func object(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maxDepth else { throw fail("nested too deeply") }
        i += 1
        var members: [String: JSONValue] = [:]
        if opensEmpty(UInt8(ascii: "}")) { return .object(members) }
        while true {
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let key = try string()
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipWhitespace()
            let v = try value(depth: depth)
            if members[key] == nil { members[key] = v }
            if try closes(UInt8(ascii: "}")) { return .object(members) }
        }
    }

    /// True when the container opened just before the cursor is empty (its `close` is consumed).
    mutating func opensEmpty(_ close: UInt8) -> Bool {
        skipWhitespace()
        guard i < b.count && b[i] == close else { return false }
        i += 1
        return true
    }

    /// After a member or an element: consumes `,` (false: another one follows) or `close` (true).
    mutating func closes(_ close: UInt8) throws(Failure) -> Bool {
        skipWhitespace()
        guard i < b.count else { throw fail("unexpected end of input") }
        if b[i] == UInt8(ascii: ",") {
            i += 1
            return false
        }
        guard b[i] == close else { throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
        i += 1
        return true
    }

    mutating func array(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maxDepth else { throw fail("nested too deeply") }
        i += 1
        var items: [JSONValue] = []
        if opensEmpty(UInt8(ascii: "]")) { return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth))
            if try closes(UInt8(ascii: "]")) { return .array(items) }
        }
    }

    mutating func string() throws(Failure) -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                guard let s = String(validating: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self) else {
                    throw fail("invalid UTF-8 in string")
                }
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("control character in string") }
            i += 1
        }
        guard i < b.count else { throw fail("unterminated string") }
        var bytes = Array(UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                guard let s = String(validating: bytes, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
                i += 1
                return s
            }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") {
                bytes.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < b.count else { throw fail("unterminated string") }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else {
                        throw fail("lone surrogate in string")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair in string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw fail("lone surrogate in string")
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid escape") }
                bytes.append(contentsOf: UTF8.encode(u)!)
            default:
                throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= b.count else { throw fail("unterminated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    mutating func number() throws(Failure) -> Double {
        let start = i
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.i
            while p.i < p.b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(p.b[p.i]) { p.i += 1 }
            return p.i - s
        }
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { throw fail("invalid number") }
        if b[i] == UInt8(ascii: "0") {
            i += 1
            if i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { throw fail("leading zero in number") }
        } else {
            guard digits(&self) > 0 else { throw fail("invalid number") }
        }
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(&self) > 0 else { throw fail("invalid number") }
        }
        if i < b.count && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            if i < b.count && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
            guard digits(&self) > 0 else { throw fail("invalid number") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw fail("number out of range") }
        return d
    }
}
