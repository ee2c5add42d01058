import LifestyleToolkit

/// A handler answers one route. It gets the request and its context and returns a response or
/// throws (`APIError` for contract answers; anything else becomes a 500).
public typealias Handler = @Sendable (APIRequest, APIContext) async throws -> APIResponse

/// A handler of a bearer route: it also gets the principal the access token proved.
public typealias BearerHandler = @Sendable (APIRequest, APIContext, Principal) async throws -> APIResponse

public enum Access: Sendable {
    /// No credentials needed.
    case open
    /// `Authorization: Bearer <access token>` required; the handler gets the principal.
    case bearer
}

public struct Route: Sendable {
    public var method: String
    public var path: String
    public var access: Access
    public var handler: Handler
    /// The full path template once a router holds the route (`/v1/users/profile`): the metric
    /// label, built once instead of per request.
    public internal(set) var template: String

    public init(_ method: String, _ path: String, _ access: Access, _ handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.access = access
        self.handler = handler
        self.template = path
    }

    /// A bearer route: the app verifies the access token before `handler` runs and hands it the
    /// principal.
    public init(_ method: String, _ path: String, bearer handler: @escaping BearerHandler) {
        self.init(method, path, .bearer) { request, context in
            guard let principal = context.principal else { throw APIError.unauthorized() }
            return try await handler(request, context, principal)
        }
    }
}

/// Exact-match routing: a lookup is one dictionary hit on the path, then one on the method. (No
/// route of the contract has a path parameter; the patterned matcher it once had is gone.)
public struct APIRouter: Sendable {
    public enum Match: Sendable {
        case found(Route)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var exact: [String: [String: Route]] = [:]

    public init(basePath: String, routes: [Route]) {
        for route in routes {
            precondition(!route.path.contains("{"), "path parameters are not supported: \(route.path)")
            var route = route
            route.template = basePath + route.path
            exact[route.template, default: [:]][route.method] = route
        }
    }

    public func match(method: String, path: String) -> Match {
        var normalized = path
        if normalized.count > 1, normalized.hasSuffix("/") { normalized.removeLast() }
        guard let byMethod = exact[normalized] else { return .notFound }
        if let r = byMethod[method] { return .found(r) }
        if method == "HEAD", let r = byMethod["GET"] { return .found(r) }
        return .methodNotAllowed(allowed: byMethod.keys.sorted())
    }

    /// Whether any route lives at this path (used for CORS preflight).
    public func knows(path: String) -> Bool {
        if case .notFound = match(method: "GET", path: path) { return false }
        return true
    }
}
