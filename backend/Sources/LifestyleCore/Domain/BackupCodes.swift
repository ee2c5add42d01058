import LifestyleToolkit

/// MFA backup codes: 8 random 8-digit codes, stored only as salted SHA-256 hashes.
public enum BackupCodes {
    public static let count = 8

    public static func generate() -> [String] {
        var codes = Set<String>()
        while codes.count < count { codes.insert(Random.digits(8)) }
        return Array(codes)
    }

    /// The key purpose under the master key.
    public static let purpose = "backup-codes/v1"

    /// HMAC-SHA256 under a server-side key (`purpose`, derived from the master key), bound to the
    /// user: a table dump alone cannot be searched for the 10^8 possible codes, and equal codes of
    /// two users never share a hash.
    public static func hash(_ code: String, userId: String, key: [UInt8]) -> String {
        Hex.encode(Hashing.hmac(.sha256, key: key, message: Array("\(userId):\(code)".utf8)))
    }

    /// Spends `code` when it is one of the user's unused codes, hashed under any version of the
    /// master key the ring holds (codes made before a rotation keep working through it).
    static func consume(_ code: String, userId: String, keys: [[UInt8]], users: any UserStore) async throws -> Bool {
        for key in keys where try await users.consumeBackupCode(userId: userId, hash: hash(code, userId: userId, key: key)) {
            return true
        }
        return false
    }
}
