import Crypto
import Foundation
import Synchronization
import XCTest

@testable import LifestyleCore
@testable import LifestyleToolkit

final class SealingTests: XCTestCase {
    func testHKDFMatchesRFC5869() {
        // RFC 5869, test case 1.
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        let salt: [UInt8] = Array(0x00...0x0c)
        let info: [UInt8] = Array(0xf0...0xf9)
        XCTAssertEqual(
            Hex.encode(KeyDerivation.hkdfSHA256(inputKey: ikm, salt: salt, info: info, length: 42)),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
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
        XCTAssertEqual(key.id, MasterKey(bytes: bytes)!.id, "the key id follows from the key")
        XCTAssertNotEqual(key.id, MasterKey.generate().id)
        // A Terraform-made secret: 64 random alphanumerics are base64 of 48 bytes.
        XCTAssertEqual(MasterKey(base64: String(repeating: "aZ09", count: 16))?.bytes.count, 48)
    }

    func testSealsOpenOnlyUnchangedUnderTheirPurposeAndAssociatedData() throws {
        let ring = KeyRing(current: .generate())
        let box = ring.box("test/v1")
        let ad = Array("client-1".utf8)
        let message = Array("{\"u\":\"jane@example.com\",\"s\":\"cognito-session\"}".utf8) + Random.bytes(100)
        let sealed = box.seal(message, associatedData: ad)
        XCTAssertEqual(box.open(sealed, associatedData: ad), .plaintext(message, stale: false))
        XCTAssertEqual(Array(sealed.prefix(4)), ring.current.id, "the key id leads the seal")
        XCTAssertNotEqual(box.seal(message, associatedData: ad), sealed, "a fresh nonce per seal")
        XCTAssertFalse(sealed.dropFirst(16).starts(with: message.prefix(16)), "the plaintext does not show")

        XCTAssertEqual(box.open(sealed, associatedData: Array("client-2".utf8)), .invalid, "other associated data")
        XCTAssertEqual(ring.box("other/v1").open(sealed, associatedData: ad), .invalid, "other purpose")
        XCTAssertEqual(KeyRing(current: .generate()).box("test/v1").open(sealed, associatedData: ad), .unknownKey)
        for i in sealed.indices.dropFirst(4) {
            var changed = sealed
            changed[i] ^= 0x01
            XCTAssertEqual(box.open(changed, associatedData: ad), .invalid, "byte \(i) flipped")
        }
        XCTAssertEqual(box.open(Array(sealed.dropLast()), associatedData: ad), .invalid)
        XCTAssertEqual(box.open([], associatedData: []), .invalid)
        XCTAssertEqual(box.open(box.seal([]), associatedData: []), .plaintext([], stale: false))
    }

    func testARotatedRingOpensThePreviousKeysSealsAsStaleAndSealsUnderTheNewOne() {
        let old = MasterKey.generate(), new = MasterKey.generate()
        let sealedBefore = KeyRing(current: old).box("totp/v1").seal(Array("secret".utf8))
        let rotated = KeyRing(current: new, previous: [old])
        XCTAssertEqual(rotated.box("totp/v1").open(sealedBefore), .plaintext(Array("secret".utf8), stale: true))
        let resealed = rotated.box("totp/v1").seal(Array("secret".utf8))
        XCTAssertEqual(Array(resealed.prefix(4)), new.id)
        XCTAssertEqual(rotated.box("totp/v1").open(resealed), .plaintext(Array("secret".utf8), stale: false))
        // The instance that has not reloaded yet does not know the new key: it must reload, not guess.
        XCTAssertEqual(KeyRing(current: old).box("totp/v1").open(resealed), .unknownKey)
        // A second rotation retires `old`.
        XCTAssertEqual(KeyRing(current: .generate(), previous: [new]).box("totp/v1").open(sealedBefore), .unknownKey)
        XCTAssertEqual(KeyRing(current: old, previous: [old]).previous.count, 0, "the same key twice is one version")
    }

    /// Seals of the release before key ids (HMAC-SHA256 CTR + HMAC tag) still open, so stored TOTP
    /// secrets survive the upgrade. The legacy seal is rebuilt here from its definition.
    func testLegacySealsOpenUnderAnyKeyOfTheRing() {
        let old = MasterKey.generate()
        func legacySeal(_ plaintext: [UInt8], master: MasterKey, purpose: String, ad: [UInt8]) -> [UInt8] {
            let encryptionKey = master.derive(purpose + "/encrypt"), macKey = master.derive(purpose + "/authenticate")
            let nonce = Random.bytes(16)
            var ciphertext: [UInt8] = []
            var counter = 0
            while ciphertext.count < plaintext.count {
                let block = Array(
                    HMAC<SHA256>.authenticationCode(for: nonce + LegacySeal.length(counter), using: SymmetricKey(data: encryptionKey)))
                for b in block where ciphertext.count < plaintext.count { ciphertext.append(plaintext[ciphertext.count] ^ b) }
                counter += 1
            }
            let mac = LegacySeal.length(ad.count) + ad + nonce + LegacySeal.length(ciphertext.count) + ciphertext
            return nonce + ciphertext + Array(HMAC<SHA256>.authenticationCode(for: mac, using: SymmetricKey(data: macKey)))
        }
        let text = Array("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".utf8)
        let sealed = legacySeal(text, master: old, purpose: "totp-secret/v1", ad: Array("USER#u1".utf8))
        let ring = KeyRing(current: .generate(), previous: [old])
        XCTAssertEqual(LegacySeal.open(sealed, ring: ring, purpose: "totp-secret/v1", associatedData: Array("USER#u1".utf8)), text)
        XCTAssertNil(LegacySeal.open(sealed, ring: ring, purpose: "totp-secret/v1", associatedData: Array("USER#u2".utf8)))
        XCTAssertNil(
            LegacySeal.open(sealed, ring: KeyRing(current: .generate()), purpose: "totp-secret/v1", associatedData: Array("USER#u1".utf8)))
        var changed = sealed
        changed[20] ^= 1
        XCTAssertNil(LegacySeal.open(changed, ring: ring, purpose: "totp-secret/v1", associatedData: Array("USER#u1".utf8)))
    }

    func testAppSecretLoadsOnceAndRetriesAfterAFailure() async throws {
        let calls = Counter()
        let secret = AppSecret(load: {
            if calls.next() == 1 { throw CancellationError() }
            return KeyRing(current: .generate())
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

    /// After a rotation, an instance that loaded the ring before it meets seals under the new key
    /// (made by a fresh instance): it reloads the ring and opens them.
    func testAppSecretReloadsTheRingForASealUnderAKeyItDoesNotKnow() async throws {
        let old = MasterKey.generate(), new = MasterKey.generate()
        let stored = Mutex(KeyRing(current: old))
        let secret = AppSecret(reloadInterval: .zero, load: { stored.withLock { $0 } })
        _ = try await secret.keys()
        stored.withLock { $0 = KeyRing(current: new, previous: [old]) }
        let fresh = KeyRing(current: new, previous: [old]).box("p").seal(Array("x".utf8))
        let opened = try await secret.open(fresh, purpose: "p")
        XCTAssertEqual(opened, Opened.plaintext(Array("x".utf8), stale: false))
        let again = try await secret.seal(Array("y".utf8), purpose: "p")
        XCTAssertEqual(Array(again.prefix(4)), new.id, "seals under the new current key from then on")
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
