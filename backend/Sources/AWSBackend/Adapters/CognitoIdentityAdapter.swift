import FoundationEssentials
import LifestyleCore
import LifestyleToolkit

/// `IdentityProvider` on an Amazon Cognito user pool (email as username, a confidential app
/// client: every user-flow call carries SECRET_HASH, so only the API can drive SignUp,
/// InitiateAuth, ForgotPassword and the rest). Design notes (docs/aws-design.md):
/// - Emailed tokens are `<base64url(username)>.<code>`: the custom-message trigger writes the link
///   with Cognito's `{####}` placeholder in place of the code, so the token carries exactly what
///   ConfirmSignUp / ConfirmForgotPassword need.
/// - TOTP is the API's own (Cognito's MFA is off): the secret is made here and kept sealed in
///   DynamoDB (`MFASecretStore`), each code's step is accepted once. So no call needs the user's
///   access token, and the pre-token-generation trigger takes the self-service scope out of
///   every access token.
/// - The MFA `sessionToken` seals (AES-GCM with the key id, a key derived from the master key ring) the refresh
///   token of the password step, the username and an expiry; a valid TOTP or backup code turns
///   it into tokens (REFRESH_TOKEN_AUTH). A forged, changed, expired or foreign token is refused
///   before anything is looked up or spent, with one answer whether or not the user exists.
public struct CognitoIdentityAdapter: IdentityProvider {
    let cognito: CognitoIdentityProviderClient
    let verifier: JWKSVerifier
    let secrets: MFASecretStore
    let userPoolId: String
    let clientId: String
    let appSecret: AppSecret
    let clientSecret: ClientSecret
    let clock: any WallClock

    public init(
        cognito: CognitoIdentityProviderClient, verifier: JWKSVerifier, secrets: MFASecretStore, userPoolId: String, clientId: String,
        appSecret: AppSecret, clientSecret: ClientSecret, clock: any WallClock = SystemClock()
    ) {
        self.cognito = cognito
        self.verifier = verifier
        self.secrets = secrets
        self.userPoolId = userPoolId
        self.clientId = clientId
        self.appSecret = appSecret
        self.clientSecret = clientSecret
        self.clock = clock
    }

    /// SECRET_HASH for `username` (as given in the call); nil for a client without a secret.
    /// 503 while the secret cannot be read.
    func hash(_ username: String) async throws -> String? {
        let secret: String?
        do {
            secret = try await clientSecret.value()
        } catch {
            throw IdentityError.unavailable("client secret")
        }
        return secret.map { CognitoIdentityProvider.secretHash(username: username, clientId: clientId, clientSecret: $0) }
    }

    /// `value` sealed for `purpose` under the current master key, bound to the app client;
    /// 503 while the master key cannot be read.
    func seal(_ value: some Encodable, purpose: String, prefix: String) async throws -> String {
        do {
            return prefix
                + Base64URL.encode(try await appSecret.seal(JSON.encode(value), purpose: purpose, associatedData: Array(clientId.utf8)))
        } catch {
            throw IdentityError.unavailable("master key")
        }
    }

    /// What `token` seals, when this service sealed it for `purpose` under a key of the ring (a
    /// forged, changed, foreign or retired token: nil); 503 while the master key cannot be read.
    func open<T: Decodable>(_ token: String, as: T.Type, purpose: String, prefix: String, maxBytes: Int) async throws -> T? {
        guard token.hasPrefix(prefix), token.utf8.count <= maxBytes, let raw = Base64URL.decode(token.dropFirst(prefix.count)) else {
            return nil
        }
        let opened: Opened
        do {
            opened = try await appSecret.open(raw, purpose: purpose, associatedData: Array(clientId.utf8))
        } catch {
            throw IdentityError.unavailable("master key")
        }
        guard let plain = opened.plaintext else { return nil }
        return try? JSON.decode(T.self, from: plain)
    }

    /// The tokens as handed out: the refresh token sealed with the Cognito username it belongs to.
    func issued(_ t: AuthTokens, subject: String) async throws -> AuthTokens {
        var t = t
        if let refresh = t.refreshToken {
            t.refreshToken = try await seal(
                SealedRefreshToken(t: refresh, u: subject), purpose: SealedRefreshToken.purpose, prefix: SealedRefreshToken.prefix)
        }
        return t
    }

