/// Request ids: what a client may send as `X-Request-ID`, and the ids this code makes up.
public enum RequestID {
    /// Accepts a client-supplied id of at most 128 characters of `[A-Za-z0-9._-]`.
    public static func accept(_ raw: String?) -> String? {
        guard let raw, !raw.isEmpty, raw.utf8.count <= 128, raw.utf8.allSatisfy(safe) else { return nil }
        return raw
    }

    public static func safe(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F
            || c == 0x2D
    }

    /// A random UUID-formatted id: the one request-id generator (the app's X-Request-ID, the
    /// emulators' API Gateway and Lambda request ids).
    public static func generate() -> String {
        var g = SystemRandomNumberGenerator()
        return Random.uuid(using: &g)
    }
}
