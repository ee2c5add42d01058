import LifestyleCore
import LifestyleToolkit

/// An RSA public key that verifies RSASSA-PKCS1-v1_5 SHA-256 signatures (RFC 8017 §8.2.2), the
/// RS256 of Cognito's tokens.
///
/// Verification only uses public values, so plain (not constant-time) arithmetic is fine. The
/// check rebuilds the whole expected encoding `00 01 FF…FF 00 || DigestInfo || hash` and compares
/// it byte for byte; nothing of the decrypted block is parsed, which rules out the lenient-parser
/// forgeries. Modular exponentiation uses Montgomery multiplication on 64-bit limbs.
/// Immutable after creation, so it is shared between tasks freely.
struct RSAPublicKey: Sendable {
    /// Modulus, little-endian 64-bit limbs.
    let n: [UInt64]
    /// Public exponent bits, most significant first.
    let exponentBits: [Bool]
    /// Modulus length in bytes (k in RFC 8017).
    let byteCount: Int
    /// -n⁻¹ mod 2⁶⁴.
    let n0inv: UInt64
    /// R² mod n with R = 2^(64·limbs).
    let r2: [UInt64]

    static let sha256DigestInfo: [UInt8] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    ]

    /// `n` and `e` as unsigned big-endian bytes (the JWK members, base64url-decoded). Accepts
    /// 2048- to 8192-bit moduli and odd exponents from 3 to 2³²−1.
    init?(n modulus: [UInt8], e exponent: [UInt8]) {
        let nBytes = Array(modulus.drop(while: { $0 == 0 }))
        let eBytes = Array(exponent.drop(while: { $0 == 0 }))
        guard nBytes.count >= 256, nBytes.count <= 1024, nBytes.last! & 1 == 1 else { return nil }
        guard !eBytes.isEmpty, eBytes.count <= 4, eBytes.last! & 1 == 1 else { return nil }
        var e: UInt32 = 0
        for b in eBytes { e = e << 8 | UInt32(b) }
        guard e >= 3 else { return nil }
        byteCount = nBytes.count
        n = Self.limbs(nBytes, count: (nBytes.count + 7) / 8)
        var bits: [Bool] = []
        var started = false
        for i in stride(from: 31, through: 0, by: -1) {
            let bit = (e >> UInt32(i)) & 1 == 1
            if bit { started = true }
            if started { bits.append(bit) }
        }
        exponentBits = bits
        // Newton's iteration for n[0]⁻¹ mod 2⁶⁴ (n[0] is odd): each step doubles the correct bits.
        var inv: UInt64 = 1
        for _ in 0..<7 { inv = inv &* (2 &- n[0] &* inv) }
        n0inv = 0 &- inv
        // R² mod n by doubling 1 (2·64·limbs) times modulo n.
        var x = [UInt64](repeating: 0, count: n.count)
        x[0] = 1
        for _ in 0..<(2 * 64 * n.count) { Self.doubleMod(&x, n) }
        r2 = x
    }

    /// True when `signature` is a valid RS256 signature of `message`.
    func verifySHA256(signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == byteCount else { return false }
        let s = Self.limbs(signature, count: n.count)
        guard Self.compare(s, n) < 0 else { return false }
        let sMont = montMul(s, r2)
        var x = sMont
        for bit in exponentBits.dropFirst() {
            x = montMul(x, x)
            if bit { x = montMul(x, sMont) }
        }
        var one = [UInt64](repeating: 0, count: n.count)
        one[0] = 1
        let m = montMul(x, one)
        return Self.bytes(m, count: byteCount) == expectedEncoding(Hashing.sha256(message))
    }

    /// EMSA-PKCS1-v1_5 for SHA-256: `00 01 FF…FF 00 || DigestInfo || hash`, `byteCount` long.
    func expectedEncoding(_ hash: [UInt8]) -> [UInt8] {
        let t = Self.sha256DigestInfo + hash
        return [0x00, 0x01] + [UInt8](repeating: 0xFF, count: byteCount - t.count - 3) + [0x00] + t
    }

    /// a·b·R⁻¹ mod n (CIOS Montgomery multiplication on 64-bit limbs), both inputs < n.
    func montMul(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        let s = n.count
        var t = [UInt64](repeating: 0, count: s + 2)
        let n0inv = self.n0inv
        t.withUnsafeMutableBufferPointer { t in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    n.withUnsafeBufferPointer { n in
                        // Carries go through 128-bit sums (mul, add, adc), never through a branch:
                        // the operands are random-looking, so a branch per carry mispredicts half the
                        // time (that was most of the cost). a·b + t + carry < 2¹²⁸ never overflows.
                        for i in 0..<s {
                            // t += a·b[i]
                            var carry: UInt64 = 0
                            let bi = UInt128(b[i])
                            for j in 0..<s {
                                let p = UInt128(a[j]) &* bi &+ UInt128(t[j]) &+ UInt128(carry)
                                t[j] = UInt64(truncatingIfNeeded: p)
                                carry = UInt64(truncatingIfNeeded: p &>> 64)
                            }
                            let top = UInt128(t[s]) &+ UInt128(carry)
                            t[s] = UInt64(truncatingIfNeeded: top)
                            t[s + 1] = UInt64(truncatingIfNeeded: top &>> 64)
                            // t = (t + m·n) / 2⁶⁴
                            let m = UInt128(t[0] &* n0inv)
                            var q = m &* UInt128(n[0]) &+ UInt128(t[0])
                            carry = UInt64(truncatingIfNeeded: q &>> 64)
                            for j in 1..<s {
                                q = m &* UInt128(n[j]) &+ UInt128(t[j]) &+ UInt128(carry)
                                t[j - 1] = UInt64(truncatingIfNeeded: q)
                                carry = UInt64(truncatingIfNeeded: q &>> 64)
                            }
                            let last = UInt128(t[s]) &+ UInt128(carry)
                            t[s - 1] = UInt64(truncatingIfNeeded: last)
                            t[s] = t[s + 1] &+ UInt64(truncatingIfNeeded: last &>> 64)
                        }
                    }
                }
            }
        }
        var result = Array(t[0..<s])
        if t[s] != 0 || Self.compare(result, n) >= 0 { Self.subtract(&result, n) }
        return result
    }

    /// x = 2x mod n, for x < n.
    static func doubleMod(_ x: inout [UInt64], _ n: [UInt64]) {
        var carry: UInt64 = 0
        for i in 0..<x.count {
            let v = x[i]
            x[i] = v << 1 | carry
            carry = v >> 63
        }
        if carry != 0 || compare(x, n) >= 0 { subtract(&x, n) }
    }

    /// x -= n (modulo 2^(64·count): a borrow out of the top is the carry the caller dropped).
    static func subtract(_ x: inout [UInt64], _ n: [UInt64]) {
        var borrow = false
        for i in 0..<x.count {
            let (d1, b1) = x[i].subtractingReportingOverflow(n[i])
            let (d2, b2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
            x[i] = d2
            borrow = b1 || b2
        }
    }

    static func compare(_ a: [UInt64], _ b: [UInt64]) -> Int {
        for i in stride(from: a.count - 1, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return 0
    }

    /// Big-endian bytes → little-endian limbs (`count` of them).
    static func limbs(_ bytes: [UInt8], count: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        for (i, b) in bytes.reversed().enumerated() where i / 8 < count { out[i / 8] |= UInt64(b) << UInt64(8 * (i % 8)) }
        return out
    }

    /// Little-endian limbs → big-endian bytes, `count` long.
    static func bytes(_ limbs: [UInt64], count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let limb = limbs[i / 8]
            out[count - 1 - i] = UInt8(truncatingIfNeeded: limb >> UInt64(8 * (i % 8)))
        }
        return out
    }
}
