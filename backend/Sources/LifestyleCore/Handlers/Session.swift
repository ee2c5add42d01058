import LifestyleToolkit

/// POST /auth/login and POST /auth/refresh.
enum Session {
    static let failedLoginLimit = 5
    static let window: Duration = .seconds(15 * 60)

    struct LoginDTO: Encodable {
        var accessToken: String?
        var idToken: String?
        var refreshToken: String?
        var expiresIn: Int?
        var tokenType = "Bearer"
        var user: UserProfileDTO?
        /// Only on an MFA challenge (`true`). The web client decides "MFA required" by the key's
        /// presence (`"mfaRequired" in response`), so a login that needs no MFA leaves it out.
        var mfaRequired: Bool?
        var sessionToken: String?
    }

    struct RefreshDTO: Encodable {
        var accessToken: String
        var idToken: String
        var tokenType = "Bearer"
        var expiresIn: Int
    }

    @Sendable static func login(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        var f = try Body.object(request)
        let email = Rules.email(&f, "email", f.string("email"))
        let password = f.string("password")
        try f.check()
        let s = context.services
        let key = limitKey("login", email!)
        let address = AddressLimits.limit("login", request, AddressLimits.login)
        // Every attempt takes a slot first (atomically, shared by all instances); a success gives
        // them back. So concurrent wrong passwords can never get more than the limit through.
        do {
            try await s.rateLimiter.take(
                [address, AttemptLimit(key: key, limit: failedLoginLimit)].compactMap { $0 }, window: window,
                "Too many failed login attempts, try again later")
        } catch let error as APIError {
            if error.status == 429 { AppMetrics.failure("login_throttled") }
            throw error
        }
        let outcome: AuthOutcome
        do {
            outcome = try await s.identity.initiateAuth(email: email!, password: password!)
        } catch IdentityError.notAuthorized, IdentityError.userNotFound {
            AppMetrics.failure("login_invalid_credentials")
            throw APIError.invalidCredentials
        } catch let error as IdentityError {
            if case .userNotConfirmed = error { AppMetrics.failure("login_unconfirmed") }
            throw error.apiError
        }
        // The slots go back while the answer is made (the profile read): one round trip fewer
        // than doing it first. Awaited on every path, so it is never cancelled half-way.
        let limiter = s.rateLimiter
        async let released: Void = {
            await limiter.forget(key)
            if let address { await limiter.giveBack(address.key) }
        }()
        let response: APIResponse
        do {
            switch outcome {
            case .mfaRequired(let session):
                AppMetrics.event("login_mfa_challenge")
                response = .json(LoginDTO(mfaRequired: true, sessionToken: session))
            case .authenticated(let tokens, let subject):
                response = try await loggedIn(tokens, subject: subject, context)
            }
        } catch {
            await released
            throw error
        }
        await released
        return response
    }

    static func loggedIn(_ tokens: AuthTokens, subject: String, _ context: APIContext) async throws -> APIResponse {
        let profile = try await Profiles.ensure(subject: subject, context)
        context.logger.info("user logged in", metadata: ["user_id": .string(subject)])
        AppMetrics.event("login")
        return .json(
            LoginDTO(
                accessToken: tokens.accessToken, idToken: tokens.idToken, refreshToken: tokens.refreshToken,
                expiresIn: tokens.expiresIn, user: UserProfileDTO(profile)))
    }

    @Sendable static func refresh(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        var f = try Body.object(request)
        let token = Rules.token(&f, "refreshToken", f.string("refreshToken"))
        try f.check()
        do {
            let tokens = try await context.services.identity.refresh(refreshToken: token!)
            AppMetrics.event("token_refresh")
            return .json(RefreshDTO(accessToken: tokens.accessToken, idToken: tokens.idToken, expiresIn: tokens.expiresIn))
        } catch let error as IdentityError {
            switch error {
            case .notAuthorized, .invalidToken, .invalidAccessToken, .userNotFound, .expiredCode:
                throw APIError(status: 401, code: "INVALID_REFRESH_TOKEN", message: "Invalid or expired refresh token")
            default: throw error.apiError
            }
        }
    }
}

