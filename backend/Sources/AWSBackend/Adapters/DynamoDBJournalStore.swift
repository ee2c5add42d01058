import FoundationEssentials
import LifestyleCore

/// `JournalStore` on the environment's DynamoDB table (docs/aws-design.md, "The domain in the
/// same table"):
///
/// - `USER#<userId>` / `JOURNAL#<entryId>`: an entry (version 7 UUIDs: the sort key orders the
///   journal by time), `version` (N) for conditional writes, `document` and `meta` as the core
///   wrote them;
/// - `USER#<userId>` / `JOURNAL_STATS`: the statistics (`stats`, `version`). It sorts right after
///   the entries, so the newest page is one `Query` (descending, `Limit` page + 1) that reads the
///   statistics (and with them the total) first;
/// - `ENTRY#<entryId>` / `OWNER`: whose entry an id is (a recipient's read starts there);
/// - `SHARE#<entryId>` / `TO#<recipientId>`: a share, in `gsi1` under
///   `USER#<owner>#SHARES_GIVEN` and in `gsi2` under `USER#<recipient>#SHARES_RECEIVED`;
/// - `SHARE_ID#<shareId>` / `SHARE`: where a share id points (revocation by id).
///
/// A write of an entry and of the statistics is one `TransactWriteItems`, each conditioned on the
/// version read; a share and the entry that lists it likewise.
public struct DynamoDBJournalStore: JournalStore {
    let db: DynamoDBClient
    let table: String

    public init(client: DynamoDBClient, table: String) {
        self.db = client
        self.table = table
    }

    static let statsKey = "JOURNAL_STATS"

    static func entryKey(_ user: String, _ entry: String) -> DynamoDBItem { ["pk": .s("USER#" + user), "sk": .s("JOURNAL#" + entry)] }
    static func ownerKey(_ entry: String) -> DynamoDBItem { ["pk": .s("ENTRY#" + entry), "sk": .s("OWNER")] }
    static func statsItemKey(_ user: String) -> DynamoDBItem { ["pk": .s("USER#" + user), "sk": .s(statsKey)] }
    static func shareKey(_ entry: String, _ recipient: String) -> DynamoDBItem {
        ["pk": .s("SHARE#" + entry), "sk": .s("TO#" + recipient)]
    }
    static func shareIdKey(_ share: String) -> DynamoDBItem { ["pk": .s("SHARE_ID#" + share), "sk": .s("SHARE")] }

    // MARK: entries

    public func createEntry(_ entry: StoredEntry, stats: StoredJournalStats) async throws {
        var owner = Self.ownerKey(entry.entryId)
        owner["entity"] = .s("journalEntryOwner")
        owner["userId"] = .s(entry.userId)
        try await transact([
            .put(.init(tableName: table, item: Self.item(entry), conditionExpression: "attribute_not_exists(pk)")),
            .put(.init(tableName: table, item: owner, conditionExpression: "attribute_not_exists(pk)")),
            statsWrite(stats),
        ])
    }

    public func updateEntry(_ entry: StoredEntry, stats: StoredJournalStats?) async throws {
        var items = [entryWrite(entry)]
        if let stats { items.append(statsWrite(stats)) }
        try await transact(items)
    }

    public func deleteEntry(_ entry: StoredEntry, stats: StoredJournalStats) async throws {
        let shares = try await queryAll(
            .init(
                tableName: table, keyConditionExpression: "pk = :pk", projectionExpression: "pk, sk, shareId",
                expressionAttributeValues: [":pk": .s("SHARE#" + entry.entryId)], consistentRead: true))
        var shareDeletes: [DynamoDB.TransactWriteItem] = []
        for share in shares {
            shareDeletes.append(.delete(.init(tableName: table, key: ["pk": share["pk"]!, "sk": share["sk"]!])))
            if case .s(let id)? = share["shareId"] { shareDeletes.append(.delete(.init(tableName: table, key: Self.shareIdKey(id)))) }
        }
        var items: [DynamoDB.TransactWriteItem] = [
            .delete(
                .init(
                    tableName: table, key: Self.entryKey(entry.userId, entry.entryId), conditionExpression: "version = :read",
                    expressionAttributeValues: [":read": .n(String(entry.version))])),
            .delete(.init(tableName: table, key: Self.ownerKey(entry.entryId))),
            statsWrite(stats),
        ]
        // an entry's shares fit its transaction; very many expired ones go first, in their own
        if shareDeletes.count <= 90 {
            items += shareDeletes
        } else {
            try await deleteInChunks(shareDeletes)
        }
        try await transact(items)
    }

