import LifestyleCore

/// The TOTP secret Cognito issued at enrolment, kept in `users-{env}` under
/// `USER#<id>` / `MFA_SECRET` (table encryption at rest), so backup codes can complete Cognito's
/// SOFTWARE_TOKEN_MFA challenge.
public struct MFASecretStore: Sendable {
    let db: DynamoDBClient
    let table: String

    public init(client: DynamoDBClient, table: String) {
        self.db = client
        self.table = table
    }

    static func key(_ id: String) -> DynamoDBItem { ["pk": .s("USER#" + id), "sk": .s("MFA_SECRET")] }

    func storePending(userId: String, secret: String) async throws {
        var item = Self.key(userId)
        item["secret"] = .s(secret)
        item["active"] = .bool(false)
        do { _ = try await db.putItem(.init(tableName: table, item: item)) } catch { throw IdentityError.unavailable("dynamodb") }
    }

    func activate(userId: String) async throws {
        do {
            _ = try await db.updateItem(
                .init(
                    tableName: table, key: Self.key(userId), updateExpression: "SET active = :t",
                    conditionExpression: "attribute_exists(pk)",
                    expressionAttributeValues: [":t": .bool(true)]))
        } catch {
            if error.code == "ConditionalCheckFailedException" { return }
            throw IdentityError.unavailable("dynamodb")
        }
    }

    func activeSecret(userId: String) async throws -> String? {
        do {
            let item = try await db.getItem(.init(tableName: table, key: Self.key(userId), consistentRead: true)).item
            guard case .bool(true)? = item?["active"], case .s(let s)? = item?["secret"] else { return nil }
            return s
        } catch {
            throw IdentityError.unavailable("dynamodb")
        }
    }

    /// The stored item as it is, to put back with `restore` when a deletion is undone.
    func item(userId: String) async throws -> DynamoDBItem? {
        do {
            return try await db.getItem(.init(tableName: table, key: Self.key(userId), consistentRead: true)).item
        } catch {
            throw IdentityError.unavailable("dynamodb")
        }
    }

    func restore(_ item: DynamoDBItem) async throws {
        do { _ = try await db.putItem(.init(tableName: table, item: item)) } catch { throw IdentityError.unavailable("dynamodb") }
    }

    func remove(userId: String) async throws {
        do { _ = try await db.deleteItem(.init(tableName: table, key: Self.key(userId))) } catch {
            throw IdentityError.unavailable("dynamodb")
        }
    }
}
