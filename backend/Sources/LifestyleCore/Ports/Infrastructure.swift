import LifestyleToolkit

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

/// Attempt limits shared by every instance of the service (failed logins, reset requests, ...).
///
/// A key's window starts at its first attempt and lasts `window`; within it at most `limit`
/// attempts are taken. Taking one is a single atomic step (no check-then-act), so concurrent
/// attempts, in one process or many, can never take more than `limit` between them.
/// Embedded: a SQLite table; AWS: counter items in the users table (one conditional write per
/// attempt); `InMemoryRateLimiter` for one process (tests).
public protocol RateLimiter: Sendable {
    /// Takes one attempt for `key`: nil when taken, otherwise the seconds until the window ends.
    /// Throws when the limiter's store cannot be reached (the caller answers 503).
    func acquire(key: String, limit: Int, window: Duration) async throws -> Int?
    /// Forgets `key` (e.g. after a successful login).
    func reset(key: String) async throws
    /// Gives one attempt back to `key`'s open window (an attempt that succeeded, or was never
    /// made). Never below zero; nothing happens when the window has ended.
    func release(key: String) async throws
}

/// Seconds until `end`, at least 1 (a Retry-After value).
public func retryAfterSeconds(until end: Double, now: Double) -> Int {
    max(1, Int((end - now).rounded(.up)))
}

/// One process's limiter (tests, and the core's default).
public actor InMemoryRateLimiter: RateLimiter {
    private var windows: [String: (count: Int, ends: ContinuousClock.Instant)] = [:]
    private var operations = 0

    public init() {}

    public func acquire(key: String, limit: Int, window: Duration) -> Int? {
        let now = ContinuousClock.now
        operations += 1
        if operations % 1024 == 0 { windows = windows.filter { $0.value.ends > now } }
        if let w = windows[key], w.ends > now {
            guard w.count < limit else { return retryAfterSeconds(until: Self.seconds(w.ends - now), now: 0) }
            windows[key] = (w.count + 1, w.ends)
            return nil
        }
        windows[key] = (1, now + window)
        return nil
    }

    public func reset(key: String) {
        windows[key] = nil
    }

    public func release(key: String) {
        guard let w = windows[key], w.ends > ContinuousClock.now, w.count > 0 else { return }
        windows[key] = (w.count - 1, w.ends)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
