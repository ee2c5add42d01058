import LifestyleToolkit

/// Retry decisions and backoff for AWS calls. Pure and deterministic given a random source,
/// so it is unit tested on its own.
///
/// What is retried (and why):
/// - Throttling error codes (`ThrottlingException`, `ProvisionedThroughputExceededException`,
///   `TooManyRequestsException`, `RequestLimitExceeded`, ...): the service rejected the call
///   *before* executing it, so a retry is safe for every operation, writes included.
/// - HTTP 5xx and transport failures after the request may have been sent (read timeout,
///   connection reset): the call may or may not have been applied, so these are retried only
///   for operations declared idempotent. DynamoDB GetItem/Query/PutItem/DeleteItem are (a Put
///   or Delete replayed leaves the same state; a *conditional* write replayed after success
///   fails with ConditionalCheckFailedException instead of applying twice, which the adapter
///   must treat as "maybe already applied"), TransactWriteItems is made idempotent by its
///   ClientRequestToken, UpdateItem only when it carries a ConditionExpression (an
///   unconditional `ADD`/`SET x = x + 1` would double-apply). Cognito SignUp, ConfirmSignUp,
///   ForgotPassword, ConfirmForgotPassword, VerifySoftwareToken and RespondToAuthChallenge are
///   not retried on 5xx (a replay would fail with UsernameExists / expired code / reuse).
/// - Connect failures (the request never left): always retried.
///
/// What is not retried:
/// - Every other 4xx, including `LimitExceededException`. Botocore counts it as throttling,
///   but for Cognito it means a per-user/per-account quota was hit (e.g. too many
///   ForgotPassword or failed-code attempts; it lasts minutes to hours, and replays only
///   deepen the lockout) and for DynamoDB it concerns control-plane concurrency (CreateTable
///   etc.), never data-plane calls. Neither clears within our sub-second backoff window.
/// - `TransactionCanceledException` (conflicts are reported per item; the adapter decides).
///
/// Backoff: "full jitter" (AWS Architecture Blog): delay = random(0 ... min(maxDelay,
/// baseDelay * 2^retry)). A retry is attempted only while `attempt < maxAttempts` and
/// `now + delay + minimumAttemptTime <= deadline`.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A retry is not started when less than this would remain before the deadline.
    public var minimumAttemptTime: Duration

    public init(
        maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(50), maxDelay: Duration = .seconds(1),
        minimumAttemptTime: Duration = .milliseconds(100)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.minimumAttemptTime = minimumAttemptTime
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1)

    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "RequestThrottled", "SlowDown",
        "EC2ThrottledException", "PriorRequestNotComplete", "TransactionInProgressException",
    ]

    /// Server-side transient codes that may come with a non-5xx status from some endpoints.
    public static let transientCodes: Set<String> = [
        "InternalServerError", "InternalFailure", "InternalErrorException", "ServiceUnavailable",
        "ServiceUnavailableException",
    ]

    public static func isThrottling(code: String) -> Bool { throttlingCodes.contains(code) }

    public static func isTransient(statusCode: Int, code: String) -> Bool {
        (500...599).contains(statusCode) || transientCodes.contains(code)
    }

    /// Whether `error` may be retried (ignoring attempt count and deadline).
    public func isRetryable(_ error: AWSClientError, idempotent: Bool) -> Bool {
        switch error {
        case .service(let e):
            if RetryPolicy.isThrottling(code: e.code) { return true }
            if RetryPolicy.isTransient(statusCode: e.statusCode, code: e.code) { return idempotent }
            return false
        case .transport(let t):
            switch t.kind {
            case .connect: return true
            case .timeout, .connection: return idempotent
            case .other: return false
            }
        case .deadlineExceeded, .serialization, .cancelled:
            return false
        }
    }

    /// Upper bound of the delay before retry number `retry` (0 for the first retry).
    public func backoffCeiling(retry: Int) -> Duration {
        let exponent = min(max(retry, 0), 30)
        let ceiling = baseDelay * (1 << exponent)
        return min(ceiling, maxDelay)
    }

    /// Full-jitter delay before retry number `retry`: uniform in `0...backoffCeiling(retry)`.
    public func backoff<R: RandomNumberGenerator>(retry: Int, using rng: inout R) -> Duration {
        let ceiling = backoffCeiling(retry: retry)
        let ns = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        guard ns > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...ns, using: &rng))
    }

    /// The full decision: after attempt number `attempt` (1-based) failed with `error`,
    /// returns the delay before the next attempt, or nil when the error must be surfaced.
    public func nextDelay<R: RandomNumberGenerator>(
        after error: AWSClientError, attempt: Int, idempotent: Bool,
        now: ContinuousClock.Instant, deadline: ContinuousClock.Instant?, using rng: inout R
    ) -> Duration? {
        guard attempt < maxAttempts, isRetryable(error, idempotent: idempotent) else { return nil }
        let delay = backoff(retry: attempt - 1, using: &rng)
        if let deadline, now.advanced(by: delay + minimumAttemptTime) > deadline { return nil }
        return delay
    }
}
