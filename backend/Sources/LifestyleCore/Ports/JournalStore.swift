import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A journal entry as the store keeps it. `document` and `meta` are the core's JSON; the store
/// never reads them, so an encrypted entry's ciphertext is kept exactly as the client sent it.
public struct StoredEntry: Sendable, Equatable {
    public var userId: String
    public var entryId: String
    public var createdAt: Date
    public var updatedAt: Date
    /// Starts at 1; a write names the version it read plus one (else `JournalStoreError.conflict`).
    public var version: Int
    /// The goals the entry links (the `goalId` filter reads them).
    public var goalIds: [String]
    /// The entry as the API answers it, but for what its shares decide (JSON).
    public var document: [UInt8]
    /// The core's own small record of the entry (its day, its shares; JSON).
    public var meta: [UInt8]

    public init(
        userId: String, entryId: String, createdAt: Date, updatedAt: Date, version: Int = 1, goalIds: [String], document: [UInt8],
        meta: [UInt8] = Array("{}".utf8)
    ) {
        self.userId = userId
        self.entryId = entryId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
        self.goalIds = goalIds
        self.document = document
        self.meta = meta
    }
}

/// A user's journal statistics, kept up to date by every write of an entry (the core's JSON).
public struct StoredJournalStats: Sendable, Equatable {
    public var userId: String
    /// 0: none stored yet. A write stores the read version plus one, conditioned on the read one.
    public var version: Int
    public var document: [UInt8]

    public init(userId: String, version: Int, document: [UInt8]) {
        self.userId = userId
        self.version = version
        self.document = document
    }
}

/// An entry shared with another user: the entry key wrapped for the recipient (encrypted entries).
public struct StoredShare: Sendable, Equatable {
    public var shareId: String
    public var entryId: String
    public var ownerId: String
    public var recipientId: String
    public var permissions: [String]
    public var encryptedKey: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var accessCount: Int
    public var lastAccessed: Date?

    public init(
        shareId: String, entryId: String, ownerId: String, recipientId: String, permissions: [String], encryptedKey: String?,
        createdAt: Date, expiresAt: Date, accessCount: Int = 0, lastAccessed: Date? = nil
    ) {
        self.shareId = shareId
        self.entryId = entryId
        self.ownerId = ownerId
        self.recipientId = recipientId
        self.permissions = permissions
        self.encryptedKey = encryptedKey
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.accessCount = accessCount
        self.lastAccessed = lastAccessed
    }
}

public enum JournalStoreError: Error, Sendable, Equatable {
    /// The entry or the statistics changed since they were read (or the share slot was taken):
    /// read again and retry.
    case conflict
    case unavailable(String)
}

/// Journal entries, their statistics and their shares. Embedded: SQLite. AWS: the environment's
/// DynamoDB table (keys in docs/aws-design.md). Every write that changes an entry's words, mood,
/// tags or day also writes the statistics, both or neither.
public protocol JournalStore: Sendable {
    /// Stores a new entry (version 1) and the statistics (`stats.version` is the read one plus one).
    func createEntry(_ entry: StoredEntry, stats: StoredJournalStats) async throws
    /// Replaces the entry (and the statistics, when given) if neither changed since read.
    func updateEntry(_ entry: StoredEntry, stats: StoredJournalStats?) async throws
    /// Removes the entry as read (`entry.version`), every share of it, and writes the statistics.
    func deleteEntry(_ entry: StoredEntry, stats: StoredJournalStats) async throws
    func entry(userId: String, entryId: String) async throws -> StoredEntry?
    /// Whose entry this id is (a recipient's read of a shared entry starts here).
    func entryOwner(entryId: String) async throws -> String?
    /// The user's entries newest first, `offset` skipped, at most `limit`, with the statistics.
    func entries(userId: String, offset: Int, limit: Int) async throws -> (entries: [StoredEntry], stats: StoredJournalStats?)
    /// The user's entries that link `goalId`, newest first.
    func entries(userId: String, linking goalId: String) async throws -> [StoredEntry]
    func stats(userId: String) async throws -> StoredJournalStats?

    /// Stores the share (replacing `replacing`, an expired share of the same entry to the same
    /// recipient) and the entry that now lists it (version conditioned), all or nothing.
    func createShare(_ share: StoredShare, replacing: StoredShare?, entry: StoredEntry) async throws
    /// Removes the share and writes the entry that no longer lists it (version conditioned).
    func revokeShare(_ share: StoredShare, entry: StoredEntry) async throws
    func share(id: String) async throws -> StoredShare?
    func share(entryId: String, recipientId: String) async throws -> StoredShare?
    func sharesGiven(userId: String) async throws -> [StoredShare]
    func sharesReceived(userId: String) async throws -> [StoredShare]
    /// Counts a recipient's read (`accessCount` + 1, `lastAccessed`); nothing when the share is gone.
    func recordAccess(_ share: StoredShare, at: Date) async throws
    /// Removes every entry of the user, the shares they gave and received, and the statistics (an
    /// account deletion; the core revokes received shares on their entries first). Safe to repeat.
    func deleteJournal(userId: String) async throws
}

