public import Logging

/// What one request carries down to every library it reaches without threading parameters
/// through each port: its log metadata (so an AWS client's lines name the request they served)
/// and its deadline (so retries stop where the invocation's time ends). The app sets both
/// around a request (one task-local value); the AWS client reads both.
public enum RequestScope {
    public struct Values: Sendable {
        /// The request's id; nil outside a request.
        public var requestID: String?
        /// Further metadata the transport gave (`aws_request_id` on Lambda).
        public var extra: Logger.Metadata
        public var deadline: ContinuousClock.Instant?
        public init(requestID: String? = nil, extra: Logger.Metadata = [:], deadline: ContinuousClock.Instant? = nil) {
            self.requestID = requestID
            self.extra = extra
            self.deadline = deadline
        }

        /// `request_id` plus `extra`, built when a library logs (not for every request).
        public var metadata: Logger.Metadata {
            var all = extra
            if let requestID { all["request_id"] = .string(requestID) }
            return all
        }
    }

    @TaskLocal public static var current = Values()

    /// Metadata for every log line written while the request runs (`request_id`, `aws_request_id`).
    public static var metadata: Logger.Metadata { current.metadata }
    /// When the answer must be ready (Lambda: the invocation deadline minus the runtime's margin).
    public static var deadline: ContinuousClock.Instant? { current.deadline }
}
