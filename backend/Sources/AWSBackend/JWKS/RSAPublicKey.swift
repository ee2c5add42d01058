import Crypto
import LifestyleCore
import LifestyleToolkit
import _CryptoExtras

/// An RSA public key that verifies RSASSA-PKCS1-v1_5 SHA-256 signatures (RFC 8017 §8.2.2), the
/// RS256 of Cognito's tokens, with swift-crypto's RSA (BoringSSL's `RSA_verify`, which rebuilds
/// the whole expected encoding and compares it; no home-made bignum code).
/// Immutable after creation, so it is shared between tasks freely.
struct RSAPublicKey: Sendable {
    let key: _RSA.Signing.PublicKey
    /// Modulus length in bytes (k in RFC 8017).
    let byteCount: Int
    /// `e` (4 bytes, big-endian) then `n`: what identifies the key.
    let components: [UInt8]

    /// `n` and `e` as unsigned big-endian bytes (the JWK members, base64url-decoded). Accepts
    /// 2048- to 8192-bit moduli and odd exponents from 3 to 2³²−1.
    init?(n modulus: [UInt8], e exponent: [UInt8]) {
        let nBytes = Array(modulus.drop(while: { $0 == 0 }))
        let eBytes = Array(exponent.drop(while: { $0 == 0 }))
        guard nBytes.count >= 256, nBytes.count <= 1024, nBytes.last! & 1 == 1 else { return nil }
        guard !eBytes.isEmpty, eBytes.count <= 4, eBytes.last! & 1 == 1 else { return nil }
        var e: UInt32 = 0
        for b in eBytes { e = e << 8 | UInt32(b) }
        guard e >= 3, let key = try? _RSA.Signing.PublicKey(n: nBytes, e: eBytes) else { return nil }
        self.key = key
        self.byteCount = nBytes.count
        self.components = withUnsafeBytes(of: e.bigEndian) { Array($0) } + nBytes
    }

    /// True when `signature` is a valid RS256 signature of `message`.
    func verifySHA256(signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == byteCount else { return false }
        return key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
    }
}
