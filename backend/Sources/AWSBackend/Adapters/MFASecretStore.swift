import LifestyleCore

/// The TOTP secret Cognito issued at enrolment, kept in `users-{env}` under
/// `USER#<id>` / `MFA_SECRET`, so backup codes can complete Cognito's SOFTWARE_TOKEN_MFA
/// challenge. The secret is sealed (`sealed`, base64url) with a key derived from the master key,
/// bound to the item's key: the table (or a dump, or a backup) alone never holds it in the clear.
public struct MFASecretStore: Sendable {
    let db: DynamoDBClient
    let table: String
    let appSecret: AppSecret

    static let purpose = "totp-secret/v1"

    public init(client: DynamoDBClient, table: String, appSecret: AppSecret) {
        self.db = client
        self.table = table
        self.appSecret = appSecret
    }

    static func key(_ id: String) -> DynamoDBItem { ["pk": .s("USER#" + id), "sk": .s("MFA_SECRET")] }

    func box() async throws -> SecretBox {
        do {
            return SecretBox(master: try await appSecret.key(), purpose: Self.purpose)
        } catch {
            throw IdentityError.unavailable("master key")
        }
    }

    func storePending(userId: String, secret: String) async throws {
        let sealed = try await box().seal(Array(secret.utf8), associatedData: Array(("USER#" + userId).utf8))
        var item = Self.key(userId)
        item["sealed"] = .s(Base64URL.encode(sealed))
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

    /// The active secret; nil when there is none or its seal does not open (then backup codes
    /// cannot answer the challenge and the user signs in with the authenticator app).
    func activeSecret(userId: String) async throws -> String? {
        let item: DynamoDBItem?
        do {
            item = try await db.getItem(.init(tableName: table, key: Self.key(userId), consistentRead: true)).item
        } catch {
            throw IdentityError.unavailable("dynamodb")
        }
        guard case .bool(true)? = item?["active"], case .s(let text)? = item?["sealed"], let sealed = Base64URL.decode(text) else {
            return nil
        }
        let box = try await box()
        return box.open(sealed, associatedData: Array(("USER#" + userId).utf8)).map { String(decoding: $0, as: UTF8.self) }
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
