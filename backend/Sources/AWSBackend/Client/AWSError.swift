import FoundationEssentials
import LifestyleCore
import LifestyleToolkit

/// An error returned by an AWS service (a non-2xx response with an AWS JSON error body).
public struct AWSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error code with any namespace prefix (`com.amazonaws...#`) removed,
    /// e.g. `ConditionalCheckFailedException`, `NotAuthorizedException`.
    public var code: String
    /// The service's message (never contains our credentials: it is scrubbed).
    public var message: String
    /// HTTP status code of the response.
    public var statusCode: Int
    /// `x-amzn-RequestId` of the response, when present.
    public var requestId: String?
    /// DynamoDB `TransactionCanceledException` reasons, one per transaction item, in order.
    public var cancellationReasons: [CancellationReason]?

    public struct CancellationReason: Sendable, Hashable, Codable {
        /// e.g. `None`, `ConditionalCheckFailed`, `TransactionConflict`, `ItemCollectionSizeLimitExceeded`.
        public var code: String?
        public var message: String?
        enum CodingKeys: String, CodingKey { case code = "Code", message = "Message" }
        public init(code: String?, message: String?) { self.code = code; self.message = message }
    }

    public init(code: String, message: String, statusCode: Int, requestId: String? = nil, cancellationReasons: [CancellationReason]? = nil)
    {
        self.code = code
        self.message = message
        self.statusCode = statusCode
        self.requestId = requestId
        self.cancellationReasons = cancellationReasons
    }

    /// True for throttling codes and 5xx statuses (see `RetryPolicy`).
    public var isRetryable: Bool { RetryPolicy.isThrottling(code: code) || RetryPolicy.isTransient(statusCode: statusCode, code: code) }
    public var isThrottling: Bool { RetryPolicy.isThrottling(code: code) }

    public var description: String {
        "AWSError(\(code), status: \(statusCode), message: \(message)\(requestId.map { ", requestId: \($0)" } ?? ""))"
    }

    /// Strips an AWS error-type namespace: `aws.protocoltests#FooError` -> `FooError`,
    /// and the `:http://internal.amazon.com/...` suffix of `x-amzn-ErrorType` headers.
    public static func sanitizeCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        return code.trimmingWhitespace()
    }

    private struct Body: Decodable {
        var type: String?
        var code: String?
        var message: String?
        var Message: String?
        var errorMessage: String?
        var CancellationReasons: [CancellationReason]?
        enum CodingKeys: String, CodingKey { case type = "__type", code, message, Message, errorMessage, CancellationReasons }
    }

    /// Parses an AWS JSON 1.0/1.1 error response.
    /// - Parameters:
    ///   - errorTypeHeader: value of `x-amzn-ErrorType`, used when the body has no `__type`.
    public static func parse(statusCode: Int, body: [UInt8], errorTypeHeader: String? = nil, requestId: String? = nil) -> AWSError {
        let decoded = try? JSONDecoder().decode(Body.self, from: Data(body))
        let rawCode = decoded?.type ?? decoded?.code ?? errorTypeHeader
        let code: String
        if let rawCode, !sanitizeCode(rawCode).isEmpty {
            code = sanitizeCode(rawCode)
        } else {
            code = statusCode >= 500 ? "InternalServerError" : "UnknownError(HTTP \(statusCode))"
        }
        var message = decoded?.message ?? decoded?.Message ?? decoded?.errorMessage ?? ""
        if decoded == nil, let xml = parseXMLError(body) {
            // Query-protocol style XML error (moto answers auth failures this way).
            return AWSError(code: sanitizeCode(xml.code), message: xml.message, statusCode: statusCode, requestId: requestId)
        }
        if decoded == nil && !body.isEmpty {
            // Not JSON (e.g. a proxy's HTML page): keep a short, printable excerpt.
            message = String(decoding: body.prefix(200), as: UTF8.self)
        }
        return AWSError(
            code: code, message: message, statusCode: statusCode, requestId: requestId, cancellationReasons: decoded?.CancellationReasons)
    }
}

/// Extracts `<Code>` and `<Message>` from an XML `ErrorResponse` body.
func parseXMLError(_ body: [UInt8]) -> (code: String, message: String)? {
    guard body.count < 64 * 1024 else { return nil }
    let text = String(decoding: body, as: UTF8.self)
    func element(_ name: String) -> String? {
        guard let open = text.firstRange(of: "<\(name)>"),
            let close = text[open.upperBound...].firstRange(of: "</\(name)>")
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
    guard let code = element("Code"), !code.isEmpty else { return nil }
    return (code, element("Message") ?? "")
}

/// A transport level failure: no (complete) HTTP response was received.
public struct AWSTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The connection could not be established: the request was certainly not sent.
        case connect
        /// The attempt timed out after the request may have been sent.
        case timeout
        /// The connection failed after the request may have been sent.
        case connection
        /// Anything else (TLS, invalid URL...).
        case other
    }
    public var kind: Kind
    /// A description of the underlying error (no headers, no credentials).
    public var detail: String

    public init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "AWSTransportError(\(kind.rawValue): \(detail))" }
}

/// Everything `AWSJSONClient` can throw.
public enum AWSClientError: Error, Sendable, CustomStringConvertible {
    /// The service answered with an error.
    case service(AWSError)
    /// No usable response (connect failure, timeout, reset). `attempts` were made.
    case transport(AWSTransportError)
    /// The caller's deadline passed (or would pass) before a response could be obtained.
    /// `lastError` is the last failure seen, if any attempt was made.
    case deadlineExceeded(lastError: String?)
    /// A 2xx response whose body could not be decoded, or a request that could not be encoded.
    case serialization(String)
    /// The task was cancelled.
    case cancelled

    /// The service error, if this is one.
    public var serviceError: AWSError? {
        if case .service(let e) = self { return e }
        return nil
    }

    /// The service error code, if this is a service error.
    public var code: String? { serviceError?.code }

    public var description: String {
        switch self {
        case .service(let e): return e.description
        case .transport(let e): return e.description
        case .deadlineExceeded(let last): return "AWSClientError.deadlineExceeded(last: \(last ?? "none"))"
        case .serialization(let s): return "AWSClientError.serialization(\(s))"
        case .cancelled: return "AWSClientError.cancelled"
        }
    }
}
