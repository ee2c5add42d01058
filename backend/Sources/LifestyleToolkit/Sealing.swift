import Crypto

/// Keys derived from the master secret, and authenticated encryption with key ids, all on
/// swift-crypto (HKDF-SHA256, AES-256-GCM, HMAC-SHA256; no primitive written here).
///
/// - `MasterKey`: one version of the environment's random master secret (Secrets Manager in AWS,
///   `master.key` in the embedded data directory). Every key the service needs is derived from it
///   with HKDF-SHA256 and a purpose label. Its `id` (4 bytes of an HMAC of the key, so it tells
///   nothing about it) names it in every seal.
/// - `KeyRing`: the current version and the previous ones still accepted (Secrets Manager's
///   AWSCURRENT and AWSPREVIOUS, `master.key` and `master.key.previous`). New seals use the
///   current key; a seal under a previous key opens and tells its caller to re-seal it.
/// - `SealingBox`: AES-256-GCM under the key a purpose derives. Sealed form:
///   `key id (4) || nonce (12) || ciphertext || tag (16)`.
public struct MasterKey: Sendable {
    let bytes: [UInt8]
    /// Names this key version in seals (not secret: an HMAC of a fixed label under the key).
    public let id: [UInt8]

    public static let minimumBytes = 32

    /// The secret as stored: base64 (standard or URL alphabet, padding optional) of at least 32 bytes.
    public init?(base64 text: String) {
        // Base64URL.decode takes both alphabets, with or without padding.
        guard let bytes = Base64URL.decode(text.filter { !$0.isWhitespace }) else { return nil }
        self.init(bytes: bytes)
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count >= Self.minimumBytes else { return nil }
        self.bytes = bytes
        self.id = Array(Hashing.hmac(.sha256, key: bytes, message: Array("lifestyle-backend/key-id".utf8)).prefix(4))
    }

    /// A new random master key (embedded first start, a rotation).
    public static func generate() -> MasterKey { MasterKey(bytes: Random.bytes(32))! }

    public var base64: String { Base64URL.encode(bytes) }

    /// The key id as 8 hex digits (for logs and runbooks: says which version, nothing else).
    public var idHex: String { Hex.encode(id) }

    /// The `length`-byte key for one purpose, e.g. `"mfa-session/v1"`.
    public func derive(_ purpose: String, length: Int = 32) -> [UInt8] {
        KeyDerivation.hkdfSHA256(inputKey: bytes, salt: Array("lifestyle-backend".utf8), info: Array(purpose.utf8), length: length)
    }
}

public enum KeyDerivation {
    /// HKDF-SHA256 (RFC 5869) from swift-crypto: extract with `salt`, expand with `info`.
    public static func hkdfSHA256(inputKey: [UInt8], salt: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        Crypto.HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: inputKey), salt: salt, info: info, outputByteCount: length
        ).withUnsafeBytes { Array($0) }
    }
}

/// The master key versions a process accepts: `current` seals, every one opens.
public struct KeyRing: Sendable {
    public let current: MasterKey
    public let previous: [MasterKey]

    public init(current: MasterKey, previous: [MasterKey] = []) {
        self.current = current
        // The same secret twice (no rotation yet, or a stage that points at the current value) is one key.
        self.previous = previous.filter { $0.id != current.id }
    }

    public var all: [MasterKey] { [current] + previous }

    public func knows(keyID: some Collection<UInt8>) -> Bool { all.contains { $0.id.elementsEqual(keyID) } }

    public func box(_ purpose: String) -> SealingBox { SealingBox(ring: self, purpose: purpose) }
}

/// What opening a seal found.
public enum Opened: Sendable, Equatable {
    /// The plaintext; `stale` when it was sealed under a previous key (seal it again).
    case plaintext([UInt8], stale: Bool)
    /// Sealed under a key id this ring does not hold (a newer key another instance already has,
    /// or one retired): the caller may reload the ring and try again.
    case unknownKey
    /// Not a seal of this purpose and associated data, or changed in any way.
    case invalid

    public var plaintext: [UInt8]? {
        if case .plaintext(let p, _) = self { return p }
        return nil
    }
}

/// AES-256-GCM with a key per purpose and master-key version; boxes of different purposes cannot
/// open each other's seals, and the associated data binds a seal to where it belongs.
public struct SealingBox: Sendable {
    let keys: [(id: [UInt8], key: SymmetricKey)]

    static let idBytes = 4
    static let nonceBytes = 12
    static let tagBytes = 16

    public init(ring: KeyRing, purpose: String) {
        keys = ring.all.map { ($0.id, SymmetricKey(data: $0.derive(purpose + "/aes-256-gcm"))) }
    }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = []) -> [UInt8] {
        let current = keys[0]
        // AES-GCM with a random 96-bit nonce under a valid 256-bit key does not fail.
        guard let box = try? AES.GCM.seal(plaintext, using: current.key, authenticating: associatedData),
            let combined = box.combined
        else { preconditionFailure("AES-GCM seal failed") }
        return current.id + Array(combined)
    }

    public func open(_ sealed: [UInt8], associatedData: [UInt8] = []) -> Opened {
        guard sealed.count >= Self.idBytes + Self.nonceBytes + Self.tagBytes else { return .invalid }
        let id = sealed[..<Self.idBytes]
        guard let index = keys.firstIndex(where: { $0.id.elementsEqual(id) }) else { return .unknownKey }
        guard let box = try? AES.GCM.SealedBox(combined: Array(sealed[Self.idBytes...])),
            let plain = try? AES.GCM.open(box, using: keys[index].key, authenticating: associatedData)
        else { return .invalid }
        return .plaintext(Array(plain), stale: index != 0)
    }
}

/// Opens the seals of the releases before key ids (HMAC-SHA256 in counter mode with an
/// HMAC-SHA256 tag, `nonce (16) || ciphertext || tag (32)`), so stored TOTP secrets survive the
/// upgrade; they are sealed again with `SealingBox` at their first use. Nothing seals this way.
public enum LegacySeal {
    public static func open(_ sealed: [UInt8], ring: KeyRing, purpose: String, associatedData: [UInt8]) -> [UInt8]? {
        guard sealed.count >= 48 else { return nil }
        let nonce = Array(sealed[..<16])
        let ciphertext = Array(sealed[16..<(sealed.count - 32)])
        let given = sealed[(sealed.count - 32)...]
        for master in ring.all {
            let encryptionKey = master.derive(purpose + "/encrypt")
            let macKey = master.derive(purpose + "/authenticate")
            var message = length(associatedData.count) + associatedData + nonce + length(ciphertext.count)
            message += ciphertext
            guard ConstantTime.equal(Hashing.hmac(.sha256, key: macKey, message: message), given) else { continue }
            var out = [UInt8]()
            out.reserveCapacity(ciphertext.count)
            var counter = 0
            while out.count < ciphertext.count {
                let block = Hashing.hmac(.sha256, key: encryptionKey, message: nonce + length(counter))
                for b in block where out.count < ciphertext.count { out.append(ciphertext[out.count] ^ b) }
                counter += 1
            }
            return out
        }
        return nil
    }

    static func length(_ n: Int) -> [UInt8] {
        let v = UInt64(n)
        return (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) }
    }
}

public enum ConstantTime {
    /// Compares without an early exit (the time does not tell how many leading bytes matched).
    public static func equal(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }

    /// Two strings compared as UTF-8 the same way.
    public static func equal(_ a: String, _ b: String) -> Bool { equal(a.utf8, b.utf8) }
}
