import LifestyleCore
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `JournalStore` on the embedded SQLite database (tables `journal_entries`, `journal_stats` and
/// `journal_shares`, schema migration 4). Versions in the `WHERE` of each write make them
/// conditional, as the DynamoDB adapter's condition expressions do; each store call is one
/// transaction. Entry ids are version 7 UUIDs, so `entry_id` orders the journal by time.
public struct SQLiteJournalStore: JournalStore {
    let db: EmbeddedDatabase

    public init(database: EmbeddedDatabase) { self.db = database }

    public func createEntry(_ entry: StoredEntry, stats: StoredJournalStats) async throws {
        try await db.transaction { tx in
            try await Self.writeStats(stats, tx)
            do {
                try await tx.query(
                    "INSERT INTO journal_entries (entry_id, user_id, created_at, updated_at, version, goal_ids, document, meta) VALUES (?,?,?,?,?,?,?,?)",
                    Self.binds(entry))
            } catch let e as SQLiteError where e.reason == .constraint || e.reason == .constraintPrimaryKeyFailed {
                throw JournalStoreError.conflict
            }
        }
    }

    public func updateEntry(_ entry: StoredEntry, stats: StoredJournalStats?) async throws {
        try await db.transaction { tx in
            try await Self.replace(entry, tx)
            if let stats { try await Self.writeStats(stats, tx) }
        }
    }

    public func deleteEntry(_ entry: StoredEntry, stats: StoredJournalStats) async throws {
        try await db.transaction { tx in
            try await tx.query(
                "DELETE FROM journal_entries WHERE entry_id = ? AND user_id = ? AND version = ?",
                [.text(entry.entryId), .text(entry.userId), .integer(entry.version)])
            guard try await Self.changes(tx) == 1 else { throw JournalStoreError.conflict }
            try await tx.query("DELETE FROM journal_shares WHERE entry_id = ?", [.text(entry.entryId)])
            try await Self.writeStats(stats, tx)
        }
        // a deleted entry leaves nothing in the write-ahead log either
        try await db.purgeDeleted()
    }

    public func entry(userId: String, entryId: String) async throws -> StoredEntry? {
        try await db.query("SELECT * FROM journal_entries WHERE entry_id = ? AND user_id = ?", [.text(entryId), .text(userId)])
            .first.map(Self.entry)
    }

    public func entryOwner(entryId: String) async throws -> String? {
        try await db.query("SELECT user_id FROM journal_entries WHERE entry_id = ?", [.text(entryId)]).first?.string("user_id")
    }

    public func entries(userId: String, offset: Int, limit: Int) async throws -> (entries: [StoredEntry], stats: StoredJournalStats?) {
        let rows = try await db.query(
            "SELECT * FROM journal_entries WHERE user_id = ? ORDER BY entry_id DESC LIMIT ? OFFSET ?",
            [.text(userId), .integer(limit), .integer(offset)])
        return (rows.map(Self.entry), try await stats(userId: userId))
    }

    public func entries(userId: String, linking goalId: String) async throws -> [StoredEntry] {
        // goal_ids is a space-separated list of UUIDs
        try await db.query(
            "SELECT * FROM journal_entries WHERE user_id = ? AND instr(' ' || goal_ids || ' ', ?) > 0 ORDER BY entry_id DESC",
            [.text(userId), .text(" " + goalId + " ")]
        ).map(Self.entry)
    }

    public func stats(userId: String) async throws -> StoredJournalStats? {
        try await db.query("SELECT * FROM journal_stats WHERE user_id = ?", [.text(userId)]).first.map {
            StoredJournalStats(userId: userId, version: $0.int("version"), document: Array(($0.string("document") ?? "").utf8))
        }
    }

    public func createShare(_ share: StoredShare, replacing: StoredShare?, entry: StoredEntry) async throws {
        try await db.transaction { tx in
            try await Self.replace(entry, tx)
            if let replacing {
                try await tx.query("DELETE FROM journal_shares WHERE share_id = ?", [.text(replacing.shareId)])
                guard try await Self.changes(tx) == 1 else { throw JournalStoreError.conflict }
            }
            do {
                try await tx.query(
                    """
                    INSERT INTO journal_shares (share_id, entry_id, owner_id, recipient_id, permissions, encrypted_key, created_at,
                      expires_at, access_count, last_accessed) VALUES (?,?,?,?,?,?,?,?,?,?)
                    """,
                    [
                        .text(share.shareId), .text(share.entryId), .text(share.ownerId), .text(share.recipientId),
                        .text(share.permissions.joined(separator: " ")), SQLiteData.optional(share.encryptedKey),
                        .float(share.createdAt.timeIntervalSince1970), .float(share.expiresAt.timeIntervalSince1970),
                        .integer(share.accessCount), share.lastAccessed.map { .float($0.timeIntervalSince1970) } ?? .null,
                    ])
            } catch let e as SQLiteError
                where e.reason == .constraint || e.reason == .constraintPrimaryKeyFailed
                || e.reason == .constraintUniqueFailed
            {
                throw JournalStoreError.conflict
            }
        }
    }

    public func revokeShare(_ share: StoredShare, entry: StoredEntry) async throws {
        try await db.transaction { tx in
            try await Self.replace(entry, tx)
            try await tx.query("DELETE FROM journal_shares WHERE share_id = ?", [.text(share.shareId)])
            guard try await Self.changes(tx) == 1 else { throw JournalStoreError.conflict }
        }
    }

    public func share(id: String) async throws -> StoredShare? {
        try await db.query("SELECT * FROM journal_shares WHERE share_id = ?", [.text(id)]).first.map(Self.share)
    }

    public func share(entryId: String, recipientId: String) async throws -> StoredShare? {
        try await db.query(
            "SELECT * FROM journal_shares WHERE entry_id = ? AND recipient_id = ?", [.text(entryId), .text(recipientId)]
        ).first.map(Self.share)
    }

    public func sharesGiven(userId: String) async throws -> [StoredShare] {
        try await db.query("SELECT * FROM journal_shares WHERE owner_id = ?", [.text(userId)]).map(Self.share)
    }

    public func sharesReceived(userId: String) async throws -> [StoredShare] {
        try await db.query("SELECT * FROM journal_shares WHERE recipient_id = ?", [.text(userId)]).map(Self.share)
    }

    public func recordAccess(_ share: StoredShare, at: Date) async throws {
        try await db.query(
            "UPDATE journal_shares SET access_count = access_count + 1, last_accessed = ? WHERE share_id = ?",
            [.float(at.timeIntervalSince1970), .text(share.shareId)])
    }

    public func deleteJournal(userId: String) async throws {
        try await db.transaction { tx in
            try await tx.query(
                "DELETE FROM journal_shares WHERE owner_id = ? OR recipient_id = ? OR entry_id IN (SELECT entry_id FROM journal_entries WHERE user_id = ?)",
                [.text(userId), .text(userId), .text(userId)])
            try await tx.query("DELETE FROM journal_entries WHERE user_id = ?", [.text(userId)])
            try await tx.query("DELETE FROM journal_stats WHERE user_id = ?", [.text(userId)])
        }
        try await db.purgeDeleted()
    }

    // MARK: rows

    static func changes(_ tx: EmbeddedDatabase.Transaction) async throws -> Int {
        try await tx.query("SELECT changes() AS n").first?.int("n") ?? 0
    }

    /// Replaces the entry if its stored version is the one read (`entry.version - 1`).
    static func replace(_ e: StoredEntry, _ tx: EmbeddedDatabase.Transaction) async throws {
        try await tx.query(
            "UPDATE journal_entries SET updated_at = ?, version = ?, goal_ids = ?, document = ?, meta = ? WHERE entry_id = ? AND user_id = ? AND version = ?",
            [
                .float(e.updatedAt.timeIntervalSince1970), .integer(e.version), .text(e.goalIds.joined(separator: " ")),
                .text(String(decoding: e.document, as: UTF8.self)), .text(String(decoding: e.meta, as: UTF8.self)), .text(e.entryId),
                .text(e.userId), .integer(e.version - 1),
            ])
        guard try await changes(tx) == 1 else { throw JournalStoreError.conflict }
    }

    /// Writes the statistics if the stored version is the one read (`stats.version - 1`; 0: none).
    static func writeStats(_ s: StoredJournalStats, _ tx: EmbeddedDatabase.Transaction) async throws {
        let document = String(decoding: s.document, as: UTF8.self)
        if s.version == 1 {
            do {
                try await tx.query(
                    "INSERT INTO journal_stats (user_id, version, document) VALUES (?,?,?)",
                    [.text(s.userId), .integer(1), .text(document)])
            } catch let e as SQLiteError where e.reason == .constraint || e.reason == .constraintPrimaryKeyFailed {
                throw JournalStoreError.conflict
            }
        } else {
            try await tx.query(
                "UPDATE journal_stats SET version = ?, document = ? WHERE user_id = ? AND version = ?",
                [.integer(s.version), .text(document), .text(s.userId), .integer(s.version - 1)])
            guard try await changes(tx) == 1 else { throw JournalStoreError.conflict }
        }
    }

    static func binds(_ e: StoredEntry) -> [SQLiteData] {
        [
            .text(e.entryId), .text(e.userId), .float(e.createdAt.timeIntervalSince1970), .float(e.updatedAt.timeIntervalSince1970),
            .integer(e.version), .text(e.goalIds.joined(separator: " ")), .text(String(decoding: e.document, as: UTF8.self)),
            .text(String(decoding: e.meta, as: UTF8.self)),
        ]
    }

    static func entry(_ row: SQLiteRow) -> StoredEntry {
        StoredEntry(
            userId: row.string("user_id") ?? "", entryId: row.string("entry_id") ?? "",
            createdAt: Date(timeIntervalSince1970: row.double("created_at")),
            updatedAt: Date(timeIntervalSince1970: row.double("updated_at")), version: row.int("version"),
            goalIds: (row.string("goal_ids") ?? "").split(separator: " ").map(String.init),
            document: Array((row.string("document") ?? "").utf8), meta: Array((row.string("meta") ?? "{}").utf8))
    }

    static func share(_ row: SQLiteRow) -> StoredShare {
        StoredShare(
            shareId: row.string("share_id") ?? "", entryId: row.string("entry_id") ?? "", ownerId: row.string("owner_id") ?? "",
            recipientId: row.string("recipient_id") ?? "",
            permissions: (row.string("permissions") ?? "").split(separator: " ").map(String.init),
            encryptedKey: row.string("encrypted_key"), createdAt: Date(timeIntervalSince1970: row.double("created_at")),
            expiresAt: Date(timeIntervalSince1970: row.double("expires_at")), accessCount: row.int("access_count"),
            lastAccessed: row.column("last_accessed")?.double.map { Date(timeIntervalSince1970: $0) })
    }
}
