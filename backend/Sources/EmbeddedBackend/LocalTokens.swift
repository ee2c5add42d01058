import Crypto
import LifestyleCore
import LifestyleToolkit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// ES256-signed JWTs with Cognito's claim shape. The P-256 key is made on first start and kept
/// as PEM in the data directory; only ES256 with our key id is accepted (no `none`, no HMAC).
/// `@unchecked Sendable`: the P-256 key is immutable after creation and BoringSSL signing with it is thread-safe.
public struct LocalTokens: @unchecked Sendable {
    public let issuer: String
    public let clientID: String
    public let accessTokenLifetime: Int = 3600
    let key: P256.Signing.PrivateKey
    let keyID: String

    public init(key: P256.Signing.PrivateKey, issuer: String, clientID: String) {
        self.key = key
        self.issuer = issuer
        self.clientID = clientID
        self.keyID = String(Hex.encode(SHA256.hash(data: key.publicKey.derRepresentation)).prefix(16))
    }

    struct Header: Codable {
        var alg: String
        var typ: String?
        var kid: String?
    }

    struct Claims: Codable {
        var sub: String
        var iss: String
        var token_use: String
        var client_id: String?
        var aud: String?
        var exp: Int64
        var iat: Int64
        var auth_time: Int64
        var jti: String?
        var username: String?
        var scope: String?
        var email: String?
        var email_verified: Bool?
        var given_name: String?
        var family_name: String?
        var cognito_username: String?

        enum CodingKeys: String, CodingKey {
            case sub, iss, token_use, client_id, aud, exp, iat, auth_time, jti, username, scope, email, email_verified,
                given_name, family_name
            case cognito_username = "cognito:username"
        }
    }

    public func accessToken(subject: String, authTime: Int64, now: Int64) -> String {
        sign(
            Claims(
                sub: subject, iss: issuer, token_use: "access", client_id: clientID, exp: now + Int64(accessTokenLifetime), iat: now,
                auth_time: authTime, jti: Random.uuid(), username: subject, scope: "aws.cognito.signin.user.admin"))
    }

    public func idToken(subject: String, email: String, verified: Bool, givenName: String, familyName: String, authTime: Int64, now: Int64)
        -> String
    {
        sign(
            Claims(
                sub: subject, iss: issuer, token_use: "id", aud: clientID, exp: now + Int64(accessTokenLifetime), iat: now,
                auth_time: authTime, jti: Random.uuid(), email: email, email_verified: verified, given_name: givenName,
                family_name: familyName, cognito_username: subject))
    }

    func sign(_ claims: Claims) -> String {
        let header = Base64URL.encode(JSON.encode(Header(alg: "ES256", typ: "JWT", kid: keyID)))
        let payload = Base64URL.encode(JSON.encode(claims))
        let input = Array((header + "." + payload).utf8)
        // Signing with a valid P-256 key over bytes does not fail.
        let signature = (try? key.signature(for: input).rawRepresentation) ?? Data()
        return header + "." + payload + "." + Base64URL.encode(signature)
    }

    public enum VerifyError: Error, Equatable {
        case malformed, algorithm, signature, issuer, tokenUse, client, expired
    }

    /// Verifies an access token: structure, `alg` ES256 and our `kid`, signature, `iss`,
    /// `token_use` access, `client_id`, `exp`. Returns the subject and `iat`.
    public func verifyAccess(_ token: String, now: Int64) throws(VerifyError) -> (subject: String, issuedAt: Int64) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let h = Base64URL.decode(parts[0]), let p = Base64URL.decode(parts[1]),
            let sig = Base64URL.decode(parts[2])
        else { throw .malformed }
        guard let header = try? JSON.decode(Header.self, from: h) else { throw .malformed }
        guard header.alg == "ES256", header.kid == nil || header.kid == keyID else { throw .algorithm }
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: sig),
            key.publicKey.isValidSignature(signature, for: Array((parts[0] + "." + parts[1]).utf8))
        else { throw .signature }
        guard let claims = try? JSON.decode(Claims.self, from: p) else { throw .malformed }
        guard claims.iss == issuer else { throw .issuer }
        guard claims.token_use == "access" else { throw .tokenUse }
        guard claims.client_id == clientID else { throw .client }
        guard claims.exp > now else { throw .expired }
        return (claims.sub, claims.iat)
    }
}
