#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Wall-clock time, injectable for tests.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// Outbound email. Embedded: appended to `<data-dir>/outbox.jsonl`. In AWS, Cognito sends mail.
public protocol Mailer: Sendable {
    func send(_ message: OutboundEmail) async throws
}

public struct OutboundEmail: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case verifyEmail = "verify-email"
        case resetPassword = "reset-password"
    }
    public var to: String
    public var kind: Kind
    public var token: String
    public var sentAt: String
    public init(to: String, kind: Kind, token: String, sentAt: String) {
        self.to = to
        self.kind = kind
        self.token = token
        self.sentAt = sentAt
    }
}

/// Sliding-window attempt counting (failed logins, reset requests).
public protocol RateLimiter: Sendable {
    /// Seconds until another attempt is allowed, or nil when `key` has fewer than `limit` hits in `window`.
    func retryAfter(key: String, limit: Int, window: Duration) async -> Int?
    /// Counts one hit for `key`.
    func record(key: String, window: Duration) async
    /// Forgets `key` (e.g. after a successful login).
    func reset(key: String) async
}

/// An in-process sliding-window limiter. Good for one process (local server, one Lambda container).
public actor InMemoryRateLimiter: RateLimiter {
    private var hits: [String: [ContinuousClock.Instant]] = [:]
    private let clock = ContinuousClock()
    private var operations = 0

    public init() {}

    public func retryAfter(key: String, limit: Int, window: Duration) -> Int? {
        let now = clock.now
        let recent = (hits[key] ?? []).filter { now - $0 < window }
        hits[key] = recent
        guard recent.count >= limit, let oldest = recent.first else { return nil }
        let wait = window - (now - oldest)
        return max(1, Int(wait.components.seconds) + 1)
    }

    public func record(key: String, window: Duration) {
        let now = clock.now
        hits[key, default: []].append(now)
        operations += 1
        if operations % 1024 == 0 {
            // Drop stale keys now and then so memory stays bounded.
            hits = hits.filter { !$0.value.isEmpty && now - $0.value.last! < window }
        }
    }

    public func reset(key: String) {
        hits[key] = nil
    }
}
