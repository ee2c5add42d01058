import Crypto
import FoundationEssentials
import LifestyleCore
import LifestyleToolkit
import Synchronization
import XCTest
import _CryptoExtras

@testable import AWSBackend

/// Mints RS256 JWTs with a locally generated key and serves the matching JWKS.
struct TestIssuer: Sendable {
    static let shared = TestIssuer()
    let keyDER: Data
    let kid = "test-kid-1"
    let issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TEST"

    init() {
        keyDER = try! _RSA.Signing.PrivateKey(keySize: .bits2048).derRepresentation
    }

    var key: _RSA.Signing.PrivateKey { try! _RSA.Signing.PrivateKey(derRepresentation: keyDER) }

    var jwks: [UInt8] {
        let p = try! key.publicKey.getKeyPrimitives()
        return Array(
            #"{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"\#(kid)","n":"\#(Base64URL.encode(p.modulus))","e":"\#(Base64URL.encode(p.publicExponent))"}]}"#
                .utf8)
    }

    func token(header: [String: Any]? = nil, claims: [String: Any], signWith: _RSA.Signing.PrivateKey? = nil) -> String {
        let h = header ?? ["alg": "RS256", "kid": kid]
        let hj = Base64URL.encode(Array(TestIssuer.json(h).utf8))
        let cj = Base64URL.encode(Array(TestIssuer.json(claims).utf8))
        let input = "\(hj).\(cj)"
        let sig = try! (signWith ?? key).signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5)
        return "\(input).\(Base64URL.encode(sig.rawRepresentation))"
    }

    /// Tiny deterministic JSON writer for [String: String/Int/Double/Bool/[String]].
    static func json(_ dict: [String: Any]) -> String {
        func enc(_ v: Any) -> String {
            switch v {
            case let s as String: return "\"\(s)\""
            case let b as Bool: return b ? "true" : "false"
            case let i as Int: return String(i)
            case let d as Double: return String(d)
            case let a as [String]: return "[" + a.map { "\"\($0)\"" }.joined(separator: ",") + "]"
            default: fatalError("unsupported")
            }
        }
        return "{" + dict.keys.sorted().map { "\"\($0)\":\(enc(dict[$0]!))" }.joined(separator: ",") + "}"
    }

    func accessClaims(now: Date = Date(), clientId: String = "client-1", tokenUse: String = "access", exp: Double? = nil) -> [String: Any] {
        [
            "iss": issuer, "sub": "sub-123", "client_id": clientId, "token_use": tokenUse, "username": "alice",
            "iat": Int(now.timeIntervalSince1970), "exp": Int(exp ?? now.timeIntervalSince1970 + 3600), "jti": "j-1",
        ]
    }
}

final class FetchCounter: Sendable {
    private let value = Mutex<Int>(0)
    var count: Int { value.withLock { $0 } }
    func increment() { value.withLock { $0 += 1 } }
}

final class JWKSVerifierTests: XCTestCase {
    let issuer = TestIssuer.shared

