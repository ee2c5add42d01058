import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A user's end-to-end encryption keys as the client made them: the public key, and the private
/// key encrypted on the client with a key derived from the user's password (with `salt`). The
/// server cannot read the private key and never tries; it keeps the strings as given.
public struct StoredKeys: Sendable, Equatable {
    public var userId: String
    public var publicKey: String
    public var publicKeyId: String
    public var salt: String
    public var encryptedPrivateKey: String
    public var createdAt: Date
    /// Client-encrypted recovery material (`POST /encryption/recovery`), as JSON; nil until set.
    public var recovery: [UInt8]?

    public init(
        userId: String, publicKey: String, publicKeyId: String, salt: String, encryptedPrivateKey: String, createdAt: Date,
        recovery: [UInt8]? = nil
    ) {
        self.userId = userId
        self.publicKey = publicKey
        self.publicKeyId = publicKeyId
        self.salt = salt
        self.encryptedPrivateKey = encryptedPrivateKey
        self.createdAt = createdAt
        self.recovery = recovery
    }
}

public enum EncryptionKeyStoreError: Error, Sendable, Equatable {
    /// The user has keys already (a second setup keeps the first).
    case alreadyExists
    /// No keys to attach recovery material to.
    case notFound
    case unavailable(String)
}

/// Encryption keys. Embedded: SQLite (`encryption_keys`). AWS: the `USER#<id>` / `KEYS` item.
public protocol EncryptionKeyStore: Sendable {
    /// Stores the user's first keys; `.alreadyExists` when they have keys.
    func createKeys(_ keys: StoredKeys) async throws
    func keys(userId: String) async throws -> StoredKeys?
    /// Sets the recovery material of existing keys (`.notFound` without keys).
    func setRecovery(userId: String, material: [UInt8]) async throws
    /// Removes the user's keys and recovery material (a key reset, an account deletion); no
    /// error when there are none.
    func deleteKeys(userId: String) async throws
}

/// `EncryptionKeyStore` in memory (unit tests of the core).
public final class InMemoryEncryptionKeyStore: EncryptionKeyStore {
    private let state = Mutex([String: StoredKeys]())

    public init() {}

    public func createKeys(_ keys: StoredKeys) async throws {
        try state.withLock { s in
            guard s[keys.userId] == nil else { throw EncryptionKeyStoreError.alreadyExists }
            s[keys.userId] = keys
        }
    }

    public func keys(userId: String) async throws -> StoredKeys? { state.withLock { $0[userId] } }

    public func setRecovery(userId: String, material: [UInt8]) async throws {
        try state.withLock { s in
            guard s[userId] != nil else { throw EncryptionKeyStoreError.notFound }
            s[userId]?.recovery = material
        }
    }

    public func deleteKeys(userId: String) async throws { _ = state.withLock { $0.removeValue(forKey: userId) } }
}
