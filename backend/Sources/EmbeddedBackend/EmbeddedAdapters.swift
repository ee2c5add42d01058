import Crypto
import LifestyleCore
import LifestyleToolkit

#if canImport(Glibc)
    import Glibc
#endif

/// Everything the service needs without AWS, in one data directory:
/// `lifestyle.db` (SQLite), `signing-key.pem` (the token key, made on first start, mode 0600),
/// `master.key` (the master key the service derives its other keys from, base64, made on first
/// start, mode 0600; the embedded twin of the AWS environments' APP_SECRET_ID), after a rotation
/// `master.key.previous` (the version before, still accepted; `api-handler rotate-master-key`)
/// and `outbox.jsonl` (emails that would have been sent).
public struct EmbeddedAdapters: Sendable {
    public let database: EmbeddedDatabase
    public let users: SQLiteUserStore
    public let goals: SQLiteGoalStore
    public let encryptionKeys: SQLiteEncryptionKeyStore
    public let journal: SQLiteJournalStore
    public let identity: LocalIdentityProvider
    public let rateLimiter: SQLiteRateLimiter
    public let revocations: SQLiteTokenRevocations
    public let keys: KeyRing

    public static let issuer = "https://local-idp.ailifestyle.invalid/ai-lifestyle-users-local"
    public static let clientID = "local-client"

    public static func open(dataDirectory: String, hasher: PasswordHasher = .standard, clock: any WallClock = SystemClock())
        async throws -> EmbeddedAdapters
    {
        try makeDirectory(dataDirectory)
        let db = try await EmbeddedDatabase.open(path: dataDirectory + "/lifestyle.db")
        let key = try loadOrCreateKey(path: dataDirectory + "/signing-key.pem")
        let current = try loadOrCreateMasterKey(path: dataDirectory + "/master.key")
        var previous: [MasterKey] = []
        if let text = readFile(dataDirectory + "/master.key.previous") {
            guard let key = MasterKey(base64: text) else { throw SetupError.key(dataDirectory + "/master.key.previous") }
            previous.append(key)
        }
        let keys = KeyRing(current: current, previous: previous)
        let tokens = LocalTokens(key: key, issuer: issuer, clientID: clientID)
        let mailer = OutboxMailer(path: dataDirectory + "/outbox.jsonl")
        return EmbeddedAdapters(
            database: db, users: SQLiteUserStore(database: db), goals: SQLiteGoalStore(database: db),
            encryptionKeys: SQLiteEncryptionKeyStore(database: db), journal: SQLiteJournalStore(database: db),
            identity: LocalIdentityProvider(
                database: db, tokens: tokens, hasher: hasher, mailer: mailer, clock: clock, keys: keys),
            rateLimiter: SQLiteRateLimiter(database: db, clock: clock), revocations: SQLiteTokenRevocations(database: db), keys: keys)
    }

    /// Rotates the data directory's master key: the current one becomes `master.key.previous`
    /// (replacing an older previous one), a new random one `master.key`. Takes effect at the next
    /// start; what the old key sealed is sealed again under the new one as it is used.
    public static func rotateMasterKey(dataDirectory: String) throws -> (previous: String, current: String) {
        let path = dataDirectory + "/master.key"
        guard let text = readFile(path), let old = MasterKey(base64: text) else { throw SetupError.key(path) }
        let new = MasterKey.generate()
        try writeKeyFile(dataDirectory + "/master.key.previous.tmp", old.base64 + "\n")
        try writeKeyFile(path + ".tmp", new.base64 + "\n")
        guard rename(dataDirectory + "/master.key.previous.tmp", dataDirectory + "/master.key.previous") == 0,
            rename(path + ".tmp", path) == 0
        else { throw SetupError.key(path) }
        return (old.idHex, new.idHex)
    }

    static func writeKeyFile(_ path: String, _ text: String) throws {
        unlink(path)
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SetupError.key(path) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw SetupError.key(path) }
    }

    public enum SetupError: Error, CustomStringConvertible {
        case directory(String), key(String)
        public var description: String {
            switch self {
            case .directory(let p): "cannot create or use data directory \(p)"
            case .key(let p): "cannot read or write signing key \(p)"
            }
        }
    }

    static func makeDirectory(_ path: String) throws {
        var built = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o700) != 0 && errno != EEXIST { throw SetupError.directory(path) }
        }
        guard access(path, W_OK) == 0 else { throw SetupError.directory(path) }
    }

    static func loadOrCreateKey(path: String) throws -> P256.Signing.PrivateKey {
        try loadOrCreate(path: path, parse: { try? P256.Signing.PrivateKey(pemRepresentation: $0) }) {
            let key = P256.Signing.PrivateKey()
            return (key, key.pemRepresentation)
        }
    }

    static func loadOrCreateMasterKey(path: String) throws -> MasterKey {
        try loadOrCreate(path: path, parse: { MasterKey(base64: $0) }) {
            let key = MasterKey.generate()
            return (key, key.base64 + "\n")
        }
    }

    /// Reads a key file, or writes a new one (mode 0600, never over another process's).
    static func loadOrCreate<Key>(path: String, parse: (String) -> Key?, make: () -> (Key, String)) throws -> Key {
        if let text = readFile(path) {
            guard let key = parse(text) else { throw SetupError.key(path) }
            return key
        }
        let (key, text) = make()
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            // Another process made it first: use theirs.
            if let text = readFile(path), let k = parse(text) { return k }
            throw SetupError.key(path)
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw SetupError.key(path) }
        return key
    }

    static func readFile(_ path: String) -> String? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
