import Crypto

/// SHA-1, SHA-256, SHA-512 and HMAC from swift-crypto (BoringSSL), under the byte-array API the
/// core and the AWS adapters use (TOTP, backup-code hashes, SigV4, Cognito's SECRET_HASH,
/// rate-limit keys). No primitive is written by hand here.
public enum Hashing {
    public enum Algorithm: Sendable {
        case sha1, sha256, sha512
    }

    public static func sha1(_ data: some Collection<UInt8>) -> [UInt8] { hash(.sha1, data) }
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] { hash(.sha256, data) }
    public static func sha512(_ data: some Collection<UInt8>) -> [UInt8] { hash(.sha512, data) }

    public static func hash(_ algorithm: Algorithm, _ data: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(data)
        switch algorithm {
        case .sha1: return Array(Insecure.SHA1.hash(data: bytes))
        case .sha256: return Array(SHA256.hash(data: bytes))
        case .sha512: return Array(SHA512.hash(data: bytes))
        }
    }

    /// HMAC of `message` under `key`.
    public static func hmac(_ algorithm: Algorithm, key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        let k = SymmetricKey(data: Array(key))
        let m = Array(message)
        switch algorithm {
        case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: m, using: k))
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: m, using: k))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: m, using: k))
        }
    }
}
