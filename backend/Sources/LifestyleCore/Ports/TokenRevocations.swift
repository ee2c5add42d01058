import LifestyleToolkit
import Synchronization

/// Per-account "access tokens valid from" times: logout, a password change or reset, MFA on or
/// off and account deletion end every access token issued before, on every instance. An access
/// token whose `iat` is below its account's time is refused, on every bearer request (the
/// verified-token cache only saves the signature check, never this one).
/// Embedded: a SQLite table; AWS: one item per account in the users table (`USER#<id>` /
/// `TOKENS`, TTL after the longest access token lifetime).
public protocol TokenRevocations: Sendable {
    /// The first second (Unix) from which the account's access tokens are valid; nil when none
    /// were ever revoked (or the record expired with the last token it could refuse).
    func validFrom(subject: String) async throws -> Int64?
    /// Moves the account's time to `validFrom` (never backwards).
    func revokeTokens(subject: String, validFrom: Int64) async throws
}

/// One process's revocations (tests, and the core's default).
public final class InMemoryTokenRevocations: TokenRevocations {
    private let times = Mutex<[String: Int64]>([:])
    public init() {}
    public func validFrom(subject: String) -> Int64? { times.withLock { $0[subject] } }
    public func revokeTokens(subject: String, validFrom: Int64) {
        times.withLock { $0[subject] = max($0[subject] ?? validFrom, validFrom) }
    }
}

/// The check every bearer request makes, and the revocation the account routes make, with a
/// per-process cache of `cacheTTL` (so a burst of one user's requests costs one read, and the
/// guarantee holds: `revoke` answers only once every instance's cache has expired).
public final class RevocationCheck: Sendable {
    let store: any TokenRevocations
    let cacheTTL: Duration
    private let cache = Mutex<[String: (validFrom: Int64?, fetched: ContinuousClock.Instant)]>([:])

    public init(store: any TokenRevocations, cacheTTL: Duration = .milliseconds(250)) {
        self.store = store
        self.cacheTTL = cacheTTL
    }

    /// True when a token of `subject` issued at `issuedAt` is still good. Throws when the store
    /// cannot be read (the caller answers 503: no token passes unchecked).
    func admits(subject: String, issuedAt: Int64) async throws -> Bool {
        let now = ContinuousClock.now
        let cached: Int64?? = cache.withLock { c in
            guard let e = c[subject], now - e.fetched < cacheTTL else { return nil }
            return .some(e.validFrom)
        }
        let validFrom: Int64?
        if let cached {
            validFrom = cached
        } else {
            validFrom = try await store.validFrom(subject: subject)
            cache.withLock { c in
                if c.count > 4096 { c.removeAll(keepingCapacity: true) }
                c[subject] = (validFrom, now)
            }
        }
        guard let validFrom else { return true }
        return issuedAt >= validFrom
    }

    /// Ends every access token of `subject` issued up to now: tokens are valid from the next
    /// whole second (`iat` has one-second resolution, so a token issued in this second is one
    /// of the revoked). Returns when the caller may answer (see `settle`).
    func revoke(subject: String, now: Double) async throws -> Revocation {
        let validFrom = Int64(now.rounded(.down)) + 1
        try await store.revokeTokens(subject: subject, validFrom: validFrom)
        cache.withLock { $0[subject] = (validFrom, .now) }
        return Revocation(validFrom: validFrom, cacheTTL: cacheTTL)
    }

    /// A written revocation, and how long its caller waits before answering: until the second
    /// `validFrom` has begun (so a sign-in after the answer gets a token that is not revoked) and
    /// every instance's cached time has expired (so no instance still takes an old token).
    struct Revocation: Sendable {
        var validFrom: Int64
        var cacheTTL: Duration
        /// A little past the second's start: the token issuer's clock (Cognito's) may lag ours by a few milliseconds.
        static let margin = 0.05

        func settle(now: Double) async {
            let untilSecond = Double(validFrom) + Self.margin - now
            let ttl = Double(cacheTTL.components.seconds) + Double(cacheTTL.components.attoseconds) / 1e18
            let wait = max(untilSecond, ttl)
            if wait > 0 { try? await Task.sleep(for: .milliseconds(Int((wait * 1000).rounded(.up)))) }
        }
    }
}
