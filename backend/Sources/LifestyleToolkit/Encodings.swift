public enum Hex {
    public static let table = Array("0123456789abcdef".utf8)

    /// The value of one hex digit (either case); nil for any other byte.
    public static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Lower- or upper-case hex of an even length; nil on anything else.
    public static func decode(_ s: String) -> [UInt8]? {
        let digits = Array(s.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        for b in bytes {
            out.append(table[Int(b >> 4)])
            out.append(table[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// RFC 4648 Base64, the one implementation: the standard alphabet with padding (data: URLs,
/// API Gateway bodies, Cognito's SECRET_HASH) or base64url without padding (JWT segments,
/// opaque tokens). Decoding accepts either alphabet, padding optional.
public enum Base64 {
    public enum Alphabet: Sendable { case standard, url }
    static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// `.standard` pads to a multiple of four characters; `.url` never pads.
    public static func encode<S: Sequence>(_ bytes: S, alphabet: Alphabet = .standard) -> String where S.Element == UInt8 {
        let b = Array(bytes)
        let table = alphabet == .standard ? standardAlphabet : urlAlphabet
        var out: [UInt8] = []
        out.reserveCapacity((b.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < b.count {
            let n = (UInt32(b[i]) << 16) | (UInt32(b[i + 1]) << 8) | UInt32(b[i + 2])
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], table[Int(n & 63)]]
            i += 3
        }
        let rest = b.count - i
        if rest == 1 {
            let n = UInt32(b[i]) << 16
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)]]
            if alphabet == .standard { out += [UInt8(ascii: "="), UInt8(ascii: "=")] }
        } else if rest == 2 {
            let n = (UInt32(b[i]) << 16) | (UInt32(b[i + 1]) << 8)
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)]]
            if alphabet == .standard { out.append(UInt8(ascii: "=")) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes either alphabet, padding optional. Nil on any other character, except that
    /// `ignoringWhitespace` skips spaces and line breaks (MIME-wrapped bodies).
    public static func decode(_ s: some StringProtocol, ignoringWhitespace: Bool = false) -> [UInt8]? {
        decode(utf8: s.utf8, ignoringWhitespace: ignoringWhitespace)
    }

    /// Decodes Base64 given as UTF-8 bytes (e.g. a slice of a token's bytes).
    public static func decode<C: Collection>(utf8: C, ignoringWhitespace: Bool = false) -> [UInt8]? where C.Element == UInt8 {
        var vals: [UInt8] = []
        vals.reserveCapacity(utf8.count)
        for c in utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): vals.append(c - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): vals.append(c - 71)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): vals.append(c + 4)
            case UInt8(ascii: "-"), UInt8(ascii: "+"): vals.append(62)
            case UInt8(ascii: "_"), UInt8(ascii: "/"): vals.append(63)
            case UInt8(ascii: "="): continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                if ignoringWhitespace { continue }
                return nil
            default: return nil
            }
        }
        if vals.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(vals.count * 3 / 4)
        var i = 0
        while i < vals.count {
            let chunk = vals[i..<min(i + 4, vals.count)]
            var n: UInt32 = 0
            for (j, v) in chunk.enumerated() { n |= UInt32(v) << (18 - 6 * UInt32(j)) }
            out.append(UInt8(n >> 16 & 0xFF))
            if chunk.count > 2 { out.append(UInt8(n >> 8 & 0xFF)) }
            if chunk.count > 3 { out.append(UInt8(n & 0xFF)) }
            i += 4
        }
        return out
    }
}

/// Base64url without padding (JWT segments, opaque tokens): `Base64` with the URL alphabet.
public enum Base64URL {
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 { Base64.encode(bytes, alphabet: .url) }
    public static func decode(_ s: some StringProtocol) -> [UInt8]? { Base64.decode(utf8: s.utf8) }
    public static func decode<C: Collection>(utf8: C) -> [UInt8]? where C.Element == UInt8 { Base64.decode(utf8: utf8) }
}

/// RFC 3986 percent-encoding, the one implementation: everything but the unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) as `%XX` with upper-case hex (SigV4's canonical form, otpauth URIs,
/// API Gateway's query strings).
public enum PercentEncoding {
    static let upperHex = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    public static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: true
        default: false
        }
    }

    public static func encode<C: Collection<UInt8>>(_ bytes: C, into out: inout [UInt8]) {
        for b in bytes {
            if isUnreserved(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(b >> 4)])
                out.append(upperHex[Int(b & 0x0F)])
            }
        }
    }

    public static func encode(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        encode(s.utf8, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `%XX` back to bytes (either case); a `%` not followed by two hex digits stays as it is.
    /// `plusAsSpace` reads `+` as a space (HTML form / query-string convention).
    public static func decode<C: Collection<UInt8>>(_ bytes: C, plusAsSpace: Bool = false) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var it = Array(bytes)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%"), it.count >= 2,
                let hi = Hex.value(it[it.startIndex]), let lo = Hex.value(it[it.startIndex + 1])
            {
                out.append(hi << 4 | lo)
                it = it.dropFirst(2)
            } else if plusAsSpace, b == UInt8(ascii: "+") {
                out.append(0x20)
            } else {
                out.append(b)
            }
        }
        return out
    }

    /// `%XX` back to bytes, refusing what is not valid percent-encoded UTF-8 (a `%` without two
    /// hex digits, or bytes that are not UTF-8): nil then.
    public static func decodeStrictly<S: StringProtocol>(_ s: S) -> String? {
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, Hex.value(bytes[i + 1]) != nil, Hex.value(bytes[i + 2]) != nil else { return nil }
                i += 3
            } else {
                i += 1
            }
        }
        return String(validating: decode(bytes), as: UTF8.self)
    }

    public static func decode(_ s: String, plusAsSpace: Bool = false) -> String {
        String(decoding: decode(s.utf8, plusAsSpace: plusAsSpace), as: UTF8.self)
    }
}

/// RFC 4648 base32 (TOTP secrets), upper-case, no padding.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for b in bytes {
            buffer = (buffer << 8) | UInt32(b)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for c in s.uppercased().utf8 where c != UInt8(ascii: "=") && c != UInt8(ascii: " ") {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            buffer = (buffer << 5) | UInt32(v)
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> UInt32(bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return out
    }
}
