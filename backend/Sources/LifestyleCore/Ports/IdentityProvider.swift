import LifestyleToolkit

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// What bearer authentication needs, and all it needs: an access token in, the principal out
/// (`IdentityError.invalidAccessToken` when the token is not good, `.unavailable` when the keys
/// cannot be read).
public protocol AccessTokenVerifier: Sendable {
    /// Verifies a bearer access token (signature, issuer, token use, client, expiry).
    func verifyAccessToken(_ token: String) async throws -> Principal
}

/// Identity, shaped like Amazon Cognito's user pool API so the embedded provider and the Cognito
/// adapter behave the same. Every method throws `IdentityError` for the outcomes a client sees.
public protocol IdentityProvider: AccessTokenVerifier {
    /// Creates an unconfirmed account and sends the verification email. Returns the subject.
    func signUp(email: String, password: String, givenName: String, familyName: String) async throws -> String
    /// Confirms the account named by the emailed verification token. Returns the subject.
    func confirmSignUp(token: String) async throws -> String
    func initiateAuth(email: String, password: String) async throws -> AuthOutcome
    /// Completes an MFA login with a 6-digit TOTP, or an 8-digit backup code that `consumeBackupCode`
    /// (called with the subject) accepts and spends.
    func respondToMFAChallenge(
        session: String, code: String, consumeBackupCode: @Sendable (String) async throws -> Bool
    ) async throws -> (tokens: AuthTokens, subject: String)
    /// The account an MFA challenge `session` belongs to (a stable id for attempt limits), or
    /// nil when the session is not one this provider issued, or has ended. Looks nothing up for
    /// a token it did not issue.
    func mfaChallengeAccount(session: String) async throws -> String?
    func refresh(refreshToken: String) async throws -> AuthTokens
    /// Revokes one refresh token (logout) and names the account it belonged to (nil for a token
    /// this provider did not issue); an unknown or already revoked token is not an error.
    @discardableResult
    func revokeRefreshToken(_ refreshToken: String) async throws -> String?
    /// Checks the password of the principal's account; `.notAuthorized` when it is wrong.
    func verifyPassword(principal: Principal, password: String) async throws
    /// Sets a new password after checking the current one (`.notAuthorized` when wrong) and
    /// revokes every refresh token issued before.
    func changePassword(principal: Principal, currentPassword: String, newPassword: String) async throws
    /// Sends a new verification email to an unconfirmed account; silent for an unknown or a
    /// confirmed one (the caller answers the same either way).
    func resendConfirmation(email: String) async throws
    /// Sends a reset email when the account exists; silent otherwise.
    func forgotPassword(email: String) async throws
    /// Sets a new password from an emailed reset token and revokes the user's refresh tokens.
    /// Returns the subject.
    @discardableResult
    func confirmForgotPassword(token: String, newPassword: String) async throws -> String
    /// Starts TOTP enrolment; returns the base32 secret. Throws `.mfaAlreadyEnabled`.
    func associateSoftwareToken(principal: Principal) async throws -> String
    /// Verifies the first TOTP code and switches MFA on.
    func verifySoftwareToken(principal: Principal, code: String) async throws
    /// Checks the password and switches MFA off.
    func disableMFA(principal: Principal, password: String) async throws
    /// Checks a second factor of the principal's (a TOTP code, each step accepted once, or an
    /// 8-digit backup code that `consumeBackupCode` accepts and spends): false when wrong,
    /// `.mfaNotEnabled` without MFA, `.unavailable` when the secret cannot be opened.
    func checkSecondFactor(principal: Principal, code: String, consumeBackupCode: @Sendable (String) async throws -> Bool) async throws
        -> Bool
    /// The account an emailed verification or reset token names, when the token says it (Cognito's
    /// `<username>.<6-digit code>`), for per-account limits; nil for tokens too long to guess.
    func emailTokenAccount(_ token: String) -> String?
    /// Looks an account up by email or subject (for repairs after a partial failure).
    func adminGetUser(username: String) async throws -> IdentityUser?
    /// Removes an account with its credentials, MFA data and tokens, all or nothing (account
    /// deletion, and compensation when a profile could not be written). Gone already: no error.
    func adminDeleteUser(subject: String) async throws
}

public struct AuthTokens: Sendable, Equatable {
    public var accessToken: String
    public var idToken: String
    public var refreshToken: String?
    public var expiresIn: Int
    public init(accessToken: String, idToken: String, refreshToken: String?, expiresIn: Int) {
        self.accessToken = accessToken
        self.idToken = idToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
    }
}

public enum AuthOutcome: Sendable {
    case authenticated(AuthTokens, subject: String)
    case mfaRequired(session: String)
}

public struct IdentityUser: Sendable, Equatable {
    public var createdAt: Date
    public var subject: String
    public var email: String
    public var confirmed: Bool
    public var mfaEnabled: Bool
    public var givenName: String
    public var familyName: String
    public init(
        subject: String, email: String, confirmed: Bool, mfaEnabled: Bool, givenName: String, familyName: String,
        createdAt: Date
    ) {
        self.createdAt = createdAt
        self.subject = subject
        self.email = email
        self.confirmed = confirmed
        self.mfaEnabled = mfaEnabled
        self.givenName = givenName
        self.familyName = familyName
    }
}

/// The authenticated caller of a protected route.
public struct Principal: Sendable, Equatable {
    public var subject: String
    public var accessToken: String
    /// The token's `iat` (Unix seconds), checked against the account's revocations.
    public var issuedAt: Int64
    public init(subject: String, accessToken: String, issuedAt: Int64) {
        self.subject = subject
        self.accessToken = accessToken
        self.issuedAt = issuedAt
    }
}

public enum IdentityError: Error, Sendable, Equatable {
    case usernameExists
    case notAuthorized
    case userNotConfirmed
    case userNotFound
    case codeMismatch
    case expiredCode
    /// An emailed verification or reset token that is unknown, used or expired.
    case invalidToken
    case invalidPassword(String)
    case invalidSession
    case mfaAlreadyEnabled
    case mfaNotEnabled
    case tooManyRequests(retryAfter: Int)
    case invalidAccessToken(String)
    case unavailable(String)
}
