import LifestyleToolkit

/// GET /users/by-email/{email} and GET /users/{userId}: who another user is, to share with them.
/// The answer is the contract's `UserBasicInfo` and nothing more; only verified accounts are
/// found, and each caller has a budget of lookups, so the operations are no enumeration oracle.
enum Users {
    /// Lookups (by email and by id together) per caller in `window`.
    static let lookups = 30
    static let window: Duration = .seconds(15 * 60)

    struct BasicInfoDTO: Encodable {
        var userId: String
        var email: String
        var username: String?
    }

    @Sendable static func byEmail(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: GetUserByEmailParameters)
        async throws -> APIResponse
    {
        try await budget(context, principal)
        return try answer(try await context.services.users.user(email: EmailAddress.normalize(p.email)))
    }

    @Sendable static func byId(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: GetUserByIdParameters)
        async throws -> APIResponse
    {
        try await budget(context, principal)
        return try answer(try await context.services.users.user(id: p.userId.lowercased()))
    }

    /// One lookup from the caller's budget (429 with Retry-After when it is spent). Every lookup
    /// counts, found or not: a budget only for misses would still let a caller confirm addresses.
    static func budget(_ context: APIContext, _ principal: Principal) async throws {
        try await context.services.rateLimiter.take(
            limitKey("user-lookup", principal.subject), limit: lookups, window: window, "Too many user lookups, try again later")
    }

    static func answer(_ user: UserRecord?) throws -> APIResponse {
        guard let user, user.emailVerified else { throw APIError(status: 404, code: "USER_NOT_FOUND", message: "User not found") }
        let name = [user.firstName, user.lastName].filter { !$0.isEmpty }.joined(separator: " ")
        return .json(BasicInfoDTO(userId: user.userId, email: user.email, username: name.isEmpty ? nil : name))
    }
}
