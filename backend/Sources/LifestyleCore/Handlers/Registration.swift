import LifestyleToolkit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// POST /auth/register and POST /auth/email/verify.
///
/// Register is all-or-nothing across the identity provider and the user store: the identity is
/// created first; when the profile cannot be written it is removed again (compensation). A crash
/// between the two leaves an unconfirmed identity without a profile: a later register for the same
/// email replaces it (once it is older than `orphanAge`), and verify/login recreate the profile
/// from the identity's attributes.
enum Registration {
    static let orphanAge: TimeInterval = 30

    struct Created: Encodable {
        var userId: String
        var email: String
        var message: String
    }

    @Sendable static func register(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        var f = try Body.object(request)
        let email = Rules.email(&f, "email", f.string("email"))
        let password = Rules.password(&f, "password", f.string("password"))
        let firstName = Rules.name(&f, "firstName", f.string("firstName"))
        let lastName = Rules.name(&f, "lastName", f.string("lastName"))
        try f.check()
        guard let email, let password, let firstName, let lastName else { throw APIError.internalError }
        let s = context.services
        if let address = AddressLimits.limit("register", request, AddressLimits.register, window: AddressLimits.registerWindow) {
            do {
                try await s.rateLimiter.take([address], window: AddressLimits.registerWindow, "Too many registrations, try again later")
            } catch let error as APIError {
                if error.status == 429 { AppMetrics.failure("register_throttled") }
                throw error
            }
        }

        // Two sequential calls on the happy path: the identity (which owns the email: a taken
        // email fails here), then one write of the profile with its email guard.
        let subject: String
        do {
            subject = try await s.identity.signUp(email: email, password: password, givenName: firstName, familyName: lastName)
        } catch IdentityError.usernameExists {
            subject = try await replaceOrphan(email: email, password: password, firstName: firstName, lastName: lastName, context)
        } catch let error as IdentityError {
            throw error.apiError
        }

        let now = s.clock.now()
        let record = UserRecord(
            userId: subject, email: email, firstName: firstName, lastName: lastName, createdAt: now, updatedAt: now)
        do {
            try await writeProfile(record, context)
        } catch {
            // Compensation: nothing orphaned. The identity goes again; the client sees why.
            do {
                try await s.identity.adminDeleteUser(subject: subject)
                context.logger.warning(
                    "register compensated: identity removed after profile write failed", metadata: ["user_id": .string(subject)])
            } catch {
                context.logger.error("register compensation failed; identity left for repair", metadata: ["user_id": .string(subject)])
            }
            if let e = error as? UserStoreError, e == .emailTaken || e == .alreadyExists {
                throw APIError.emailExists
            }
            throw APIError.serviceUnavailable
        }
        context.logger.info("user registered", metadata: ["user_id": .string(subject)])
        AppMetrics.event("registration")
        return .json(
            201,
            Created(
                userId: subject, email: email,
                message: "Registration successful. Please check your email to verify your account."))
    }

    /// Writes the profile and email guard of an identity that exists (just created, or being
    /// repaired). The identity owns its email (identities are unique by email), so a profile of
    /// another user holding the email is the leftover of a failed compensation or of a deletion
    /// that stopped halfway: it is cleared here before one more write.
    static func writeProfile(_ record: UserRecord, _ context: APIContext) async throws {
        let users = context.services.users
        do {
            return try await users.createUser(record)
        } catch UserStoreError.emailTaken {}
        if let stale = try await users.user(email: record.email), stale.userId != record.userId {
            try await users.deleteUser(id: stale.userId)
            context.logger.warning("removed profile without identity", metadata: ["stale_user_id": .string(stale.userId)])
        }
        try await users.createUser(record)
    }

    /// The identity exists. If it is an unconfirmed leftover without a profile (a crash between the
    /// two writes), replace it; otherwise the email is taken.
    static func replaceOrphan(email: String, password: String, firstName: String, lastName: String, _ context: APIContext)
        async throws -> String
    {
        let s = context.services
        guard let existing = try await s.identity.adminGetUser(username: email),
            !existing.confirmed,
            s.clock.now().timeIntervalSince(existing.createdAt) > orphanAge,
            try await s.users.user(id: existing.subject) == nil
        else {
            throw APIError.emailExists
        }
        try await s.identity.adminDeleteUser(subject: existing.subject)
        context.logger.warning("replaced unconfirmed identity without profile", metadata: ["stale_user_id": .string(existing.subject)])
        return try await s.identity.signUp(email: email, password: password, givenName: firstName, familyName: lastName)
    }

    @Sendable static func verifyEmail(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        var f = try Body.object(request)
        let token = Rules.token(&f, "token", f.string("token"))
        try f.check()
        let s = context.services
        let subject = try await TokenCheck.run("verify", request, context) { try await s.identity.confirmSignUp(token: token!) }
        var profile = try await Profiles.ensure(subject: subject, context)
        if !profile.emailVerified {
            profile.emailVerified = true
            profile.updatedAt = s.clock.now()
            try await s.users.updateUser(profile)
        }
        context.logger.info("email verified", metadata: ["user_id": .string(subject)])
        AppMetrics.event("email_verified")
        return .json(MessageDTO(message: "Email verified successfully. You can now log in."))
    }
}

extension Registration {
    static let resendMessage = "If this email belongs to an account that is not verified yet, a new verification email has been sent."

    /// POST /auth/email/resend: a new verification email for an unconfirmed account. The answer
    /// is the same whether the account is unknown, confirmed or unconfirmed.
    @Sendable static func resendVerification(_ request: APIRequest, _ context: APIContext) async throws -> APIResponse {
        try await EmailAction.run(
            request, context, limitKind: "resend", tooMany: "Too many verification email requests, try again later",
            message: resendMessage, event: "verification_email_resent"
        ) { email in try await context.services.identity.resendConfirmation(email: email) }
    }
}

enum Profiles {
    /// The caller's profile. An access token whose account is gone (deleted) is refused.
    static func ensure(_ principal: Principal, _ context: APIContext) async throws -> UserRecord {
        try await ensure(subject: principal.subject, context, missing: .unauthorized("Invalid or expired access token"))
    }

    /// The profile of an identity, recreated from the identity's attributes when a partial failure
    /// left it missing.
    static func ensure(subject: String, _ context: APIContext, missing: APIError = .notFound("User not found")) async throws
        -> UserRecord
    {
        let s = context.services
        if let existing = try await s.users.user(id: subject) { return existing }
        guard let identity = try await s.identity.adminGetUser(username: subject) else {
            throw missing
        }
        let now = s.clock.now()
        let record = UserRecord(
            userId: identity.subject, email: identity.email,
            firstName: identity.givenName.isEmpty ? "-" : identity.givenName,
            lastName: identity.familyName.isEmpty ? "-" : identity.familyName, emailVerified: identity.confirmed,
            mfaEnabled: identity.mfaEnabled, createdAt: identity.createdAt, updatedAt: now)
        do {
            try await Registration.writeProfile(record, context)
            context.logger.warning("profile repaired from identity", metadata: ["user_id": .string(subject)])
        } catch UserStoreError.alreadyExists {
            // A concurrent request repaired it first.
        } catch let error as UserStoreError {
            if error == .emailTaken { throw APIError.emailExists }
            throw APIError.serviceUnavailable
        }
        return try await s.users.user(id: subject) ?? record
    }
}
