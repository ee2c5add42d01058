// Generated from backend/openapi.yaml by backend/scripts/gen-api.py. Do not edit: change the spec and run
// the script (e2e/static/test_generated_sources.py fails when this file is stale).

/// Every operation of openapi.yaml, named by its operationId, in the document's order.
public enum APIOperation: String, CaseIterable, Sendable {
    /// GET /health: Health check
    case getHealthStatus
    /// POST /auth/register: Register a new (unconfirmed) account and send the verification email
    case registerUser
    /// POST /auth/email/verify: Confirm an account with the emailed verification token
    case verifyEmail
    /// POST /auth/login: Log in with email and password
    case loginUser
    /// POST /auth/refresh: Exchange a refresh token for new access and id tokens
    case refreshToken
    /// POST /auth/logout: Revoke a refresh token (it never refreshes again)
    case logoutUser
    /// POST /auth/email/resend: Send a new verification email (same answer for unknown, confirmed and unconfirmed accounts)
    case resendVerificationEmail
    /// POST /auth/password/change: Change the password (needs the current one); signs every other session out
    case changePassword
    /// POST /auth/password/reset-request: Send a password reset email (same answer whether or not the account exists)
    case requestPasswordReset
    /// POST /auth/password/reset-confirm: Set a new password with the emailed reset token (revokes refresh tokens)
    case confirmPasswordReset
    /// POST /auth/mfa/setup: Start TOTP enrolment
    case setupMfa
    /// POST /auth/mfa/verify-setup: Confirm TOTP enrolment with a first code
    case verifyMfaSetup
    /// POST /auth/mfa/verify: Complete an MFA login with a TOTP or an unused backup code
    case verifyMfa
    /// POST /auth/mfa/disable: Switch TOTP off (needs the password; a current code when sent)
    case disableMfa
    /// GET /users/profile: The caller's profile
    case getUserProfile
    /// PUT /users/profile: Update the caller's profile (fields given are changed; preferences are merged)
    case updateUserProfile
    /// DELETE /users/profile: Delete the caller's account (needs the password)
    case deleteUserAccount

    public var method: String {
        switch self {
        case .getHealthStatus: "GET"
        case .registerUser: "POST"
        case .verifyEmail: "POST"
        case .loginUser: "POST"
        case .refreshToken: "POST"
        case .logoutUser: "POST"
        case .resendVerificationEmail: "POST"
        case .changePassword: "POST"
        case .requestPasswordReset: "POST"
        case .confirmPasswordReset: "POST"
        case .setupMfa: "POST"
        case .verifyMfaSetup: "POST"
        case .verifyMfa: "POST"
        case .disableMfa: "POST"
        case .getUserProfile: "GET"
        case .updateUserProfile: "PUT"
        case .deleteUserAccount: "DELETE"
        }
    }

    public var path: String {
        switch self {
        case .getHealthStatus: "/health"
        case .registerUser: "/auth/register"
        case .verifyEmail: "/auth/email/verify"
        case .loginUser: "/auth/login"
        case .refreshToken: "/auth/refresh"
        case .logoutUser: "/auth/logout"
        case .resendVerificationEmail: "/auth/email/resend"
        case .changePassword: "/auth/password/change"
        case .requestPasswordReset: "/auth/password/reset-request"
        case .confirmPasswordReset: "/auth/password/reset-confirm"
        case .setupMfa: "/auth/mfa/setup"
        case .verifyMfaSetup: "/auth/mfa/verify-setup"
        case .verifyMfa: "/auth/mfa/verify"
        case .disableMfa: "/auth/mfa/disable"
        case .getUserProfile: "/users/profile"
        case .updateUserProfile: "/users/profile"
        case .deleteUserAccount: "/users/profile"
        }
    }

    public var access: Access {
        switch self {
        case .getHealthStatus: .open
        case .registerUser: .open
        case .verifyEmail: .open
        case .loginUser: .open
        case .refreshToken: .open
        case .logoutUser: .open
        case .resendVerificationEmail: .open
        case .changePassword: .bearer
        case .requestPasswordReset: .open
        case .confirmPasswordReset: .open
        case .setupMfa: .bearer
        case .verifyMfaSetup: .bearer
        case .verifyMfa: .open
        case .disableMfa: .bearer
        case .getUserProfile: .bearer
        case .updateUserProfile: .bearer
        case .deleteUserAccount: .bearer
        }
    }
}

