import LifestyleToolkit

/// Profile storage. Embedded: SQLite. AWS: the DynamoDB table `users-{env}`.
public protocol UserStore: Sendable {
    /// Creates the record; throws `UserStoreError.emailTaken` when another user holds the email,
    /// `.alreadyExists` when the id is taken.
    func createUser(_ user: UserRecord) async throws
    func user(id: String) async throws -> UserRecord?
    func user(email normalizedEmail: String) async throws -> UserRecord?
    /// Replaces the stored record (same id and email).
    func updateUser(_ user: UserRecord) async throws
    /// Removes the profile, its email guard and its backup codes in one step. Gone already: no error.
    func deleteUser(id: String) async throws

    /// Replaces the user's MFA backup codes with these hashes (all unused).
    func replaceBackupCodes(userId: String, hashes: [String]) async throws
    /// Marks the code with this hash used; false when there is no such unused code.
    func consumeBackupCode(userId: String, hash: String) async throws -> Bool
    func unusedBackupCodeCount(userId: String) async throws -> Int
    /// The hashes of the user's unused backup codes (to restore them when a deletion is undone).
    func unusedBackupCodeHashes(userId: String) async throws -> [String]
}

public enum UserStoreError: Error, Sendable, Equatable {
    case emailTaken
    case alreadyExists
    case notFound
    case unavailable(String)
}
