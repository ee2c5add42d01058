import LifestyleToolkit
public import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The whole API as one function from `APIRequest` to `APIResponse`: request id, logging, limits,
/// CORS, routing, authentication, handler, error rendering. Transports only translate.
public struct LifestyleApp: Sendable {
    public let services: Services
    public let router: APIRouter
    let logger: Logger
    let chain: APIResponder

    public init(services: Services, logger: Logger, routes: [Route] = Routes.all, middleware extra: [any APIMiddleware] = []) {
        self.services = services
        self.logger = logger
        let router = APIRouter(basePath: services.config.basePath, routes: routes)
        self.router = router
        let middleware: [any APIMiddleware] = [CORSMiddleware(allowed: services.config.cors, router: router)] + extra
        var responder: APIResponder = { request, context in
            try await Self.dispatch(request, context: context, router: router)
        }
        for m in middleware.reversed() {
            let next = responder
            responder = { request, context in try await m.handle(request, context: context, next: next) }
        }
        self.chain = responder
    }

    /// Answers one request. Never throws: every failure becomes a contract error body.
    public func respond(
        to incoming: APIRequest, deadline: ContinuousClock.Instant? = nil, metadata: Logger.Metadata = [:]
    ) async -> APIResponse {
        await respond(
            to: incoming, deadline: deadline, metadata: metadata, bodyTooLarge: incoming.body.count > services.config.maxBodyBytes)
    }

    /// The 413 answer for a request whose body a transport stopped reading at the limit (the
    /// local server); `request` carries no body.
    public func respondBodyTooLarge(to request: APIRequest, metadata: Logger.Metadata = [:]) async -> APIResponse {
        await respond(to: request, deadline: nil, metadata: metadata, bodyTooLarge: true)
    }

    /// An error answer outside the chain (the Lambda adapter's 504 when an invocation runs out of
    /// time): the client's request id kept, CORS as on every other answer.
    public func errorResponse(_ error: APIError, to request: APIRequest) -> APIResponse {
        let requestID = RequestID.accept(request.headers["x-request-id"]) ?? RequestID.generate()
        var response = Self.render(error, requestID: requestID, now: services.clock.now())
        response.headers["x-request-id"] = requestID
        services.config.cors.decorate(&response.headers, origin: request.headers["origin"])
        return response
    }

    func respond(
        to incoming: APIRequest, deadline: ContinuousClock.Instant?, metadata: Logger.Metadata, bodyTooLarge: Bool
    ) async -> APIResponse {
        let start = ContinuousClock.now
        var request = incoming
        let requestID = RequestID.accept(request.headers["x-request-id"]) ?? RequestID.generate()
        var log = logger
        log[metadataKey: "request_id"] = .string(requestID)
        for (k, v) in metadata { log[metadataKey: k] = v }
        var context = APIContext(requestID: requestID, logger: log, services: services, deadline: deadline)
        let match = router.match(method: request.method, path: request.path)
        context.match = match

        var response: APIResponse
        let serviceCalls = ServiceCallCounter()
        do {
            if bodyTooLarge {
                throw APIError(status: 413, code: "PAYLOAD_TOO_LARGE", message: "Request body exceeds 1 MiB")
            }
            if let edge = services.edge, !Self.isHealth(request, basePath: services.config.basePath) {
                try await edge.admit(&request)
            }
            if let ring = services.apiKeys, !Self.needsNoAPIKey(request, basePath: services.config.basePath) {
                let key = try await Self.apiKey(request, ring)
                log[metadataKey: "api_key"] = .string(key.name)
                context.logger[metadataKey: "api_key"] = .string(key.name)
                AppMetrics.apiKeyUsed(key.name)
            }
            let routed = request
            let scope = RequestScope.Values(
                requestID: requestID, extra: metadata, deadline: deadline, serviceCalls: serviceCalls)
            response = try await RequestScope.$current.withValue(scope) {
                try await chain(routed, context)
            }
        } catch let convertible as any APIErrorConvertible {
            let error = convertible.apiError
            // A backing service (Cognito, DynamoDB, Secrets Manager, the JWKS) did not answer:
            // charted on the dashboard next to the attack counters.
            if error.status == 503 { AppMetrics.failure("dependency_unavailable") }
            response = Self.render(error, requestID: requestID, now: services.clock.now())
            // refused before the CORS middleware ran: a browser must still be able to read why
            if error.code == APIError.invalidAPIKey.code {
                services.config.cors.decorate(&response.headers, origin: request.headers["origin"])
            }
        } catch {
            log.error("unhandled error", metadata: ["error_type": .string(String(describing: type(of: error)))])
            response = Self.render(.internalError, requestID: requestID, now: services.clock.now())
        }
        response.headers["x-request-id"] = requestID
        response.route = Self.routeLabel(match)
        if log.logLevel <= .info {
            let elapsed = ContinuousClock.now - start
            let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
            log.info(
                "request",
                metadata: [
                    "method": .string(request.method), "path": .string(Self.loggablePath(request.path)),
                    "status": .stringConvertible(response.status), "duration_us": .stringConvertible(micros),
                    // AWS calls made by the route (attempts, retries included; the embedded backend makes none)
                    "aws_calls": .stringConvertible(serviceCalls.value),
                ])
        }
        return response
    }