/// The handlers of the API, one per operation of openapi.yaml, named by its operationId.
/// `API` conforms (`Handlers/API.swift`), so an operation without a handler does not compile.
public protocol APIHandlers {
    /// GET /health (open): Health check
    static var getHealthStatus: Handler { get }
    /// POST /auth/register (open): Register a new (unconfirmed) account and send the verification email
    static var registerUser: Handler { get }
    /// POST /auth/email/verify (open): Confirm an account with the emailed verification token
    static var verifyEmail: Handler { get }
    /// POST /auth/login (open): Log in with email and password
    static var loginUser: Handler { get }
    /// POST /auth/refresh (open): Exchange a refresh token for new access and id tokens
    static var refreshToken: Handler { get }
    /// POST /auth/logout (open): Revoke a refresh token (it never refreshes again)
    static var logoutUser: Handler { get }
    /// POST /auth/email/resend (open): Send a new verification email (same answer for unknown, confirmed and unconfirmed accounts)
    static var resendVerificationEmail: Handler { get }
    /// POST /auth/password/change (bearer): Change the password (needs the current one); signs every other session out
    static var changePassword: BearerHandler { get }
    /// POST /auth/password/reset-request (open): Send a password reset email (same answer whether or not the account exists)
    static var requestPasswordReset: Handler { get }
    /// POST /auth/password/reset-confirm (open): Set a new password with the emailed reset token (revokes refresh tokens)
    static var confirmPasswordReset: Handler { get }
    /// POST /auth/mfa/setup (bearer): Start TOTP enrolment
    static var setupMfa: BearerHandler { get }
    /// POST /auth/mfa/verify-setup (bearer): Confirm TOTP enrolment with a first code
    static var verifyMfaSetup: BearerHandler { get }
    /// POST /auth/mfa/verify (open): Complete an MFA login with a TOTP or an unused backup code
    static var verifyMfa: Handler { get }
    /// POST /auth/mfa/disable (bearer): Switch TOTP off (needs the password; a current code when sent)
    static var disableMfa: BearerHandler { get }
    /// GET /users/profile (bearer): The caller's profile
    static var getUserProfile: BearerHandler { get }
    /// PUT /users/profile (bearer): Update the caller's profile (fields given are changed; preferences are merged)
    static var updateUserProfile: BearerHandler { get }
    /// DELETE /users/profile (bearer): Delete the caller's account (needs the password)
    static var deleteUserAccount: BearerHandler { get }
}

/// The API's handlers (bound in `Handlers/API.swift`).
public enum API: APIHandlers {}

extension Routes {
    /// The route table: one route per operation of the spec, and nothing else.
    public static let all: [Route] = APIOperation.allCases.map(route)

    static func route(_ operation: APIOperation) -> Route {
        switch operation {
        case .getHealthStatus: Route(operation, API.getHealthStatus)
        case .registerUser: Route(operation, API.registerUser)
        case .verifyEmail: Route(operation, API.verifyEmail)
        case .loginUser: Route(operation, API.loginUser)
        case .refreshToken: Route(operation, API.refreshToken)
        case .logoutUser: Route(operation, API.logoutUser)
        case .resendVerificationEmail: Route(operation, API.resendVerificationEmail)
        case .changePassword: Route(operation, bearer: API.changePassword)
        case .requestPasswordReset: Route(operation, API.requestPasswordReset)
        case .confirmPasswordReset: Route(operation, API.confirmPasswordReset)
        case .setupMfa: Route(operation, bearer: API.setupMfa)
        case .verifyMfaSetup: Route(operation, bearer: API.verifyMfaSetup)
        case .verifyMfa: Route(operation, API.verifyMfa)
        case .disableMfa: Route(operation, bearer: API.disableMfa)
        case .getUserProfile: Route(operation, bearer: API.getUserProfile)
        case .updateUserProfile: Route(operation, bearer: API.updateUserProfile)
        case .deleteUserAccount: Route(operation, bearer: API.deleteUserAccount)
        }
    }
}
