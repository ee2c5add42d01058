import FoundationEssentials
import LifestyleCore
import LifestyleToolkit
import Logging
import Synchronization

/// Why a token was rejected. Never contains the token itself.
public enum JWTVerificationError: Error, Sendable, Hashable {
    /// Not three base64url parts, bad JSON, missing required claims...
    case malformed(String)
    /// `alg` is not RS256 (`none`, `HS256`, ... are always rejected).
    case unsupportedAlgorithm(String)
    /// No key with this `kid` in the JWKS, even after a (rate-limited) refetch.
    case unknownKey(String)
    case invalidSignature
    case expired
    /// `nbf` / `iat` in the future beyond the leeway.
    case notYetValid
    case wrongIssuer(String)
    case wrongTokenUse(String)
    /// `client_id` (access token) / `aud` (id token) is not one of the accepted app clients.
    case wrongClient(String)
    /// The JWKS could not be fetched or parsed.
    case jwksUnavailable(String)
}

/// Cognito token kinds (`token_use` claim).
public enum CognitoTokenUse: String, Sendable, Hashable {
    case access
    case id
}

/// Verified claims of a Cognito access or id token.
public struct CognitoClaims: Sendable, Hashable {
    /// The user's immutable id (`sub`).
    public var subject: String
    /// `username` (access token) or `cognito:username` (id token).
    public var username: String?
    public var email: String?
    public var emailVerified: Bool?
    public var tokenUse: CognitoTokenUse
    /// `client_id` (access) or `aud` (id).
    public var clientId: String
    public var issuer: String
    public var expiresAt: Date
    public var issuedAt: Date?
    public var authTime: Date?
    public var groups: [String]
    public var scope: String?
    public var jwtId: String?
    public var originJwtId: String?
}

