import LifestyleToolkit

extension APIResponse {
    /// A JSON response from an Encodable DTO.
    public static func json<T: Encodable>(_ value: T) -> APIResponse { json(200, value) }

    public static func json<T: Encodable>(_ status: Int, _ value: T) -> APIResponse {
        var r = APIResponse(status: status, body: JSON.encode(value))
        r.headers["content-type"] = "application/json"
        return r
    }
}

struct MessageDTO: Encodable {
    var message: String
}

extension IdentityError: APIErrorConvertible {
    /// The contract answer for an identity outcome (shared by the embedded and Cognito providers).
    public var apiError: APIError {
        switch self {
        case .usernameExists: .emailExists
        case .notAuthorized: .invalidCredentials
        case .userNotConfirmed: .userNotConfirmed
        case .userNotFound: .notFound("User not found")
        case .codeMismatch: .badRequest("INVALID_CODE", "Invalid verification code")
        case .expiredCode: .badRequest("EXPIRED_CODE", "Verification code has expired")
        case .invalidToken: .badRequest("INVALID_TOKEN", "Invalid or expired token")
        case .invalidPassword(let why): .validation([FieldIssue(field: "password", message: why)])
        case .invalidSession: APIError(status: 401, code: "INVALID_SESSION", message: "Invalid or expired MFA session")
        case .mfaAlreadyEnabled: .conflict("MFA_ALREADY_ENABLED", "Two-factor authentication is already enabled")
        case .mfaNotEnabled: .badRequest("MFA_NOT_ENABLED", "Two-factor authentication is not enabled")
        case .tooManyRequests(let s): .tooManyRequests(retryAfter: s)
        case .invalidAccessToken: .unauthorized("Invalid or expired access token")
        case .unavailable: .serviceUnavailable
        }
    }
}

extension UserStoreError: APIErrorConvertible {
    /// The contract answer for a user-store outcome (shared by the SQLite and DynamoDB stores).
    public var apiError: APIError {
        switch self {
        case .emailTaken: .emailExists
        case .alreadyExists: .conflict("USER_EXISTS", "User already exists")
        case .notFound: .notFound("User not found")
        case .unavailable: .serviceUnavailable
        }
    }
}

/// Rate-limit keys never carry the raw email or address (counters live for minutes, with a TTL).
func limitKey(_ kind: String, _ value: String) -> String {
    kind + ":" + Hex.encode(Hashing.sha256(Array("lifestyle-limit:\(kind):\(value)".utf8)))
}

extension APIContext {
    /// The key for one purpose, derived from the environment's master key; 503 while the master
    /// key cannot be read.
    func derivedKey(_ purpose: String) async throws -> [UInt8] {
        do {
            return try await services.secret.key().derive(purpose)
        } catch {
            throw APIError.serviceUnavailable
        }
    }
}

extension RateLimiter {
    /// Takes one attempt for `key`, or answers 429 RATE_LIMITED with Retry-After (`message`); 503
    /// when the limiter's store is down (failing closed: no attempt without a count).
    func take(_ key: String, limit: Int, window: Duration, _ message: String) async throws {
        let wait: Int?
        do {
            wait = try await acquire(key: key, limit: limit, window: window)
        } catch {
            throw APIError.serviceUnavailable
        }
        if let wait { throw APIError.tooManyRequests(retryAfter: wait, message) }
    }

    /// Takes one attempt from each limit in order; when one refuses, the ones already taken are
    /// given back (that attempt never ran) and the refusal is thrown.
    func take(_ limits: [AttemptLimit], window: Duration, _ message: String) async throws {
        for (i, l) in limits.enumerated() {
            do {
                try await take(l.key, limit: l.limit, window: window, message)
            } catch {
                for taken in limits[..<i] { await giveBack(taken.key) }
                throw error
            }
        }
    }

    /// Forgets `key` after a success; a store failure only leaves the count to expire.
    func forget(_ key: String) async {
        try? await reset(key: key)
    }

    /// Gives one attempt back to `key` (a success on a per-address limit).
    func giveBack(_ key: String) async {
        try? await release(key: key)
    }
}

/// One limit an attempt counts against.
struct AttemptLimit: Sendable {
    var key: String
    var limit: Int
}

/// The per-address limits: keyed by the client's address where the transport knows it (API
/// Gateway's `sourceIp`); none on the local server, where every client is on loopback.
enum AddressLimits {
    /// Failed logins from one address (across every email) in `Session.window`.
    static let login = 50
    /// Failed reset confirmations, and failed email verifications, from one address.
    static let tokenChecks = 20

    static func limit(_ kind: String, _ request: APIRequest, _ limit: Int) -> AttemptLimit? {
        request.clientAddress.map { AttemptLimit(key: limitKey(kind + "-address", $0), limit: limit) }
    }
}
