import Crypto
import LifestyleCore
import LifestyleToolkit
import NIOPosix
import _CryptoExtras

/// Salted scrypt password hashes, computed on NIO's blocking pool so hashing never stalls the
/// request threads. Stored as `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64url), so the cost can
/// be raised without breaking stored hashes: a hash of a lower cost is replaced at the next
/// successful sign-in (`needsUpgrade`).
public struct PasswordHasher: Sendable {
    public var logN: Int
    public var r: Int
    public var p: Int

    /// N = 2^17, r = 8, p = 1 (OWASP's minimum for scrypt): 128 MiB and roughly 0.3 s per hash on
    /// one core of a small machine.
    public static let standard = PasswordHasher(logN: 17, r: 8, p: 1)

    public init(logN: Int, r: Int, p: Int) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    public func hash(_ password: String) async throws -> String {
        let salt = Random.bytes(16)
        let key = try await derive(password, salt: salt, logN: logN, r: r, p: p)
        return "$scrypt$ln=\(logN),r=\(r),p=\(p)$" + Base64URL.encode(salt) + "$" + Base64URL.encode(key)
    }

    public func verify(_ password: String, against stored: String) async throws -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 4, parts[0] == "scrypt" else { return false }
        var params: [String: Int] = [:]
        for kv in parts[1].split(separator: ",") {
            let pair = kv.split(separator: "=")
            if pair.count == 2, let v = Int(pair[1]) { params[String(pair[0])] = v }
        }
        guard let ln = params["ln"], let r = params["r"], let p = params["p"], (10...20).contains(ln),
            let salt = Base64URL.decode(parts[2]), let expected = Base64URL.decode(parts[3])
        else { return false }
        let actual = try await derive(password, salt: salt, logN: ln, r: r, p: p)
        guard actual.count == expected.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<actual.count { diff |= actual[i] ^ expected[i] }
        return diff == 0
    }

    /// True when `stored` was made at other parameters than this hasher's (a cheaper cost).
    public func needsUpgrade(_ stored: String) -> Bool {
        !stored.hasPrefix("$scrypt$ln=\(logN),r=\(r),p=\(p)$")
    }

    /// Spends the same time as a real verification (unknown accounts answer as slowly as known ones).
    public func dummyVerify(_ password: String) async {
        _ = try? await derive(password, salt: [UInt8](repeating: 0, count: 16), logN: logN, r: r, p: p)
    }

    private func derive(_ password: String, salt: [UInt8], logN: Int, r: Int, p: Int) async throws -> [UInt8] {
        let pw = Array(password.utf8)
        return try await NIOThreadPool.singleton.runIfActive {
            let key = try KDF.Scrypt.deriveKey(
                from: pw, salt: salt, outputByteCount: 32, rounds: 1 << logN, blockSize: r, parallelism: p,
                maxMemory: 128 * (1 << logN) * r * p + (1 << 20))
            return key.withUnsafeBytes { Array($0) }
        }
    }
}