/// Verifies Cognito-issued RS256 JWTs against the user pool's JWKS.
///
/// - The JWKS is fetched at start-up (`prefetch`) or on first use, cached, and refreshed in the
///   background once an hour; a token with an unknown `kid` triggers a refetch at most once per
///   `minimumRefetchInterval` (key rotation without a fetch storm from forged `kid`s). While no
///   key set can be had, verification fails with `jwksUnavailable` (the API's 503), retried after
///   a short backoff; see `KeyStore`.
/// - Checks: `alg == RS256` (before anything else), signature, `iss`, `token_use`,
///   `client_id` (access) / `aud` (id) against `clientIds`, `exp` / `nbf` with `leeway`.
/// - A token that passed is remembered until its `exp` (`VerifiedTokens`): the same bearer token
///   on the next request costs a dictionary lookup and the expiry check instead of a 2048-bit
///   modular exponentiation and two JSON decodes. The entry is keyed by the whole token (never by
///   its signature alone, which a forged payload could reuse) and is only honoured while the key
///   that verified it is still the key set's key for its `kid` (a rotation ends it).
public final class JWKSVerifier: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Expected `iss`, e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC`.
        public var issuer: String
        /// Where the JWKS is served (`{issuer}/.well-known/jwks.json` on AWS).
        public var jwksURL: String
        /// Accepted app client ids.
        public var clientIds: Set<String>
        public var leeway: Duration
        public var minimumRefetchInterval: Duration

        public init(
            issuer: String, jwksURL: String? = nil, clientIds: Set<String>, leeway: Duration = .seconds(30),
            minimumRefetchInterval: Duration = .seconds(60)
        ) {
            self.issuer = issuer
            self.jwksURL = jwksURL ?? issuer + "/.well-known/jwks.json"
            self.clientIds = clientIds
            self.leeway = leeway
            self.minimumRefetchInterval = minimumRefetchInterval
        }

        /// Cognito user pool configuration. The issuer is always the AWS form
        /// `https://cognito-idp.{region}.amazonaws.com/{userPoolId}` (moto also issues that);
        /// with an emulator `endpoint` the JWKS is fetched from `{endpoint}/{userPoolId}/.well-known/jwks.json`.
        public static func cognito(region: String, userPoolId: String, clientIds: Set<String>, endpoint: AWSEndpoint? = nil)
            -> Configuration
        {
            let issuer = "https://cognito-idp.\(region).amazonaws.com/\(userPoolId)"
            let jwks = endpoint.map { "\($0.url)/\(userPoolId)/.well-known/jwks.json" }
            return Configuration(issuer: issuer, jwksURL: jwks, clientIds: clientIds)
        }
    }

    /// Returns the JWKS document bytes for a URL.
    public typealias Fetcher = @Sendable (_ url: String) async throws -> [UInt8]

    public let configuration: Configuration
    private let store: KeyStore
    private let verified: Mutex<VerifiedTokens>

    /// `verifiedTokenCapacity`: tokens remembered as verified (about 1.5 KiB each). 128 covers the
    /// users one container serves within a token's hour; measured, 512 grew the function's RSS by
    /// 0.9 MiB over a 5,000-invocation mixed workload (Benchmarks/bench-lambda.sh), 1 by 0.1 MiB.
    public init(configuration: Configuration, fetcher: @escaping Fetcher, verifiedTokenCapacity: Int = 128) {
        self.configuration = configuration
        self.store = KeyStore(url: configuration.jwksURL, minimumRefetchInterval: configuration.minimumRefetchInterval, fetcher: fetcher)
        self.verified = Mutex(VerifiedTokens(capacity: verifiedTokenCapacity))
    }

    /// Fetches the JWKS with the shared `AWSHTTPClient` (5 s timeout, 1 MiB max).
    public convenience init(configuration: Configuration, httpClient: AWSHTTPClient) {
        self.init(
            configuration: configuration,
            fetcher: { url in
                let response = try await httpClient.get(url, timeout: .seconds(5), maxResponseBytes: 1 << 20)
                guard response.status == 200 else {
                    throw JWTVerificationError.jwksUnavailable("HTTP \(response.status)")
                }
                return response.body
            })
    }

    /// Verifies `token` and returns its claims.
    public func verify(_ token: String, expecting tokenUse: CognitoTokenUse, now: Date = Date()) async throws(JWTVerificationError)
        -> CognitoClaims
    {
        let leeway = Double(configuration.leeway.components.seconds)
        let nowSeconds = now.timeIntervalSince1970
        if let hit = verified.withLock({ $0.entry(for: token) }), hit.claims.tokenUse == tokenUse {
            guard nowSeconds <= hit.claims.expiresAt.timeIntervalSince1970 + leeway else {
                verified.withLock { $0.remove(token) }
                throw .expired
            }
            // The key set may have rotated since: the entry stands only for the same key.
            if let key = try? await store.key(for: hit.kid), key.components == hit.components {
                return hit.claims
            }
            verified.withLock { $0.remove(token) }
        }
        let (claims, kid, key) = try await verifyFully(token, expecting: tokenUse, nowSeconds: nowSeconds, leeway: leeway)
        verified.withLock {
            $0.insert(
                token, VerifiedTokens.Entry(claims: claims, kid: kid, components: key.components), now: nowSeconds)
        }
        return claims
    }

    /// Tokens in the verified-token cache (tests and benchmarks).
    public var verifiedTokenCount: Int { verified.withLock { $0.count } }

    private func verifyFully(_ token: String, expecting tokenUse: CognitoTokenUse, nowSeconds: Double, leeway: Double)
        async throws(JWTVerificationError) -> (CognitoClaims, String, RSAPublicKey)
    {
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { throw .malformed("expected three dot-separated parts") }
        guard let headerBytes = Base64URL.decode(utf8: parts[0]), let payloadBytes = Base64URL.decode(utf8: parts[1]),
            let signature = Base64URL.decode(utf8: parts[2])
        else { throw .malformed("invalid base64url") }
        let header: JWTHeader
        do { header = try JSONDecoder().decode(JWTHeader.self, from: Data(headerBytes)) } catch { throw .malformed("invalid header") }
        guard header.alg == "RS256" else { throw .unsupportedAlgorithm(header.alg) }
        guard let kid = header.kid, !kid.isEmpty else { throw .malformed("missing kid") }
        guard !signature.isEmpty else { throw .invalidSignature }

        let key = try await store.key(for: kid)
        let signingInput = Array(token.utf8[parts[0].startIndex..<parts[1].endIndex])
        guard key.verifySHA256(signature: signature, message: signingInput) else { throw .invalidSignature }

        let claims: JWTClaims
        do { claims = try JSONDecoder().decode(JWTClaims.self, from: Data(payloadBytes)) } catch { throw .malformed("invalid claims") }
        guard claims.iss == configuration.issuer else { throw .wrongIssuer(claims.iss ?? "") }
        guard claims.token_use == tokenUse.rawValue else { throw .wrongTokenUse(claims.token_use ?? "") }
        let client: String?
        switch tokenUse {
        case .access: client = claims.client_id
        case .id: client = claims.aud?.first { configuration.clientIds.contains($0) } ?? claims.aud?.first
        }
        guard let client, configuration.clientIds.contains(client) else { throw .wrongClient(client ?? "") }
        guard let exp = claims.exp else { throw .malformed("missing exp") }
        guard nowSeconds <= exp + leeway else { throw .expired }
        if let nbf = claims.nbf, nowSeconds + leeway < nbf { throw .notYetValid }
        if let iat = claims.iat, nowSeconds + leeway < iat { throw .notYetValid }
        guard let sub = claims.sub, !sub.isEmpty else { throw .malformed("missing sub") }

        let verifiedClaims = CognitoClaims(
            subject: sub,
            username: claims.username ?? claims.cognitoUsername,
            email: claims.email,
            emailVerified: claims.email_verified,
            tokenUse: tokenUse,
            clientId: client,
            issuer: configuration.issuer,
            expiresAt: Date(timeIntervalSince1970: exp),
            issuedAt: claims.iat.map { Date(timeIntervalSince1970: $0) },
            authTime: claims.auth_time.map { Date(timeIntervalSince1970: $0) },
            groups: claims.cognitoGroups ?? [],
            scope: claims.scope,
            jwtId: claims.jti,
            originJwtId: claims.origin_jti)
        return (verifiedClaims, kid, key)
    }

    /// Drops the cached keys and verified tokens (next verification refetches).
    public func resetCache() async {
        verified.withLock { $0.removeAll() }
        await store.reset()
    }

    /// Fetches the key set now (at start-up), so the first bearer request does not wait for it.
    /// A failure is not an error here: bearer requests answer 503 and retry until a fetch works.
    public func prefetch() async { await store.prefetch() }
}

