import LifestyleToolkit

/// An error that knows its contract answer. Port errors (`IdentityError`, `UserStoreError`)
/// conform, so a handler calls a port with a plain `try` and the app renders whatever escapes,
/// once, the way Hummingbird renders an `HTTPResponseError`.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}

/// An answer from the contract's error vocabulary. Everything a handler throws ends up as one of
/// these (unknown errors become a 500 INTERNAL_ERROR without details), rendered as the contract's
/// `ErrorResponse` or, for validation failures, `ValidationErrorResponse`.
public struct APIError: Error, Sendable {
    public var status: Int
    public var code: String
    public var message: String
    public var validationErrors: [FieldIssue]
    public var headers: [(String, String)]
    public var details: [String: String]?

    public init(
        status: Int, code: String, message: String, validationErrors: [FieldIssue] = [],
        headers: [(String, String)] = [], details: [String: String]? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.validationErrors = validationErrors
        self.headers = headers
        self.details = details
    }

    public static func validation(_ issues: [FieldIssue], message: String = "Validation failed") -> APIError {
        APIError(status: 400, code: "VALIDATION_ERROR", message: message, validationErrors: issues)
    }
    public static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(status: 400, code: code, message: message)
    }
    public static func unauthorized(_ message: String = "Authentication required") -> APIError {
        APIError(status: 401, code: "UNAUTHORIZED", message: message, headers: [("www-authenticate", "Bearer")])
    }
    /// 409 EMAIL_EXISTS: the email belongs to another account (identity or profile).
    public static let emailExists = APIError.conflict("EMAIL_EXISTS", "An account with this email already exists")
    public static let invalidCredentials = APIError(status: 401, code: "INVALID_CREDENTIALS", message: "Invalid email or password")
    public static let userNotConfirmed = APIError(
        status: 403, code: "USER_NOT_CONFIRMED", message: "Email address has not been verified")
    public static func notFound(_ message: String = "Resource not found") -> APIError {
        APIError(status: 404, code: "NOT_FOUND", message: message)
    }
    public static func conflict(_ code: String, _ message: String) -> APIError {
        APIError(status: 409, code: code, message: message)
    }
    public static func tooManyRequests(retryAfter seconds: Int, _ message: String = "Too many requests, try again later") -> APIError {
        APIError(
            status: 429, code: "RATE_LIMITED", message: message,
            headers: [("retry-after", String(max(1, seconds)))])
    }
    public static let invalidAPIKey = APIError(status: 401, code: "INVALID_API_KEY", message: "A valid API key is required")
    /// With the edge on, a request that reached the API's own hostname instead of the edge's.
    public static let notThroughEdge = APIError(
        status: 403, code: "FORBIDDEN", message: "Requests must use the API's public address")
    public static let serviceUnavailable = APIError(
        status: 503, code: "SERVICE_UNAVAILABLE", message: "A backing service is unavailable, try again later")
    public static let internalError = APIError(status: 500, code: "INTERNAL_ERROR", message: "An unexpected error occurred")
}

public struct FieldIssue: Sendable, Codable, Equatable {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Wire form of the contract's ErrorResponse / ValidationErrorResponse.
struct ErrorBody: Encodable {
    var error: String
    var message: String
    var details: [String: String]?
    var validation_errors: [FieldIssue]?
    var request_id: String
    var timestamp: String
}

extension APIError: APIErrorConvertible {
    public var apiError: APIError { self }
}