    public func entry(userId: String, entryId: String) async throws -> StoredEntry? {
        try await get(Self.entryKey(userId, entryId)).flatMap(Self.entry)
    }

    public func entryOwner(entryId: String) async throws -> String? {
        guard let item = try await get(Self.ownerKey(entryId)), case .s(let user)? = item["userId"] else { return nil }
        return user
    }

    public func entries(userId: String, offset: Int, limit: Int) async throws -> (entries: [StoredEntry], stats: StoredJournalStats?) {
        // newest first, the statistics item (sorting after every entry) first of all
        var input = DynamoDB.QueryInput(
            tableName: table, keyConditionExpression: "pk = :pk AND sk BETWEEN :first AND :stats",
            expressionAttributeValues: [":pk": .s("USER#" + userId), ":first": .s("JOURNAL#"), ":stats": .s(Self.statsKey)],
            scanIndexForward: false, consistentRead: true)
        var stats: StoredJournalStats?
        var skip = offset
        if offset > 0 {
            // a later page: its start key from a query of keys (and the statistics) only
            var keys = input
            keys.projectionExpression = "pk, sk, #version, #stats"
            keys.expressionAttributeNames = ["#version": "version", "#stats": "stats"]
            let found = try await queryUpTo(keys, count: offset + 1)
            stats = found.first.flatMap { Self.stats($0, userId) }
            let entryKeys = found.filter { $0["sk"] != .s(Self.statsKey) }
            guard entryKeys.count == offset, let last = entryKeys.last else { return ([], stats) }
            input.exclusiveStartKey = ["pk": last["pk"]!, "sk": last["sk"]!]
            skip = 0
        }
        let items = try await queryUpTo(input, count: skip + limit + (offset > 0 ? 0 : 1))
        var entries: [StoredEntry] = []
        for item in items {
            if item["sk"] == .s(Self.statsKey) {
                stats = Self.stats(item, userId)
            } else if let e = Self.entry(item) {
                entries.append(e)
            }
        }
        return (Array(entries.prefix(limit)), stats)
    }

    public func entries(userId: String, linking goalId: String) async throws -> [StoredEntry] {
        try await queryAll(
            .init(
                tableName: table, keyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
                filterExpression: "contains(goalIds, :goal)",
                expressionAttributeValues: [":pk": .s("USER#" + userId), ":prefix": .s("JOURNAL#"), ":goal": .s(goalId)],
                scanIndexForward: false, consistentRead: true)
        ).compactMap(Self.entry)
    }

    public func stats(userId: String) async throws -> StoredJournalStats? {
        try await get(Self.statsItemKey(userId)).flatMap { Self.stats($0, userId) }
    }

    // MARK: shares

    public func createShare(_ share: StoredShare, replacing: StoredShare?, entry: StoredEntry) async throws {
        var items: [DynamoDB.TransactWriteItem] = [entryWrite(entry)]
        if let replacing {
            items.append(
                .put(
                    .init(
                        tableName: table, item: Self.item(share), conditionExpression: "shareId = :old",
                        expressionAttributeValues: [":old": .s(replacing.shareId)])))
            items.append(.delete(.init(tableName: table, key: Self.shareIdKey(replacing.shareId))))
        } else {
            items.append(.put(.init(tableName: table, item: Self.item(share), conditionExpression: "attribute_not_exists(pk)")))
        }
        var pointer = Self.shareIdKey(share.shareId)
        pointer["entity"] = .s("journalShareId")
        pointer["entryId"] = .s(share.entryId)
        pointer["recipientId"] = .s(share.recipientId)
        pointer["ownerId"] = .s(share.ownerId)
        items.append(.put(.init(tableName: table, item: pointer, conditionExpression: "attribute_not_exists(pk)")))
        try await transact(items)
    }

    public func revokeShare(_ share: StoredShare, entry: StoredEntry) async throws {
        try await transact([
            entryWrite(entry),
            .delete(
                .init(
                    tableName: table, key: Self.shareKey(share.entryId, share.recipientId), conditionExpression: "shareId = :id",
                    expressionAttributeValues: [":id": .s(share.shareId)])),
            .delete(.init(tableName: table, key: Self.shareIdKey(share.shareId))),
        ])
    }

    public func share(id: String) async throws -> StoredShare? {
        guard let pointer = try await get(Self.shareIdKey(id)), case .s(let entry)? = pointer["entryId"],
            case .s(let recipient)? = pointer["recipientId"]
        else { return nil }
        return try await share(entryId: entry, recipientId: recipient).flatMap { $0.shareId == id ? $0 : nil }
    }