    func mfaSession(_ token: String) async throws -> MFASession? {
        guard
            let session = try await open(
                token, as: MFASession.self, purpose: MFASession.purpose, prefix: MFASession.prefix, maxBytes: 8192),
            nowSeconds < session.e
        else { return nil }
        return session
    }

    func refreshToken(_ token: String) async throws -> SealedRefreshToken? {
        try await open(
            token, as: SealedRefreshToken.self, purpose: SealedRefreshToken.purpose, prefix: SealedRefreshToken.prefix, maxBytes: 16384)
    }

    func issued(_ r: CognitoIdentityProvider.AuthenticationResult) async throws -> (AuthTokens, subject: String) {
        let t = try tokens(r)
        let subject = try await subject(of: t.accessToken)
        return (try await issued(t, subject: subject), subject)
    }

    var nowSeconds: Int64 { Int64(clock.now().timeIntervalSince1970) }

    // MARK: sign-up

    public func signUp(email: String, password: String, givenName: String, familyName: String) async throws -> String {
        let secretHash = try await hash(email)
        let out = try await call {
            try await cognito.signUp(
                .init(
                    clientId: clientId, username: email, password: password,
                    // No `email` attribute: the pool's username attribute is the email, so Cognito
                    // sets it from the username, and the app client may not write it.
                    userAttributes: [.init(name: "given_name", value: givenName), .init(name: "family_name", value: familyName)],
                    secretHash: secretHash))
        }
        return out.userSub
    }

    public func confirmSignUp(token: String) async throws -> String {
        guard let (username, code) = EmailToken.decode(token) else { throw IdentityError.invalidToken }
        guard let user = try await adminGetUser(username: username) else { throw IdentityError.invalidToken }
        // A used link must not confirm twice (Cognito answers NotAuthorized for confirmed users).
        if user.confirmed { throw IdentityError.invalidToken }
        do {
            let secretHash = try await hash(username)
            try await call {
                try await cognito.confirmSignUp(
                    .init(clientId: clientId, username: username, confirmationCode: code, secretHash: secretHash))
            }
        } catch IdentityError.codeMismatch, IdentityError.expiredCode, IdentityError.notAuthorized, IdentityError.userNotFound {
            throw IdentityError.invalidToken
        }
        return user.subject
    }

    // MARK: authentication

    /// Cognito checks the password (its own MFA is off); when the user has an active TOTP secret
    /// the tokens are held back: the MFA session seals Cognito's refresh token with the username
    /// and an expiry, and only a valid code turns it into tokens.
    public func initiateAuth(email: String, password: String) async throws -> AuthOutcome {
        let secretHash = try await hash(email)
        let out = try await call {
            try await cognito.initiateAuth(.userPassword(clientId: clientId, username: email, password: password, secretHash: secretHash))
        }
        guard let result = out.authenticationResult else {
            throw IdentityError.unavailable("unsupported challenge \(out.challengeName ?? "none")")
        }
        let tokens = try tokens(result)
        let subject = try await subject(of: tokens.accessToken)
        // Decided by the stored state alone: with MFA on, no tokens without a second factor, even
        // when the secret's seal cannot be opened.
        guard try await secrets.state(userId: subject).isActive else {
            return .authenticated(try await issued(tokens, subject: subject), subject: subject)
        }
        guard let refresh = result.refreshToken else { throw IdentityError.unavailable("no refresh token") }
        let session = MFASession(s: refresh, u: subject, e: nowSeconds + MFASession.lifetime)
        return .mfaRequired(session: try await seal(session, purpose: MFASession.purpose, prefix: MFASession.prefix))
    }

    /// A TOTP code (each step accepted once) or an unused backup code completes the sign-in:
    /// Cognito's refresh token from the session gives the access and id tokens.
    public func respondToMFAChallenge(
        session: String, code: String, consumeBackupCode: @Sendable (String) async throws -> Bool
    ) async throws -> (tokens: AuthTokens, subject: String) {
        // The seal is checked first: nothing is looked up or spent for a token this service did not issue.
        guard let mfa = try await mfaSession(session) else { throw IdentityError.invalidSession }
        guard case .active(let secret) = try await secrets.state(userId: mfa.u) else { throw IdentityError.invalidSession }
        if code.count == 8 {
            guard try await consumeBackupCode(mfa.u) else { throw IdentityError.codeMismatch }
        } else {
            // MFA is on but no key opens the secret: fail closed, loudly (logged and alarmed).
            guard let secret else { throw IdentityError.unavailable("mfa secret unreadable") }
            guard let step = TOTP(secret: secret).validate(code, at: nowSeconds), try await secrets.claim(userId: mfa.u, step: step)
            else { throw IdentityError.codeMismatch }
        }
        let secretHash = try await hash(mfa.u)
        let out: CognitoIdentityProvider.AuthOutput
        do {
            out = try await call {
                try await cognito.initiateAuth(.refreshToken(clientId: clientId, refreshToken: mfa.s, secretHash: secretHash))
            }
        } catch IdentityError.notAuthorized {
            throw IdentityError.invalidSession  // signed out (or deleted) since the first factor
        }
        guard var result = out.authenticationResult else { throw IdentityError.invalidSession }
        result.refreshToken = result.refreshToken ?? mfa.s
        return try await issued(result)
    }

