/// Keys derived from one master secret, and authenticated encryption built on HMAC-SHA256.
///
/// - `MasterKey`: the environment's random master secret (Secrets Manager in AWS, a file in the
///   embedded data directory); every key the service needs is derived from it with HKDF-SHA256
///   (RFC 5869) and a purpose label, so one secret serves many uses and no two uses share a key.
/// - `SecretBox`: encrypt-then-MAC AEAD. The keystream is HMAC-SHA256 in counter mode (a PRF in
///   CTR mode), the tag HMAC-SHA256 over associated data, nonce and ciphertext, with separate
///   derived keys for the two. Built on the same SHA-256/HMAC that the tests cross-check against
///   BoringSSL, so the Lambda bootstrap needs no crypto library for it.
public struct MasterKey: Sendable {
    let bytes: [UInt8]

    public static let minimumBytes = 32

    /// The secret as stored: base64 (standard or URL alphabet, padding optional) of at least 32 bytes.
    public init?(base64 text: String) {
        // Base64URL.decode takes both alphabets, with or without padding.
        guard let bytes = Base64URL.decode(text.filter { !$0.isWhitespace }), bytes.count >= Self.minimumBytes else { return nil }
        self.bytes = bytes
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count >= Self.minimumBytes else { return nil }
        self.bytes = bytes
    }

    /// A new random master key (embedded first start).
    public static func generate() -> MasterKey { MasterKey(bytes: Random.bytes(32))! }

    public var base64: String { Base64URL.encode(bytes) }

    /// The `length`-byte key for one purpose, e.g. `"mfa-session/v1"`.
    public func derive(_ purpose: String, length: Int = 32) -> [UInt8] {
        HKDF.sha256(inputKey: bytes, salt: Array("lifestyle-backend".utf8), info: Array(purpose.utf8), length: length)
    }
}

public enum HKDF {
    /// HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes (at most 8160).
    public static func sha256(inputKey: [UInt8], salt: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        precondition(length > 0 && length <= 255 * 32, "HKDF-SHA256 output length")
        let prk = Hashing.hmac(.sha256, key: salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt, message: inputKey)
        var out: [UInt8] = []
        out.reserveCapacity(length)
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while out.count < length {
            block = Hashing.hmac(.sha256, key: prk, message: block + info + [counter])
            out += block
            counter &+= 1
        }
        return Array(out.prefix(length))
    }
}

/// Authenticated encryption (encrypt-then-MAC on HMAC-SHA256); see `MasterKey` for the design.
/// Sealed form: `nonce (16) || ciphertext || tag (32)`.
public struct SecretBox: Sendable {
    let encryptionKey: [UInt8]
    let macKey: [UInt8]

    static let nonceBytes = 16
    static let tagBytes = 32

    /// Both keys come from `master` under `purpose`; boxes of different purposes cannot open
    /// each other's seals.
    public init(master: MasterKey, purpose: String) {
        encryptionKey = master.derive(purpose + "/encrypt")
        macKey = master.derive(purpose + "/authenticate")
    }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = []) -> [UInt8] {
        let nonce = Random.bytes(Self.nonceBytes)
        let ciphertext = xor(plaintext, nonce: nonce)
        return nonce + ciphertext + tag(nonce: nonce, ciphertext: ciphertext, associatedData: associatedData)
    }

    /// The plaintext, or nil when the box was not sealed by this key and purpose with this
    /// associated data, or was changed in any way. Nothing is decrypted before the tag checks out.
    public func open(_ sealed: [UInt8], associatedData: [UInt8] = []) -> [UInt8]? {
        guard sealed.count >= Self.nonceBytes + Self.tagBytes else { return nil }
        let nonce = Array(sealed[..<Self.nonceBytes])
        let ciphertext = Array(sealed[Self.nonceBytes..<(sealed.count - Self.tagBytes)])
        let given = sealed[(sealed.count - Self.tagBytes)...]
        guard ConstantTime.equal(tag(nonce: nonce, ciphertext: ciphertext, associatedData: associatedData), given) else { return nil }
        return xor(ciphertext, nonce: nonce)
    }

    func tag(nonce: [UInt8], ciphertext: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        // Lengths first, so (ad, ciphertext) splits are unambiguous.
        var message = Self.length(associatedData.count) + associatedData + nonce + Self.length(ciphertext.count)
        message += ciphertext
        return Hashing.hmac(.sha256, key: macKey, message: message)
    }

    func xor(_ data: [UInt8], nonce: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(data.count)
        var counter: UInt64 = 0
        var offset = 0
        while offset < data.count {
            let block = Hashing.hmac(.sha256, key: encryptionKey, message: nonce + Self.length(Int(counter)))
            for b in block where offset < data.count {
                out.append(data[offset] ^ b)
                offset += 1
            }
            counter += 1
        }
        return out
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
