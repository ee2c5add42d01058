import LifestyleCore
import LifestyleToolkit

/// `TokenRevocations` on the users table: `USER#<id>` / `TOKENS` with `validFrom` (Unix seconds)
/// and the TTL `expiresAt` (when the last access token it can refuse has expired anyway). One
/// strongly consistent read per bearer request (cached briefly by the core), one conditional
/// write per revocation that never moves the time backwards.
public struct DynamoDBTokenRevocations: TokenRevocations {
    let db: DynamoDBClient
    let table: String

    /// Cognito access tokens live at most a day; the item outlives the longest.
    static let keep: Int64 = 24 * 3600 + 300

    public init(client: DynamoDBClient, table: String) {
        self.db = client
        self.table = table
    }

    static func key(_ subject: String) -> DynamoDBItem { ["pk": .s("USER#" + subject), "sk": .s("TOKENS")] }

    public func validFrom(subject: String) async throws -> Int64? {
        let item = try await db.getItem(.init(tableName: table, key: Self.key(subject), consistentRead: true)).item
        guard case .n(let raw)? = item?["validFrom"] else { return nil }
        return Int64(raw)
    }

    public func revokeTokens(subject: String, validFrom: Int64) async throws {
        do {
            _ = try await db.updateItem(
                .init(
                    tableName: table, key: Self.key(subject), updateExpression: "SET validFrom = :v, expiresAt = :x",
                    conditionExpression: "attribute_not_exists(validFrom) OR validFrom < :v",
                    expressionAttributeValues: [":v": .n(String(validFrom)), ":x": .n(String(validFrom + Self.keep))]))
        } catch {
            // ConditionalCheckFailed: a later time is there already.
            if error.code != "ConditionalCheckFailedException" { throw error }
        }
    }
}