    /// The sealed username (lower-cased), only for a token this service sealed and that has not expired.
    public func mfaChallengeAccount(session: String) async throws -> String? {
        try await mfaSession(session)?.u.lowercased()
    }

    public func refresh(refreshToken: String) async throws -> AuthTokens {
        guard let sealed = try await self.refreshToken(refreshToken) else { throw IdentityError.notAuthorized }
        let secretHash = try await hash(sealed.u)
        let out = try await call {
            try await cognito.initiateAuth(.refreshToken(clientId: clientId, refreshToken: sealed.t, secretHash: secretHash))
        }
        guard let result = out.authenticationResult else { throw IdentityError.notAuthorized }
        return try tokens(result)
    }

    /// RevokeToken: Cognito revokes the refresh token and the access tokens issued from it.
    /// A token Cognito does not know or no longer honours is already as good as revoked.
    @discardableResult
    public func revokeRefreshToken(_ refreshToken: String) async throws -> String? {
        guard let sealed = try await self.refreshToken(refreshToken) else { return nil }
        let secret: String?
        do { secret = try await clientSecret.value() } catch { throw IdentityError.unavailable("client secret") }
        do {
            try await cognito.revokeToken(.init(token: sealed.t, clientId: clientId, clientSecret: secret))
        } catch {
            switch error.serviceError?.code {
            case "UnauthorizedException", "UnsupportedTokenTypeException", "InvalidParameterException", "NotAuthorizedException":
                return sealed.u
            default: throw Self.map(error)
            }
        }
        return sealed.u
    }

    // MARK: the signed-in account

    /// Cognito checks the password: tokens or an MFA challenge both mean it was right.
    public func verifyPassword(principal: Principal, password: String) async throws {
        guard let user = try await adminGetUser(username: principal.subject) else { throw IdentityError.userNotFound }
        let secretHash = try await hash(user.email)
        _ = try await call {
            try await cognito.initiateAuth(
                .userPassword(clientId: clientId, username: user.email, password: password, secretHash: secretHash))
        }
    }

    /// Cognito checks the current password (InitiateAuth), AdminSetUserPassword sets the new one
    /// (the pool's password policy applies), and AdminUserGlobalSignOut revokes every refresh
    /// token issued before. No call uses the user's access token: the tokens the API hands out
    /// carry no scope for Cognito's self-service API.
    public func changePassword(principal: Principal, currentPassword: String, newPassword: String) async throws {
        try await verifyPassword(principal: principal, password: currentPassword)
        try await call {
            try await cognito.adminSetUserPassword(
                .init(userPoolId: userPoolId, username: principal.subject, password: newPassword, permanent: true))
        }
        try await call { try await cognito.adminUserGlobalSignOut(userPoolId: userPoolId, username: principal.subject) }
    }

    /// ResendConfirmationCode: Cognito mails a new code (through the custom-message trigger) to
    /// an unconfirmed user and refuses a confirmed or unknown one; the caller answers the same.
    public func resendConfirmation(email: String) async throws {
        let secretHash = try await hash(email)
        _ = try await call { try await cognito.resendConfirmationCode(.init(clientId: clientId, username: email, secretHash: secretHash)) }
    }

    // MARK: password reset

    public func forgotPassword(email: String) async throws {
        do {
            let secretHash = try await hash(email)
            _ = try await call { try await cognito.forgotPassword(.init(clientId: clientId, username: email, secretHash: secretHash)) }
        } catch IdentityError.userNotFound, IdentityError.notAuthorized, IdentityError.invalidPassword {
            // Same answer whether or not the account exists.
        }
    }

