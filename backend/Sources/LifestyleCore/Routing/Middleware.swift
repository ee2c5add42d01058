import LifestyleToolkit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A step around the rest of the chain, as in Hummingbird: it may answer by itself or call `next`.
public protocol APIMiddleware: Sendable {
    func handle(_ request: APIRequest, context: APIContext, next: APIResponder) async throws -> APIResponse
}

public typealias APIResponder = @Sendable (APIRequest, APIContext) async throws -> APIResponse

/// CORS per environment: any origin (`*`) or an exact allow-list. A matching origin is echoed
/// (with `Vary: Origin`); another origin gets no CORS headers, so the browser refuses to hand it
/// the answer. A preflight to a known path answers 204.
public struct CORSMiddleware: APIMiddleware {
    let allowed: CORSAllowList
    let router: APIRouter

    public init(allowed: CORSAllowList, router: APIRouter) {
        self.allowed = allowed
        self.router = router
    }

    public func handle(_ request: APIRequest, context: APIContext, next: APIResponder) async throws -> APIResponse {
        let origin = request.headers["origin"]
        var response: APIResponse
        if request.method == "OPTIONS", request.headers["access-control-request-method"] != nil {
            guard router.knows(path: request.path) else { throw decorated(APIError.notFound("No route for \(request.path)"), origin) }
            response = APIResponse(status: 204)
            if allowed.allowOrigin(for: origin) != nil {
                response.headers["access-control-allow-methods"] = CORSAllowList.allowMethods
                response.headers["access-control-allow-headers"] = CORSAllowList.allowHeaders
                response.headers["access-control-max-age"] = String(CORSAllowList.maxAgeSeconds)
            }
        } else {
            do {
                response = try await next(request, context)
            } catch let error as any APIErrorConvertible {
                throw decorated(error.apiError, origin)
            }
        }
        allowed.decorate(&response.headers, origin: origin)
        return response
    }

    /// Errors are rendered by the app; they carry the CORS headers along.
    private func decorated(_ error: APIError, _ origin: String?) -> APIError {
        var error = error
        var headers = APIHeaders()
        allowed.decorate(&headers, origin: origin)
        for (name, value) in headers { error.headers.append((name, value)) }
        return error
    }
}

/// Requires a valid bearer access token on protected routes.
struct AuthMiddleware {
    static func authenticate(_ request: APIRequest, context: APIContext) async throws -> Principal {
        guard let header = request.headers["authorization"] else {
            throw APIError.unauthorized("Missing Authorization header")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw APIError.unauthorized("Authorization header must be 'Bearer <token>'")
        }
        let principal: Principal
        do {
            principal = try await context.services.tokens.verifyAccessToken(String(parts[1]))
        } catch let error as IdentityError {
            if case .unavailable = error { throw APIError.serviceUnavailable }
            throw APIError.unauthorized("Invalid or expired access token")
        }
        // Every request, cache hit or not: a token issued before the account's last logout,
        // password change or reset, MFA change or deletion is refused.
        let admitted: Bool
        do {
            admitted = try await context.services.revocations.admits(subject: principal.subject, issuedAt: principal.issuedAt)
        } catch {
            throw APIError.serviceUnavailable
        }
        guard admitted else {
            AppMetrics.failure("revoked_token")
            throw APIError.unauthorized("Invalid or expired access token")
        }
        return principal
    }
}
