/// RFC 6238 time-based one-time passwords (HMAC-SHA-1 by default, as authenticator apps use).
public struct TOTP: Sendable {
    public enum Algorithm: Sendable { case sha1, sha256, sha512 }
    public var secret: [UInt8]
    public var digits: Int = 6
    public var period: Int64 = 30
    public var algorithm: Algorithm = .sha1

    public init(secret: [UInt8], digits: Int = 6, period: Int64 = 30, algorithm: Algorithm = .sha1) {
        self.secret = secret
        self.digits = digits
        self.period = period
        self.algorithm = algorithm
    }

    /// The code for a Unix time.
    public func code(at unixTime: Int64) -> String {
        hotp(counter: UInt64(unixTime / period))
    }

    /// Accepts the code for now and one step either side (clock skew). Returns the matched time step
    /// so a caller can refuse replays of the same step.
    public func validate(_ code: String, at unixTime: Int64, window: Int64 = 1) -> Int64? {
        guard code.count == digits, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let step = unixTime / period
        for offset in -window...window {
            let candidate = hotp(counter: UInt64(max(0, step + offset)))
            if ConstantTime.equal(candidate, code) { return step + offset }
        }
        return nil
    }

    public func hotp(counter: UInt64) -> String {
        var c = counter.bigEndian
        let message = withUnsafeBytes(of: &c) { Array($0) }
        let mac: [UInt8]
        switch algorithm {
        case .sha1: mac = Hashing.hmac(.sha1, key: secret, message: message)
        case .sha256: mac = Hashing.hmac(.sha256, key: secret, message: message)
        case .sha512: mac = Hashing.hmac(.sha512, key: secret, message: message)
        }
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary =
            (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let s = String(binary % modulus)
        return String(repeating: "0", count: digits - s.count) + s
    }

    /// The `otpauth://` URI authenticator apps read from the QR code.
    public static func provisioningURI(secretBase32: String, account: String, issuer: String) -> String {
        let label = PercentEncoding.encode(issuer) + ":" + PercentEncoding.encode(account)
        return "otpauth://totp/\(label)?secret=\(secretBase32)&issuer=\(PercentEncoding.encode(issuer))&algorithm=SHA1&digits=6&period=30"
    }
}
