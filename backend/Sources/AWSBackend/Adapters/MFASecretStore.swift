import LifestyleCore
import LifestyleToolkit

/// The user's TOTP secret, made and checked by the API (Cognito's own MFA is off, so no Cognito
/// call needs the user's access token), in `users-{env}` under `USER#<id>` / `MFA_SECRET`:
/// `sealed` (the Base32 secret in a SecretBox under a key derived from the master key, bound to
/// the item's key: the table, a dump or a backup alone never holds it), `active` (enrolment
/// verified) and `lastStep` (the last TOTP step accepted, so a code is never accepted twice).
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

    /// A new, not yet verified secret (replacing an earlier unverified one).
    func storePending(userId: String, secret: String) async throws {
        let sealed = try await box().seal(Array(secret.utf8), associatedData: Array(("USER#" + userId).utf8))
        var item = Self.key(userId)
        item["sealed"] = .s(Base64URL.encode(sealed))
        item["active"] = .bool(false)
        item["lastStep"] = .n("0")
        do {
            _ = try await db.putItem(
                .init(
                    tableName: table, item: item, conditionExpression: "attribute_not_exists(pk) OR active = :f",
                    expressionAttributeValues: [":f": .bool(false)]))
        } catch {
            if error.code == "ConditionalCheckFailedException" { throw IdentityError.mfaAlreadyEnabled }
            throw IdentityError.unavailable("dynamodb")
        }
    }

    /// Enrolment verified with the code of `step`: the secret is active from now on.
    func activate(userId: String, step: Int64) async throws {
        do {
            _ = try await db.updateItem(
                .init(
                    tableName: table, key: Self.key(userId), updateExpression: "SET active = :t, lastStep = :s",
                    conditionExpression: "attribute_exists(pk) AND active = :f",
                    expressionAttributeValues: [":t": .bool(true), ":f": .bool(false), ":s": .n(String(step))]))
        } catch {
            if error.code == "ConditionalCheckFailedException" { throw IdentityError.mfaAlreadyEnabled }
            throw IdentityError.unavailable("dynamodb")
        }
    }

    /// Claims TOTP step `step` for an active secret: false when that step (or a later one) was
    /// used already. One conditional write, so two concurrent uses of one code cannot both pass.
    func claim(userId: String, step: Int64) async throws -> Bool {
        do {
            _ = try await db.updateItem(
                .init(
                    tableName: table, key: Self.key(userId), updateExpression: "SET lastStep = :s",
                    conditionExpression: "active = :t AND lastStep < :s",
                    expressionAttributeValues: [":t": .bool(true), ":s": .n(String(step))]))
            return true
        } catch {
            if error.code == "ConditionalCheckFailedException" { return false }
            throw IdentityError.unavailable("dynamodb")
        }
    }

    /// The secret's bytes and whether it is active; nil when there is none or its seal does not
    /// open.
    func secret(userId: String) async throws -> (key: [UInt8], active: Bool)? {
        let item: DynamoDBItem?
        do {
            item = try await db.getItem(.init(tableName: table, key: Self.key(userId), consistentRead: true)).item
        } catch {
            throw IdentityError.unavailable("dynamodb")
        }
        guard let item, case .s(let text)? = item["sealed"], let sealed = Base64URL.decode(text) else { return nil }
        let box = try await box()
        guard let plain = box.open(sealed, associatedData: Array(("USER#" + userId).utf8)),
            let key = Base32.decode(String(decoding: plain, as: UTF8.self))
        else { return nil }
        if case .bool(true)? = item["active"] { return (key, true) }
        return (key, false)
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
