import EmbeddedBackend
import Foundation
import Logging
import Synchronization
import XCTest

@testable import LifestyleCore
@testable import LifestyleToolkit

/// DELETE /users/profile is all or nothing: when the identity cannot be removed, the profile
/// and backup codes that were already deleted come back and the account works as before.
final class AccountDeletionTests: XCTestCase {
    func testFailedIdentityDeletionRestoresTheProfileAndBackupCodes() async throws {
        let dir = try makeDataDir()
        let backend = try await EmbeddedAdapters.open(dataDirectory: dir, hasher: PasswordHasher(logN: 10, r: 8, p: 1))
        let identity = FaultyIdentity(backend.identity)
        let app = LifestyleApp(
            services: Services(users: backend.users, identity: identity, config: AppConfig(environment: .local, logLevel: .critical)),
            logger: Logger(label: "test"))
        let password = "SecureP@ss123"

        let registered = await app.respond(
            to: json(
                "POST", "/v1/auth/register", #"{"email":"del@example.com","password":"\#(password)","firstName":"Del","lastName":"Me"}"#))
        XCTAssertEqual(registered.status, 201)
        let token = try XCTUnwrap(lastOutboxToken(dir))
        let verified = await app.respond(to: json("POST", "/v1/auth/email/verify", #"{"token":"\#(token)"}"#))
        XCTAssertEqual(verified.status, 200)
        let login = await app.respond(to: json("POST", "/v1/auth/login", #"{"email":"del@example.com","password":"\#(password)"}"#))
        let access = try XCTUnwrap(field(login, "accessToken"))
        let created = try await backend.users.user(email: "del@example.com")
        let userId = try XCTUnwrap(created?.userId)
        let put = await app.respond(to: json("PUT", "/v1/users/profile", #"{"preferences":{"units":"imperial"}}"#, bearer: access))
        XCTAssertEqual(put.status, 200)
        try await backend.users.replaceBackupCodes(userId: userId, hashes: ["h1", "h2"])
        let delete = json("DELETE", "/v1/users/profile", #"{"password":"\#(password)"}"#, bearer: access)

        identity.failDeletes.withLock { $0 = true }
        let failed = await app.respond(to: delete)
        XCTAssertEqual(failed.status, 503)
        let restored = try await backend.users.user(id: userId)
        XCTAssertEqual(restored?.preferences.units, "imperial", "the profile is back as it was")
        let codes = try await backend.users.unusedBackupCodeHashes(userId: userId)
        XCTAssertEqual(Set(codes), ["h1", "h2"])
        let byEmail = try await backend.users.user(email: "del@example.com")
        XCTAssertEqual(byEmail?.userId, userId, "the email guard is back")
        let profile = await app.respond(to: json("GET", "/v1/users/profile", "", bearer: access))
        XCTAssertEqual(profile.status, 200)

        identity.failDeletes.withLock { $0 = false }
        let deleted = await app.respond(to: delete)
        XCTAssertEqual(deleted.status, 204)
        let gone = try await backend.users.user(id: userId)
        XCTAssertNil(gone)
        let identityGone = try await backend.identity.adminGetUser(username: userId)
        XCTAssertNil(identityGone)
        let codesGone = try await backend.users.unusedBackupCodeHashes(userId: userId)
        XCTAssertEqual(codesGone, [])
        let refused = await app.respond(to: json("GET", "/v1/users/profile", "", bearer: access))
        XCTAssertEqual(refused.status, 401)
    }

    func json(_ method: String, _ path: String, _ body: String, bearer: String? = nil) -> APIRequest {
        AppRequests.json(method, path, body, bearer: bearer)
    }

    func field(_ response: APIResponse, _ name: String) -> String? { AppRequests.field(response, name) }

    func lastOutboxToken(_ dir: String) throws -> String? { try AppRequests.lastOutboxToken(dir) }

    func makeDataDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lifestyle-delete-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// The embedded identity provider, except that deleting an identity can be made to fail.
final class FaultyIdentity: IdentityProvider {
    let base: LocalIdentityProvider
    let failDeletes = Mutex(false)
    init(_ base: LocalIdentityProvider) { self.base = base }

    func adminDeleteUser(subject: String) async throws {
        if failDeletes.withLock({ $0 }) { throw IdentityError.unavailable("injected") }
        try await base.adminDeleteUser(subject: subject)
    }

    func signUp(email: String, password: String, givenName: String, familyName: String) async throws -> String {
        try await base.signUp(email: email, password: password, givenName: givenName, familyName: familyName)
    }
    func confirmSignUp(token: String) async throws -> String { try await base.confirmSignUp(token: token) }
    func initiateAuth(email: String, password: String) async throws -> AuthOutcome {
        try await base.initiateAuth(email: email, password: password)
    }
    func respondToMFAChallenge(session: String, code: String, consumeBackupCode: @Sendable (String) async throws -> Bool)
        async throws -> (tokens: AuthTokens, subject: String)
    {
        try await base.respondToMFAChallenge(session: session, code: code, consumeBackupCode: consumeBackupCode)
    }
    func refresh(refreshToken: String) async throws -> AuthTokens { try await base.refresh(refreshToken: refreshToken) }
    func mfaChallengeAccount(session: String) async throws -> String? { try await base.mfaChallengeAccount(session: session) }
    func revokeRefreshToken(_ refreshToken: String) async throws -> String? { try await base.revokeRefreshToken(refreshToken) }
    func verifyPassword(principal: Principal, password: String) async throws {
        try await base.verifyPassword(principal: principal, password: password)
    }
    func changePassword(principal: Principal, currentPassword: String, newPassword: String) async throws {
        try await base.changePassword(principal: principal, currentPassword: currentPassword, newPassword: newPassword)
    }
    func resendConfirmation(email: String) async throws { try await base.resendConfirmation(email: email) }
    func forgotPassword(email: String) async throws { try await base.forgotPassword(email: email) }
    func confirmForgotPassword(token: String, newPassword: String) async throws -> String {
        try await base.confirmForgotPassword(token: token, newPassword: newPassword)
    }
    func associateSoftwareToken(principal: Principal) async throws -> String { try await base.associateSoftwareToken(principal: principal) }
    func verifySoftwareToken(principal: Principal, code: String) async throws {
        try await base.verifySoftwareToken(principal: principal, code: code)
    }
    func disableMFA(principal: Principal, password: String) async throws {
        try await base.disableMFA(principal: principal, password: password)
    }
    func checkSecondFactor(principal: Principal, code: String, consumeBackupCode: @Sendable (String) async throws -> Bool) async throws
        -> Bool
    {
        try await base.checkSecondFactor(principal: principal, code: code, consumeBackupCode: consumeBackupCode)
    }
    func emailTokenAccount(_ token: String) -> String? { base.emailTokenAccount(token) }
    func adminGetUser(username: String) async throws -> IdentityUser? { try await base.adminGetUser(username: username) }
    func verifyAccessToken(_ token: String) async throws -> Principal { try await base.verifyAccessToken(token) }
}
