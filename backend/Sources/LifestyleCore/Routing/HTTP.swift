import LifestyleToolkit

/// Transport-neutral HTTP request and response. Both transports (the local Hummingbird server and
/// the Lambda runtime) translate into these, so the route table, middleware and handlers never see
/// a server or an event type.
public struct APIRequest: Sendable {
    public var method: String
    /// Path without query string, e.g. `/v1/auth/login`.
    public var path: String
    /// Raw query string without the leading `?`.
    public var query: String
    public var headers: APIHeaders
    public var body: [UInt8]
    /// The client's network address when the transport knows it (API Gateway's `sourceIp`); nil on
    /// the local server, where every client is on loopback. Keys the per-address attempt limits.
    public var clientAddress: String?

    public init(method: String, path: String, query: String = "", headers: APIHeaders = APIHeaders(), body: [UInt8] = []) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

public struct APIResponse: Sendable {
    public var status: Int
    public var headers: APIHeaders
    public var body: [UInt8]
    /// What answered, for metrics: the matched route's template (`/v1/auth/login`, never the raw
    /// path, so label cardinality stays bounded), `method_not_allowed` or `unmatched`. The app
    /// records it once per request, where it routes.
    public internal(set) var route: String = "unmatched"

    public init(status: Int, headers: APIHeaders = APIHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Case-insensitive, order-preserving header list. Names are stored lower-cased.
public struct APIHeaders: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}
    public init(_ pairs: [(String, String)]) {
        for (n, v) in pairs { add(n, v) }
    }

    public subscript(name: String) -> String? {
        get {
            let n = Self.lower(name)
            return fields.first(where: { $0.name == n })?.value
        }
        set {
            let n = Self.lower(name)
            fields.removeAll(where: { $0.name == n })
            if let newValue { fields.append((n, newValue)) }
        }
    }

    public func values(_ name: String) -> [String] {
        let n = Self.lower(name)
        return fields.filter { $0.name == n }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((Self.lower(name), value))
    }

    /// Lower-cases a header name, without allocating when it already is (the usual case).
    @inline(__always)
    static func lower(_ name: String) -> String {
        name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? name.lowercased() : name
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}