    /// The metric label of a request the app has not answered (the Lambda adapter's 504 fallback).
    public func routeLabel(for request: APIRequest) -> String {
        Self.routeLabel(router.match(method: request.method, path: request.path))
    }

    /// The metric label of a match (see `APIResponse.route`).
    static func routeLabel(_ match: APIRouter.Match) -> String {
        switch match {
        case .found(let route, _): route.template
        case .methodNotAllowed: "method_not_allowed"
        case .notFound: "unmatched"
        }
    }

    /// Renders an error in the contract's ErrorResponse / ValidationErrorResponse shape.
    public static func render(_ error: APIError, requestID: String, now: Date) -> APIResponse {
        let body = ErrorBody(
            error: error.code, message: error.message, details: error.details,
            validation_errors: error.code == "VALIDATION_ERROR" ? error.validationErrors : nil,
            request_id: requestID, timestamp: Timestamp.iso8601(now))
        var response = APIResponse(status: error.status, body: JSON.encode(body))
        response.headers["content-type"] = "application/json"
        for (k, v) in error.headers { response.headers.add(k, v) }
        return response
    }

    static func dispatch(_ request: APIRequest, context: APIContext, router: APIRouter) async throws -> APIResponse {
        switch context.match ?? router.match(method: request.method, path: request.path) {
        case .notFound:
            throw APIError.notFound("No route for \(Self.loggablePath(request.path))")
        case .methodNotAllowed(let allowed):
            throw APIError(
                status: 405, code: "METHOD_NOT_ALLOWED",
                message: "Method \(request.method) is not allowed on this route",
                headers: [("allow", allowed.joined(separator: ", "))])
        case .found(let route, let parameters):
            var context = context
            if case .bearer = route.access {
                context.principal = try await AuthMiddleware.authenticate(request, context: context)
                context.logger[metadataKey: "user_id"] = .string(context.principal!.subject)
            }
            // after authentication: a path parameter that is not valid percent-encoded UTF-8 is
            // the (authenticated) client's mistake
            if !parameters.invalid.isEmpty {
                throw APIError.validation(
                    parameters.invalid.map { FieldIssue(field: $0, message: "is not valid percent-encoded UTF-8") },
                    message: "Invalid path parameter")
            }
            context.parameters = parameters
            var response = try await route.handler(request, context)
            if request.method == "HEAD" { response.body = [] }
            return response
        }
    }

    /// Health (for load balancers and uptime checks) and the CORS preflight (a browser sends no
    /// custom header on it) never need an API key.
    static func needsNoAPIKey(_ request: APIRequest, basePath: String) -> Bool {
        if request.method == "OPTIONS", request.headers["access-control-request-method"] != nil { return true }
        return isHealth(request, basePath: basePath)
    }

    /// Health answers on the API's own hostname even with the edge on, so an uptime check can
    /// tell the function from the edge (it says nothing but "healthy" and the version).
    static func isHealth(_ request: APIRequest, basePath: String) -> Bool {
        (request.method == "GET" || request.method == "HEAD") && request.path == basePath + "/health"
    }

    /// The key `x-api-key` carries: 401 INVALID_API_KEY when missing or unknown (the same answer
    /// either way), 503 while the keys cannot be read.
    static func apiKey(_ request: APIRequest, _ ring: APIKeyRing) async throws(APIError) -> APIKey {
        let keys: [APIKey]
        do {
            keys = try await ring.keys()
        } catch {
            throw APIError.serviceUnavailable
        }
        guard let presented = request.headers["x-api-key"], let key = APIKeys.match(presented, in: keys) else {
            AppMetrics.failure("api_key_invalid")
            throw APIError.invalidAPIKey
        }
        return key
    }

    /// Paths are logged only when they are plain route-like strings, never arbitrary client input.
    static func loggablePath(_ path: String) -> String {
        guard path.utf8.count <= 128,
            path.utf8.allSatisfy({ RequestID.safe($0) || $0 == UInt8(ascii: "/") })
        else { return "<unprintable>" }
        return path
    }
}
