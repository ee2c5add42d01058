import XCTest

@testable import LifestyleToolkit

final class HashingTests: XCTestCase {
    func hex(_ b: [UInt8]) -> String { Hex.encode(b) }

    /// FIPS 180-4 examples.
    func testKnownAnswers() {
        let abc = Array("abc".utf8)
        XCTAssertEqual(hex(Hashing.sha1(abc)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(hex(Hashing.sha256(abc)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            hex(Hashing.sha512(abc)),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        )
        XCTAssertEqual(hex(Hashing.sha256([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let two = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(hex(Hashing.sha1(two)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(hex(Hashing.sha256(two)), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            hex(Hashing.sha256([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// RFC 4231 test case 2 and RFC 2202 test case 2 ("Jefe").
    func testHMACKnownAnswers() {
        let key = Array("Jefe".utf8), msg = Array("what do ya want for nothing?".utf8)
        XCTAssertEqual(hex(Hashing.hmac(.sha1, key: key, message: msg)), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        XCTAssertEqual(
            hex(Hashing.hmac(.sha256, key: key, message: msg)), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(
            hex(Hashing.hmac(.sha512, key: key, message: msg)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        )
    }
}
