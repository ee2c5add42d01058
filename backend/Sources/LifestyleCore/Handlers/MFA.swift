import LifestyleToolkit
import QREncoding

/// TOTP two-factor authentication: setup, verify-setup, login verification, disable.
enum MFA {
    static let issuer = "AI Lifestyle"
    /// Codes tried per MFA sign-in (session) in `Session.window`.
    static let sessionAttemptLimit = 5
    /// Wrong codes per account, a growing lock-out: 10 codes, then a wait to the end of 15
    /// minutes; 15 codes in an hour; 20 in four hours; 30 in a day (the longest wait, 24 h). Each
    /// code takes a slot of every tier, so a guesser gets at most 30 codes a day (about 3 % a
    /// year against a 6-digit code with one step of skew), where one fixed window of 10 per 15
    /// minutes gave 960 (about 50 % in 8 months). The owner's next correct factor clears them all.
    static let accountTiers: [(limit: Int, window: Duration)] = [
        (10, .seconds(15 * 60)), (15, .seconds(3600)), (20, .seconds(4 * 3600)), (30, .seconds(24 * 3600)),
    ]
    /// How long a used MFA session is remembered as used (longer than it lives).
    static let usedSessionMemory: Duration = .seconds(300)

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
        let revocation = try await context.revokeAccessTokens(principal.subject)
        profile.mfaEnabled = true
        profile.updatedAt = s.clock.now()
        try await s.users.updateUser(profile)
        let remaining = try await s.users.unusedBackupCodeCount(userId: principal.subject)
        context.logger.info("mfa enabled", metadata: ["user_id": .string(principal.subject)])
        AppMetrics.event("mfa_enrolled")
        await context.settle(revocation)
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
        let codeKeys = try await context.derivedKeys(BackupCodes.purpose)
        let limiter = context.services.rateLimiter
        do {
            try await limiter.take(
                limitKey("mfa-session", session!), limit: sessionAttemptLimit, window: Session.window,
                "Too many wrong codes for this sign-in; sign in again")
            try await takeAccountAttempt(account, context)
        } catch let error as APIError {
            if error.status == 429 { AppMetrics.failure("mfa_throttled") }
            throw error
        }
        // An MFA session completes one sign-in: it is claimed before the code is checked (so a
        // replay, even with another valid code, spends nothing) and given back when the code is wrong.
        let used = limitKey("mfa-session-used", session!)
        do {
            if try await limiter.acquire(key: used, limit: 1, window: usedSessionMemory) != nil {
                throw IdentityError.invalidSession.apiError
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.serviceUnavailable
        }
        let tokens: AuthTokens, subject: String
        do {
            (tokens, subject) = try await identity.respondToMFAChallenge(session: session!, code: submitted) { subject in
                try await BackupCodes.consume(submitted, userId: subject, keys: codeKeys, users: users)
            }
        } catch {
            await limiter.forget(used)  // not used up: the sign-in did not complete
            guard let error = error as? IdentityError else { throw error }
            if case .codeMismatch = error { AppMetrics.failure("mfa_invalid_code") }
            throw error.apiError
        }
        await forgetAccountAttempts(account, context)
        if submitted.count == 8 {
            context.logger.info("backup code used", metadata: ["user_id": .string(subject)])
            AppMetrics.event("mfa_backup_code_used")
        }
        return try await Session.loggedIn(tokens, subject: subject, context)
    }

    /// Switches MFA off. The password is checked under the account's password limit (shared
    /// with password change and account deletion: a stolen access token is no password oracle);
    /// an optional `code` (the current TOTP code or a backup code) is checked too when sent,
    /// under the account's MFA limits. Every access token issued before ends.
    @Sendable static func disable(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        var f = try Body.object(request)
        let password = f.string("password")
        let code = f.has("code") ? Rules.code(&f, "code", f.string("code"), lengths: 6...8) : nil
        if let c = code, c.count == 7 { f.fail("code", "must be a 6-digit TOTP code or an 8-digit backup code") }
        try f.check()
        let s = context.services
        var profile = try await Profiles.ensure(principal, context)
        try await Account.checkingPassword(principal, context, wrong: APIError.badRequest("INVALID_PASSWORD", "Invalid password")) {
            try await s.identity.verifyPassword(principal: principal, password: password!)
        }
        if let code {
            let account = principal.subject.lowercased()
            try await takeAccountAttempt(account, context)
            let codeKeys = try await context.derivedKeys(BackupCodes.purpose)
            let users = s.users
            let good: Bool
            do {
                good = try await s.identity.checkSecondFactor(principal: principal, code: code) { subject in
                    try await BackupCodes.consume(code, userId: subject, keys: codeKeys, users: users)
                }
            } catch let error as IdentityError {
                throw error.apiError
            }
            guard good else {
                AppMetrics.failure("mfa_invalid_code")
                throw IdentityError.codeMismatch.apiError
            }
            await forgetAccountAttempts(account, context)
        }
        let revocation = try await context.revokeAccessTokens(principal.subject)
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
        await context.settle(revocation)
        return .json(StatusDTO(mfaEnabled: false, message: "Two-factor authentication disabled", backupCodesRemaining: 0))
    }

    /// Takes one code attempt from every tier of the account's MFA limits (429 with the wait of
    /// the longest tier that refuses; the tiers already taken are given back).
    static func takeAccountAttempt(_ account: String, _ context: APIContext) async throws {
        let limiter = context.services.rateLimiter
        try await limiter.take(
            // Longest tier first: a refusal names the longest wait that applies.
            accountTiers.enumerated().reversed().map {
                AttemptLimit(key: limitKey("mfa-account-\($0.offset)", account), limit: $0.element.limit, window: $0.element.window)
            },
            window: Session.window, "Too many wrong codes, try again later")
    }

    /// The owner's correct factor clears the account's MFA limits.
    static func forgetAccountAttempts(_ account: String, _ context: APIContext) async {
        for i in accountTiers.indices { await context.services.rateLimiter.forget(limitKey("mfa-account-\(i)", account)) }
    }
}
