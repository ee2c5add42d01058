import Crypto
import XCTest

@testable import EmbeddedBackend
@testable import LifestyleCore
@testable import LifestyleToolkit

final class LocalTokensTests: XCTestCase {
    let tokens = LocalTokens(key: P256.Signing.PrivateKey(), issuer: "https://issuer.test/pool", clientID: "client")
    let now: Int64 = 1_800_000_000

    func testAccessTokenVerifies() throws {
        let t = tokens.accessToken(subject: "user-1", authTime: now, now: now)
        let verified = try tokens.verifyAccess(t, now: now + 10)
        XCTAssertEqual(verified.subject, "user-1")
        XCTAssertEqual(verified.issuedAt, now, "iat, checked against the account's revocations")
    }

    func testExpiredTamperedAndForeignTokensAreRejected() {
        let t = tokens.accessToken(subject: "user-1", authTime: now, now: now)
        XCTAssertThrowsError(try tokens.verifyAccess(t, now: now + 3600)) { XCTAssertEqual($0 as? LocalTokens.VerifyError, .expired) }
        var parts = t.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(
            Array(
                #"{"sub":"admin","iss":"https://issuer.test/pool","token_use":"access","client_id":"client","exp":9999999999,"iat":0,"auth_time":0}"#
                    .utf8))
        XCTAssertThrowsError(try tokens.verifyAccess(parts.joined(separator: "."), now: now)) {
            XCTAssertEqual($0 as? LocalTokens.VerifyError, .signature)
        }
        let other = LocalTokens(key: P256.Signing.PrivateKey(), issuer: "https://issuer.test/pool", clientID: "client")
        XCTAssertThrowsError(try tokens.verifyAccess(other.accessToken(subject: "x", authTime: now, now: now), now: now))
        XCTAssertThrowsError(try tokens.verifyAccess("not.a.jwt", now: now))
        XCTAssertThrowsError(try tokens.verifyAccess("", now: now))
    }

    func testIdTokensAreNotAccessTokens() {
        let id = tokens.idToken(subject: "u", email: "e@x.io", verified: true, givenName: "A", familyName: "B", authTime: now, now: now)
        XCTAssertThrowsError(try tokens.verifyAccess(id, now: now)) { XCTAssertEqual($0 as? LocalTokens.VerifyError, .tokenUse) }
    }

    func testAlgNoneAndHS256WithThePublicKeyAreRejected() {
        let payload = Base64URL.encode(
            Array(
                #"{"sub":"u","iss":"https://issuer.test/pool","token_use":"access","client_id":"client","exp":9999999999,"iat":0,"auth_time":0}"#
                    .utf8))
        let none = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + payload + "."
        XCTAssertThrowsError(try tokens.verifyAccess(none, now: now)) { XCTAssertEqual($0 as? LocalTokens.VerifyError, .algorithm) }
        let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let key = SymmetricKey(data: Array(tokens.key.publicKey.pemRepresentation.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array((header + "." + payload).utf8), using: key)
        let hs = header + "." + payload + "." + Base64URL.encode(Array(mac))
        XCTAssertThrowsError(try tokens.verifyAccess(hs, now: now)) { XCTAssertEqual($0 as? LocalTokens.VerifyError, .algorithm) }
    }
}