    @discardableResult
    public func confirmForgotPassword(token: String, newPassword: String) async throws -> String {
        guard let (username, code) = EmailToken.decode(token) else { throw IdentityError.invalidToken }
        let secretHash = try await hash(username)
        do {
            try await call {
                try await cognito.confirmForgotPassword(
                    .init(clientId: clientId, username: username, confirmationCode: code, password: newPassword, secretHash: secretHash))
            }
        } catch IdentityError.codeMismatch, IdentityError.expiredCode, IdentityError.userNotFound, IdentityError.notAuthorized {
            throw IdentityError.invalidToken
        }
        // Revoke every refresh token of the user: a reset ends all sessions. The email alias names
        // the user the way it logged in.
        let user = try await adminGetUser(username: username)
        try await call { try await cognito.adminUserGlobalSignOut(userPoolId: userPoolId, username: user?.email ?? username) }
        return user?.subject ?? username
    }

    // MARK: MFA

    /// A new secret, made here (20 random bytes, Base32, as Cognito's were) and stored sealed until
    /// a code from it is verified.
    public func associateSoftwareToken(principal: Principal) async throws -> String {
        if try await secrets.state(userId: principal.subject).isActive { throw IdentityError.mfaAlreadyEnabled }
        let secret = Base32.encode(Random.bytes(20))
        try await secrets.storePending(userId: principal.subject, secret: secret)
        return secret
    }

    public func verifySoftwareToken(principal: Principal, code: String) async throws {
        let state = try await secrets.state(userId: principal.subject)
        if state.isActive { throw IdentityError.mfaAlreadyEnabled }
        guard case .pending(let key?) = state, let step = TOTP(secret: key).validate(code, at: nowSeconds) else {
            throw IdentityError.codeMismatch
        }
        try await secrets.activate(userId: principal.subject, step: step)
    }

    public func disableMFA(principal: Principal, password: String) async throws {
        try await verifyPassword(principal: principal, password: password)
        guard try await secrets.state(userId: principal.subject).isActive else { throw IdentityError.mfaNotEnabled }
        try await secrets.remove(userId: principal.subject)
    }

    public func checkSecondFactor(
        principal: Principal, code: String, consumeBackupCode: @Sendable (String) async throws -> Bool
    ) async throws -> Bool {
        guard case .active(let secret) = try await secrets.state(userId: principal.subject) else { throw IdentityError.mfaNotEnabled }
        if code.count == 8 { return try await consumeBackupCode(principal.subject) }
        guard let secret else { throw IdentityError.unavailable("mfa secret unreadable") }
        guard let step = TOTP(secret: secret).validate(code, at: nowSeconds) else { return false }
        return try await secrets.claim(userId: principal.subject, step: step)
    }

    /// The account an emailed verification or reset token names (for per-account limits on
    /// guessing its 6-digit code), without looking anything up.
    public func emailTokenAccount(_ token: String) -> String? {
        EmailToken.decode(token)?.username.lowercased()
    }

    // MARK: admin

    public func adminGetUser(username: String) async throws -> IdentityUser? {
        let out: CognitoIdentityProvider.AdminGetUserOutput
        do {
            out = try await call { try await cognito.adminGetUser(userPoolId: userPoolId, username: username) }
        } catch IdentityError.userNotFound {
            return nil
        }
        var attrs: [String: String] = [:]
        for a in out.userAttributes { attrs[a.name] = a.value }
        let mfa = (out.userMFASettingList ?? []).contains("SOFTWARE_TOKEN_MFA") || out.preferredMfaSetting == "SOFTWARE_TOKEN_MFA"
        return IdentityUser(
            subject: attrs["sub"] ?? out.username, email: attrs["email"] ?? "",
            confirmed: out.userStatus == "CONFIRMED"
                || out.userStatus == "RESET_REQUIRED",
            mfaEnabled: mfa, givenName: attrs["given_name"] ?? "", familyName: attrs["family_name"] ?? "",
            createdAt: Date(timeIntervalSince1970: out.userCreateDate ?? 0))
    }

