import LifestyleToolkit

/// The signed-in user's account: POST /auth/password/change and DELETE /users/profile.
enum Account {
    /// Wrong current passwords per account in `Session.window`, shared by both routes: a stolen
    /// access token must not become a password oracle.
    static let passwordCheckLimit = 5

    @Sendable static func changePassword(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        var f = try Body.object(request)
        let current = f.string("currentPassword")
        let new = Rules.password(&f, "newPassword", f.string("newPassword"))
        try f.check()
        try await checkingPassword(principal, context) {
            do {
                try await context.services.identity.changePassword(principal: principal, currentPassword: current!, newPassword: new!)
            } catch IdentityError.invalidPassword(let why) {
                throw APIError.validation([FieldIssue(field: "newPassword", message: why)])
            }
        }
        let revocation = try await context.revokeAccessTokens(principal.subject)
        context.logger.info("password changed", metadata: ["user_id": .string(principal.subject)])
        AppMetrics.event("password_changed")
        await context.settle(revocation)
        return .json(MessageDTO(message: "Password changed. Other sessions have been signed out."))
    }

    /// Deletes the account: journal entries, shares given and received, goals and their activities, identity, profile, MFA data, backup codes
    /// and refresh tokens. Goals go first (a failure answers 503 and a repeated delete finishes);
    /// then all or nothing, like register: the profile goes first (one transaction) and comes back when the
    /// identity cannot be removed, so a failure never leaves a profile without an identity or the
    /// reverse. A crash between the two leaves the identity, whose profile `Profiles.ensure`
    /// recreates at the next sign-in, and a repeated delete finishes the job.
    @Sendable static func delete(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        var f = try Body.object(request)
        let password = f.string("password")
        try f.check()
        let s = context.services
        try await checkingPassword(principal, context) {
            try await s.identity.verifyPassword(principal: principal, password: password!)
        }
        let id = principal.subject
        // the journal, shares, goals, activities and encryption keys first: a deletion that fails after this point is
        // repeated by the next DELETE, which finds them gone; never an identity removed with data left behind
        do {
            try await Journal.deleteAll(context, userId: id)
            try await s.goals.deleteGoals(userId: id)
            try await s.encryptionKeys.deleteKeys(userId: id)
        } catch {
            throw APIError.serviceUnavailable
        }
        let profile = try await s.users.user(id: id)
        let codes = profile == nil ? [] : try await s.users.unusedBackupCodeHashes(userId: id)
        try await s.users.deleteUser(id: id)
        do {
            try await s.identity.adminDeleteUser(subject: id)
        } catch {
            if let profile {
                do {
                    try await s.users.createUser(profile)
                    if !codes.isEmpty { try await s.users.replaceBackupCodes(userId: id, hashes: codes) }
                    context.logger.warning("account deletion undone: identity could not be removed", metadata: ["user_id": .string(id)])
                } catch {
                    context.logger.error(
                        "account deletion half done: profile removed, identity kept (repaired at next sign-in)",
                        metadata: ["user_id": .string(id)])
                }
            }
            throw APIError.serviceUnavailable
        }
        context.logger.info("account deleted", metadata: ["user_id": .string(id)])
        AppMetrics.event("account_deleted")
        // The account is gone (its tokens find no account either); the revocation also covers a
        // new account that could reuse the subject. A failure here is logged, not answered.
        if let revocation = try? await context.revokeAccessTokens(id) { await context.settle(revocation) }
        return APIResponse(status: 204)
    }

    /// Runs a call that checks the caller's current password: `wrong` (401 INVALID_CREDENTIALS)
    /// when it is wrong, 429 after `passwordCheckLimit` wrong ones, 401 when the account is gone.
    static func checkingPassword(
        _ principal: Principal, _ context: APIContext, wrong: APIError = .invalidCredentials, _ body: () async throws -> Void
    ) async throws {
        let limiter = context.services.rateLimiter
        let key = limitKey("password", principal.subject)
        try await limiter.take(key, limit: passwordCheckLimit, window: Session.window, "Too many wrong passwords, try again later")
        do {
            try await body()
        } catch IdentityError.notAuthorized {
            AppMetrics.failure("password_check_invalid")
            throw wrong
        } catch IdentityError.userNotFound {
            throw APIError.unauthorized("Invalid or expired access token")
        } catch let error as IdentityError {
            throw error.apiError
        }
        await limiter.forget(key)
    }
}
