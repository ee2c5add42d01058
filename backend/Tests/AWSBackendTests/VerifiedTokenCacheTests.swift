import Crypto
import FoundationEssentials
import LifestyleCore
import LifestyleToolkit
import Synchronization
import Testing
import _CryptoExtras

@testable import AWSBackend

/// The verified-token cache: a bearer token that passed is not re-verified on the next request,
/// and nothing an attacker can send rides on a cached entry.
@Suite struct VerifiedTokenCacheTests {
    let issuer = TestIssuer.shared

    func verifier(jwks: @escaping @Sendable () -> [UInt8], capacity: Int = 512, refetch: Duration = .seconds(60)) -> JWKSVerifier {
        JWKSVerifier(
            configuration: .init(issuer: issuer.issuer, clientIds: ["client-1"], leeway: .seconds(30), minimumRefetchInterval: refetch),
            fetcher: { _ in jwks() }, verifiedTokenCapacity: capacity)
    }

    func rejection(_ v: JWKSVerifier, _ token: String, use: CognitoTokenUse = .access, now: Date = Date()) async -> JWTVerificationError? {
        do {
            _ = try await v.verify(token, expecting: use, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test func theSameTokenIsVerifiedOnceAndAnsweredFromTheCache() async throws {
        let body = issuer.jwks
        let v = verifier(jwks: { body })
        let token = issuer.token(claims: issuer.accessClaims())
        let first = try await v.verify(token, expecting: .access)
        #expect(v.verifiedTokenCount == 1)
        let second = try await v.verify(token, expecting: .access)
        #expect(second == first)
        #expect(v.verifiedTokenCount == 1)
    }

    /// The cache is keyed by the whole token: a cached token's signature on another payload is a forgery.
    @Test func aCachedSignatureOnAnotherPayloadIsRejected() async throws {
        let body = issuer.jwks
        let v = verifier(jwks: { body })
        let token = issuer.token(claims: issuer.accessClaims())
        _ = try await v.verify(token, expecting: .access)
        let parts = token.split(separator: ".").map(String.init)
        var forged = issuer.accessClaims()
        forged["sub"] = "someone-else"
        let tampered = "\(parts[0]).\(Base64URL.encode(Array(TestIssuer.json(forged).utf8))).\(parts[2])"
        #expect(await rejection(v, tampered) == .invalidSignature)
        #expect(v.verifiedTokenCount == 1, "a rejected token never enters the cache")
    }

    @Test func aCachedTokenExpiresAtItsExp() async throws {
        let body = issuer.jwks
        let v = verifier(jwks: { body })
        let now = Date()
        let token = issuer.token(claims: issuer.accessClaims(now: now, exp: now.timeIntervalSince1970 + 60))
        _ = try await v.verify(token, expecting: .access, now: now)
        // Past exp + the 30 s leeway.
        #expect(await rejection(v, token, now: now.addingTimeInterval(91)) == .expired)
        #expect(v.verifiedTokenCount == 0)
    }

    @Test func aCachedAccessTokenIsNotAnIdToken() async throws {
        let body = issuer.jwks
        let v = verifier(jwks: { body })
        let token = issuer.token(claims: issuer.accessClaims())
        _ = try await v.verify(token, expecting: .access)
        #expect(await rejection(v, token, use: .id) == .wrongTokenUse("access"))
    }

    /// Cognito rotates its signing key: a token cached under a key that left the set is verified
    /// again (and fails), it does not live on in the cache.
    @Test func aKeyThatLeavesTheSetEndsItsCachedTokens() async throws {
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let p = try other.publicKey.getKeyPrimitives()
        let rotated = Array(
            #"{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"kid-2","n":"\#(Base64URL.encode(p.modulus))","e":"\#(Base64URL.encode(p.publicExponent))"}]}"#
                .utf8)
        let original = issuer.jwks
        let current = Mutex(original)
        let v = verifier(jwks: { current.withLock { $0 } }, refetch: .zero)
        let old = issuer.token(claims: issuer.accessClaims())
        _ = try await v.verify(old, expecting: .access)
        current.withLock { $0 = rotated }
        let new = issuer.token(header: ["alg": "RS256", "kid": "kid-2"], claims: issuer.accessClaims(), signWith: other)
        _ = try await v.verify(new, expecting: .access)  // the unknown kid refetches: only kid-2 is left
        #expect(await rejection(v, old) == .unknownKey(issuer.kid))
    }

    @Test func theCacheStaysWithinItsCapacity() async throws {
        let body = issuer.jwks
        let v = verifier(jwks: { body }, capacity: 2)
        let now = Date()
        var tokens: [String] = []
        for i in 0..<5 {
            var c = issuer.accessClaims(now: now)
            c["jti"] = "j-\(i)"
            tokens.append(issuer.token(claims: c))
        }
        for t in tokens + tokens {
            let claims = try await v.verify(t, expecting: .access, now: now)
            #expect(claims.subject == "sub-123")
            #expect(v.verifiedTokenCount <= 2)
        }
    }
}