/// `JournalStore` in memory (unit tests of the core). Same contract as the SQLite and DynamoDB stores.
public final class InMemoryJournalStore: JournalStore {
    private struct State {
        var entries: [String: StoredEntry] = [:]
        var stats: [String: StoredJournalStats] = [:]
        var shares: [String: StoredShare] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    private static func checkStats(_ stats: StoredJournalStats, _ s: State) throws {
        guard (s.stats[stats.userId]?.version ?? 0) == stats.version - 1 else { throw JournalStoreError.conflict }
    }

    private static func checkEntry(_ entry: StoredEntry, _ s: State, read: Bool = false) throws {
        guard let stored = s.entries[entry.entryId], stored.userId == entry.userId,
            stored.version == (read ? entry.version : entry.version - 1)
        else { throw JournalStoreError.conflict }
    }

    public func createEntry(_ entry: StoredEntry, stats: StoredJournalStats) async throws {
        try state.withLock { s in
            guard s.entries[entry.entryId] == nil else { throw JournalStoreError.conflict }
            try Self.checkStats(stats, s)
            s.entries[entry.entryId] = entry
            s.stats[stats.userId] = stats
        }
    }

    public func updateEntry(_ entry: StoredEntry, stats: StoredJournalStats?) async throws {
        try state.withLock { s in
            try Self.checkEntry(entry, s)
            if let stats { try Self.checkStats(stats, s) }
            s.entries[entry.entryId] = entry
            if let stats { s.stats[stats.userId] = stats }
        }
    }

    public func deleteEntry(_ entry: StoredEntry, stats: StoredJournalStats) async throws {
        try state.withLock { s in
            try Self.checkEntry(entry, s, read: true)
            try Self.checkStats(stats, s)
            s.entries[entry.entryId] = nil
            s.shares = s.shares.filter { $0.value.entryId != entry.entryId }
            s.stats[stats.userId] = stats
        }
    }

    public func entry(userId: String, entryId: String) async throws -> StoredEntry? {
        state.withLock { s in s.entries[entryId].flatMap { $0.userId == userId ? $0 : nil } }
    }

    public func entryOwner(entryId: String) async throws -> String? { state.withLock { $0.entries[entryId]?.userId } }

    private func newestFirst(_ userId: String) -> [StoredEntry] {
        state.withLock { s in s.entries.values.filter { $0.userId == userId }.sorted { $0.entryId > $1.entryId } }
    }

    public func entries(userId: String, offset: Int, limit: Int) async throws -> (entries: [StoredEntry], stats: StoredJournalStats?) {
        let all = newestFirst(userId)
        return (Array(all.dropFirst(offset).prefix(limit)), state.withLock { $0.stats[userId] })
    }

    public func entries(userId: String, linking goalId: String) async throws -> [StoredEntry] {
        newestFirst(userId).filter { $0.goalIds.contains(goalId) }
    }

    public func stats(userId: String) async throws -> StoredJournalStats? { state.withLock { $0.stats[userId] } }

    public func createShare(_ share: StoredShare, replacing: StoredShare?, entry: StoredEntry) async throws {
        try state.withLock { s in
            try Self.checkEntry(entry, s)
            let existing = s.shares.values.first { $0.entryId == share.entryId && $0.recipientId == share.recipientId }
            guard existing?.shareId == replacing?.shareId else { throw JournalStoreError.conflict }
            if let existing { s.shares[existing.shareId] = nil }
            s.shares[share.shareId] = share
            s.entries[entry.entryId] = entry
        }
    }

    public func revokeShare(_ share: StoredShare, entry: StoredEntry) async throws {
        try state.withLock { s in
            try Self.checkEntry(entry, s)
            guard s.shares[share.shareId] != nil else { throw JournalStoreError.conflict }
            s.shares[share.shareId] = nil
            s.entries[entry.entryId] = entry
        }
    }

    public func share(id: String) async throws -> StoredShare? { state.withLock { $0.shares[id] } }

    public func share(entryId: String, recipientId: String) async throws -> StoredShare? {
        state.withLock { s in s.shares.values.first { $0.entryId == entryId && $0.recipientId == recipientId } }
    }

    public func sharesGiven(userId: String) async throws -> [StoredShare] {
        state.withLock { s in s.shares.values.filter { $0.ownerId == userId } }
    }

    public func sharesReceived(userId: String) async throws -> [StoredShare] {
        state.withLock { s in s.shares.values.filter { $0.recipientId == userId } }
    }

    public func recordAccess(_ share: StoredShare, at: Date) async throws {
        state.withLock { s in
            s.shares[share.shareId]?.accessCount += 1
            s.shares[share.shareId]?.lastAccessed = at
        }
    }

    public func deleteJournal(userId: String) async throws {
        state.withLock { s in
            s.entries = s.entries.filter { $0.value.userId != userId }
            s.shares = s.shares.filter { $0.value.ownerId != userId && $0.value.recipientId != userId }
            s.stats[userId] = nil
        }
    }
}
