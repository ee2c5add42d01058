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

    /// A version 7 UUID (RFC 9562): the first 48 bits are the Unix time in milliseconds, so ids
    /// made later sort after earlier ones as strings (a journal entry's key orders the journal).
    public static func uuidV7(unixMilliseconds ms: Int64) -> String {
        var g = SystemRandomNumberGenerator()
        var high = g.next()
        var low = g.next()
        high = (UInt64(UInt64(bitPattern: ms) & 0xFFFF_FFFF_FFFF) << 16) | 0x7000 | (high & 0x0FFF)
        low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // variant 10xx
        var hex = ""
        for (word, first) in [(high, 0), (low, 16)] {
            for n in 0..<16 {
                let digit = first + n
                if digit == 8 || digit == 12 || digit == 16 || digit == 20 { hex.append("-") }
                hex.append(Character(Unicode.Scalar(Hex.table[Int(truncatingIfNeeded: word >> UInt64(60 - 4 * n)) & 0xF])))
            }
        }
        return hex
    }

    /// A string of `count` random decimal digits.
    public static func digits(_ count: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &g))) })
    }
}
