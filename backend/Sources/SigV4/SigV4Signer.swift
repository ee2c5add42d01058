import FoundationEssentials
import LifestyleToolkit
import Synchronization

/// AWS Signature Version 4 request signer (header based, `AWS4-HMAC-SHA256`).
///
/// Canonicalisation rules implemented (see AWS "Create a canonical request"):
/// - canonical URI: the *unencoded* path is normalised (empty and `.` segments dropped,
///   `..` pops a segment, a trailing slash is kept) unless `normalizePath` is false (S3),
///   then each segment is URI-encoded once with the RFC 3986 unreserved set
///   (`A-Z a-z 0-9 - . _ ~`), uppercase hex.
/// - canonical query: `name=value` pairs, each side percent-decoded then re-encoded with
///   the same unreserved set, sorted by encoded name then encoded value; `name` alone
///   becomes `name=`.
/// - canonical headers: names lowercased, values trimmed and internal runs of spaces
///   collapsed to one, repeated names joined with `,` in their original order, sorted by name.
/// - the signing key (`kSigning`) is derived once per (date, region, service) and cached.
///
/// The signer is a reference type only because of its small signing-key cache, which is
/// protected by a `Mutex`; it is safe to share between tasks.
public final class SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    private struct CachedKey: Sendable {
        var day: String
        var key: [UInt8]
    }

    private let keyCache: Mutex<CachedKey?>

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.keyCache = Mutex(nil)
    }

    /// A header (name, value) pair. Names are case-insensitive.
    public typealias Header = (name: String, value: String)

    /// The result of signing: the canonical request and string to sign (for debugging
    /// and tests; they contain no secret), and the headers to add to the request.
    public struct Signature: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var signedHeaders: String
        /// Headers to add to the outgoing request: `X-Amz-Date`, optionally
        /// `X-Amz-Security-Token` and `X-Amz-Content-Sha256`, and `Authorization`.
        public var headersToAdd: [(name: String, value: String)]
        public var authorization: String
    }

    /// Signs a request.
    ///
    /// - Parameters:
    ///   - method: HTTP method, e.g. `POST`.
    ///   - host: value of the `Host` header (`host[:port]`, port only when non-default).
    ///     Added to the signed headers unless `headers` already has a `host` header.
    ///   - path: the request path, *not* percent-encoded (e.g. `/example space/`).
    ///   - query: the raw query string without `?` (encoded or not; it is decoded and re-encoded).
    ///   - headers: other headers to sign (e.g. `Content-Type`, `X-Amz-Target`). Do not
    ///     include `Authorization`; an `X-Amz-Date` header here is replaced.
    ///   - body: the payload bytes (empty for none).
    ///   - date: the signing time.
    ///   - addContentSha256: also send and sign `X-Amz-Content-Sha256` (S3 style).
    ///   - normalizePath: RFC 3986 path normalisation (true for every service but S3).
    public func sign<Body: Collection<UInt8>>(
        method: String,
        host: String,
        path: String,
        query: String = "",
        headers: [Header] = [],
        body: Body,
        date: Date,
        addContentSha256: Bool = false,
        normalizePath: Bool = true
    ) -> Signature {
        let payloadHash = SigV4Signer.hexSHA256(body)
        return sign(
            method: method, host: host, path: path, query: query, headers: headers,
            payloadHash: payloadHash, date: date, addContentSha256: addContentSha256,
            normalizePath: normalizePath)
    }

    /// Same as above with a precomputed lowercase-hex SHA-256 payload hash
    /// (or `UNSIGNED-PAYLOAD`).
    public func sign(
        method: String,
        host: String,
        path: String,
        query: String = "",
        headers: [Header] = [],
        payloadHash: String,
        date: Date,
        addContentSha256: Bool = false,
        normalizePath: Bool = true
    ) -> Signature {
        let stamp = AmzDate(date)
        let amzDate = stamp.dateTime
        let day = stamp.day

        var added: [(name: String, value: String)] = [("X-Amz-Date", amzDate)]
        if let token = credentials.sessionToken {
            added.append(("X-Amz-Security-Token", token))
        }
        if addContentSha256 {
            added.append(("X-Amz-Content-Sha256", payloadHash))
        }

        // Collect headers to sign: lowercase name -> values in order.
        var byName: [String: [String]] = [:]
        byName.reserveCapacity(headers.count + 4)
        var order: [String] = []
        func add(_ name: String, _ value: String) {
            let lower = name.lowercased()
            if lower == "authorization" { return }
            if byName[lower] == nil {
                order.append(lower)
                byName[lower] = [value]
            } else {
                byName[lower]!.append(value)
            }
        }
        for h in headers {
            let lower = h.name.lowercased()
            if lower == "x-amz-date" || lower == "x-amz-security-token"
                || (addContentSha256 && lower == "x-amz-content-sha256")
            {
                continue  // replaced by ours
            }
            add(h.name, h.value)
        }
        if byName["host"] == nil { add("host", host) }
        for h in added { add(h.name, h.value) }
        order.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        var canonicalHeaders = ""
        canonicalHeaders.reserveCapacity(256)
        var signedHeaders = ""
        signedHeaders.reserveCapacity(64)
        for (i, name) in order.enumerated() {
            canonicalHeaders += name
            canonicalHeaders += ":"
            let values = byName[name]!
            for (j, v) in values.enumerated() {
                if j > 0 { canonicalHeaders += "," }
                canonicalHeaders += SigV4Signer.canonicalHeaderValue(v)
            }
            canonicalHeaders += "\n"
            if i > 0 { signedHeaders += ";" }
            signedHeaders += name
        }

        var canonicalRequest = ""
        canonicalRequest.reserveCapacity(canonicalHeaders.utf8.count + 256)
        canonicalRequest += method.uppercased()
        canonicalRequest += "\n"
        canonicalRequest += SigV4Signer.canonicalURI(path, normalize: normalizePath)
        canonicalRequest += "\n"
        canonicalRequest += SigV4Signer.canonicalQuery(query)
        canonicalRequest += "\n"
        canonicalRequest += canonicalHeaders
        canonicalRequest += "\n"
        canonicalRequest += signedHeaders
        canonicalRequest += "\n"
        canonicalRequest += payloadHash

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign =
            "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(SigV4Signer.hexSHA256(Array(canonicalRequest.utf8)))"

        let key = signingKey(day: day)
        let signature = SigV4Signer.hex(Hashing.hmac(.sha256, key: key, message: Array(stringToSign.utf8)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        added.append(("Authorization", authorization))
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            signedHeaders: signedHeaders, headersToAdd: added, authorization: authorization)
    }

    // MARK: - Signing key

    func signingKey(day: String) -> [UInt8] {
        if let cached = keyCache.withLock({ $0 }), cached.day == day {
            return cached.key
        }
        let key = SigV4Signer.deriveSigningKey(
            secret: credentials.secretAccessKey, day: day, region: region, service: service)
        keyCache.withLock { $0 = CachedKey(day: day, key: key) }
        return key
    }

    static func deriveSigningKey(secret: String, day: String, region: String, service: String)
        -> [UInt8]
    {
        let kDate = Hashing.hmac(.sha256, key: Array(("AWS4" + secret).utf8), message: Array(day.utf8))
        let kRegion = Hashing.hmac(.sha256, key: kDate, message: Array(region.utf8))
        let kService = Hashing.hmac(.sha256, key: kRegion, message: Array(service.utf8))
        return Hashing.hmac(.sha256, key: kService, message: Array("aws4_request".utf8))
    }

    // MARK: - Canonicalisation helpers (internal for tests)

    static func canonicalHeaderValue(_ value: String) -> String {
        // Trim leading/trailing whitespace and collapse runs of spaces/tabs into one space.
        var out = [UInt8]()
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for b in value.utf8 {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                if !out.isEmpty { pendingSpace = true }
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func canonicalURI(_ path: String, normalize: Bool) -> String {
        if path.isEmpty || path == "/" { return "/" }
        var out = [UInt8]()
        out.reserveCapacity(path.utf8.count * 3 + 1)
        guard normalize else {
            // S3 style: no normalisation, every byte but "/" encoded once.
            if path.utf8.first != UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
            for b in path.utf8 {
                if b == UInt8(ascii: "/") { out.append(b) } else { PercentEncoding.encode(CollectionOfOne(b), into: &out) }
            }
            return String(decoding: out, as: UTF8.self)
        }
        var segments: [Substring.UTF8View.SubSequence] = []
        for seg in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if seg.elementsEqual(".".utf8) { continue }
            if seg.elementsEqual("..".utf8) {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(seg)
        }
        out.append(UInt8(ascii: "/"))
        for (i, seg) in segments.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "/")) }
            PercentEncoding.encode(seg, into: &out)
        }
        if path.utf8.last == UInt8(ascii: "/") && !segments.isEmpty { out.append(UInt8(ascii: "/")) }
        return String(decoding: out, as: UTF8.self)
    }

    static func canonicalQuery(_ query: String) -> String {
        if query.isEmpty { return "" }
        var pairs: [(String, String)] = []
        for part in query.utf8.split(separator: UInt8(ascii: "&")) {
            let name: Substring.UTF8View.SubSequence
            let value: Substring.UTF8View.SubSequence
            if let eq = part.firstIndex(of: UInt8(ascii: "=")) {
                name = part[part.startIndex..<eq]
                value = part[part.index(after: eq)...]
            } else {
                name = part
                value = part[part.endIndex...]
            }
            var n = [UInt8](), v = [UInt8]()
            PercentEncoding.encode(PercentEncoding.decode(name), into: &n)
            PercentEncoding.encode(PercentEncoding.decode(value), into: &v)
            pairs.append((String(decoding: n, as: UTF8.self), String(decoding: v, as: UTF8.self)))
        }
        pairs.sort { a, b in
            if a.0 != b.0 { return a.0.utf8.lexicographicallyPrecedes(b.0.utf8) }
            return a.1.utf8.lexicographicallyPrecedes(b.1.utf8)
        }
        var out = ""
        for (i, p) in pairs.enumerated() {
            if i > 0 { out += "&" }
            out += p.0
            out += "="
            out += p.1
        }
        return out
    }

    static func hex<D: Sequence<UInt8>>(_ digest: D) -> String { Hex.encode(digest) }

    /// Lowercase hex SHA-256 of `data`.
    public static func hexSHA256(_ data: some Collection<UInt8>) -> String {
        hex(Hashing.sha256(data))
    }

    /// SHA-256 of the empty string, the payload hash of a request without a body.
    public static let emptyPayloadHash =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}

/// `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd` in UTC without a DateFormatter.
struct AmzDate {
    var dateTime: String
    var day: String

    init(_ date: Date) {
        let secs = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = secs / 86_400
        var rem = secs % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = AmzDate.civil(fromDays: days)
        let hh = Int(rem / 3600), mm = Int(rem % 3600 / 60), ss = Int(rem % 60)
        var buf = [UInt8]()
        buf.reserveCapacity(16)
        func put(_ v: Int, _ width: Int) {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var x = v
            var i = width - 1
            while i >= 0 { digits[i] = UInt8(ascii: "0") + UInt8(x % 10); x /= 10; i -= 1 }
            buf.append(contentsOf: digits)
        }
        put(y, 4); put(m, 2); put(d, 2)
        day = String(decoding: buf, as: UTF8.self)
        buf.append(UInt8(ascii: "T"))
        put(hh, 2); put(mm, 2); put(ss, 2)
        buf.append(UInt8(ascii: "Z"))
        dateTime = String(decoding: buf, as: UTF8.self)
    }

    static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let (y, m, d) = Timestamp.civil(fromDays: z0)
        return (Int(y), Int(m), Int(d))
    }
}
