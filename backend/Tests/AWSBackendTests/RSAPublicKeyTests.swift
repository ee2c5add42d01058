import Crypto
import XCTest
import _CryptoExtras

@testable import AWSBackend

/// Our RS256 verification against signatures made by swift-crypto (BoringSSL).
final class RSAPublicKeyTests: XCTestCase {
    func components(_ key: _RSA.Signing.PublicKey) throws -> (n: [UInt8], e: [UInt8]) {
        let p = try key.getKeyPrimitives()
        return (Array(p.modulus), Array(p.publicExponent))
    }

    func testSignaturesFromBoringSSLVerifyAndTamperedOnesDoNot() throws {
        for bits in [2048, 3072, 4096] {
            let signer = try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits))
            let (n, e) = try components(signer.publicKey)
            let key = try XCTUnwrap(RSAPublicKey(n: n, e: e))
            let other = try XCTUnwrap(RSAPublicKey(n: components(try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey).n, e: e))
            for length in [0, 1, 57, 1_000] {
                let message = (0..<length).map { _ in UInt8.random(in: 0...255) }
                let signature = Array(try signer.signature(for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5).rawRepresentation)
                XCTAssertTrue(key.verifySHA256(signature: signature, message: message), "\(bits)-bit, \(length) bytes")
                XCTAssertFalse(key.verifySHA256(signature: signature, message: message + [0]))
                var flipped = signature
                flipped[flipped.count / 2] ^= 0x01
                XCTAssertFalse(key.verifySHA256(signature: flipped, message: message))
                XCTAssertFalse(key.verifySHA256(signature: Array(signature.dropFirst()), message: message))
                if bits == 2048 { XCTAssertFalse(other.verifySHA256(signature: signature, message: message)) }
                // A PSS signature of the same message is not a PKCS#1 v1.5 one.
                let pss = Array(try signer.signature(for: SHA256.hash(data: message), padding: .PSS).rawRepresentation)
                XCTAssertFalse(key.verifySHA256(signature: pss, message: message))
            }
        }
    }

    func testKeysOutsideTheAcceptedRangeAreRefused() throws {
        let (n, e) = try components(try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey)
        XCTAssertNotNil(RSAPublicKey(n: [0, 0] + n, e: [0] + e), "leading zero bytes are allowed")
        XCTAssertNil(RSAPublicKey(n: Array(n.prefix(128)), e: e), "1024-bit modulus")
        XCTAssertNil(RSAPublicKey(n: n, e: [1]), "e = 1")
        XCTAssertNil(RSAPublicKey(n: n, e: [0x01, 0x00]), "even e")
        XCTAssertNil(RSAPublicKey(n: n.dropLast() + [n.last! & 0xFE], e: e), "even modulus")
        XCTAssertNil(RSAPublicKey(n: n, e: []), "no exponent")
    }

    func testSignatureNotBelowTheModulusIsRefused() throws {
        let (n, e) = try components(try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey)
        let key = try XCTUnwrap(RSAPublicKey(n: n, e: e))
        XCTAssertFalse(key.verifySHA256(signature: n, message: []))
        XCTAssertFalse(key.verifySHA256(signature: [UInt8](repeating: 0xFF, count: n.count), message: []))
    }
}
