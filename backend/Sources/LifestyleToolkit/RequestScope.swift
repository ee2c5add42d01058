public import Logging

/// What one request carries down to every library it reaches without threading parameters
/// through each port: its log metadata (so an AWS client's lines name the request they served)
/// and its deadline (so retries stop where the invocation's time ends). The app sets both
/// around a request; the log handler and the AWS client read them.
public enum RequestScope {
    /// Metadata for every log line written while the request runs (`request_id`, `aws_request_id`).
    @TaskLocal public static var metadata: Logger.Metadata = [:]
    /// When the answer must be ready (Lambda: the invocation deadline minus the runtime's margin).
    @TaskLocal public static var deadline: ContinuousClock.Instant?

    /// The metadata provider `LoggingSystem.bootstrap` gives the JSON log handler.
    public static let metadataProvider = Logger.MetadataProvider { metadata }
}
