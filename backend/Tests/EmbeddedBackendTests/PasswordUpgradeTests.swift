import Foundation
import XCTest

@testable import EmbeddedBackend
@testable import LifestyleCore

/// A password hash made at a lower scrypt cost (an earlier release's N = 2^15) is replaced by one
/// at the current cost at the next sign-in that proves the password, and only then.
final class PasswordUpgradeTests: XCTestCase {
    func testALowerCostHashIsUpgradedAtTheNextSuccessfulSignIn() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("upgrade-\(UUID().uuidString)").path
        let old = try await EmbeddedAdapters.open(dataDirectory: dir, hasher: PasswordHasher(logN: 10, r: 8, p: 1))
        let subject = try await old.identity.signUp(email: "up@example.com", password: "SecureP@ss123", givenName: "U", familyName: "P")
        try await old.database.query("UPDATE identities SET confirmed = 1 WHERE subject = ?", [.text(subject)])
        try await old.database.close()

        let new = try await EmbeddedAdapters.open(dataDirectory: dir, hasher: PasswordHasher(logN: 11, r: 8, p: 1))
        func stored() async throws -> String { try await new.identity.identity(subject: subject)?.string("password_hash") ?? "" }
        let before = try await stored()
        XCTAssertTrue(before.hasPrefix("$scrypt$ln=10,r=8,p=1$"))

        // A wrong password changes nothing.
        do {
            _ = try await new.identity.initiateAuth(email: "up@example.com", password: "Wrong-Passw0rd!")
            XCTFail("a wrong password signs in")
        } catch IdentityError.notAuthorized {}
        let afterWrong = try await stored()
        XCTAssertEqual(afterWrong, before)

        guard case .authenticated = try await new.identity.initiateAuth(email: "up@example.com", password: "SecureP@ss123") else {
            return XCTFail("no tokens")
        }
        let upgraded = try await stored()
        XCTAssertTrue(upgraded.hasPrefix("$scrypt$ln=11,r=8,p=1$"), upgraded)
        // ...and the upgraded hash still verifies the same password.
        guard case .authenticated = try await new.identity.initiateAuth(email: "up@example.com", password: "SecureP@ss123") else {
            return XCTFail("no tokens after the upgrade")
        }
        let again = try await stored()
        XCTAssertEqual(again, upgraded, "upgraded once")
    }

    func testTheStandardCostIsOWASPsScryptMinimum() {
        XCTAssertEqual(PasswordHasher.standard.logN, 17)
        XCTAssertEqual(PasswordHasher.standard.r, 8)
        XCTAssertEqual(PasswordHasher.standard.p, 1)
    }
}
