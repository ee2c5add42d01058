import Crypto
import LifestyleCore

#if canImport(Glibc)
    import Glibc
#endif

/// Everything the service needs without AWS, in one data directory:
/// `lifestyle.db` (SQLite), `signing-key.pem` (the token key, made on first start, mode 0600) and
/// `outbox.jsonl` (emails that would have been sent).
public struct EmbeddedBackend: Sendable {
    public let database: EmbeddedDatabase
    public let users: SQLiteUserStore
    public let identity: LocalIdentityProvider

    public static let issuer = "https://local-idp.ailifestyle.invalid/ai-lifestyle-users-local"
    public static let clientID = "local-client"

    public static func open(dataDirectory: String, hasher: PasswordHasher = .standard, clock: any WallClock = SystemClock())
        async throws -> EmbeddedBackend
    {
        try makeDirectory(dataDirectory)
        let db = try await EmbeddedDatabase.open(path: dataDirectory + "/lifestyle.db")
        let key = try loadOrCreateKey(path: dataDirectory + "/signing-key.pem")
        let tokens = LocalTokens(key: key, issuer: issuer, clientID: clientID)
        let mailer = OutboxMailer(path: dataDirectory + "/outbox.jsonl")
        return EmbeddedBackend(
            database: db, users: SQLiteUserStore(database: db),
            identity: LocalIdentityProvider(database: db, tokens: tokens, hasher: hasher, mailer: mailer, clock: clock))
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
        if let pem = readFile(path) {
            guard let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) else { throw SetupError.key(path) }
            return key
        }
        let key = P256.Signing.PrivateKey()
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            // Another process made it first: use theirs.
            if let pem = readFile(path), let k = try? P256.Signing.PrivateKey(pemRepresentation: pem) { return k }
            throw SetupError.key(path)
        }
        defer { close(fd) }
        let bytes = Array(key.pemRepresentation.utf8)
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
