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

/// One operation of the API, as the router holds it. Production routes are made only from the
/// spec's operations (`Routes.all`, generated from openapi.yaml); tests may add routes of their own.
public struct Route: Sendable {
    public var method: String
    public var path: String
    public var access: Access
    public var handler: Handler
    /// The spec's operation this route serves (nil: a test's own route).
    public let operation: APIOperation?
    /// The full path template once a router holds the route (`/v1/users/profile`): the metric
    /// label, built once instead of per request.
    public internal(set) var template: String

    /// The route of a spec operation.
    init(_ operation: APIOperation, _ handler: @escaping Handler) {
        self.init(operation.method, operation.path, operation.access, operation: operation, handler)
    }

    /// The route of a spec operation that needs the bearer token: the app verifies it before
    /// `handler` runs and hands it the principal.
    init(_ operation: APIOperation, bearer handler: @escaping BearerHandler) {
        self.init(operation.method, operation.path, .bearer, operation: operation, Self.requiringPrincipal(handler))
    }

    /// A route outside the spec: for tests only.
    package init(_ method: String, _ path: String, _ access: Access, _ handler: @escaping Handler) {
        self.init(method, path, access, operation: nil, handler)
    }

    /// A bearer route outside the spec: for tests only.
    package init(_ method: String, _ path: String, bearer handler: @escaping BearerHandler) {
        self.init(method, path, .bearer, operation: nil, Self.requiringPrincipal(handler))
    }

    private init(_ method: String, _ path: String, _ access: Access, operation: APIOperation?, _ handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.access = access
        self.operation = operation
        self.handler = handler
        self.template = path
    }

    private static func requiringPrincipal(_ handler: @escaping BearerHandler) -> Handler {
        { request, context in
            guard let principal = context.principal else { throw APIError.unauthorized() }
            return try await handler(request, context, principal)
        }
    }
}

/// The route table's namespace: `Routes.all` is generated from openapi.yaml (`Generated/Operations.swift`).
public enum Routes {}

/// The route table. Paths without parameters are one dictionary hit on the path, then one on the
/// method. Templates with parameters (`/goals/{goalId}/activities`) match segment by segment:
/// a literal segment beats a parameter (`/journal/stats` before `/journal/{entryId}`), and a
/// parameter takes one whole segment, percent-decoded. A path some route has, with another
/// method, is 405 with `Allow`; anything else is 404.
public struct APIRouter: Sendable {
    public enum Match: Sendable {
        case found(Route, PathParameters)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var exact: [String: [String: Route]] = [:]
    private var patterned: [(template: Template, byMethod: [String: Route])] = []

    public init(basePath: String, routes: [Route]) {
        var byTemplate: [String: (Template, [String: Route])] = [:]
        var order: [String] = []
        for route in routes {
            var route = route
            route.template = basePath + route.path
            guard route.template.contains("{") else {
                exact[route.template, default: [:]][route.method] = route
                continue
            }
            let template = Template(route.template)
            if byTemplate[route.template] == nil {
                byTemplate[route.template] = (template, [:])
                order.append(route.template)
            }
            byTemplate[route.template]!.1[route.method] = route
        }
        // most literal segments first, then the earliest literal: the most specific match wins
        patterned = order.map { (byTemplate[$0]!.0, byTemplate[$0]!.1) }.sorted { $0.template.rank > $1.template.rank }
    }

    public func match(method: String, path: String) -> Match {
        var normalized = path
        if normalized.count > 1, normalized.hasSuffix("/") { normalized.removeLast() }
        if let byMethod = exact[normalized] {
            if let r = Self.pick(byMethod, method) { return .found(r, PathParameters()) }
            return .methodNotAllowed(allowed: Set(byMethod.keys).union(patternedMethods(normalized)).sorted())
        }
        guard !patterned.isEmpty else { return .notFound }
        let segments = Template.segments(normalized)
        var allowed: Set<String> = []
        for (template, byMethod) in patterned {
            guard let parameters = template.match(segments) else { continue }
            if let r = Self.pick(byMethod, method) { return .found(r, parameters) }
            allowed.formUnion(byMethod.keys)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed.sorted())
    }

    /// Whether any route lives at this path (used for CORS preflight).
    public func knows(path: String) -> Bool {
        if case .notFound = match(method: "GET", path: path) { return false }
        return true
    }

    private func patternedMethods(_ path: String) -> Set<String> {
        guard !patterned.isEmpty else { return [] }
        let segments = Template.segments(path)
        var methods: Set<String> = []
        for (template, byMethod) in patterned where template.match(segments) != nil { methods.formUnion(byMethod.keys) }
        return methods
    }

    private static func pick(_ byMethod: [String: Route], _ method: String) -> Route? {
        if let r = byMethod[method] { return r }
        if method == "HEAD" { return byMethod["GET"] }
        return nil
    }

    /// A path template split into literal and parameter segments.
    struct Template: Sendable {
        enum Segment: Sendable {
            case literal(String)
            case parameter(String)
        }
        let segments: [Segment]
        /// Literal segments first (more is more specific), then where the first parameter sits.
        let rank: Int

        init(_ template: String) {
            segments = Self.segments(template).map { part in
                if part.hasPrefix("{"), part.hasSuffix("}"), part.count > 2 {
                    return .parameter(String(part.dropFirst().dropLast()))
                }
                precondition(!part.contains("{") && !part.contains("}"), "a parameter must be a whole segment: \(template)")
                return .literal(String(part))
            }
            let literals = segments.filter { if case .literal = $0 { true } else { false } }.count
            let firstParameter = segments.firstIndex { if case .parameter = $0 { true } else { false } } ?? segments.count
            rank = literals * 100 + firstParameter
        }

        static func segments(_ path: String) -> [Substring] {
            path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0 }
        }

        func match(_ parts: [Substring]) -> PathParameters? {
            guard parts.count == segments.count else { return nil }
            var parameters = PathParameters()
            for (segment, part) in zip(segments, parts) {
                switch segment {
                case .literal(let text):
                    guard part == text else { return nil }
                case .parameter(let name):
                    guard !part.isEmpty else { return nil }
                    parameters.set(name, raw: part)
                }
            }
            return parameters
        }
    }
}

/// The values a request's path gave a route's parameters, percent-decoded. A value that is not
/// valid percent-encoding (a `%` without two hex digits, or bytes that are not UTF-8) is kept
/// as invalid: the app answers 400 VALIDATION_ERROR naming the parameter before the handler runs.
public struct PathParameters: Sendable, Equatable {
    private var values: [String: String] = [:]
    public private(set) var invalid: [String] = []

    public init() {}

    mutating func set(_ name: String, raw: Substring) {
        if let decoded = Self.decode(raw) {
            values[name] = decoded
        } else {
            invalid.append(name)
        }
    }

    /// The decoded value of `name` (nil when the route has no such parameter).
    public subscript(_ name: String) -> String? { values[name] }

    static func decode(_ raw: Substring) -> String? {
        raw.contains("%") ? PercentEncoding.decodeStrictly(raw) : String(raw)
    }
}
