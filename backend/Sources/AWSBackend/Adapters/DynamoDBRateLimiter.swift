import FoundationEssentials
import LifestyleCore
import LifestyleToolkit

/// `RateLimiter` on the users table: one counter item per key, `LIMIT#<key>` / `LIMIT`, with
/// `count`, `windowEnds` and a TTL (`expiresAt`, the table's TTL attribute) that removes it after
/// the window. Every instance of the function shares the counts.
///
/// Taking an attempt is one conditional `UpdateItem` on the happy path (`ADD count 1` while the
/// window is open and `count < limit`, or on a new item); when the condition fails, a conditional
/// `PutItem` restarts a window that has ended, and only a refused attempt reads the item to tell
/// the client how long to wait. No check-then-act: DynamoDB evaluates each condition atomically.
public struct DynamoDBRateLimiter: RateLimiter {
    let db: DynamoDBClient
    let table: String
    let clock: any WallClock

    public init(client: DynamoDBClient, table: String, clock: any WallClock = SystemClock()) {
        self.db = client
        self.table = table
        self.clock = clock
    }

    static func key(_ k: String) -> DynamoDBItem { ["pk": .s("LIMIT#" + k), "sk": .s("LIMIT")] }

    public func acquire(key: String, limit: Int, window: Duration) async throws -> Int? {
        let now = clock.now().timeIntervalSince1970
        let ends = now + Double(window.components.seconds)
        if try await takeInOpenWindow(key, limit: limit, now: now, ends: ends) { return nil }
        if try await startNewWindow(key, now: now, ends: ends) { return nil }
        return try await secondsLeft(key, now: now)
    }

    /// `ADD count 1` on a new item, or while the window is open and attempts are left.
    func takeInOpenWindow(_ key: String, limit: Int, now: Double, ends: Double) async throws -> Bool {
        let input = DynamoDB.UpdateItemInput(
            tableName: table, key: Self.key(key),
            updateExpression: "ADD #c :one SET #w = if_not_exists(#w, :ends), #x = if_not_exists(#x, :exp)",
            conditionExpression: "attribute_not_exists(pk) OR (#w > :now AND #c < :limit)",
            expressionAttributeNames: ["#c": "count", "#w": "windowEnds", "#x": "expiresAt"],
            expressionAttributeValues: [
                ":one": .n("1"), ":ends": .n(String(ends)), ":exp": .n(Self.expiry(ends)), ":now": .n(String(now)),
                ":limit": .n(String(limit)),
            ])
        return try await Self.conditionally { _ = try await db.updateItem(input) }
    }

    /// Replaces an item whose window has ended with a fresh one holding this attempt.
    func startNewWindow(_ key: String, now: Double, ends: Double) async throws -> Bool {
        var item = Self.key(key)
        item["count"] = .n("1")
        item["windowEnds"] = .n(String(ends))
        item["expiresAt"] = .n(Self.expiry(ends))
        let input = DynamoDB.PutItemInput(
            tableName: table, item: item, conditionExpression: "#w <= :now", expressionAttributeNames: ["#w": "windowEnds"],
            expressionAttributeValues: [":now": .n(String(now))])
        return try await Self.conditionally { _ = try await db.putItem(input) }
    }

    /// Runs a conditional write: true when it was applied, false when its condition failed.
    static func conditionally(_ write: () async throws -> Void) async throws -> Bool {
        do {
            try await write()
            return true
        } catch let error as AWSClientError where error.code == "ConditionalCheckFailedException" {
            return false
        }
    }

    /// Seconds until the open window of a key whose attempts are used up ends.
    func secondsLeft(_ key: String, now: Double) async throws -> Int {
        let current = try await db.getItem(.init(tableName: table, key: Self.key(key), consistentRead: true)).item
        guard case .n(let raw)? = current?["windowEnds"], let windowEnds = Double(raw) else { return 1 }
        return retryAfterSeconds(until: windowEnds, now: now)
    }

    /// The TTL attribute: a minute after the window, DynamoDB may remove the item.
    static func expiry(_ ends: Double) -> String { String(Int64(ends) + 60) }

    public func reset(key: String) async throws {
        _ = try await db.deleteItem(.init(tableName: table, key: Self.key(key)))
    }

    /// `ADD count -1` while the window is open and the count is above zero (one conditional write).
    public func release(key: String) async throws {
        let input = DynamoDB.UpdateItemInput(
            tableName: table, key: Self.key(key), updateExpression: "ADD #c :minus",
            conditionExpression: "attribute_exists(pk) AND #c > :zero AND #w > :now",
            expressionAttributeNames: ["#c": "count", "#w": "windowEnds"],
            expressionAttributeValues: [
                ":minus": .n("-1"), ":zero": .n("0"), ":now": .n(String(clock.now().timeIntervalSince1970)),
            ])
        _ = try await Self.conditionally { _ = try await db.updateItem(input) }
    }
}
