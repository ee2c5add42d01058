import XCTest

@testable import LifestyleCore
@testable import LifestyleToolkit

/// RFC 6238 Appendix B test vectors (8 digits; seeds are the ASCII strings of the RFC).
final class TOTPTests: XCTestCase {
    let sha1Seed = Array("12345678901234567890".utf8)
    let sha256Seed = Array("12345678901234567890123456789012".utf8)
    let sha512Seed = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)

    let vectors: [(Int64, String, String, String)] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ]

    func testRFC6238Vectors() {
        for (time, sha1, sha256, sha512) in vectors {
            XCTAssertEqual(TOTP(secret: sha1Seed, digits: 8).code(at: time), sha1, "SHA1 @\(time)")
            XCTAssertEqual(TOTP(secret: sha256Seed, digits: 8, algorithm: .sha256).code(at: time), sha256, "SHA256 @\(time)")
            XCTAssertEqual(TOTP(secret: sha512Seed, digits: 8, algorithm: .sha512).code(at: time), sha512, "SHA512 @\(time)")
        }
    }

    func testSixDigitCodesAreTheLowDigits() {
        XCTAssertEqual(TOTP(secret: sha1Seed).code(at: 59), "287082")
    }

    func testOneStepOfSkewEitherSideAndNoMore() {
        let totp = TOTP(secret: sha1Seed)
        let now: Int64 = 1_234_567_890
        XCTAssertNotNil(totp.validate(totp.code(at: now - 30), at: now))
        XCTAssertNotNil(totp.validate(totp.code(at: now + 30), at: now))
        XCTAssertNil(totp.validate(totp.code(at: now - 60), at: now))
        XCTAssertNil(totp.validate(totp.code(at: now + 60), at: now))
        XCTAssertNil(totp.validate("12345", at: now))
        XCTAssertNil(totp.validate("abcdef", at: now))
    }

    func testBase32RoundTripAndRFC4648Vectors() {
        XCTAssertEqual(Base32.encode(Array("foobar".utf8)), "MZXW6YTBOI")
        XCTAssertEqual(Base32.encode(Array("f".utf8)), "MY")
        XCTAssertEqual(Base32.decode("MZXW6YTBOI"), Array("foobar".utf8))
        XCTAssertEqual(Base32.decode("mzxw6ytboi"), Array("foobar".utf8))
        XCTAssertNil(Base32.decode("MZ1"))
        let secret = Random.bytes(20)
        XCTAssertEqual(Base32.decode(Base32.encode(secret)), secret)
    }

    func testProvisioningURI() {
        let uri = TOTP.provisioningURI(secretBase32: "JBSWY3DPEHPK3PXP", account: "jane@example.com", issuer: "AI Lifestyle")
        XCTAssertEqual(
            uri,
            "otpauth://totp/AI%20Lifestyle:jane%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=AI%20Lifestyle&algorithm=SHA1&digits=6&period=30"
        )
    }

    func testBackupCodesAreEightDistinctEightDigitCodesHashedPerUser() {
        let codes = BackupCodes.generate()
        XCTAssertEqual(codes.count, 8)
        XCTAssertEqual(Set(codes).count, 8)
        XCTAssertTrue(codes.allSatisfy { $0.count == 8 && $0.allSatisfy(\.isNumber) })
        let key = MasterKey.generate().derive(BackupCodes.purpose)
        XCTAssertNotEqual(BackupCodes.hash("12345678", userId: "a", key: key), BackupCodes.hash("12345678", userId: "b", key: key))
        XCTAssertFalse(BackupCodes.hash("12345678", userId: "a", key: key).contains("12345678"))
    }

    func testBackupCodeHashesNeedTheServerKey() {
        // A table dump without the master key cannot be searched: the same code and user under
        // another key (or the old unkeyed SHA-256 form) gives an unrelated hash.
        let key = MasterKey.generate().derive(BackupCodes.purpose)
        let other = MasterKey.generate().derive(BackupCodes.purpose)
        let hash = BackupCodes.hash("12345678", userId: "a", key: key)
        XCTAssertEqual(hash, BackupCodes.hash("12345678", userId: "a", key: key))
        XCTAssertNotEqual(hash, BackupCodes.hash("12345678", userId: "a", key: other))
        XCTAssertNotEqual(hash, Hex.encode(Hashing.sha256(Array("lifestyle-backup-code:a:12345678".utf8))))
        XCTAssertEqual(hash, Hex.encode(Hashing.hmac(.sha256, key: key, message: Array("a:12345678".utf8))))
    }
}
