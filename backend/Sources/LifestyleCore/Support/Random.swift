/// Random identifiers and secrets from the system CSPRNG.
public enum Random {
    public static func bytes(_ count: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return bytes(count, using: &g)
    }

    /// Eight bytes per call of the generator (one system call per 8 bytes, not per byte).
    static func bytes<G: RandomNumberGenerator>(_ count: Int, using g: inout G) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count + 7)
        while out.count < count {
            withUnsafeBytes(of: g.next()) { out.append(contentsOf: $0) }
        }
        out.removeLast(out.count - count)
        return out
    }

    /// A version 4 UUID in lower-case canonical form. Written straight into the string's buffer
    /// from two 64-bit draws: every request id is one of these (it was 9 % of a health request's
    /// CPU when built from Character arrays and five substrings).
    public static func uuid<G: RandomNumberGenerator>(using g: inout G) -> String {
        var high = g.next()
        var low = g.next()
        high = (high & ~0xF000) | 0x4000  // version 4 (bits 48-51 of the first half, big-endian)
        low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // variant 10xx
        return String(unsafeUninitializedCapacity: 36) { out in
            var i = 0
            for (word, first) in [(high, 0), (low, 16)] {
                for n in 0..<16 {
                    let digit = first + n
                    if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                        out[i] = UInt8(ascii: "-")
                        i += 1
                    }
                    out[i] = Hex.table[Int(truncatingIfNeeded: word >> UInt64(60 - 4 * n)) & 0xF]
                    i += 1
                }
            }
            return i
        }
    }

    public static func uuid() -> String {
        var g = SystemRandomNumberGenerator()
        return uuid(using: &g)
    }

    /// A string of `count` random decimal digits.
    public static func digits(_ count: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &g))) })
    }
}

public enum Hex {
    static let table = Array("0123456789abcdef".utf8)

    /// The value of one hex digit (either case); nil for any other byte.
    static func value(_ c: UInt8) -> UInt8? {
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

/// Base64url without padding (JWT segments, opaque tokens).
public enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let b = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((b.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < b.count {
            let n = (UInt32(b[i]) << 16) | (UInt32(b[i + 1]) << 8) | UInt32(b[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = b.count - i
        if rest == 1 {
            let n = UInt32(b[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
        } else if rest == 2 {
            let n = (UInt32(b[i]) << 16) | (UInt32(b[i + 1]) << 8)
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64url (padding optional; standard `+/` also accepted). Nil on any bad character.
    public static func decode(_ s: some StringProtocol) -> [UInt8]? {
        decode(utf8: s.utf8)
    }

    /// Decodes base64url given as UTF-8 bytes (e.g. a slice of a token's bytes).
    public static func decode<C: Collection>(utf8: C) -> [UInt8]? where C.Element == UInt8 {
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