    /// The TOTP secret goes first and comes back when Cognito cannot delete the user, so neither
    /// is ever left without the other. Cognito's delete takes the user's tokens with it.
    public func adminDeleteUser(subject: String) async throws {
        let saved = try await secrets.item(userId: subject)
        if saved != nil { try await secrets.remove(userId: subject) }
        do {
            try await call { try await cognito.adminDeleteUser(userPoolId: userPoolId, username: subject) }
        } catch IdentityError.userNotFound {
            // Already gone.
        } catch {
            // The answer can be lost after Cognito deleted the user: look before undoing
            // (a failed lookup counts as "still there").
            var gone = false
            do { gone = try await adminGetUser(username: subject) == nil } catch {}
            if gone { return }
            if let saved { try? await secrets.restore(saved) }
            throw error
        }
    }

    public func verifyAccessToken(_ token: String) async throws -> Principal {
        do {
            let claims = try await verifier.verify(token, expecting: .access, now: clock.now())
            return Principal(
                subject: claims.subject, accessToken: token,
                issuedAt: Int64((claims.issuedAt ?? claims.authTime ?? .distantPast).timeIntervalSince1970))
        } catch {
            if case .jwksUnavailable(let why) = error { throw IdentityError.unavailable(why) }
            throw IdentityError.invalidAccessToken("\(error)")
        }
    }

    // MARK: helpers

    func subject(of accessToken: String) async throws -> String {
        try await verifyAccessToken(accessToken).subject
    }

    func tokens(_ r: CognitoIdentityProvider.AuthenticationResult) throws -> AuthTokens {
        guard let access = r.accessToken, let id = r.idToken else { throw IdentityError.unavailable("incomplete authentication result") }
        return AuthTokens(accessToken: access, idToken: id, refreshToken: r.refreshToken, expiresIn: r.expiresIn ?? 3600)
    }

    /// Runs a Cognito call and maps its errors onto `IdentityError` (docs/aws-design.md, error table).
    func call<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AWSClientError {
            throw Self.map(error)
        }
    }

    static func map(_ error: AWSClientError) -> IdentityError {
        guard let service = error.serviceError else { return .unavailable("transport") }
        switch service.code {
        case "UsernameExistsException", "AliasExistsException": return .usernameExists
        case "NotAuthorizedException": return .notAuthorized
        case "UserNotConfirmedException": return .userNotConfirmed
        case "UserNotFoundException": return .userNotFound
        case "CodeMismatchException", "EnableSoftwareTokenMFAException": return .codeMismatch
        case "ExpiredCodeException": return .expiredCode
        case "InvalidPasswordException":
            return .invalidPassword(service.message.isEmpty ? "does not meet the password policy" : service.message)
        case "TooManyRequestsException", "LimitExceededException", "TooManyFailedAttemptsException", "CodeDeliveryFailureException":
            return .tooManyRequests(retryAfter: 60)
        case "PasswordResetRequiredException": return .notAuthorized
        case "InvalidParameterException": return .invalidPassword(service.message)
        default: return .unavailable(service.code)
        }
    }
}

/// `<base64url(username)>.<code>`: what an emailed verification or reset link carries.
public enum EmailToken {
    public static let codePlaceholder = "{####}"

    /// The token as written into the email by the custom-message trigger: Cognito replaces the
    /// placeholder with the code.
    public static func template(username: String) -> String {
        Base64URL.encode(Array(username.utf8)) + "." + codePlaceholder
    }

    public static func make(username: String, code: String) -> String {
        Base64URL.encode(Array(username.utf8)) + "." + code
    }

    public static func decode(_ token: String) -> (username: String, code: String)? {
        guard let dot = token.lastIndex(of: "."), token.utf8.count < 2048 else { return nil }
        let code = String(token[token.index(after: dot)...])
        guard let raw = Base64URL.decode(token[..<dot]), !raw.isEmpty, !code.isEmpty, code.count <= 64,
            code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ":") })
        else { return nil }
        let username = String(decoding: raw, as: UTF8.self)
        guard !username.contains(where: { $0.isNewline }) else { return nil }
        return (username, code)
    }
}

/// What an MFA `sessionToken` carries, sealed: the password step's Cognito refresh token `s`, the
/// Cognito username `u` and the expiry `e` (Unix seconds, 3 minutes as Cognito's own sessions).
/// The app client id is the associated data, so a token of another client (or environment) does
/// not open. `v2.`: sealed with a key id (sessions of the release before, `v1.`, are refused).
struct MFASession: Codable {
    var s: String
    var u: String
    var e: Int64

    static let purpose = "mfa-session/v1"
    static let lifetime: Int64 = 180
    static let prefix = "v2."
}
