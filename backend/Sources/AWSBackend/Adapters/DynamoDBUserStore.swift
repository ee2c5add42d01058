import FoundationEssentials
import LifestyleCore
import LifestyleToolkit

/// `UserStore` on the DynamoDB table `users-{env}` (keys `pk`, `sk`; see docs/data-model.md).
///
/// - `USER#<id>` / `PROFILE`: the profile.
/// - `EMAIL#<normalized email>` / `EMAIL`: the uniqueness guard, pointing at the user id. Both are
///   written in one transaction, so an email belongs to at most one profile.
/// - `USER#<id>` / `MFA_BACKUP`: a string set of unused backup-code hashes; consuming one is a
///   conditional `DELETE` from the set, so a code works once even under concurrency.
public struct DynamoDBUserStore: UserStore {
    let db: DynamoDBClient
    let table: String

    public init(client: DynamoDBClient, table: String) {
        self.db = client
        self.table = table
    }

    static func userKey(_ id: String) -> DynamoDBItem { ["pk": .s("USER#" + id), "sk": .s("PROFILE")] }
    static func emailKey(_ email: String) -> DynamoDBItem { ["pk": .s("EMAIL#" + email), "sk": .s("EMAIL")] }
    static func backupKey(_ id: String) -> DynamoDBItem { ["pk": .s("USER#" + id), "sk": .s("MFA_BACKUP")] }

    public func createUser(_ user: UserRecord) async throws {
        var profile = Self.item(user)
        profile.merge(Self.userKey(user.userId)) { _, k in k }
        var guardItem = Self.emailKey(user.email)
        guardItem["userId"] = .s(user.userId)
        do {
            try await db.transactWriteItems(
                .init(transactItems: [
                    .put(.init(tableName: table, item: profile, conditionExpression: "attribute_not_exists(pk)")),
                    .put(.init(tableName: table, item: guardItem, conditionExpression: "attribute_not_exists(pk)")),
                ]))
        } catch {
            if let reasons = error.serviceError?.cancellationReasons, error.code == "TransactionCanceledException" {
                if reasons.first?.code == "ConditionalCheckFailed" { throw UserStoreError.alreadyExists }
                if reasons.count > 1, reasons[1].code == "ConditionalCheckFailed" { throw UserStoreError.emailTaken }
            }
            throw Self.mapped(error)
        }
    }

    public func user(id: String) async throws -> UserRecord? {
        do {
            let out = try await db.getItem(.init(tableName: table, key: Self.userKey(id), consistentRead: true))
            return out.item.flatMap(Self.record)
        } catch {
            throw Self.mapped(error)
        }
    }

    public func user(email: String) async throws -> UserRecord? {
        let guardItem: DynamoDBItem?
        do {
            guardItem = try await db.getItem(.init(tableName: table, key: Self.emailKey(email), consistentRead: true)).item
        } catch {
            throw Self.mapped(error)
        }
        guard case .s(let id)? = guardItem?["userId"] else { return nil }
        return try await user(id: id)
    }

    public func updateUser(_ user: UserRecord) async throws {
        var profile = Self.item(user)
        profile.merge(Self.userKey(user.userId)) { _, k in k }
        do {
            _ = try await db.putItem(
                .init(
                    tableName: table, item: profile, conditionExpression: "attribute_exists(pk) AND email = :email",
                    expressionAttributeValues: [":email": .s(user.email)]))
        } catch {
            if error.code == "ConditionalCheckFailedException" { throw UserStoreError.notFound }
            throw Self.mapped(error)
        }
    }

    public func deleteUser(id: String) async throws {
        guard let existing = try await user(id: id) else { return }
        do {
            try await db.transactWriteItems(
                .init(transactItems: [
                    .delete(.init(tableName: table, key: Self.userKey(id))),
                    .delete(
                        .init(
                            tableName: table, key: Self.emailKey(existing.email),
                            conditionExpression: "attribute_not_exists(pk) OR userId = :id",
                            expressionAttributeValues: [":id": .s(id)])),
                    .delete(.init(tableName: table, key: Self.backupKey(id))),
                ]))
        } catch {
            throw Self.mapped(error)
        }
    }

    public func replaceBackupCodes(userId: String, hashes: [String]) async throws {
        do {
            if hashes.isEmpty {
                _ = try await db.deleteItem(.init(tableName: table, key: Self.backupKey(userId)))
            } else {
                var item = Self.backupKey(userId)
                item["codes"] = .ss(hashes)
                _ = try await db.putItem(.init(tableName: table, item: item))
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    public func consumeBackupCode(userId: String, hash: String) async throws -> Bool {
        do {
            _ = try await db.updateItem(
                .init(
                    tableName: table, key: Self.backupKey(userId), updateExpression: "DELETE codes :h",
                    conditionExpression: "contains(codes, :c)", expressionAttributeValues: [":h": .ss([hash]), ":c": .s(hash)]))
            return true
        } catch {
            if error.code == "ConditionalCheckFailedException" { return false }
            throw Self.mapped(error)
        }
    }

    public func unusedBackupCodeCount(userId: String) async throws -> Int {
        try await unusedBackupCodeHashes(userId: userId).count
    }

    public func unusedBackupCodeHashes(userId: String) async throws -> [String] {
        do {
            let item = try await db.getItem(.init(tableName: table, key: Self.backupKey(userId), consistentRead: true)).item
            if case .ss(let codes)? = item?["codes"] { return codes }
            return []
        } catch {
            throw Self.mapped(error)
        }
    }

    // MARK: mapping

    static func mapped(_ error: AWSClientError) -> UserStoreError {
        .unavailable(error.code ?? "transport")
    }

    static func item(_ u: UserRecord) -> DynamoDBItem {
        var item: DynamoDBItem = [
            "userId": .s(u.userId), "email": .s(u.email), "firstName": .s(u.firstName), "lastName": .s(u.lastName),
            "emailVerified": .bool(u.emailVerified), "mfaEnabled": .bool(u.mfaEnabled),
            "preferences": .s(String(decoding: JSON.encode(u.preferences), as: UTF8.self)),
            "createdAt": .n(String(u.createdAt.timeIntervalSince1970)), "updatedAt": .n(String(u.updatedAt.timeIntervalSince1970)),
            "entity": .s("user"),
        ]
        if let v = u.phoneNumber { item["phoneNumber"] = .s(v) }
        if let v = u.dateOfBirth { item["dateOfBirth"] = .s(v) }
        if let v = u.timezone { item["timezone"] = .s(v) }
        return item
    }

    static func record(_ item: DynamoDBItem) -> UserRecord? {
        func s(_ k: String) -> String? { if case .s(let v)? = item[k] { return v } else { return nil } }
        func b(_ k: String) -> Bool { if case .bool(let v)? = item[k] { return v } else { return false } }
        func d(_ k: String) -> Date {
            if case .n(let v)? = item[k], let t = Double(v) { return Date(timeIntervalSince1970: t) }
            return Date(timeIntervalSince1970: 0)
        }
        guard let id = s("userId"), let email = s("email") else { return nil }
        let prefs = s("preferences").flatMap { try? JSON.decode(Preferences.self, from: Array($0.utf8)) } ?? Preferences()
        return UserRecord(
            userId: id, email: email, firstName: s("firstName") ?? "", lastName: s("lastName") ?? "", emailVerified: b("emailVerified"),
            mfaEnabled: b("mfaEnabled"), phoneNumber: s("phoneNumber"), dateOfBirth: s("dateOfBirth"), timezone: s("timezone"),
            preferences: prefs, createdAt: d("createdAt"), updatedAt: d("updatedAt"))
    }
}
