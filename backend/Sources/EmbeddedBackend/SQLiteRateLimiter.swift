import LifestyleCore
import LifestyleToolkit
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `RateLimiter` on the embedded SQLite database: one row per key, taken in one immediate
/// transaction, so every server process on the same data directory shares the counts.
public struct SQLiteRateLimiter: RateLimiter {
    let db: EmbeddedDatabase
    let clock: any WallClock

    public init(database: EmbeddedDatabase, clock: any WallClock = SystemClock()) {
        self.db = database
        self.clock = clock
    }

    public func acquire(key: String, limit: Int, window: Duration) async throws -> Int? {
        let now = clock.now().timeIntervalSince1970
        let seconds = Double(window.components.seconds)
        return try await db.transaction { tx in
            let rows = try await tx.query("SELECT count, window_ends FROM rate_limits WHERE key = ?", [.text(key)])
            if let row = rows.first, row.double("window_ends") > now {
                guard row.int("count") < limit else { return retryAfterSeconds(until: row.double("window_ends"), now: now) }
                try await tx.query("UPDATE rate_limits SET count = count + 1 WHERE key = ?", [.text(key)])
                return nil
            }
            try await tx.query(
                "INSERT INTO rate_limits (key, count, window_ends) VALUES (?, 1, ?) ON CONFLICT(key) DO UPDATE SET count = 1, window_ends = ?",
                [.text(key), .float(now + seconds), .float(now + seconds)])
            // Expired windows of other keys go now and then, so the table stays small.
            if Int.random(in: 0..<256) == 0 { try await tx.query("DELETE FROM rate_limits WHERE window_ends <= ?", [.float(now)]) }
            return nil
        }
    }

    public func reset(key: String) async throws {
        try await db.query("DELETE FROM rate_limits WHERE key = ?", [.text(key)])
    }

    public func release(key: String) async throws {
        try await db.query(
            "UPDATE rate_limits SET count = count - 1 WHERE key = ? AND count > 0 AND window_ends > ?",
            [.text(key), .float(clock.now().timeIntervalSince1970)])
    }
}
