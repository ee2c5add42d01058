import LifestyleCore
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `EncryptionKeyStore` on the embedded SQLite database (table `encryption_keys`, schema migration 3).
public struct SQLiteEncryptionKeyStore: EncryptionKeyStore {
    let db: EmbeddedDatabase

    public init(database: EmbeddedDatabase) { self.db = database }

    public func createKeys(_ k: StoredKeys) async throws {
        do {
            try await db.query(
                """
                INSERT INTO encryption_keys (user_id, public_key, public_key_id, salt, encrypted_private_key, created_at, recovery)
                VALUES (?,?,?,?,?,?,?)
                """,
                [
                    .text(k.userId), .text(k.publicKey), .text(k.publicKeyId), .text(k.salt), .text(k.encryptedPrivateKey),
                    .float(k.createdAt.timeIntervalSince1970), k.recovery.map { .text(String(decoding: $0, as: UTF8.self)) } ?? .null,
                ])
        } catch let e as SQLiteError where e.reason == .constraint || e.reason == .constraintPrimaryKeyFailed {
            throw EncryptionKeyStoreError.alreadyExists
        }
    }

    public func keys(userId: String) async throws -> StoredKeys? {
        try await db.query("SELECT * FROM encryption_keys WHERE user_id = ?", [.text(userId)]).first.map { row in
            StoredKeys(
                userId: row.string("user_id") ?? "", publicKey: row.string("public_key") ?? "",
                publicKeyId: row.string("public_key_id") ?? "", salt: row.string("salt") ?? "",
                encryptedPrivateKey: row.string("encrypted_private_key") ?? "",
                createdAt: Date(timeIntervalSince1970: row.double("created_at")), recovery: row.string("recovery").map { Array($0.utf8) })
        }
    }

    public func setRecovery(userId: String, material: [UInt8]) async throws {
        let changed = try await db.transaction { tx in
            try await tx.query(
                "UPDATE encryption_keys SET recovery = ? WHERE user_id = ?",
                [.text(String(decoding: material, as: UTF8.self)), .text(userId)])
            return try await tx.query("SELECT changes() AS n").first?.int("n") ?? 1
        }
        if changed == 0 { throw EncryptionKeyStoreError.notFound }
    }

    public func deleteKeys(userId: String) async throws {
        try await db.query("DELETE FROM encryption_keys WHERE user_id = ?", [.text(userId)])
    }
}
