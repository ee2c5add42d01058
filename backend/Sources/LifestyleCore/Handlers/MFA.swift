import LifestyleToolkit
import QREncoding

/// TOTP two-factor authentication: setup, verify-setup, login verification, disable.
enum MFA {
    static let issuer = "AI Lifestyle"
    /// Codes tried per MFA sign-in (session) and per account in `Session.window`; a success
    /// resets the account's count.
    static let sessionAttemptLimit = 5
    static let accountAttemptLimit = 10

    struct SetupDTO: Encodable {
        var secret: String
        /// The contract's name for the QR image (a PNG data URL)...
        var qrCode: String
        /// ...and the web client's: the same data URL.
        var qrCodeUrl: String
        var otpauthUri: String
        var backupCodes: [String]
    }

    struct StatusDTO: Encodable {
        var mfaEnabled: Bool
        var message: String
        var backupCodesRemaining: Int
    }

    @Sendable static func setup(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        let s = context.services
        let profile = try await Profiles.ensure(principal, context)
        if profile.mfaEnabled { throw IdentityError.mfaAlreadyEnabled.apiError }
        let key = try await context.derivedKey(BackupCodes.purpose)
        let secret = try await s.identity.associateSoftwareToken(principal: principal)
        let codes = BackupCodes.generate()
        let hashes = codes.map { BackupCodes.hash($0, userId: principal.subject, key: key) }
        try await s.users.replaceBackupCodes(userId: principal.subject, hashes: hashes)
        let uri = TOTP.provisioningURI(secretBase32: secret, account: profile.email, issuer: issuer)
        let qr: String
        do {
            qr = try QRCode.pngDataURL(uri, scale: 5)
        } catch {
            throw APIError.internalError
        }
        AppMetrics.event("mfa_setup_started")
        return .json(SetupDTO(secret: secret, qrCode: qr, qrCodeUrl: qr, otpauthUri: uri, backupCodes: codes))
    }

    @Sendable static func verifySetup(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        var f = try Body.object(request)
        let code = Rules.code(&f, "code", f.string("code"), lengths: 6...6)
        try f.check()
        let s = context.services
        var profile = try await Profiles.ensure(principal, context)
        if profile.mfaEnabled { throw IdentityError.mfaAlreadyEnabled.apiError }
        try await s.identity.verifySoftwareToken(principal: principal, code: code!)
        profile.mfaEnabled = true
        profile.updatedAt = s.clock.now()
        try await s.users.updateUser(profile)
        let remaining = try await s.users.unusedBackupCodeCount(userId: principal.subject)
        context.logger.info("mfa enabled", metadata: ["user_id": .string(principal.subject)])
        AppMetrics.event("mfa_enrolled")
        return .json(StatusDTO(mfaEnabled: true, message: "Two-factor authentication enabled", backupCodesRemaining: remaining))
    }

    @Sendable static func verifyLogin(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        var f = try Body.object(request)
        let session = Rules.token(&f, "sessionToken", f.string("sessionToken"))
        let code = Rules.code(&f, "code", f.string("code"), lengths: 6...8)
        if let c = code, c.count == 7 { f.fail("code", "must be a 6-digit TOTP code or an 8-digit backup code") }
        try f.check()
        let users = context.services.users
        let submitted = code!
        // The session is checked first (a token this service did not issue gets one answer and
        // counts against nothing); then each attempt takes a slot per session and per account.
        let identity = context.services.identity
        guard let account = try await identity.mfaChallengeAccount(session: session!) else {
            throw IdentityError.invalidSession.apiError
        }
        let codeKey = try await context.derivedKey(BackupCodes.purpose)
        let limiter = context.services.rateLimiter
        let accountKey = limitKey("mfa-account", account)
        do {
            try await limiter.take(
                limitKey("mfa-session", session!), limit: sessionAttemptLimit, window: Session.window,
                "Too many wrong codes for this sign-in; sign in again")
            try await limiter.take(accountKey, limit: accountAttemptLimit, window: Session.window, "Too many wrong codes, try again later")
        } catch let error as APIError {
            if error.status == 429 { AppMetrics.failure("mfa_throttled") }
            throw error
        }
        let tokens: AuthTokens, subject: String
        do {
            (tokens, subject) = try await identity.respondToMFAChallenge(session: session!, code: submitted) { subject in
                try await users.consumeBackupCode(userId: subject, hash: BackupCodes.hash(submitted, userId: subject, key: codeKey))
            }
        } catch let error as IdentityError {
            if case .codeMismatch = error { AppMetrics.failure("mfa_invalid_code") }
            throw error.apiError
        }
        await limiter.forget(accountKey)
        if submitted.count == 8 {
            context.logger.info("backup code used", metadata: ["user_id": .string(subject)])
            AppMetrics.event("mfa_backup_code_used")
        }
        return try await Session.loggedIn(tokens, subject: subject, context)
    }

    @Sendable static func disable(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        var f = try Body.object(request)
        let password = f.string("password")
        try f.check()
        let s = context.services
        var profile = try await Profiles.ensure(principal, context)
        do {
            try await s.identity.disableMFA(principal: principal, password: password!)
        } catch IdentityError.notAuthorized {
            throw APIError.badRequest("INVALID_PASSWORD", "Invalid password")
        } catch let error as IdentityError {
            throw error.apiError
        }
        profile.mfaEnabled = false
        profile.updatedAt = s.clock.now()
        try await s.users.updateUser(profile)
        try await s.users.replaceBackupCodes(userId: principal.subject, hashes: [])
        context.logger.info("mfa disabled", metadata: ["user_id": .string(principal.subject)])
        AppMetrics.event("mfa_disabled")
        return .json(StatusDTO(mfaEnabled: false, message: "Two-factor authentication disabled", backupCodesRemaining: 0))
    }
}
