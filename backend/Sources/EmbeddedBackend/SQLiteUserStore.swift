import LifestyleCore
import LifestyleToolkit
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `UserStore` on the embedded SQLite database.
public struct SQLiteUserStore: UserStore {
    let db: EmbeddedDatabase

    public init(database: EmbeddedDatabase) { self.db = database }

    public func createUser(_ u: UserRecord) async throws {
        do {
            try await db.query(
                """
                INSERT INTO users (user_id, email, first_name, last_name, email_verified, mfa_enabled, phone_number,
                  date_of_birth, timezone, preferences, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                """, Self.binds(u))
        } catch let e as SQLiteError
            where e.reason == .constraint || e.reason == .constraintUniqueFailed || e.reason == .constraintPrimaryKeyFailed
        {
            if try await user(id: u.userId) != nil { throw UserStoreError.alreadyExists }
            throw UserStoreError.emailTaken
        }
    }

    public func user(id: String) async throws -> UserRecord? {
        try await db.query("SELECT * FROM users WHERE user_id = ?", [.text(id)]).first.map(Self.record)
    }

    public func user(email: String) async throws -> UserRecord? {
        try await db.query("SELECT * FROM users WHERE email = ?", [.text(email)]).first.map(Self.record)
    }

    public func updateUser(_ u: UserRecord) async throws {
        let rows = try await db.query(
            """
            UPDATE users SET first_name = ?, last_name = ?, email_verified = ?, mfa_enabled = ?, phone_number = ?,
              date_of_birth = ?, timezone = ?, preferences = ?, updated_at = ? WHERE user_id = ? RETURNING user_id
            """,
            [
                .text(u.firstName), .text(u.lastName), .integer(u.emailVerified ? 1 : 0), .integer(u.mfaEnabled ? 1 : 0),
                .optional(u.phoneNumber), .optional(u.dateOfBirth), .optional(u.timezone), .text(Self.encode(u.preferences)),
                .float(u.updatedAt.timeIntervalSince1970), .text(u.userId),
            ])
        if rows.isEmpty { throw UserStoreError.notFound }
    }

    public func deleteUser(id: String) async throws {
        try await db.transaction { tx in
            try await tx.query("DELETE FROM backup_codes WHERE user_id = ?", [.text(id)])
            try await tx.query("DELETE FROM users WHERE user_id = ?", [.text(id)])
        }
    }

    public func replaceBackupCodes(userId: String, hashes: [String]) async throws {
        try await db.transaction { tx in
            try await tx.query("DELETE FROM backup_codes WHERE user_id = ?", [.text(userId)])
            for h in hashes {
                try await tx.query("INSERT INTO backup_codes (user_id, hash) VALUES (?, ?)", [.text(userId), .text(h)])
            }
        }
    }

    public func consumeBackupCode(userId: String, hash: String) async throws -> Bool {
        let rows = try await db.query(
            "UPDATE backup_codes SET used = 1 WHERE user_id = ? AND hash = ? AND used = 0 RETURNING hash",
            [.text(userId), .text(hash)])
        return !rows.isEmpty
    }

    public func unusedBackupCodeCount(userId: String) async throws -> Int {
        try await db.query("SELECT COUNT(*) AS n FROM backup_codes WHERE user_id = ? AND used = 0", [.text(userId)])
            .first?.int("n") ?? 0
    }

    public func unusedBackupCodeHashes(userId: String) async throws -> [String] {
        try await db.query("SELECT hash FROM backup_codes WHERE user_id = ? AND used = 0", [.text(userId)]).compactMap { $0.string("hash") }
    }

    static func binds(_ u: UserRecord) -> [SQLiteData] {
        [
            .text(u.userId), .text(u.email), .text(u.firstName), .text(u.lastName), .integer(u.emailVerified ? 1 : 0),
            .integer(u.mfaEnabled ? 1 : 0), .optional(u.phoneNumber), .optional(u.dateOfBirth), .optional(u.timezone),
            .text(encode(u.preferences)), .float(u.createdAt.timeIntervalSince1970), .float(u.updatedAt.timeIntervalSince1970),
        ]
    }

    static func encode(_ p: Preferences) -> String { String(decoding: JSON.encode(p), as: UTF8.self) }

    static func record(_ r: SQLiteRow) -> UserRecord {
        let prefs = (try? JSON.decode(Preferences.self, from: Array((r.string("preferences") ?? "{}").utf8))) ?? Preferences()
        return UserRecord(
            userId: r.string("user_id") ?? "", email: r.string("email") ?? "", firstName: r.string("first_name") ?? "",
            lastName: r.string("last_name") ?? "", emailVerified: r.bool("email_verified"), mfaEnabled: r.bool("mfa_enabled"),
            phoneNumber: r.string("phone_number"), dateOfBirth: r.string("date_of_birth"), timezone: r.string("timezone"),
            preferences: prefs, createdAt: Date(timeIntervalSince1970: r.double("created_at")),
            updatedAt: Date(timeIntervalSince1970: r.double("updated_at")))
    }
}
