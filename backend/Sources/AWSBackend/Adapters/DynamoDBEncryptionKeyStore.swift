import FoundationEssentials
import LifestyleCore

/// `EncryptionKeyStore` on the environment's DynamoDB table: the `USER#<userId>` / `KEYS` item
/// (docs/aws-design.md). The first setup is a conditional `PutItem`
/// (`attribute_not_exists(pk)`), so a second one, even at the same moment, keeps the first keys.
public struct DynamoDBEncryptionKeyStore: EncryptionKeyStore {
    let db: DynamoDBClient
    let table: String

    public init(client: DynamoDBClient, table: String) {
        self.db = client
        self.table = table
    }

    static func key(_ user: String) -> DynamoDBItem { ["pk": .s("USER#" + user), "sk": .s("KEYS")] }

    public func createKeys(_ k: StoredKeys) async throws {
        var item = Self.key(k.userId)
        item["entity"] = .s("encryptionKeys")
        item["userId"] = .s(k.userId)
        item["publicKey"] = .s(k.publicKey)
        item["publicKeyId"] = .s(k.publicKeyId)
        item["salt"] = .s(k.salt)
        item["encryptedPrivateKey"] = .s(k.encryptedPrivateKey)
        item["createdAt"] = .n(String(k.createdAt.timeIntervalSince1970))
        if let recovery = k.recovery { item["recovery"] = .s(String(decoding: recovery, as: UTF8.self)) }
        do {
            _ = try await db.putItem(.init(tableName: table, item: item, conditionExpression: "attribute_not_exists(pk)"))
        } catch {
            if error.code == "ConditionalCheckFailedException" { throw EncryptionKeyStoreError.alreadyExists }
            throw EncryptionKeyStoreError.unavailable(error.code ?? "transport")
        }
    }

    public func keys(userId: String) async throws -> StoredKeys? {
        let out: DynamoDB.GetItemOutput
        do {
            out = try await db.getItem(.init(tableName: table, key: Self.key(userId), consistentRead: true))
        } catch {
            throw EncryptionKeyStoreError.unavailable(error.code ?? "transport")
        }
        guard let item = out.item else { return nil }
        func s(_ k: String) -> String? { if case .s(let v)? = item[k] { v } else { nil } }
        var created = 0.0
        if case .n(let v)? = item["createdAt"] { created = Double(v) ?? 0 }
        return StoredKeys(
            userId: userId, publicKey: s("publicKey") ?? "", publicKeyId: s("publicKeyId") ?? "", salt: s("salt") ?? "",
            encryptedPrivateKey: s("encryptedPrivateKey") ?? "", createdAt: Date(timeIntervalSince1970: created),
            recovery: s("recovery").map { Array($0.utf8) })
    }

    public func setRecovery(userId: String, material: [UInt8]) async throws {
        do {
            _ = try await db.updateItem(
                .init(
                    tableName: table, key: Self.key(userId), updateExpression: "SET recovery = :r",
                    conditionExpression: "attribute_exists(pk)",
                    expressionAttributeValues: [":r": .s(String(decoding: material, as: UTF8.self))]))
        } catch {
            if error.code == "ConditionalCheckFailedException" { throw EncryptionKeyStoreError.notFound }
            throw EncryptionKeyStoreError.unavailable(error.code ?? "transport")
        }
    }

    public func deleteKeys(userId: String) async throws {
        do {
            _ = try await db.deleteItem(.init(tableName: table, key: Self.key(userId)))
        } catch {
            throw EncryptionKeyStoreError.unavailable(error.code ?? "transport")
        }
    }
}