// MARK: - Internals

/// Tokens that passed every check, until their `exp`: at most `capacity` of them. When full, the
/// expired ones go first; if none has expired, the whole cache is dropped (a full re-verification
/// is the fallback, so forgetting is always safe). Only verified tokens enter, so a flood of
/// forged ones cannot push real ones out.
struct VerifiedTokens {
    struct Entry {
        var claims: CognitoClaims
        var kid: String
        /// The verifying key's `e` and `n`: a rotated key set must not keep the entry.
        var components: [UInt8]
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]

    init(capacity: Int) { self.capacity = max(0, capacity) }

    var count: Int { entries.count }

    func entry(for token: String) -> Entry? { entries[token] }

    mutating func insert(_ token: String, _ entry: Entry, now: Double) {
        guard capacity > 0 else { return }
        if entries.count >= capacity, entries[token] == nil {
            entries = entries.filter { $0.value.claims.expiresAt.timeIntervalSince1970 > now }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        }
        entries[token] = entry
    }

    mutating func remove(_ token: String) { entries[token] = nil }

    mutating func removeAll() { entries.removeAll() }
}

struct JWTHeader: Decodable {
    var alg: String
    var kid: String?
    var typ: String?
}

struct JWTClaims: Decodable {
    var iss: String?
    var sub: String?
    var token_use: String?
    var client_id: String?
    var aud: [String]?
    var exp: Double?
    var nbf: Double?
    var iat: Double?
    var auth_time: Double?
    var username: String?
    var cognitoUsername: String?
    var email: String?
    var email_verified: Bool?
    var cognitoGroups: [String]?
    var scope: String?
    var jti: String?
    var origin_jti: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, token_use, client_id, aud, exp, nbf, iat, auth_time, username, email, email_verified, scope, jti, origin_jti
        case cognitoUsername = "cognito:username"
        case cognitoGroups = "cognito:groups"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iss = try c.decodeIfPresent(String.self, forKey: .iss)
        sub = try c.decodeIfPresent(String.self, forKey: .sub)
        token_use = try c.decodeIfPresent(String.self, forKey: .token_use)
        client_id = try c.decodeIfPresent(String.self, forKey: .client_id)
        if let one = try? c.decodeIfPresent(String.self, forKey: .aud) {
            aud = [one]
        } else {
            aud = try c.decodeIfPresent([String].self, forKey: .aud)
        }
        exp = try c.decodeIfPresent(Double.self, forKey: .exp)
        nbf = try c.decodeIfPresent(Double.self, forKey: .nbf)
        iat = try c.decodeIfPresent(Double.self, forKey: .iat)
        auth_time = try c.decodeIfPresent(Double.self, forKey: .auth_time)
        username = try c.decodeIfPresent(String.self, forKey: .username)
        cognitoUsername = try c.decodeIfPresent(String.self, forKey: .cognitoUsername)
        email = try c.decodeIfPresent(String.self, forKey: .email)
        if let b = try? c.decodeIfPresent(Bool.self, forKey: .email_verified) {
            email_verified = b
        } else if let s = try? c.decodeIfPresent(String.self, forKey: .email_verified) {
            email_verified = s == "true"
        }
        cognitoGroups = try? c.decodeIfPresent([String].self, forKey: .cognitoGroups)
        scope = try c.decodeIfPresent(String.self, forKey: .scope)
        jti = try c.decodeIfPresent(String.self, forKey: .jti)
        origin_jti = try c.decodeIfPresent(String.self, forKey: .origin_jti)
    }
}

struct JWKSDocument: Decodable {
    struct Key: Decodable {
        var kty: String
        var kid: String?
        var alg: String?
        var use: String?
        var n: String?
        var e: String?
    }
    var keys: [Key]
}

