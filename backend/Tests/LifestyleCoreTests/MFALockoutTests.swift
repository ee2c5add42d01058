import EmbeddedBackend
import Foundation
import Logging
import Synchronization
import XCTest

@testable import LifestyleCore
@testable import LifestyleToolkit

/// A wall clock the test moves.
final class TestClock: WallClock {
    private let seconds: Mutex<Double>
    init(_ start: Double) { seconds = Mutex(start) }
    func now() -> Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
    var unix: Int64 { Int64(seconds.withLock { $0 }) }
}

/// Wrong MFA codes lock an account out for longer and longer (15 minutes, then to the end of an
/// hour, of four hours, of a day), and the owner's correct code clears it. Driven through the
/// app on the embedded backend with a clock the test moves (the limiter's windows follow it).
final class MFALockoutTests: XCTestCase {
    let password = "SecureP@ss123"
    var app: LifestyleApp!
    var clock: TestClock!
    var dir: String!

    override func setUp() async throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("lifestyle-lockout-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        clock = TestClock(1_900_000_000)
        let backend = try await EmbeddedAdapters.open(dataDirectory: dir, hasher: PasswordHasher(logN: 10, r: 8, p: 1), clock: clock)
        app = LifestyleApp(
            services: Services(
                users: backend.users, identity: backend.identity, rateLimiter: backend.rateLimiter, secret: AppSecret(backend.keys),
                clock: clock, config: AppConfig(environment: .local, logLevel: .critical), revocations: backend.revocations),
            logger: Logger(label: "test"))
    }

    func testWrongCodesLockTheAccountOutLongerEachTimeAndTheOwnersCodeClearsIt() async throws {
        let secret = try await enrolledUser("lock@example.com")
        let wrong = "00000000"  // a backup code this account does not have

        // Tier 1: ten wrong codes, then a wait of (up to) 15 minutes.
        try await wrongCodes(10)
        var refused = try await verify(wrong)
        XCTAssertEqual(refused.status, 429)
        XCTAssertLessThanOrEqual(try retryAfter(refused), 900)

        // 15 minutes on: five more, then the wait runs to the end of the hour.
        clock.advance(901)
        try await wrongCodes(5)
        refused = try await verify(wrong)
        XCTAssertEqual(refused.status, 429)
        XCTAssertGreaterThan(try retryAfter(refused), 2600, "the second lock-out is longer")

        // An hour on: five more, then to the end of four hours.
        clock.advance(3600 - 901 + 1)
        try await wrongCodes(5)
        refused = try await verify(wrong)
        XCTAssertEqual(refused.status, 429)
        XCTAssertGreaterThan(try retryAfter(refused), 3 * 3600 - 60)

        // Four hours on: ten more (30 in the day), then to the end of the day: the cap.
        clock.advance(3 * 3600)
        try await wrongCodes(10)
        refused = try await verify(wrong)
        XCTAssertEqual(refused.status, 429)
        let capped = try retryAfter(refused)
        XCTAssertGreaterThan(capped, 19 * 3600)
        XCTAssertLessThanOrEqual(capped, 24 * 3600)
        // The right code waits too while the account is locked.
        refused = try await verify(TOTP(secret: secret).code(at: clock.unix))
        XCTAssertEqual(refused.status, 429)

        // The day over, the owner's code works and clears every tier: ten wrong codes again.
        clock.advance(Double(capped) + 1)
        let ok = try await verify(TOTP(secret: secret).code(at: clock.unix))
        XCTAssertEqual(ok.status, 200)
        try await wrongCodes(10)
        let again = try await verify(wrong)
        XCTAssertEqual(again.status, 429)
        XCTAssertLessThanOrEqual(try retryAfter(again), 900)
    }

    // MARK: helpers

    var email = ""

    /// Registers, verifies and enrols `email` in MFA; returns the TOTP secret.
    func enrolledUser(_ address: String) async throws -> [UInt8] {
        email = address
        let registered = await app.respond(
            to: json("POST", "/v1/auth/register", #"{"email":"\#(email)","password":"\#(password)","firstName":"Lo","lastName":"Ck"}"#))
        XCTAssertEqual(registered.status, 201)
        let verified = await app.respond(to: json("POST", "/v1/auth/email/verify", #"{"token":"\#(try lastOutboxToken())"}"#))
        XCTAssertEqual(verified.status, 200)
        let login = await app.respond(to: json("POST", "/v1/auth/login", #"{"email":"\#(email)","password":"\#(password)"}"#))
        let access = try XCTUnwrap(field(login, "accessToken"))
        let setup = await app.respond(to: json("POST", "/v1/auth/mfa/setup", "{}", bearer: access))
        let secret = try XCTUnwrap(Base32.decode(try XCTUnwrap(field(setup, "secret"))))
        let enabled = await app.respond(
            to: json("POST", "/v1/auth/mfa/verify-setup", #"{"code":"\#(TOTP(secret: secret).code(at: clock.unix))"}"#, bearer: access))
        XCTAssertEqual(enabled.status, 200)
        clock.advance(30)  // the next step, so the owner's next code is not a replay
        return secret
    }

    /// A new MFA sign-in (password step) and one code on it.
    func verify(_ code: String) async throws -> APIResponse {
        let login = await app.respond(to: json("POST", "/v1/auth/login", #"{"email":"\#(email)","password":"\#(password)"}"#))
        XCTAssertEqual(login.status, 200)
        let session = try XCTUnwrap(field(login, "sessionToken"))
        return await app.respond(to: json("POST", "/v1/auth/mfa/verify", #"{"sessionToken":"\#(session)","code":"\#(code)"}"#))
    }

    /// `n` wrong codes, each refused as wrong (not yet limited).
    func wrongCodes(_ n: Int, file: StaticString = #filePath, line: UInt = #line) async throws {
        for i in 0..<n {
            let r = try await verify("00000000")
            XCTAssertEqual(r.status, 400, "wrong code \(i + 1) of \(n)", file: file, line: line)
        }
    }

    func retryAfter(_ r: APIResponse) throws -> Int { try XCTUnwrap(r.headers["retry-after"].flatMap { Int($0) }) }

    func json(_ method: String, _ path: String, _ body: String, bearer: String? = nil) -> APIRequest {
        AppRequests.json(method, path, body, bearer: bearer)
    }

    func field(_ response: APIResponse, _ name: String) -> String? { AppRequests.field(response, name) }

    func lastOutboxToken() throws -> String {
        guard let token = try AppRequests.lastOutboxToken(dir) else { throw CancellationError() }
        return token
    }
}
