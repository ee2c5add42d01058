import LambdaEvents
public import LambdaRuntime
public import LifestyleCore
import LifestyleToolkit
import Logging
import Metrics

/// The api-handler's Lambda entry point: API Gateway events (payload 1.0 and 2.0) go to the
/// core app, Cognito triggers to `cognito`, anything else is reported as `UnsupportedEvent`.
public struct LifestyleLambdaHandler: InvocationHandler {
    public let app: LifestyleApp
    public let cognito: any CognitoTriggerHandler
    /// The published version this process runs (`AWS_LAMBDA_FUNCTION_VERSION`): the dimension of
    /// `server_errors`, which the canary alarm reads for the version under test only.
    public let version: String

    public init(
        app: LifestyleApp, cognito: any CognitoTriggerHandler = PassThroughCognitoTriggerHandler(), version: String = "$LATEST"
    ) {
        self.app = app
        self.cognito = cognito
        self.version = version
    }

    /// Counts an answer of 500 or more for this version (the function's own; Lambda counts its
    /// crashes and timeouts as `Errors` with the `ExecutedVersion` dimension).
    func countServerError(_ status: Int) {
        if status >= 500 { Counter(label: "server_errors", dimensions: [("version", version)]).increment() }
    }

    public func handle(_ bytes: [UInt8], context: InvocationContext) async throws -> [UInt8] {
        let event = try APIGateway.decode(bytes)
        switch event.kind {
        case .httpV2:
            return try await http(event, version: .v2, context: context)
        case .httpV1:
            return try await http(event, version: .v1, context: context)
        case .cognitoTrigger:
            context.logger.debug("cognito trigger", metadata: ["trigger_source": .string(event.triggerSource ?? "")])
            return try await cognito.handle(bytes)
        case .unsupported:
            throw LambdaInvocationError(
                type: "UnsupportedEvent",
                message: "expected an API Gateway proxy event (payload 1.0 or 2.0) or a Cognito trigger")
        }
    }

    func http(_ event: IncomingEvent, version: APIGateway.Version, context: InvocationContext) async throws -> [UInt8] {
        let request = try APIGateway.request(from: event, version: version)
        let start = ContinuousClock.now
        let metadata: Logger.Metadata = ["aws_request_id": .string(context.requestID)]
        let response = await app.respond(to: request, deadline: context.answerBy, metadata: metadata)
        let elapsed = ContinuousClock.now - start
        Timer(
            label: "request_latency",
            dimensions: [("route", response.route), ("method", request.method), ("status_class", "\(response.status / 100)xx")]
        ).recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        countServerError(response.status)
        return APIGateway.encode(response, as: version)
    }

    /// For an HTTP event not answered in time: the contract's 504 (keeping the client's
    /// X-Request-ID and CORS). Other events get an invocation error.
    public func deadlineFallback(_ event: [UInt8], context: InvocationContext) -> [UInt8]? {
        guard let parsed = try? APIGateway.decode(event) else { return nil }
        let version: APIGateway.Version
        switch parsed.kind {
        case .httpV2: version = .v2
        case .httpV1: version = .v1
        case .cognitoTrigger, .unsupported: return nil
        }
        guard let request = try? APIGateway.request(from: parsed, version: version) else { return nil }
        let response = timeoutResponse(for: request)
        Counter(label: "deadline_fallbacks", dimensions: [("route", app.routeLabel(for: request))]).increment()
        countServerError(response.status)
        return APIGateway.encode(response, as: version)
    }

    /// The contract's 504 for an invocation about to time out, rendered by the app as any other
    /// error answer (the client's X-Request-ID and the CORS headers kept).
    func timeoutResponse(for request: APIRequest) -> APIResponse {
        app.errorResponse(APIError(status: 504, code: "GATEWAY_TIMEOUT", message: "The request did not complete in time"), to: request)
    }
}
