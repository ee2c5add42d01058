import Testing

@testable import AWSBackend

/// The Montgomery exponentiation where every carry of its inner loops is taken: (n − 1)^e mod n
/// is n − 1 for every odd e, so the answer is known without a second implementation.
@Suite struct MontgomeryTests {
    /// s^e mod n with the key's own exponentiation steps.
    static func power(_ key: RSAPublicKey, _ s: [UInt64]) -> [UInt64] {
        let sMont = key.montMul(s, key.r2)
        var x = sMont
        for bit in key.exponentBits.dropFirst() {
            x = key.montMul(x, x)
            if bit { x = key.montMul(x, sMont) }
        }
        var one = [UInt64](repeating: 0, count: key.n.count)
        one[0] = 1
        return key.montMul(x, one)
    }

    @Test(
        arguments: [
            // All-ones limbs (2²⁰⁴⁸ − 1): the largest partial products and sums there are.
            [UInt8](repeating: 0xFF, count: 256),
            // All-ones but the top bit and a sparse middle: carries that stop and start again.
            [0x80] + [UInt8](repeating: 0, count: 127) + [UInt8](repeating: 0xFF, count: 128),
        ], [[0x01, 0x00, 0x01] as [UInt8], [0x03]])
    func minusOneToAnOddPowerIsMinusOne(modulus: [UInt8], exponent: [UInt8]) throws {
        let key = try #require(RSAPublicKey(n: modulus, e: exponent))
        var minusOne = key.n
        minusOne[0] -= 1
        #expect(Self.power(key, minusOne) == minusOne)
        // And 1^e = 1, 2^3 = 8 for the small exponent.
        var one = [UInt64](repeating: 0, count: key.n.count)
        one[0] = 1
        #expect(Self.power(key, one) == one)
        if exponent == [0x03] {
            var two = one
            two[0] = 2
            var eight = one
            eight[0] = 8
            #expect(Self.power(key, two) == eight)
        }
    }
}