extension Session {
    /// POST /auth/logout: the refresh token never refreshes again. An unknown or already revoked
    /// token answers the same 204 (revocation is idempotent, RFC 7009).
    @Sendable static func logout(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        var f = try Body.object(request)
        let token = Rules.token(&f, "refreshToken", f.string("refreshToken"))
        try f.check()
        var subject: String?
        do {
            subject = try await context.services.identity.revokeRefreshToken(token!)
        } catch let error as IdentityError {
            if case .unavailable = error { throw APIError.serviceUnavailable }
        }
        // The access tokens end with it (every one of the account's, on every instance: the
        // clients of other sessions refresh on their next 401). A failure answers 503, and the
        // client's retry is harmless (revocation is idempotent).
        if let subject {
            let revocation = try await context.revokeAccessTokens(subject)
            await context.settle(revocation)
        }
        AppMetrics.event("logout")
        return APIResponse(status: 204)
    }
}

/// POST /auth/password/reset-request and /auth/password/reset-confirm.
enum PasswordReset {
    static let genericMessage = "If an account exists for this email, a password reset link has been sent."

    @Sendable static func request(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        try await EmailAction.run(
            request, context, limitKind: "reset", tooMany: "Too many password reset requests, try again later",
            message: genericMessage, event: "password_reset_requested"
        ) { email in try await context.services.identity.forgotPassword(email: email) }
    }

    @Sendable static func confirm(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        var f = try Body.object(request)
        let token = Rules.token(&f, "token", f.string("token"))
        let password = Rules.password(&f, "password", f.string("password"))
        try f.check()
        let subject = try await TokenCheck.run("reset-confirm", request, context) {
            try await context.services.identity.confirmForgotPassword(token: token!, newPassword: password!)
        }
        // The password is reset: a failure to revoke is logged (and the old tokens expire within
        // the hour) rather than answered, so the client never retries a spent link.
        if let revocation = try? await context.revokeAccessTokens(subject) { await context.settle(revocation) }
        context.logger.info("password reset completed")
        AppMetrics.event("password_reset")
        return .json(MessageDTO(message: "Password has been reset. You can now log in with your new password."))
    }
}

/// A request about an email address whose answer must not tell accounts apart (password reset,
/// verification resend): at most `limit` per email in `Session.window`, counted before the
/// account is looked at; the same message whatever the account's state. Only an outage or the
/// identity provider's own throttling shows.
enum EmailAction {
    static let limit = 5

    static func run(
        _ request: APIRequest, _ context: APIContext, limitKind: String, tooMany: String, message: String, event: String,
        _ action: (String) async throws -> Void
    ) async throws -> APIResponse {
        var f = try Body.object(request)
        let email = Rules.email(&f, "email", f.string("email"))
        try f.check()
        let limiter = context.services.rateLimiter
        let key = limitKey(limitKind, email!)
        try await limiter.take(key, limit: limit, window: Session.window, tooMany)
        do {
            try await action(email!)
        } catch let error as IdentityError {
            switch error {
            case .unavailable: throw APIError.serviceUnavailable
            case .tooManyRequests(let wait): throw APIError.tooManyRequests(retryAfter: wait)
            default: break  // Same answer whether or not the account exists.
            }
        }
        AppMetrics.event(event)
        return .json(MessageDTO(message: message))
    }
}

/// An emailed token checked by the identity provider (reset confirmation, email verification):
/// at most `AddressLimits.tokenChecks` failures per client address and, where the token names
/// its account (Cognito's 6-digit codes), `accountLimit` failures per account in
/// `Session.window`; a success gives them back. The embedded provider's tokens are long and
/// random; the limits stop one address, or many, from guessing a short code.
enum TokenCheck {
    static let accountLimit = 10

    static func run<T: Sendable>(
        _ kind: String, _ request: APIRequest, _ context: APIContext, _ body: () async throws -> T
    ) async throws -> T {
        let limiter = context.services.rateLimiter
        var limits: [AttemptLimit] = []
        if let address = AddressLimits.limit(kind, request, AddressLimits.tokenChecks) { limits.append(address) }
        if let token = Self.token(request), let account = context.services.identity.emailTokenAccount(token) {
            limits.append(AttemptLimit(key: limitKey(kind + "-account", account), limit: accountLimit))
        }
        try await limiter.take(limits, window: Session.window, "Too many invalid tokens, try again later")
        let result = try await body()
        for l in limits { await limiter.giveBack(l.key) }
        return result
    }

    /// The body's `token` (already validated by the handler).
    static func token(_ request: APIRequest) -> String? {
        guard var f = try? Body.object(request) else { return nil }
        return f.string("token")
    }
}
