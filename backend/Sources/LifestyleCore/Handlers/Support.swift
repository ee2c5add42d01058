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

extension APIContext {
    /// The key for one purpose under every master key version of the ring, current first (to
    /// check values made before a rotation); 503 while the ring cannot be read.
    func derivedKeys(_ purpose: String) async throws -> [[UInt8]] {
        do {
            return try await services.secret.keys().all.map { $0.derive(purpose) }
        } catch {
            throw APIError.serviceUnavailable
        }
    }

    /// Ends every access token of `subject` issued so far, on every instance (503 when the
    /// revocation cannot be written). Call `settle` on the result before answering.
    func revokeAccessTokens(_ subject: String) async throws -> RevocationCheck.Revocation {
        do {
            return try await services.revocations.revoke(subject: subject, now: services.clock.now().timeIntervalSince1970)
        } catch {
            logger.error("access tokens could not be revoked", metadata: ["user_id": .string(subject)])
            throw APIError.serviceUnavailable
        }
    }

    /// Waits until a revocation holds everywhere (at most a little over a second).
    func settle(_ revocation: RevocationCheck.Revocation) async {
        await revocation.settle(now: services.clock.now().timeIntervalSince1970)
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
                try await take(l.key, limit: l.limit, window: l.window ?? window, message)
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

/// One limit an attempt counts against (in its own window, or the one the caller gives).
struct AttemptLimit: Sendable {
    var key: String
    var limit: Int
    var window: Duration? = nil
}

/// The per-address limits: keyed by the client's address where the transport knows it (API
/// Gateway's `sourceIp`); none on the local server, where every client is on loopback. An IPv6
/// client is keyed by its /64 (one subscriber's network holds 2^64 addresses).
enum AddressLimits {
    /// Failed logins from one address (across every email) in `Session.window`.
    static let login = 50
    /// Failed reset confirmations, and failed email verifications, from one address.
    static let tokenChecks = 20
    /// Registrations from one address in `registerWindow`, every attempt counting (a taken email
    /// too: register must not be an unlimited "is this email taken" oracle or mail cannon).
    static let register = 20
    static let registerWindow: Duration = .seconds(3600)

    static func limit(_ kind: String, _ request: APIRequest, _ limit: Int, window: Duration? = nil) -> AttemptLimit? {
        request.clientAddress.map { AttemptLimit(key: limitKey(kind + "-address", network($0)), limit: limit, window: window) }
    }

    /// The part of an address that one client controls: an IPv6 address's /64 prefix (as 4
    /// groups), an IPv4 address as it is (IPv4-mapped IPv6 included).
    static func network(_ address: String) -> String {
        guard address.contains(":"), let groups = IPv6.groups(address) else { return address }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "\(groups[6] >> 8).\(groups[6] & 0xFF).\(groups[7] >> 8).\(groups[7] & 0xFF)"
        }
        return groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }
}

/// IPv6 text form (RFC 4291 2.2: `::` compression, an embedded IPv4 tail, a zone id dropped).
enum IPv6 {
    static func groups(_ text: String) -> [UInt16]? {
        var s = Substring(text)
        if let pct = s.firstIndex(of: "%") { s = s[..<pct] }
        if s.hasPrefix("[") && s.hasSuffix("]") { s = s.dropFirst().dropLast() }
        var halves = [s]
        if let gap = s.firstRange(of: "::") {
            halves = [s[..<gap.lowerBound], s[gap.upperBound...]]
            guard halves[1].firstRange(of: "::") == nil else { return nil }
        }
        func parse(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in pieces.enumerated() {
                if i == pieces.count - 1, p.contains(".") {
                    let octets = p.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
                    guard octets.count == 4, p.split(separator: ".", omittingEmptySubsequences: false).count == 4 else { return nil }
                    out.append(UInt16(octets[0]) << 8 | UInt16(octets[1]))
                    out.append(UInt16(octets[2]) << 8 | UInt16(octets[3]))
                } else {
                    guard (1...4).contains(p.count), let v = UInt16(p, radix: 16) else { return nil }
                    out.append(v)
                }
            }
            return out
        }
        guard let head = parse(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = parse(halves[1]), head.count + tail.count <= 7 else { return nil }
        return head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}
