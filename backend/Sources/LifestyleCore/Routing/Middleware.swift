#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A step around the rest of the chain, as in Hummingbird: it may answer by itself or call `next`.
public protocol Middleware: Sendable {
    func handle(_ request: Request, context: RequestContext, next: Responder) async throws -> Response
}

public typealias Responder = @Sendable (Request, RequestContext) async throws -> Response

/// CORS per environment: `*` or one exact origin. A disallowed origin gets no CORS headers; a
/// preflight to a known path answers 204.
public struct CORSMiddleware: Middleware {
    let allowed: String
    let router: Router
    static let allowMethods = "GET, POST, PUT, DELETE, OPTIONS"
    static let allowHeaders = "Authorization, Content-Type, X-Request-ID"

    public init(allowed: String, router: Router) {
        self.allowed = allowed
        self.router = router
    }

    public func handle(_ request: Request, context: RequestContext, next: Responder) async throws -> Response {
        let origin = request.headers["origin"]
        let originAllowed = origin != nil && (allowed == "*" || origin == allowed)
        if request.method == "OPTIONS", request.headers["access-control-request-method"] != nil {
            guard router.knows(path: request.path) else { throw APIError.notFound("No route for \(request.path)") }
            var response = Response(status: 204)
            if originAllowed {
                decorate(&response, origin: origin!)
                response.headers["access-control-allow-methods"] = Self.allowMethods
                response.headers["access-control-allow-headers"] = Self.allowHeaders
                response.headers["access-control-max-age"] = "600"
            }
            return response
        }
        do {
            var response = try await next(request, context)
            if originAllowed { decorate(&response, origin: origin!) }
            return response
        } catch var error as APIError {
            if originAllowed {
                error.headers.append(("access-control-allow-origin", allowed == "*" ? "*" : origin!))
                error.headers.append(("access-control-expose-headers", "X-Request-ID, Retry-After"))
                if allowed != "*" { error.headers.append(("vary", "Origin")) }
            }
            throw error
        }
    }

    private func decorate(_ response: inout Response, origin: String) {
        response.headers["access-control-allow-origin"] = allowed == "*" ? "*" : origin
        response.headers["access-control-expose-headers"] = "X-Request-ID, Retry-After"
        if allowed != "*" { response.headers["vary"] = "Origin" }
    }
}

/// Requires a valid bearer access token on protected routes.
struct AuthMiddleware {
    static func authenticate(_ request: Request, context: RequestContext) async throws -> Principal {
        guard let header = request.headers["authorization"] else {
            throw APIError.unauthorized("Missing Authorization header")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw APIError.unauthorized("Authorization header must be 'Bearer <token>'")
        }
        do {
            return try await context.services.identity.verifyAccessToken(String(parts[1]))
        } catch let error as IdentityError {
            if case .unavailable = error { throw APIError.serviceUnavailable }
            throw APIError.unauthorized("Invalid or expired access token")
        }
    }
}