    func makeVerifier(counter: FetchCounter = FetchCounter(), jwks: [UInt8]? = nil, refetch: Duration = .seconds(60)) -> JWKSVerifier {
        let body = jwks ?? issuer.jwks
        return JWKSVerifier(
            configuration: .init(issuer: issuer.issuer, clientIds: ["client-1"], leeway: .seconds(30), minimumRefetchInterval: refetch),
            fetcher: { url in
                XCTAssertEqual(url, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TEST/.well-known/jwks.json")
                counter.increment()
                return body
            })
    }

    func expectError(
        _ expected: JWTVerificationError, _ token: String, use: CognitoTokenUse = .access, verifier: JWKSVerifier? = nil,
        now: Date = Date(), file: StaticString = #filePath, line: UInt = #line
    ) async {
        do {
            _ = try await (verifier ?? makeVerifier()).verify(token, expecting: use, now: now)
            XCTFail("expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }

    func testValidAccessTokenAndCaching() async throws {
        let counter = FetchCounter()
        let v = makeVerifier(counter: counter)
        let claims = try await v.verify(issuer.token(claims: issuer.accessClaims()), expecting: .access)
        XCTAssertEqual(claims.subject, "sub-123")
        XCTAssertEqual(claims.username, "alice")
        XCTAssertEqual(claims.clientId, "client-1")
        XCTAssertEqual(claims.tokenUse, .access)
        _ = try await v.verify(issuer.token(claims: issuer.accessClaims()), expecting: .access)
        XCTAssertEqual(counter.count, 1, "JWKS fetched once and cached")
    }

    func testValidIdToken() async throws {
        let now = Date()
        let claims: [String: Any] = [
            "iss": issuer.issuer, "sub": "sub-9", "aud": "client-1", "token_use": "id", "cognito:username": "bob",
            "email": "bob@example.com", "email_verified": true, "exp": Int(now.timeIntervalSince1970) + 600, "cognito:groups": ["admins"],
        ]
        let c = try await makeVerifier().verify(issuer.token(claims: claims), expecting: .id)
        XCTAssertEqual(c.username, "bob")
        XCTAssertEqual(c.email, "bob@example.com")
        XCTAssertEqual(c.emailVerified, true)
        XCTAssertEqual(c.groups, ["admins"])
    }

    func testTamperedPayloadIsRejected() async {
        let token = issuer.token(claims: issuer.accessClaims())
        let parts = token.split(separator: ".").map(String.init)
        var forged = issuer.accessClaims()
        forged["sub"] = "someone-else"
        let tampered = "\(parts[0]).\(Base64URL.encode(Array(TestIssuer.json(forged).utf8))).\(parts[2])"
        await expectError(.invalidSignature, tampered)
    }

    func testSignatureByAnotherKeyIsRejected() async throws {
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        await expectError(.invalidSignature, issuer.token(claims: issuer.accessClaims(), signWith: other))
    }

    func testExpiredWithLeeway() async {
        let now = Date()
        let token = issuer.token(claims: issuer.accessClaims(now: now, exp: now.timeIntervalSince1970 - 10))
        // Within the 30 s leeway: accepted.
        let ok = try? await makeVerifier().verify(token, expecting: .access, now: now)
        XCTAssertNotNil(ok)
        await expectError(.expired, token, now: now.addingTimeInterval(60))
    }

    func testAlgNoneAndHS256AreRejected() async {
        let claims = Base64URL.encode(Array(TestIssuer.json(issuer.accessClaims()).utf8))
        let noneHeader = Base64URL.encode(Array(#"{"alg":"none","kid":"test-kid-1"}"#.utf8))
        await expectError(.unsupportedAlgorithm("none"), "\(noneHeader).\(claims).")
        let hsHeader = Base64URL.encode(Array(#"{"alg":"HS256","kid":"test-kid-1"}"#.utf8))
        // An HS256 token "signed" with the public key as HMAC secret (classic confusion attack).
        let input = "\(hsHeader).\(claims)"
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: issuer.jwks))
        await expectError(.unsupportedAlgorithm("HS256"), "\(input).\(Base64URL.encode(Array(mac)))")
    }

    func testWrongTokenUseIssuerAndClient() async {
        await expectError(.wrongTokenUse("access"), issuer.token(claims: issuer.accessClaims()), use: .id)
        await expectError(.wrongTokenUse("id"), issuer.token(claims: issuer.accessClaims(tokenUse: "id")))
        await expectError(.wrongClient("client-2"), issuer.token(claims: issuer.accessClaims(clientId: "client-2")))
        var c = issuer.accessClaims()
        c["iss"] = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OTHER"
        await expectError(.wrongIssuer("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OTHER"), issuer.token(claims: c))
    }

    func testMalformed() async {
        await expectError(.malformed("expected three dot-separated parts"), "abc.def")
        await expectError(.malformed("invalid base64url"), "a$b.c.d")
        await expectError(.malformed("invalid header"), "\(Base64URL.encode(Array("nope".utf8))).e30.c2ln")
    }

    func testUnknownKidRefetchIsRateLimited() async {
        let counter = FetchCounter()
        let v = makeVerifier(counter: counter)
        let token = issuer.token(header: ["alg": "RS256", "kid": "rotated"], claims: issuer.accessClaims())
        await expectError(.unknownKey("rotated"), token, verifier: v)
        await expectError(.unknownKey("rotated"), token, verifier: v)
        await expectError(.unknownKey("rotated"), token, verifier: v)
        XCTAssertEqual(counter.count, 1, "unknown kid refetches at most once per interval")
        let v2 = makeVerifier(counter: counter, refetch: .zero)
        await expectError(.unknownKey("rotated"), token, verifier: v2)
        await expectError(.unknownKey("rotated"), token, verifier: v2)
        XCTAssertEqual(counter.count, 3)
    }

    func testJWKSUnavailable() async {
        let v = JWKSVerifier(
            configuration: .init(issuer: issuer.issuer, clientIds: ["client-1"]),
            fetcher: { _ in throw JWTVerificationError.jwksUnavailable("HTTP 503") })
        await expectError(.jwksUnavailable("HTTP 503"), issuer.token(claims: issuer.accessClaims()), verifier: v)
    }

    /// An outage is 503 material, not 401: no key set means `jwksUnavailable` for every token, the
    /// store retries after a short backoff (no fetch per request), and the first good fetch heals it.
    func testOutageAnswersUnavailableAndRecoversOnTheFirstGoodFetch() async throws {
        let up = Mutex(false)
        let counter = FetchCounter()
        let body = issuer.jwks
        let v = JWKSVerifier(
            configuration: .init(issuer: issuer.issuer, clientIds: ["client-1"]),
            fetcher: { _ in
                counter.increment()
                guard up.withLock({ $0 }) else { throw JWTVerificationError.jwksUnavailable("connection refused") }
                return body
            })
        let token = issuer.token(claims: issuer.accessClaims())
        await v.prefetch()
        XCTAssertEqual(counter.count, 1)
        for _ in 0..<5 {
            do {
                _ = try await v.verify(token, expecting: .access)
                XCTFail("no keys: must not verify")
            } catch {
                guard case .jwksUnavailable = error else { return XCTFail("expected jwksUnavailable, got \(error)") }
            }
        }
        XCTAssertEqual(counter.count, 1, "within the backoff no request fetches again")
        try await Task.sleep(for: .milliseconds(300))
        up.withLock { $0 = true }
        let claims = try await v.verify(token, expecting: .access)
        XCTAssertEqual(claims.subject, "sub-123")
        XCTAssertEqual(counter.count, 2)
        // healed: the cached set answers without fetching, even if the endpoint fails again
        up.withLock { $0 = false }
        _ = try await v.verify(token, expecting: .access)
        XCTAssertEqual(counter.count, 2)
    }

    func testBackoffDoublesUpToItsCap() async {
        let store = KeyStore(
            url: "u", minimumRefetchInterval: .seconds(60), retryBackoff: .milliseconds(250), maximumRetryBackoff: .seconds(2),
            fetcher: { _ in [] })
        let waits = await [1, 2, 3, 4, 5, 40].asyncMap { await store.backoff(after: $0) }
        XCTAssertEqual(waits, [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(2), .seconds(2)])
    }

    func testCognitoConfiguration() {
        let aws = JWKSVerifier.Configuration.cognito(region: "eu-west-1", userPoolId: "eu-west-1_X", clientIds: ["c"])
        XCTAssertEqual(aws.issuer, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X")
        XCTAssertEqual(aws.jwksURL, "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X/.well-known/jwks.json")
        let moto = JWKSVerifier.Configuration.cognito(
            region: "us-east-1", userPoolId: "us-east-1_Y", clientIds: ["c"], endpoint: AWSEndpoint(url: "http://127.0.0.1:5000"))
        XCTAssertEqual(moto.issuer, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Y")
        XCTAssertEqual(moto.jwksURL, "http://127.0.0.1:5000/us-east-1_Y/.well-known/jwks.json")
    }
}

extension Array {
    func asyncMap<T>(_ f: (Element) async -> T) async -> [T] {
        var out: [T] = []
        for e in self { out.append(await f(e)) }
        return out
    }
}