    public func share(entryId: String, recipientId: String) async throws -> StoredShare? {
        try await get(Self.shareKey(entryId, recipientId)).flatMap(Self.share)
    }

    public func sharesGiven(userId: String) async throws -> [StoredShare] {
        try await queryAll(
            .init(
                tableName: table, indexName: "gsi1", keyConditionExpression: "gsi1pk = :pk",
                expressionAttributeValues: [":pk": .s("USER#\(userId)#SHARES_GIVEN")])
        ).compactMap(Self.share)
    }

    public func sharesReceived(userId: String) async throws -> [StoredShare] {
        try await queryAll(
            .init(
                tableName: table, indexName: "gsi2", keyConditionExpression: "gsi2pk = :pk",
                expressionAttributeValues: [":pk": .s("USER#\(userId)#SHARES_RECEIVED")])
        ).compactMap(Self.share)
    }

    public func recordAccess(_ share: StoredShare, at: Date) async throws {
        do {
            _ = try await db.updateItem(
                .init(
                    tableName: table, key: Self.shareKey(share.entryId, share.recipientId),
                    updateExpression: "SET lastAccessed = :at ADD accessCount :one", conditionExpression: "shareId = :id",
                    expressionAttributeValues: [":at": .n(String(at.timeIntervalSince1970)), ":one": .n("1"), ":id": .s(share.shareId)]))
        } catch {
            if error.code == "ConditionalCheckFailedException" { return }  // revoked meanwhile
            throw Self.mapped(error)
        }
    }

