import LifestyleToolkit
import Logging
import SQLiteNIO
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One SQLite file holding users, credentials, MFA, one-time tokens, refresh tokens, goals and
/// their activities.
///
/// SQLite runs on NIO's blocking thread pool. All statements go through one async lock so a
/// multi-statement transaction never interleaves with another caller's statements on the shared
/// connection.
public final class EmbeddedDatabase: Sendable {
    let connection: SQLiteConnection
    let lock = AsyncLock()

    public static func open(path: String) async throws -> EmbeddedDatabase {
        try await open(path: path, migrations: Schema.migrations)
    }

    static func open(path: String, migrations: [Schema.Migration]) async throws -> EmbeddedDatabase {
        var silent = Logger(label: "sqlite")
        silent.logLevel = .critical
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: silent)
        let db = EmbeddedDatabase(connection: connection)
        do {
            try await db.migrate(migrations)
        } catch {
            try? await connection.close()
            throw error
        }
        return db
    }

    init(connection: SQLiteConnection) { self.connection = connection }

    public func close() async throws { try await connection.close() }

    /// A database dropped without `close()` (a test's, a start-up that failed later) still closes
    /// its file: the close runs on NIO's blocking pool, which keeps the connection alive until the
    /// handle is released (sqlite-nio asserts on a connection freed open).
    deinit {
        if !connection.isClosed { _ = connection.close() }
    }

    /// The connection's settings, then every migration newer than the file's `user_version`, in
    /// order, in one transaction: a data directory is either upgraded whole or left as it was.
    /// `BEGIN IMMEDIATE` serialises processes that open the same directory at once (the
    /// `serve --lambda` front and its function); the second finds the work done. A directory
    /// made by a newer release is refused rather than guessed at.
    func migrate(_ migrations: [Schema.Migration]) async throws {
        // secure_delete: deleted rows are overwritten, so a deleted account leaves nothing readable
        // in the file (with `purgeDeleted()` for what the write-ahead log still holds)
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON", "PRAGMA secure_delete=ON"] {
            _ = try await query(pragma)
        }
        guard let latest = migrations.last?.version else { return }  // (tests: a file as it is)
        try await transaction { tx in
            let current = try await tx.query("PRAGMA user_version").first?.int("user_version") ?? 0
            guard current <= latest else {
                throw Schema.NewerThanThisRelease(found: current, known: latest)
            }
            for migration in migrations where migration.version > current {
                for statement in migration.statements { try await tx.query(statement) }
                // PRAGMA takes no bound parameters; the version is an Int
                try await tx.query("PRAGMA user_version = \(migration.version)")
            }
        }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        await lock.lock()
        defer { lock.unlockSoon() }
        return try await raw(sql, binds)
    }

    /// Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back when it throws.
    func transaction<T: Sendable>(_ body: @Sendable (Transaction) async throws -> T) async throws -> T {
        await lock.lock()
        defer { lock.unlockSoon() }
        _ = try await raw("BEGIN IMMEDIATE", [])
        do {
            let result = try await body(Transaction(db: self))
            _ = try await raw("COMMIT", [])
            return result
        } catch {
            _ = try? await raw("ROLLBACK", [])
            throw error
        }
    }

    struct Transaction: Sendable {
        let db: EmbeddedDatabase
        @discardableResult
        func query(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
            try await db.raw(sql, binds)
        }
    }

    fileprivate func raw(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        let rows = RowCollector()
        try await connection.query(sql, binds) { rows.append($0) }
        return rows.take()
    }

    /// Copies the write-ahead log into the file and empties it: with `secure_delete` on, what was
    /// deleted before is then nowhere on disk.
    func purgeDeleted() async throws {
        try await query("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// Number of rows the last statement changed.
    func changes(_ tx: Transaction? = nil) async throws -> Int {
        let rows = try await raw("SELECT changes() AS n", [])
        return rows.first?.column("n")?.integer.map { Int($0) } ?? 0
    }
}

/// Collects rows delivered on the thread pool.
final class RowCollector: Sendable {
    private let rows = Synchronization.Mutex<[SQLiteRow]>([])
    func append(_ r: SQLiteRow) { rows.withLock { $0.append(r) } }
    func take() -> [SQLiteRow] { rows.withLock { $0 } }
}

/// A FIFO async lock.
final class AsyncLock: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Synchronization.Mutex<State>(State())

    func lock() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { s in
                if !s.locked {
                    s.locked = true
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if acquired { c.resume() }
        }
    }

    /// Releases the lock, handing it straight to the next waiter if there is one.
    func unlockSoon() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { s in
            if s.waiters.isEmpty {
                s.locked = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }
}

extension SQLiteRow {
    func string(_ c: String) -> String? { column(c)?.string }
    func int(_ c: String) -> Int { column(c)?.integer.map { Int($0) } ?? 0 }
    func bool(_ c: String) -> Bool { int(c) != 0 }
    func double(_ c: String) -> Double { column(c)?.double ?? 0 }
}

extension SQLiteData {
    static func optional(_ s: String?) -> SQLiteData { s.map { .text($0) } ?? .null }
}

/// The embedded store's schema: numbered, forward-only migrations. Adding a table or a column is
/// a new migration at the end (never an edit of an old one): every data directory, whatever
/// release made it, reaches the same schema at its next start.
enum Schema {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let statements: [String]
    }

    struct NewerThanThisRelease: Error, CustomStringConvertible {
        let found: Int
        let known: Int
        var description: String {
            "the data directory's schema is version \(found), newer than this release knows (\(known)): use the release that made it, or a new data directory"
        }
    }

    static let migrations: [Migration] = [
        // The schema every release before migrations had (IF NOT EXISTS: such a directory, at
        // user_version 0, already has these tables and keeps their rows).
        Migration(
            version: 1, name: "baseline: identities, tokens, MFA, users, limits, revocations, backup codes",
            statements: [
                """
                CREATE TABLE IF NOT EXISTS identities (
                  subject TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
                  confirmed INTEGER NOT NULL DEFAULT 0, given_name TEXT NOT NULL, family_name TEXT NOT NULL,
                  mfa_enabled INTEGER NOT NULL DEFAULT 0, totp_secret TEXT, pending_totp_secret TEXT,
                  last_totp_step INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL)
                """,
                """
                CREATE TABLE IF NOT EXISTS one_time_tokens (
                  hash TEXT PRIMARY KEY, subject TEXT NOT NULL REFERENCES identities(subject) ON DELETE CASCADE,
                  kind TEXT NOT NULL, expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE IF NOT EXISTS refresh_tokens (
                  hash TEXT PRIMARY KEY, subject TEXT NOT NULL REFERENCES identities(subject) ON DELETE CASCADE,
                  expires_at REAL NOT NULL, auth_time INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE IF NOT EXISTS mfa_sessions (
                  hash TEXT PRIMARY KEY, subject TEXT NOT NULL REFERENCES identities(subject) ON DELETE CASCADE,
                  expires_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, used INTEGER NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE IF NOT EXISTS users (
                  user_id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
                  email_verified INTEGER NOT NULL DEFAULT 0, mfa_enabled INTEGER NOT NULL DEFAULT 0,
                  phone_number TEXT, date_of_birth TEXT, timezone TEXT, preferences TEXT NOT NULL,
                  created_at REAL NOT NULL, updated_at REAL NOT NULL)
                """,
                """
                CREATE TABLE IF NOT EXISTS rate_limits (
                  key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_ends REAL NOT NULL)
                """,
                """
                CREATE TABLE IF NOT EXISTS token_revocations (subject TEXT PRIMARY KEY, valid_from INTEGER NOT NULL)
                """,
                """
                CREATE TABLE IF NOT EXISTS backup_codes (
                  user_id TEXT NOT NULL, hash TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (user_id, hash))
                """,
            ]),
        Migration(
            version: 2, name: "goals and their activities",
            statements: [
                """
                CREATE TABLE goals (
                  user_id TEXT NOT NULL, goal_id TEXT NOT NULL, status TEXT NOT NULL, pattern TEXT NOT NULL,
                  category TEXT NOT NULL, title TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
                  version INTEGER NOT NULL, document TEXT NOT NULL, days TEXT NOT NULL, PRIMARY KEY (user_id, goal_id))
                """,
                "CREATE INDEX goals_by_status ON goals (user_id, status)",
                """
                CREATE TABLE goal_activities (
                  user_id TEXT NOT NULL, goal_id TEXT NOT NULL, activity_id TEXT NOT NULL, activity_date TEXT NOT NULL,
                  logged_at REAL NOT NULL, document TEXT NOT NULL, PRIMARY KEY (user_id, goal_id, activity_id),
                  FOREIGN KEY (user_id, goal_id) REFERENCES goals (user_id, goal_id) ON DELETE CASCADE)
                """,
                "CREATE INDEX goal_activities_by_date ON goal_activities (user_id, goal_id, activity_date)",
            ]),
        Migration(
            version: 3, name: "encryption keys",
            statements: [
                """
                CREATE TABLE encryption_keys (
                  user_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, public_key_id TEXT NOT NULL, salt TEXT NOT NULL,
                  encrypted_private_key TEXT NOT NULL, created_at REAL NOT NULL, recovery TEXT)
                """
            ]),
        Migration(
            version: 4, name: "journal entries, their statistics and shares",
            statements: [
                """
                CREATE TABLE journal_entries (
                  entry_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
                  version INTEGER NOT NULL, goal_ids TEXT NOT NULL, document TEXT NOT NULL, meta TEXT NOT NULL)
                """,
                "CREATE INDEX journal_entries_by_user ON journal_entries (user_id, entry_id)",
                "CREATE TABLE journal_stats (user_id TEXT PRIMARY KEY, version INTEGER NOT NULL, document TEXT NOT NULL)",
                """
                CREATE TABLE journal_shares (
                  share_id TEXT PRIMARY KEY, entry_id TEXT NOT NULL, owner_id TEXT NOT NULL, recipient_id TEXT NOT NULL,
                  permissions TEXT NOT NULL, encrypted_key TEXT, created_at REAL NOT NULL, expires_at REAL NOT NULL,
                  access_count INTEGER NOT NULL DEFAULT 0, last_accessed REAL, UNIQUE (entry_id, recipient_id))
                """,
                "CREATE INDEX journal_shares_by_owner ON journal_shares (owner_id)",
                "CREATE INDEX journal_shares_by_recipient ON journal_shares (recipient_id)",
            ]),
    ]
}
