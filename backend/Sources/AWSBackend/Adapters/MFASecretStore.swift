import LifestyleCore
import LifestyleToolkit
import Logging

/// The user's TOTP secret, made and checked by the API (Cognito's own MFA is off, so no Cognito
/// call needs the user's access token), in `users-{env}` under `USER#<id>` / `MFA_SECRET`:
/// `sealed` (`k1.` + the Base32 secret sealed with AES-GCM under a key derived from the master
/// key ring, carrying its key id, bound to the item's key: the table, a dump or a backup alone
/// never holds it), `active` (enrolment verified) and `lastStep` (the last TOTP step accepted,
/// so a code is never accepted twice).
///
/// Whether MFA is on is the stored `active` flag, never whether the seal opens: a user with MFA
/// on is asked for a second factor even when no key opens the seal (a bad rotation, a damaged
/// item), and then gets 503 for a TOTP code (a backup code still works), never tokens.
public struct MFASecretStore: Sendable {
    let db: DynamoDBClient
    let table: String
    let appSecret: AppSecret
    let logger: Logger

    static let purpose = "totp-secret/v1"
    static let prefix = "k1."

    public init(client: DynamoDBClient, table: String, appSecret: AppSecret, logger: Logger = Logger(label: "mfa-secrets")) {
        self.db = client
        self.table = table
        self.appSecret = appSecret
        self.logger = logger
    }

    static func key(_ id: String) -> DynamoDBItem { ["pk": .s("USER#" + id), "sk": .s("MFA_SECRET")] }

    /// What the table says of a user's MFA.
    enum State: Equatable {
        case none
        /// Enrolment started, not verified; `key` nil when the seal does not open (set up again).
        case pending(key: [UInt8]?)
        /// MFA is on; `key` nil when no key of the ring opens the seal.
        case active(key: [UInt8]?)

        var isActive: Bool {
            if case .active = self { return true }
            return false
        }
    }

    func seal(_ secret: String, userId: String) async throws -> String {
        do {
            let sealed = try await appSecret.seal(Array(secret.utf8), purpose: Self.purpose, associatedData: Array(("USER#" + userId).utf8))
            return Self.prefix + Base64URL.encode(sealed)
        } catch {
            throw IdentityError.unavailable("master key")
        }
    }

    /// A new, not yet verified secret (replacing an earlier unverified one).
    func storePending(userId: String, secret: String) async throws {
        var item = Self.key(userId)
        item["sealed"] = .s(try await seal(secret, userId: userId))
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

    /// The user's MFA state, from the item's `active` flag. A seal under a previous key is
    /// sealed again under the current one (a conditional write, so a concurrent change wins); a
    /// seal no key opens is logged (no secret material) and counted (`sealed_secret_unreadable`,
    /// alarmed), and leaves an active user needing a second factor all the same.
    func state(userId: String) async throws -> State {
        let item: DynamoDBItem?
        do {
            item = try await db.getItem(.init(tableName: table, key: Self.key(userId), consistentRead: true)).item
        } catch {
            throw IdentityError.unavailable("dynamodb")
        }
        guard let item else { return .none }
        let active: Bool
        if case .bool(true)? = item["active"] { active = true } else { active = false }
        var key: [UInt8]?
        if case .s(let text)? = item["sealed"] {
            key = try await open(text, userId: userId)
        }
        if key == nil {
            logger.error(
                "stored MFA secret cannot be opened with any master key version",
                metadata: RequestScope.metadata.merging(["user_id": .string(userId), "active": .stringConvertible(active)]) { a, _ in a })
            AppMetrics.failure("sealed_secret_unreadable")
        }
        return active ? .active(key: key) : .pending(key: key)
    }

    /// The secret's bytes, or nil when no key of the ring opens `text`; re-seals what a previous
    /// key (or the release before key ids) sealed.
    func open(_ text: String, userId: String) async throws -> [UInt8]? {
        let ad = Array(("USER#" + userId).utf8)
        let plain: [UInt8]?
        var stale = false
        do {
            if text.hasPrefix(Self.prefix) {
                guard let raw = Base64URL.decode(text.dropFirst(Self.prefix.count)) else { return nil }
                switch try await appSecret.open(raw, purpose: Self.purpose, associatedData: ad) {
                case .plaintext(let p, let old):
                    plain = p
                    stale = old
                default: plain = nil
                }
            } else {
                guard let raw = Base64URL.decode(text) else { return nil }
                plain = LegacySeal.open(raw, ring: try await appSecret.keys(), purpose: Self.purpose, associatedData: ad)
                stale = true
            }
        } catch {
            throw IdentityError.unavailable("master key")
        }
        guard let plain, let base32 = String(validating: plain, as: UTF8.self), let key = Base32.decode(base32) else { return nil }
        if stale {
            let fresh = try await seal(base32, userId: userId)
            _ = try? await db.updateItem(
                .init(
                    tableName: table, key: Self.key(userId), updateExpression: "SET sealed = :new", conditionExpression: "sealed = :old",
                    expressionAttributeValues: [":new": .s(fresh), ":old": .s(text)]))
        }
        return key
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