    public func deleteJournal(userId: String) async throws {
        // the shares first (given and received, both items each), then the entries with their
        // owner pointers, the statistics last: a deletion cut short is finished by a repeat
        var deletes: [DynamoDB.TransactWriteItem] = []
        for share in try await sharesGiven(userId: userId) + sharesReceived(userId: userId) {
            deletes.append(.delete(.init(tableName: table, key: Self.shareKey(share.entryId, share.recipientId))))
            deletes.append(.delete(.init(tableName: table, key: Self.shareIdKey(share.shareId))))
        }
        try await deleteInChunks(deletes)
        let entries = try await queryAll(
            .init(
                tableName: table, keyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)", projectionExpression: "pk, sk, entryId",
                expressionAttributeValues: [":pk": .s("USER#" + userId), ":prefix": .s("JOURNAL#")], consistentRead: true))
        deletes = []
        for entry in entries {
            guard case .s(let id)? = entry["entryId"] else { continue }
            deletes.append(.delete(.init(tableName: table, key: Self.ownerKey(id))))
            deletes.append(.delete(.init(tableName: table, key: ["pk": entry["pk"]!, "sk": entry["sk"]!])))
        }
        deletes.append(.delete(.init(tableName: table, key: Self.statsItemKey(userId))))
        try await deleteInChunks(deletes)
    }

    // MARK: calls

    func entryWrite(_ entry: StoredEntry) -> DynamoDB.TransactWriteItem {
        .put(
            .init(
                tableName: table, item: Self.item(entry), conditionExpression: "version = :read",
                expressionAttributeValues: [":read": .n(String(entry.version - 1))]))
    }

    func statsWrite(_ stats: StoredJournalStats) -> DynamoDB.TransactWriteItem {
        var item = Self.statsItemKey(stats.userId)
        item["entity"] = .s("journalStats")
        item["version"] = .n(String(stats.version))
        item["stats"] = .s(String(decoding: stats.document, as: UTF8.self))
        if stats.version == 1 { return .put(.init(tableName: table, item: item, conditionExpression: "attribute_not_exists(pk)")) }
        return .put(
            .init(
                tableName: table, item: item, conditionExpression: "version = :read",
                expressionAttributeValues: [":read": .n(String(stats.version - 1))]))
    }

    func transact(_ items: [DynamoDB.TransactWriteItem]) async throws {
        do {
            try await db.transactWriteItems(.init(transactItems: items))
        } catch {
            throw DynamoDBClient.isConflict(error) ? JournalStoreError.conflict : Self.mapped(error)
        }
    }

    func deleteInChunks(_ deletes: [DynamoDB.TransactWriteItem]) async throws {
        var start = 0
        while start < deletes.count {
            try await transact(Array(deletes[start..<min(start + 100, deletes.count)]))
            start += 100
        }
    }

    func get(_ key: DynamoDBItem) async throws -> DynamoDBItem? {
        do {
            return try await db.getItem(.init(tableName: table, key: key, consistentRead: true)).item
        } catch {
            throw Self.mapped(error)
        }
    }

    /// The pages of a query until `count` items (every page when nil).
    func queryUpTo(_ input: DynamoDB.QueryInput, count: Int? = nil) async throws -> [DynamoDBItem] {
        do {
            return try await db.queryPages(input, upTo: count)
        } catch {
            throw Self.mapped(error)
        }
    }

    func queryAll(_ input: DynamoDB.QueryInput) async throws -> [DynamoDBItem] { try await queryUpTo(input) }

    // MARK: mapping

    static func mapped(_ error: AWSClientError) -> JournalStoreError { .unavailable(error.code ?? "transport") }

    static func item(_ e: StoredEntry) -> DynamoDBItem {
        var item = entryKey(e.userId, e.entryId)
        item["entity"] = .s("journalEntry")
        item["userId"] = .s(e.userId)
        item["entryId"] = .s(e.entryId)
        item["createdAt"] = .n(String(e.createdAt.timeIntervalSince1970))
        item["updatedAt"] = .n(String(e.updatedAt.timeIntervalSince1970))
        item["version"] = .n(String(e.version))
        item["goalIds"] = .l(e.goalIds.map { .s($0) })
        item["document"] = .s(String(decoding: e.document, as: UTF8.self))
        item["meta"] = .s(String(decoding: e.meta, as: UTF8.self))
        return item
    }

    static func entry(_ item: DynamoDBItem) -> StoredEntry? {
        guard case .s(let userId)? = item["userId"], case .s(let entryId)? = item["entryId"] else { return nil }
        let goals: [String] =
            if case .l(let l)? = item["goalIds"] { l.compactMap { if case .s(let s) = $0 { s } else { nil } } } else { [] }
        return StoredEntry(
            userId: userId, entryId: entryId, createdAt: item.date("createdAt"), updatedAt: item.date("updatedAt"),
            version: Int(item.number("version")), goalIds: goals, document: Array(item.string("document").utf8),
            meta: Array(item.string("meta").utf8))
    }

    static func stats(_ item: DynamoDBItem, _ userId: String) -> StoredJournalStats? {
        guard item["sk"] == .s(statsKey) else { return nil }
        return StoredJournalStats(userId: userId, version: Int(item.number("version")), document: Array(item.string("stats").utf8))
    }

    static func item(_ s: StoredShare) -> DynamoDBItem {
        let order = String(Int64(s.createdAt.timeIntervalSince1970 * 1000)) + "#" + s.shareId
        var item = shareKey(s.entryId, s.recipientId)
        item["entity"] = .s("journalShare")
        item["gsi1pk"] = .s("USER#\(s.ownerId)#SHARES_GIVEN")
        item["gsi1sk"] = .s(order)
        item["gsi2pk"] = .s("USER#\(s.recipientId)#SHARES_RECEIVED")
        item["gsi2sk"] = .s(order)
        item["shareId"] = .s(s.shareId)
        item["entryId"] = .s(s.entryId)
        item["ownerId"] = .s(s.ownerId)
        item["recipientId"] = .s(s.recipientId)
        item["permissions"] = .l(s.permissions.map { .s($0) })
        if let key = s.encryptedKey { item["encryptedKey"] = .s(key) }
        item["createdAt"] = .n(String(s.createdAt.timeIntervalSince1970))
        item["expiresAt"] = .n(String(s.expiresAt.timeIntervalSince1970))
        item["accessCount"] = .n(String(s.accessCount))
        if let last = s.lastAccessed { item["lastAccessed"] = .n(String(last.timeIntervalSince1970)) }
        return item
    }

    static func share(_ item: DynamoDBItem) -> StoredShare? {
        guard case .s(let shareId)? = item["shareId"], case .s(let entryId)? = item["entryId"] else { return nil }
        let permissions: [String] =
            if case .l(let l)? = item["permissions"] { l.compactMap { if case .s(let s) = $0 { s } else { nil } } } else { [] }
        let key: String? = if case .s(let k)? = item["encryptedKey"] { k } else { nil }
        return StoredShare(
            shareId: shareId, entryId: entryId, ownerId: item.string("ownerId"), recipientId: item.string("recipientId"),
            permissions: permissions, encryptedKey: key, createdAt: item.date("createdAt"), expiresAt: item.date("expiresAt"),
            accessCount: Int(item.number("accessCount")), lastAccessed: item["lastAccessed"] == nil ? nil : item.date("lastAccessed"))
    }
}
