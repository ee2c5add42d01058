public import Logging
import Synchronization

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
        /// Counts the calls to backing services made while serving the request (the request's
        /// log line says how many: a route that suddenly makes more calls shows in the logs).
        public var serviceCalls: ServiceCallCounter?
        public init(
            requestID: String? = nil, extra: Logger.Metadata = [:], deadline: ContinuousClock.Instant? = nil,
            serviceCalls: ServiceCallCounter? = nil
        ) {
            self.requestID = requestID
            self.extra = extra
            self.deadline = deadline
            self.serviceCalls = serviceCalls
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
    /// Counts one call (each attempt, retries included) to a backing service for the current request.
    public static func countServiceCall() { current.serviceCalls?.increment() }
}

/// The number of backing-service calls one request made (attempts, retries included).
public final class ServiceCallCounter: Sendable {
    private let count = Atomic<Int>(0)
    public init() {}
    public func increment() { count.add(1, ordering: .relaxed) }
    public var value: Int { count.load(ordering: .relaxed) }
}
