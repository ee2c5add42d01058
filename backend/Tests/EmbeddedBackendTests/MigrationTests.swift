import Foundation
import LifestyleCore
import XCTest

@testable import EmbeddedBackend

/// The embedded store's migrations against data directories as releases left them.
final class MigrationTests: XCTestCase {
    /// The schema of the release before migrations (commit c5c006d, `Database.migrate()`), as that
    /// release wrote it: this test's own copy, so a later edit of migration 1 cannot hide a break.
    static let landedSchema: [String] = [
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
    ]

    func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString).sqlite").path
    }

    /// A file as the landed release left it: its tables, a user with a session, user_version 0.
    func landedFile() async throws -> String {
        let file = path()
        let db = try await EmbeddedDatabase.open(path: file, migrations: [])
        for statement in Self.landedSchema { try await db.query(statement) }
        try await db.query(
            "INSERT INTO identities (subject, email, password_hash, confirmed, given_name, family_name, created_at) VALUES ('s-1', 'a@example.com', 'h', 1, 'Ada', 'L', 1)"
        )
        try await db.query(
            "INSERT INTO users (user_id, email, first_name, last_name, timezone, preferences, created_at, updated_at) VALUES ('s-1', 'a@example.com', 'Ada', 'L', 'Europe/Paris', '{}', 1, 1)"
        )
        try await db.query("INSERT INTO refresh_tokens (hash, subject, expires_at, auth_time) VALUES ('r', 's-1', 9e9, 1)")
        try await db.close()
        return file
    }

    func version(_ db: EmbeddedDatabase) async throws -> Int {
        try await db.query("PRAGMA user_version").first?.int("user_version") ?? -1
    }

    func testTheLandedReleasesDirectoryUpgradesInPlaceWithNothingLost() async throws {
        let file = try await landedFile()
        let db = try await EmbeddedDatabase.open(path: file)
        let latest = try XCTUnwrap(Schema.migrations.last?.version)
        let upgraded = try await version(db)
        XCTAssertEqual(upgraded, latest)
        let user = try await db.query("SELECT first_name, timezone FROM users WHERE user_id = 's-1'")
        XCTAssertEqual(user.first?.string("first_name"), "Ada")
        XCTAssertEqual(user.first?.string("timezone"), "Europe/Paris")
        let sessions = try await db.query("SELECT COUNT(*) AS n FROM refresh_tokens WHERE subject = 's-1'")
        XCTAssertEqual(sessions.first?.int("n"), 1)
        try await db.close()
        // and again: already current, nothing runs
        let again = try await EmbeddedDatabase.open(path: file)
        let same = try await version(again)
        XCTAssertEqual(same, latest)
        try await again.close()
    }

    /// A directory the auth release (schema version 1, before goals) made: the goal, key and
    /// journal tables arrive, the users stay, and goals, keys and entries can be stored at once.
    func testTheAuthReleasesDirectoryGetsTheGoalAndKeyTables() async throws {
        let file = try await landedFile()
        let previous = try await EmbeddedDatabase.open(path: file, migrations: Array(Schema.migrations.prefix(1)))
        let before = try await version(previous)
        XCTAssertEqual(before, 1)
        try await previous.close()
        let db = try await EmbeddedDatabase.open(path: file)
        let after = try await version(db)
        XCTAssertEqual(after, 4)
        let journal = SQLiteJournalStore(database: db)
        let entry = StoredEntry(
            userId: "s-1", entryId: "e-1", createdAt: Date(), updatedAt: Date(), goalIds: ["g-1"], document: Array("{}".utf8))
        try await journal.createEntry(entry, stats: StoredJournalStats(userId: "s-1", version: 1, document: Array("{}".utf8)))
        let linked = try await journal.entries(userId: "s-1", linking: "g-1")
        XCTAssertEqual(linked.map(\.entryId), ["e-1"])
        do {
            try await journal.createEntry(
                StoredEntry(userId: "s-1", entryId: "e-2", createdAt: Date(), updatedAt: Date(), goalIds: [], document: []),
                stats: StoredJournalStats(userId: "s-1", version: 1, document: []))
            XCTFail("statistics written from a stale read must conflict")
        } catch JournalStoreError.conflict {}
        let user = try await db.query("SELECT first_name FROM users WHERE user_id = 's-1'")
        XCTAssertEqual(user.first?.string("first_name"), "Ada")
        let store = SQLiteGoalStore(database: db)
        try await store.createGoal(
            StoredGoal(
                userId: "s-1", goalId: "g-1", status: "active", pattern: "streak", category: "wellness", title: "Meditate",
                createdAt: Date(), updatedAt: Date(), document: Array("{}".utf8)))
        let goals = try await store.goals(userId: "s-1", statuses: [])
        XCTAssertEqual(goals.map(\.goalId), ["g-1"])
        let keys = SQLiteEncryptionKeyStore(database: db)
        let made = StoredKeys(
            userId: "s-1", publicKey: "cHVi", publicKeyId: "k1", salt: "c2FsdA==", encryptedPrivateKey: "c2VhbGVk",
            createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        try await keys.createKeys(made)
        do {
            try await keys.createKeys(made)
            XCTFail("a second setup keeps the first keys")
        } catch EncryptionKeyStoreError.alreadyExists {}
        try await keys.setRecovery(userId: "s-1", material: Array(#"{"method":"mnemonic"}"#.utf8))
        let read = try await keys.keys(userId: "s-1")
        XCTAssertEqual(read?.publicKeyId, "k1")
        XCTAssertEqual(read?.recovery, Array(#"{"method":"mnemonic"}"#.utf8))
        try await keys.deleteKeys(userId: "s-1")
        let gone = try await keys.keys(userId: "s-1")
        XCTAssertNil(gone)
        do {
            try await keys.setRecovery(userId: "s-1", material: [])
            XCTFail("no recovery without keys")
        } catch EncryptionKeyStoreError.notFound {}
        try await db.close()
    }

    func testANewMigrationReachesAnExistingDirectory() async throws {
        let file = try await landedFile()
        let next = Schema.Migration(
            version: (Schema.migrations.last?.version ?? 0) + 1, name: "test: a column and a table",
            statements: [
                "ALTER TABLE users ADD COLUMN nickname TEXT",
                "CREATE TABLE widgets (widget_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, title TEXT NOT NULL)",
            ])
        let db = try await EmbeddedDatabase.open(path: file, migrations: Schema.migrations + [next])
        let v = try await version(db)
        XCTAssertEqual(v, next.version)
        let rows = try await db.query("SELECT first_name, nickname FROM users WHERE user_id = 's-1'")
        XCTAssertEqual(rows.first?.string("first_name"), "Ada")
        XCTAssertNil(rows.first?.string("nickname"))
        try await db.query("INSERT INTO widgets VALUES ('w', 's-1', 'Run')")
        try await db.close()
    }

    func testAFailingMigrationLeavesTheDirectoryAsItWas() async throws {
        let file = try await landedFile()
        let broken = Schema.Migration(
            version: (Schema.migrations.last?.version ?? 0) + 1, name: "test: fails halfway",
            statements: ["CREATE TABLE half (x INTEGER)", "ALTER TABLE no_such_table ADD COLUMN y TEXT"])
        do {
            _ = try await EmbeddedDatabase.open(path: file, migrations: Schema.migrations + [broken])
            XCTFail("the broken migration must fail the open")
        } catch {}
        let db = try await EmbeddedDatabase.open(path: file, migrations: [])
        let v = try await version(db)
        XCTAssertEqual(v, 0, "not even the baseline was recorded: one transaction")
        let half = try await db.query("SELECT name FROM sqlite_master WHERE name = 'half'")
        XCTAssertTrue(half.isEmpty, "the first statement of the failed migration was rolled back")
        try await db.close()
    }

    func testADirectoryFromANewerReleaseIsRefusedUntouched() async throws {
        let file = try await landedFile()
        let newer = try await EmbeddedDatabase.open(path: file, migrations: [])
        try await newer.query("PRAGMA user_version = 99")
        try await newer.close()
        do {
            _ = try await EmbeddedDatabase.open(path: file)
            XCTFail("a newer schema must be refused")
        } catch let error as Schema.NewerThanThisRelease {
            XCTAssertEqual(error.found, 99)
        }
        let db = try await EmbeddedDatabase.open(path: file, migrations: [])
        let v = try await version(db)
        XCTAssertEqual(v, 99)
        try await db.close()
    }

    /// The `serve --lambda` front and its function open a new directory at the same moment.
    func testTwoProcessesOpeningANewDirectoryAtOnceBothGetTheSchema() async throws {
        let file = path()
        async let one = EmbeddedDatabase.open(path: file)
        async let two = EmbeddedDatabase.open(path: file)
        let (a, b) = try await (one, two)
        let va = try await version(a)
        let vb = try await version(b)
        XCTAssertEqual(va, Schema.migrations.last?.version)
        XCTAssertEqual(vb, va)
        try await a.close()
        try await b.close()
    }
}
