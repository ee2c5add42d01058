import Crypto
import Foundation
import XCTest

@testable import LifestyleCore
@testable import LifestyleToolkit

final class SealingTests: XCTestCase {
    func testHKDFMatchesRFC5869AndSwiftCrypto() {
        // RFC 5869, test case 1.
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        let salt: [UInt8] = Array(0x00...0x0c)
        let info: [UInt8] = Array(0xf0...0xf9)
        XCTAssertEqual(
            Hex.encode(HKDF.sha256(inputKey: ikm, salt: salt, info: info, length: 42)),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        for length in [1, 32, 33, 64, 100] {
            let ours = HKDF.sha256(inputKey: Array("master".utf8), salt: Array("salt".utf8), info: Array("purpose".utf8), length: length)
            let theirs = Crypto.HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: Array("master".utf8)), salt: Array("salt".utf8), info: Array("purpose".utf8),
                outputByteCount: length
            ).withUnsafeBytes { Array($0) }
            XCTAssertEqual(ours, theirs, "length \(length)")
        }
    }

    func testMasterKeyParsingAndDerivation() throws {
        XCTAssertNil(MasterKey(base64: "c2hvcnQ="), "fewer than 32 bytes")
        XCTAssertNil(MasterKey(base64: "not base64 at all!"))
        let bytes = Random.bytes(32)
        let standard = Data(bytes).base64EncodedString()
        let key = try XCTUnwrap(MasterKey(base64: standard + "\n"))
        XCTAssertEqual(key.bytes, bytes)
        XCTAssertEqual(MasterKey(base64: key.base64)?.bytes, bytes)
        XCTAssertNotEqual(key.derive("a"), key.derive("b"))
        XCTAssertEqual(key.derive("a"), MasterKey(bytes: bytes)!.derive("a"))
        // A Terraform-made secret: 64 random alphanumerics are base64 of 48 bytes.
        XCTAssertEqual(MasterKey(base64: String(repeating: "aZ09", count: 16))?.bytes.count, 48)
    }

    func testSecretBoxOpensOnlyItsOwnUnchangedSeals() throws {
        let master = MasterKey.generate()
        let box = SecretBox(master: master, purpose: "test/v1")
        let message = Array("{\"u\":\"jane@example.com\",\"s\":\"cognito-session\"}".utf8) + Random.bytes(100)
        let sealed = box.seal(message, associatedData: Array("client-1".utf8))
        XCTAssertEqual(box.open(sealed, associatedData: Array("client-1".utf8)), message)
        XCTAssertNotEqual(box.seal(message, associatedData: Array("client-1".utf8)), sealed, "a fresh nonce per seal")
        XCTAssertFalse(sealed.dropFirst(16).starts(with: message.prefix(16)), "the plaintext does not show")

        XCTAssertNil(box.open(sealed, associatedData: Array("client-2".utf8)), "other associated data")
        XCTAssertNil(SecretBox(master: master, purpose: "other/v1").open(sealed, associatedData: Array("client-1".utf8)))
        XCTAssertNil(SecretBox(master: .generate(), purpose: "test/v1").open(sealed, associatedData: Array("client-1".utf8)))
        for i in sealed.indices {
            var changed = sealed
            changed[i] ^= 0x01
            XCTAssertNil(box.open(changed, associatedData: Array("client-1".utf8)), "byte \(i) flipped")
        }
        XCTAssertNil(box.open(Array(sealed.dropLast()), associatedData: Array("client-1".utf8)))
        XCTAssertNil(box.open([], associatedData: []))
        XCTAssertEqual(box.open(box.seal([]), associatedData: []), [])
    }

    func testAppSecretLoadsOnceAndRetriesAfterAFailure() async throws {
        let calls = Counter()
        let secret = AppSecret(load: {
            if calls.next() == 1 { throw CancellationError() }
            return MasterKey.generate()
        })
        do {
            _ = try await secret.key()
            XCTFail("the first load fails")
        } catch {}
        let first = try await secret.key()
        let again = try await secret.key()
        XCTAssertEqual(first.bytes, again.bytes)
        XCTAssertEqual(calls.value, 2)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func next() -> Int {
        lock.withLock {
            n += 1; return n
        }
    }
    var value: Int { lock.withLock { n } }
}