/// The cached key set and its fetching, in one of three states:
/// - `.empty`: nothing fetched yet (start-up, or `reset`);
/// - `.fresh(at)`: the last fetch worked; an unknown `kid` refetches at most once per
///   `minimumRefetchInterval`, and a set older than `refreshInterval` is refreshed in the
///   background while the cached keys keep answering;
/// - `.failing(since, attempts)`: the last fetch failed. Known keys still verify; anything that
///   needs a fetch answers `jwksUnavailable` (503, never 401) and is retried after a short backoff
///   (`retryBackoff` doubling up to `maximumRetryBackoff`) until the first good fetch.
/// Fetches are single-flight: concurrent callers share one attempt.
actor KeyStore {
    enum State: Equatable {
        case empty
        case fresh(at: ContinuousClock.Instant)
        case failing(at: ContinuousClock.Instant, attempts: Int)
    }

    let url: String
    let minimumRefetchInterval: Duration
    let refreshInterval: Duration
    let retryBackoff: Duration
    let maximumRetryBackoff: Duration
    let fetcher: JWKSVerifier.Fetcher
    private var keys: [String: RSAPublicKey] = [:]
    private(set) var state: State = .empty
    private var inFlight: Task<[String: RSAPublicKey], any Error>?

    init(
        url: String, minimumRefetchInterval: Duration, refreshInterval: Duration = .seconds(3600),
        retryBackoff: Duration = .milliseconds(250), maximumRetryBackoff: Duration = .seconds(2),
        fetcher: @escaping JWKSVerifier.Fetcher
    ) {
        self.url = url
        self.minimumRefetchInterval = minimumRefetchInterval
        self.refreshInterval = refreshInterval
        self.retryBackoff = retryBackoff
        self.maximumRetryBackoff = maximumRetryBackoff
        self.fetcher = fetcher
    }

    func reset() {
        keys = [:]
        state = .empty
    }

    /// Fetches now unless a usable set is cached; failures only change the state.
    func prefetch() async {
        if case .fresh = state { return }
        try? await refresh()
    }

    func key(for kid: String) async throws(JWTVerificationError) -> RSAPublicKey {
        let now = ContinuousClock.now
        if let k = keys[kid] {
            if case .fresh(let at) = state, now >= at.advanced(by: refreshInterval), inFlight == nil {
                Task { try? await self.refresh() }  // stale-while-revalidate
            }
            return k
        }
        switch state {
        case .fresh(let at):
            if now < at.advanced(by: minimumRefetchInterval) { throw .unknownKey(kid) }
        case .failing(let at, let attempts):
            if now < at.advanced(by: backoff(after: attempts)) { throw .jwksUnavailable("JWKS fetch failing, retrying shortly") }
        case .empty:
            break
        }
        try await refresh()
        if let k = keys[kid] { return k }
        throw .unknownKey(kid)
    }

    func backoff(after attempts: Int) -> Duration {
        var wait = retryBackoff
        for _ in 1..<max(1, min(attempts, 16)) where wait < maximumRetryBackoff { wait = wait * 2 }
        return min(wait, maximumRetryBackoff)
    }

    private func refresh() async throws(JWTVerificationError) {
        let task: Task<[String: RSAPublicKey], any Error>
        if let inFlight {
            task = inFlight
        } else {
            let url = self.url, fetcher = self.fetcher
            task = Task { try KeyStore.parse(try await fetcher(url)) }
            inFlight = task
        }
        do {
            let fetched = try await task.value
            if inFlight == task { inFlight = nil }
            keys = fetched
            state = .fresh(at: .now)
        } catch {
            if inFlight == task {
                inFlight = nil
                if case .failing(_, let attempts) = state {
                    state = .failing(at: .now, attempts: attempts + 1)
                } else {
                    state = .failing(at: .now, attempts: 1)
                }
            }
            if let e = error as? JWTVerificationError, case .jwksUnavailable = e { throw e }
            throw .jwksUnavailable(String(describing: error))
        }
    }

    static func parse(_ bytes: [UInt8]) throws -> [String: RSAPublicKey] {
        let doc: JWKSDocument
        do { doc = try JSONDecoder().decode(JWKSDocument.self, from: Data(bytes)) } catch {
            throw JWTVerificationError.jwksUnavailable("invalid JWKS document")
        }
        var out: [String: RSAPublicKey] = [:]
        for k in doc.keys where k.kty == "RSA" && (k.use == nil || k.use == "sig") && (k.alg == nil || k.alg == "RS256") {
            guard let kid = k.kid, let n = k.n.flatMap({ Base64URL.decode($0) }), let e = k.e.flatMap({ Base64URL.decode($0) }),
                let key = RSAPublicKey(n: n, e: e)
            else { continue }
            out[kid] = key
        }
        return out
    }
}
