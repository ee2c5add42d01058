import LifestyleToolkit
public import Logging

#if os(Linux)
    import Glibc
#else
    #error("Linux only: this file calls Glibc directly (the Lambda runtime and the local server run on Linux)")
#endif

/// What a handler gets with each invocation besides the event bytes.
public struct InvocationContext: Sendable {
    public var requestID: String
    public var invokedFunctionARN: String
    public var traceID: String?
    /// When the answer must be posted: the Lambda deadline minus the runtime's safety margin.
    public var answerBy: ContinuousClock.Instant
    /// Carries `aws_request_id`.
    public var logger: Logger
}

/// Turns one invocation's JSON event into the JSON result. Throwing reports an invocation error
/// (`/runtime/invocation/{id}/error`); the loop then carries on with the next invocation.
public protocol InvocationHandler: Sendable {
    func handle(_ event: [UInt8], context: InvocationContext) async throws -> [UInt8]

    /// The answer posted instead when `handle` has not returned by `context.answerBy` (called on
    /// the watchdog thread). nil reports a `Runtime.DeadlineExceeded` invocation error.
    func deadlineFallback(_ event: [UInt8], context: InvocationContext) -> [UInt8]?
}

extension InvocationHandler {
    public func deadlineFallback(_ event: [UInt8], context: InvocationContext) -> [UInt8]? { nil }
}

/// An error with an explicit Lambda `errorType` (e.g. `UnsupportedEvent`).
public struct LambdaInvocationError: Error, Sendable, CustomStringConvertible {
    public var type: String
    public var message: String
    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }
    public var description: String { "\(type): \(message)" }
}

/// The runtime loop: next → handle → response/error, until SIGTERM.
///
/// The handler runs inline in the loop's task; a `DeadlineWatchdog` thread posts the handler's
/// `deadlineFallback` (over its own Runtime API connection) if the answer-by instant passes
/// first, and the late result is then dropped.
public struct RuntimeLoop<Handler: InvocationHandler> {
    public let client: RuntimeAPIClient
    let watchdog = DeadlineWatchdog()
    /// Used only by the watchdog thread.
    let fallbackClient: UncheckedBox<RuntimeAPIClient>
    public let handler: Handler
    public let logger: Logger
    /// How long before the Lambda deadline the answer must be posted (at most half the time left).
    public let margin: Duration
    /// Runs after each posted answer (e.g. flushing metrics), before the next long poll.
    public let afterInvocation: @Sendable () -> Void

    public init(
        client: RuntimeAPIClient, handler: Handler, logger: Logger, margin: Duration = .milliseconds(500),
        afterInvocation: @escaping @Sendable () -> Void = {}
    ) {
        self.client = client
        self.fallbackClient = UncheckedBox(RuntimeAPIClient(sameEndpointAs: client))
        self.handler = handler
        self.logger = logger
        self.margin = margin
        self.afterInvocation = afterInvocation
    }

    /// Serves invocations until SIGTERM (returns normally) or until the Runtime API is lost (throws).
    /// `limit` stops after that many invocations (tests).
    public func run(limit: Int? = nil) async throws(RuntimeAPIError) {
        var served = 0
        while !Termination.requested {
            if let limit, served >= limit { return }
            let invocation: Invocation
            do {
                invocation = try await client.next()
            } catch .terminated {
                return
            }
            try await serve(invocation)
            served += 1
            afterInvocation()
        }
    }

    func serve(_ invocation: Invocation) async throws(RuntimeAPIError) {
        if let trace = invocation.traceID {
            setenv("_X_AMZN_TRACE_ID", trace, 1)
        } else {
            unsetenv("_X_AMZN_TRACE_ID")
        }
        var log = logger
        log[metadataKey: "aws_request_id"] = .string(invocation.requestID)
        let context = InvocationContext(
            requestID: invocation.requestID, invokedFunctionARN: invocation.invokedFunctionARN, traceID: invocation.traceID,
            answerBy: Self.answerBy(deadlineMs: invocation.deadlineMs, margin: margin), logger: log)
        let outcome: Result<[UInt8], any Error>
        let token = watchdog.arm(until: context.answerBy) { [handler, fallbackClient, log] in
            let client = fallbackClient.value
            do {
                if let body = handler.deadlineFallback(invocation.body, context: context) {
                    log.warning("answered by the deadline fallback: the handler did not finish in time")
                    try client.respond(requestID: invocation.requestID, body: body)
                } else {
                    log.error("invocation failed", metadata: ["error_type": "Runtime.DeadlineExceeded"])
                    try client.reportError(
                        requestID: invocation.requestID, type: "Runtime.DeadlineExceeded",
                        message: "the handler did not finish before the invocation deadline")
                }
            } catch {
                log.error("could not post the deadline fallback", metadata: ["error": .string("\(error)")])
            }
        }
        do {
            outcome = .success(try await handler.handle(invocation.body, context: context))
        } catch {
            outcome = .failure(error)
        }
        guard watchdog.disarm(token) else {
            log.notice("dropped the late result of an invocation answered by the deadline fallback")
            return
        }
        switch outcome {
        case .success(let body):
            try client.respond(requestID: invocation.requestID, body: body)
        case .failure(let error):
            let type: String, message: String
            if let e = error as? LambdaInvocationError {
                (type, message) = (e.type, e.message)
            } else {
                (type, message) = (String(describing: Swift.type(of: error)), String(describing: error))
            }
            log.error("invocation failed", metadata: ["error_type": .string(type)])
            try client.reportError(requestID: invocation.requestID, type: type, message: message)
        }
    }

    /// The monotonic instant by which the answer must be posted.
    static func answerBy(deadlineMs: Int64, margin: Duration) -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        let left = Duration.milliseconds(max(0, deadlineMs - UnixClock.epochMilliseconds()))
        return now + left - min(margin, left / 2)
    }
}

/// Start-up for a Lambda process: report an init failure and exit, or print why the Runtime API
/// cannot be reached.
public enum LambdaProcess {
    /// Reports `init/error` (best effort), writes one line on stderr and exits non-zero.
    public static func failInit(client: RuntimeAPIClient?, type: String, message: String) -> Never {
        if let client {
            do {
                try client.reportInitError(type: type, message: message)
            } catch {
                stderrLine("api-handler: could not report init error: \(error)")
            }
        }
        stderrLine("api-handler: \(type): \(message)")
        exit(1)
    }

    public static func stderrLine(_ s: String) {
        StandardStream.write(s + "\n", to: 2)
    }
}

/// Hands a non-Sendable value to exactly one other thread (the watchdog's client).
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
