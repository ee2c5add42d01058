import LifestyleToolkit
/// A handler answers one route. It gets the request and its context and returns a response or
/// throws (`APIError` for contract answers; anything else becomes a 500).
public typealias Handler = @Sendable (Request, RequestContext) async throws -> Response

public enum Access: Sendable {
    /// No credentials needed.
    case open
    /// `Authorization: Bearer <access token>` required; the principal is in the context.
    case bearer
}

public struct Route: Sendable {
    public var method: String
    public var path: String
    public var access: Access
    public var handler: Handler

    public init(_ method: String, _ path: String, _ access: Access, _ handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.access = access
        self.handler = handler
    }
}

/// Exact-match routing with optional `{param}` segments. Lookups on the fixed routes are a
/// single dictionary hit.
public struct Router: Sendable {
    public enum Match: Sendable {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var exact: [String: [String: Route]] = [:]
    private var patterned: [(segments: [Substring], routes: [String: Route])] = []

    public init(basePath: String, routes: [Route]) {
        for route in routes {
            let full = basePath + route.path
            if full.contains("{") {
                let segs = full.split(separator: "/")
                if let i = patterned.firstIndex(where: { $0.segments == segs }) {
                    patterned[i].routes[route.method] = route
                } else {
                    patterned.append((segs, [route.method: route]))
                }
            } else {
                exact[full, default: [:]][route.method] = route
            }
        }
    }

    public func match(method: String, path: String) -> Match {
        var normalized = path
        if normalized.count > 1, normalized.hasSuffix("/") { normalized.removeLast() }
        if let byMethod = exact[normalized] {
            return Self.pick(method, byMethod, [:])
        }
        let segs = normalized.split(separator: "/")
        for candidate in patterned where candidate.segments.count == segs.count {
            var params: [String: String] = [:]
            var ok = true
            for (p, s) in zip(candidate.segments, segs) {
                if p.hasPrefix("{") && p.hasSuffix("}") {
                    params[String(p.dropFirst().dropLast())] = String(s)
                } else if p != s {
                    ok = false
                    break
                }
            }
            if ok { return Self.pick(method, candidate.routes, params) }
        }
        return .notFound
    }

    /// Whether any route lives at this path (used for CORS preflight).
    public func knows(path: String) -> Bool {
        if case .notFound = match(method: "GET", path: path) { return false }
        return true
    }

    private static func pick(_ method: String, _ routes: [String: Route], _ params: [String: String]) -> Match {
        if let r = routes[method] { return .found(r, parameters: params) }
        if method == "HEAD", let r = routes["GET"] { return .found(r, parameters: params) }
        return .methodNotAllowed(allowed: routes.keys.sorted())
    }
}
