import Crypto
import Foundation
import LifestyleToolkit
import XCTest
import _CryptoExtras

@testable import AWSBackend

/// RS256 verification (swift-crypto's RSA under our key checks) against signatures made by
/// swift-crypto, and against vectors made with Python `cryptography`: the malformed encodings and
/// forgeries a lenient verifier would take.
final class RSAPublicKeyTests: XCTestCase {
    /// `e2e/support/rsa_vectors.py`, run with the suite's Python (`LIFESTYLE_TEST_PYTHON`, set by
    /// scripts/test.sh; `python3` otherwise): good signatures accepted, every edge case refused.
    func testPythonCryptographyVectorsGoodOnesAcceptedEdgeCasesRefused() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../e2e/support/rsa_vectors.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [ProcessInfo.processInfo.environment["LIFESTYLE_TEST_PYTHON"] ?? "python3", script.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "the vector script needs Python with `cryptography`")
        guard case .object(let root) = try JSONParser.parse(Array(data)), case .array(let vectors)? = root["vectors"] else {
            return XCTFail("no vectors")
        }
        XCTAssertGreaterThanOrEqual(vectors.count, 20)
        var refused = 0
        for case .object(let v) in vectors {
            guard case .string(let name)? = v["name"], case .string(let n)? = v["n"], case .string(let e)? = v["e"],
                case .string(let message)? = v["message"], case .string(let signature)? = v["signature"],
                case .bool(let valid)? = v["valid"]
            else { return XCTFail("malformed vector") }
            let key = try XCTUnwrap(RSAPublicKey(n: try XCTUnwrap(Hex.decode(n)), e: try XCTUnwrap(Hex.decode(e))), name)
            let verdict = key.verifySHA256(signature: try XCTUnwrap(Hex.decode(signature)), message: try XCTUnwrap(Hex.decode(message)))
            XCTAssertEqual(verdict, valid, name)
            if !valid { refused += 1 }
        }
        XCTAssertGreaterThanOrEqual(refused, 15)
    }

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
