/// The one writer of hand-built JSON (bodies on hot paths, Lambda payloads, error bodies): values
/// appended straight into a string in the order given, commas placed by the writer. Keys are
/// written as given, so a caller that wants sorted keys (every API body) writes them sorted.
public struct JSONWriter {
    public private(set) var text: String
    private var needsComma = false

    public init(capacity: Int = 256) {
        text = ""
        text.reserveCapacity(capacity)
    }

    /// The JSON written so far as UTF-8 bytes.
    public var bytes: [UInt8] { Array(text.utf8) }

    private mutating func separate() {
        if needsComma { text += "," }
    }

    public mutating func beginObject() {
        separate()
        text += "{"
        needsComma = false
    }

    public mutating func endObject() {
        text += "}"
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        text += "["
        needsComma = false
    }

    public mutating func endArray() {
        text += "]"
        needsComma = true
    }

    /// An object member's name; the next value written is its value.
    public mutating func key(_ name: String) {
        separate()
        JSONText.appendQuoted(name, to: &text)
        text += ":"
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        JSONText.appendQuoted(value, to: &text)
        needsComma = true
    }

    public mutating func number(_ value: some BinaryInteger) {
        separate()
        text += String(value)
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        text += value ? "true" : "false"
        needsComma = true
    }

    /// `"name":"value"`.
    public mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    /// `"name":[…strings]`. (Concrete collection types throughout: generic ones are not
    /// specialised across modules under -Osize and cost a metadata lookup a call.)
    public mutating func field(_ name: String, strings values: [String]) {
        key(name)
        beginArray()
        for v in values { string(v) }
        endArray()
    }

    /// `"name":{…}` from string pairs, in the order given.
    public mutating func field(_ name: String, object pairs: [(String, String)]) {
        key(name)
        beginObject()
        for (k, v) in pairs { field(k, v) }
        endObject()
    }
}

/// Minimal JSON string quoting (for hand-built bodies and EMF lines).
public enum JSONText {
    /// `{"k1":"v1","k2":"v2"}` in the given order.
    public static func appendObject(_ pairs: some Sequence<(String, String)>, to out: inout String) {
        out += "{"
        var first = true
        for (k, v) in pairs {
            if !first { out += "," }
            first = false
            appendQuoted(k, to: &out)
            out += ":"
            appendQuoted(v, to: &out)
        }
        out += "}"
    }

    public static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        // Fast path: runs of bytes that need no escaping are appended whole (UTF-8 multi-byte
        // sequences never contain bytes below 0x80, so they are copied as they are).
        var s = s
        let clean = s.withUTF8 { utf8 -> Bool in
            var runStart = 0
            for i in 0..<utf8.count {
                let b = utf8[i]
                guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
                if runStart < i { out += String(decoding: UnsafeBufferPointer(rebasing: utf8[runStart..<i]), as: UTF8.self) }
                runStart = i + 1
                switch b {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                default:
                    let hex = String(b, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            }
            if runStart == 0 { return true }
            if runStart < utf8.count {
                out += String(decoding: UnsafeBufferPointer(rebasing: utf8[runStart...]), as: UTF8.self)
            }
            return false
        }
        if clean { out += s }
        out += "\""
    }
}
