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
    /// GET /users/by-email/{email}: Another user's id and email, found by their email (to share with them)
    case getUserByEmail
    /// GET /users/{userId}: Another user's id and email, by id
    case getUserById
    /// POST /encryption/setup: Store the caller's encryption keys (once)
    case setupEncryption
    /// GET /encryption/check/{userId}: Whether a user has set up encryption (an unknown user has not)
    case checkUserEncryption
    /// GET /encryption/user/{userId}: A user's public key; for the caller's own id also the sealed private key and salt
    case getUserEncryption
    /// POST /encryption/recovery: Store the caller's recovery material, sealed on the client (served beside the contract, as the original did)
    case setupEncryptionRecovery
    /// DELETE /encryption/keys: Delete the caller's keys and recovery material (a key reset; served beside the contract, as the original did)
    case resetEncryptionKeys
    /// GET /goals: The caller's goals, filtered, sorted and paged (archived ones only when asked for)
    case listGoals
    /// POST /goals: Create a goal (any of the five patterns)
    case createGoal
    /// GET /goals/{goalId}: One of the caller's goals
    case getGoal
    /// PUT /goals/{goalId}: Change a goal (fields given are changed; a partial target is merged)
    case updateGoal
    /// DELETE /goals/{goalId}: Archive a goal (it stays readable, with status archived, and leaves the default list)
    case archiveGoal
    /// GET /goals/{goalId}/activities: A goal's activities, newest day first, paged
    case listGoalActivities
    /// POST /goals/{goalId}/activities: Log an activity; the goal's progress is updated with it
    case logGoalActivity
    /// GET /goals/{goalId}/progress: A goal's progress, statistics and insights
    case getGoalProgress
    /// GET /journal: The caller's journal, newest first, or what is shared with them or by them
    case listJournalEntries
    /// POST /journal: Write a journal entry (plain, or encrypted on the client)
    case createJournalEntry
    /// GET /journal/stats: The caller's journal statistics (kept up to date by every write)
    case getJournalStats
    /// GET /journal/{entryId}: One of the caller's entries, or an entry shared with them
    case getJournalEntry
    /// PUT /journal/{entryId}: Change one of the caller's entries (fields given are changed)
    case updateJournalEntry
    /// DELETE /journal/{entryId}: Delete one of the caller's entries and every share of it
    case deleteJournalEntry
    /// GET /shares: Shares the caller gave and received, newest first
    case listShares
    /// POST /shares: Share one of the caller's journal entries with another user (read-only)
    case createShare
    /// DELETE /shares/{shareId}: Revoke a share the caller gave (the recipient loses access at once)
    case revokeShare
    /// POST /ai-shares: Not available yet (501 NOT_IMPLEMENTED)
    case createAIShare

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
        case .getUserByEmail: "GET"
        case .getUserById: "GET"
        case .setupEncryption: "POST"
        case .checkUserEncryption: "GET"
        case .getUserEncryption: "GET"
        case .setupEncryptionRecovery: "POST"
        case .resetEncryptionKeys: "DELETE"
        case .listGoals: "GET"
        case .createGoal: "POST"
        case .getGoal: "GET"
        case .updateGoal: "PUT"
        case .archiveGoal: "DELETE"
        case .listGoalActivities: "GET"
        case .logGoalActivity: "POST"
        case .getGoalProgress: "GET"
        case .listJournalEntries: "GET"
        case .createJournalEntry: "POST"
        case .getJournalStats: "GET"
        case .getJournalEntry: "GET"
        case .updateJournalEntry: "PUT"
        case .deleteJournalEntry: "DELETE"
        case .listShares: "GET"
        case .createShare: "POST"
        case .revokeShare: "DELETE"
        case .createAIShare: "POST"
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
        case .getUserByEmail: "/users/by-email/{email}"
        case .getUserById: "/users/{userId}"
        case .setupEncryption: "/encryption/setup"
        case .checkUserEncryption: "/encryption/check/{userId}"
        case .getUserEncryption: "/encryption/user/{userId}"
        case .setupEncryptionRecovery: "/encryption/recovery"
        case .resetEncryptionKeys: "/encryption/keys"
        case .listGoals: "/goals"
        case .createGoal: "/goals"
        case .getGoal: "/goals/{goalId}"
        case .updateGoal: "/goals/{goalId}"
        case .archiveGoal: "/goals/{goalId}"
        case .listGoalActivities: "/goals/{goalId}/activities"
        case .logGoalActivity: "/goals/{goalId}/activities"
        case .getGoalProgress: "/goals/{goalId}/progress"
        case .listJournalEntries: "/journal"
        case .createJournalEntry: "/journal"
        case .getJournalStats: "/journal/stats"
        case .getJournalEntry: "/journal/{entryId}"
        case .updateJournalEntry: "/journal/{entryId}"
        case .deleteJournalEntry: "/journal/{entryId}"
        case .listShares: "/shares"
        case .createShare: "/shares"
        case .revokeShare: "/shares/{shareId}"
        case .createAIShare: "/ai-shares"
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
        case .getUserByEmail: .bearer
        case .getUserById: .bearer
        case .setupEncryption: .bearer
        case .checkUserEncryption: .bearer
        case .getUserEncryption: .bearer
        case .setupEncryptionRecovery: .bearer
        case .resetEncryptionKeys: .bearer
        case .listGoals: .bearer
        case .createGoal: .bearer
        case .getGoal: .bearer
        case .updateGoal: .bearer
        case .archiveGoal: .bearer
        case .listGoalActivities: .bearer
        case .logGoalActivity: .bearer
        case .getGoalProgress: .bearer
        case .listJournalEntries: .bearer
        case .createJournalEntry: .bearer
        case .getJournalStats: .bearer
        case .getJournalEntry: .bearer
        case .updateJournalEntry: .bearer
        case .deleteJournalEntry: .bearer
        case .listShares: .bearer
        case .createShare: .bearer
        case .revokeShare: .bearer
        case .createAIShare: .bearer
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
    /// GET /users/by-email/{email} (bearer): Another user's id and email, found by their email (to share with them)
    static var getUserByEmail: @Sendable (APIRequest, APIContext, Principal, GetUserByEmailParameters) async throws -> APIResponse { get }
    /// GET /users/{userId} (bearer): Another user's id and email, by id
    static var getUserById: @Sendable (APIRequest, APIContext, Principal, GetUserByIdParameters) async throws -> APIResponse { get }
    /// POST /encryption/setup (bearer): Store the caller's encryption keys (once)
    static var setupEncryption: BearerHandler { get }
    /// GET /encryption/check/{userId} (bearer): Whether a user has set up encryption (an unknown user has not)
    static var checkUserEncryption: @Sendable (APIRequest, APIContext, Principal, CheckUserEncryptionParameters) async throws -> APIResponse
    { get }
    /// GET /encryption/user/{userId} (bearer): A user's public key; for the caller's own id also the sealed private key and salt
    static var getUserEncryption: @Sendable (APIRequest, APIContext, Principal, GetUserEncryptionParameters) async throws -> APIResponse {
        get
    }
    /// POST /encryption/recovery (bearer): Store the caller's recovery material, sealed on the client (served beside the contract, as the original did)
    static var setupEncryptionRecovery: BearerHandler { get }
    /// DELETE /encryption/keys (bearer): Delete the caller's keys and recovery material (a key reset; served beside the contract, as the original did)
    static var resetEncryptionKeys: BearerHandler { get }
    /// GET /goals (bearer): The caller's goals, filtered, sorted and paged (archived ones only when asked for)
    static var listGoals: @Sendable (APIRequest, APIContext, Principal, ListGoalsParameters) async throws -> APIResponse { get }
    /// POST /goals (bearer): Create a goal (any of the five patterns)
    static var createGoal: BearerHandler { get }
    /// GET /goals/{goalId} (bearer): One of the caller's goals
    static var getGoal: @Sendable (APIRequest, APIContext, Principal, GetGoalParameters) async throws -> APIResponse { get }
    /// PUT /goals/{goalId} (bearer): Change a goal (fields given are changed; a partial target is merged)
    static var updateGoal: @Sendable (APIRequest, APIContext, Principal, UpdateGoalParameters) async throws -> APIResponse { get }
    /// DELETE /goals/{goalId} (bearer): Archive a goal (it stays readable, with status archived, and leaves the default list)
    static var archiveGoal: @Sendable (APIRequest, APIContext, Principal, ArchiveGoalParameters) async throws -> APIResponse { get }
    /// GET /goals/{goalId}/activities (bearer): A goal's activities, newest day first, paged
    static var listGoalActivities: @Sendable (APIRequest, APIContext, Principal, ListGoalActivitiesParameters) async throws -> APIResponse {
        get
    }
    /// POST /goals/{goalId}/activities (bearer): Log an activity; the goal's progress is updated with it
    static var logGoalActivity: @Sendable (APIRequest, APIContext, Principal, LogGoalActivityParameters) async throws -> APIResponse { get }
    /// GET /goals/{goalId}/progress (bearer): A goal's progress, statistics and insights
    static var getGoalProgress: @Sendable (APIRequest, APIContext, Principal, GetGoalProgressParameters) async throws -> APIResponse { get }
    /// GET /journal (bearer): The caller's journal, newest first, or what is shared with them or by them
    static var listJournalEntries: @Sendable (APIRequest, APIContext, Principal, ListJournalEntriesParameters) async throws -> APIResponse {
        get
    }
    /// POST /journal (bearer): Write a journal entry (plain, or encrypted on the client)
    static var createJournalEntry: BearerHandler { get }
    /// GET /journal/stats (bearer): The caller's journal statistics (kept up to date by every write)
    static var getJournalStats: BearerHandler { get }
    /// GET /journal/{entryId} (bearer): One of the caller's entries, or an entry shared with them
    static var getJournalEntry: @Sendable (APIRequest, APIContext, Principal, GetJournalEntryParameters) async throws -> APIResponse { get }
    /// PUT /journal/{entryId} (bearer): Change one of the caller's entries (fields given are changed)
    static var updateJournalEntry: @Sendable (APIRequest, APIContext, Principal, UpdateJournalEntryParameters) async throws -> APIResponse {
        get
    }
    /// DELETE /journal/{entryId} (bearer): Delete one of the caller's entries and every share of it
    static var deleteJournalEntry: @Sendable (APIRequest, APIContext, Principal, DeleteJournalEntryParameters) async throws -> APIResponse {
        get
    }
    /// GET /shares (bearer): Shares the caller gave and received, newest first
    static var listShares: @Sendable (APIRequest, APIContext, Principal, ListSharesParameters) async throws -> APIResponse { get }
    /// POST /shares (bearer): Share one of the caller's journal entries with another user (read-only)
    static var createShare: BearerHandler { get }
    /// DELETE /shares/{shareId} (bearer): Revoke a share the caller gave (the recipient loses access at once)
    static var revokeShare: @Sendable (APIRequest, APIContext, Principal, RevokeShareParameters) async throws -> APIResponse { get }
    /// POST /ai-shares (bearer): Not available yet (501 NOT_IMPLEMENTED)
    static var createAIShare: BearerHandler { get }
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
        case .getUserByEmail:
            Route(operation) { request, context, principal in
                try await API.getUserByEmail(request, context, principal, try GetUserByEmailParameters(request, path: context.parameters))
            }
        case .getUserById:
            Route(operation) { request, context, principal in
                try await API.getUserById(request, context, principal, try GetUserByIdParameters(request, path: context.parameters))
            }
        case .setupEncryption: Route(operation, bearer: API.setupEncryption)
        case .checkUserEncryption:
            Route(operation) { request, context, principal in
                try await API.checkUserEncryption(
                    request, context, principal, try CheckUserEncryptionParameters(request, path: context.parameters))
            }
        case .getUserEncryption:
            Route(operation) { request, context, principal in
                try await API.getUserEncryption(
                    request, context, principal, try GetUserEncryptionParameters(request, path: context.parameters))
            }
        case .setupEncryptionRecovery: Route(operation, bearer: API.setupEncryptionRecovery)
        case .resetEncryptionKeys: Route(operation, bearer: API.resetEncryptionKeys)
        case .listGoals:
            Route(operation) { request, context, principal in
                try await API.listGoals(request, context, principal, try ListGoalsParameters(request, path: context.parameters))
            }
        case .createGoal: Route(operation, bearer: API.createGoal)
        case .getGoal:
            Route(operation) { request, context, principal in
                try await API.getGoal(request, context, principal, try GetGoalParameters(request, path: context.parameters))
            }
        case .updateGoal:
            Route(operation) { request, context, principal in
                try await API.updateGoal(request, context, principal, try UpdateGoalParameters(request, path: context.parameters))
            }
        case .archiveGoal:
            Route(operation) { request, context, principal in
                try await API.archiveGoal(request, context, principal, try ArchiveGoalParameters(request, path: context.parameters))
            }
        case .listGoalActivities:
            Route(operation) { request, context, principal in
                try await API.listGoalActivities(
                    request, context, principal, try ListGoalActivitiesParameters(request, path: context.parameters))
            }
        case .logGoalActivity:
            Route(operation) { request, context, principal in
                try await API.logGoalActivity(request, context, principal, try LogGoalActivityParameters(request, path: context.parameters))
            }
        case .getGoalProgress:
            Route(operation) { request, context, principal in
                try await API.getGoalProgress(request, context, principal, try GetGoalProgressParameters(request, path: context.parameters))
            }
        case .listJournalEntries:
            Route(operation) { request, context, principal in
                try await API.listJournalEntries(
                    request, context, principal, try ListJournalEntriesParameters(request, path: context.parameters))
            }
        case .createJournalEntry: Route(operation, bearer: API.createJournalEntry)
        case .getJournalStats: Route(operation, bearer: API.getJournalStats)
        case .getJournalEntry:
            Route(operation) { request, context, principal in
                try await API.getJournalEntry(request, context, principal, try GetJournalEntryParameters(request, path: context.parameters))
            }
        case .updateJournalEntry:
            Route(operation) { request, context, principal in
                try await API.updateJournalEntry(
                    request, context, principal, try UpdateJournalEntryParameters(request, path: context.parameters))
            }
        case .deleteJournalEntry:
            Route(operation) { request, context, principal in
                try await API.deleteJournalEntry(
                    request, context, principal, try DeleteJournalEntryParameters(request, path: context.parameters))
            }
        case .listShares:
            Route(operation) { request, context, principal in
                try await API.listShares(request, context, principal, try ListSharesParameters(request, path: context.parameters))
            }
        case .createShare: Route(operation, bearer: API.createShare)
        case .revokeShare:
            Route(operation) { request, context, principal in
                try await API.revokeShare(request, context, principal, try RevokeShareParameters(request, path: context.parameters))
            }
        case .createAIShare: Route(operation, bearer: API.createAIShare)
        }
    }
}

/// The parameters of `getUserByEmail` (GET /users/by-email/{email}), as openapi.yaml declares them.
public struct GetUserByEmailParameters: Sendable, Equatable {
    public var email: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        email = reader.path("email", format: .email, maxLength: 254)
        try reader.check()
    }
}

/// The parameters of `getUserById` (GET /users/{userId}), as openapi.yaml declares them.
public struct GetUserByIdParameters: Sendable, Equatable {
    /// A user's id.
    public var userId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        userId = reader.path("userId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `checkUserEncryption` (GET /encryption/check/{userId}), as openapi.yaml declares them.
public struct CheckUserEncryptionParameters: Sendable, Equatable {
    /// A user's id.
    public var userId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        userId = reader.path("userId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `getUserEncryption` (GET /encryption/user/{userId}), as openapi.yaml declares them.
public struct GetUserEncryptionParameters: Sendable, Equatable {
    /// A user's id.
    public var userId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        userId = reader.path("userId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `listGoals` (GET /goals), as openapi.yaml declares them.
public struct ListGoalsParameters: Sendable, Equatable {
    /// Statuses to list.
    public var status: [String]
    /// Patterns to list.
    public var goalPattern: [String]
    /// Categories to list.
    public var category: [String]
    /// The page, from 1.
    public var page: Int
    /// Items per page.
    public var limit: Int
    /// Sort order.
    public var sort: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        status = reader.query.manyOf("status", ["draft", "active", "paused", "completed", "archived"], maxItems: 50)
        goalPattern = reader.query.manyOf("goalPattern", ["recurring", "milestone", "target", "streak", "limit"], maxItems: 50)
        category = reader.query.strings("category", maxItems: 50, maxLength: 100)
        page = reader.query.integer("page", in: 1...Int.max, default: 1)
        limit = reader.query.integer("limit", in: 1...100, default: 20)
        sort =
            reader.query.oneOf("sort", ["created_asc", "created_desc", "updated_asc", "updated_desc", "title_asc", "title_desc"])
            ?? "updated_desc"
        try reader.check()
    }
}

/// The parameters of `getGoal` (GET /goals/{goalId}), as openapi.yaml declares them.
public struct GetGoalParameters: Sendable, Equatable {
    /// A goal's id.
    public var goalId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        goalId = reader.path("goalId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `updateGoal` (PUT /goals/{goalId}), as openapi.yaml declares them.
public struct UpdateGoalParameters: Sendable, Equatable {
    /// A goal's id.
    public var goalId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        goalId = reader.path("goalId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `archiveGoal` (DELETE /goals/{goalId}), as openapi.yaml declares them.
public struct ArchiveGoalParameters: Sendable, Equatable {
    /// A goal's id.
    public var goalId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        goalId = reader.path("goalId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `listGoalActivities` (GET /goals/{goalId}/activities), as openapi.yaml declares them.
public struct ListGoalActivitiesParameters: Sendable, Equatable {
    /// A goal's id.
    public var goalId: String
    /// From this date (inclusive).
    public var startDate: String?
    /// Up to this date (inclusive).
    public var endDate: String?
    /// Types to list.
    public var activityType: [String]
    /// The page, from 1.
    public var page: Int
    /// Items per page.
    public var limit: Int

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        goalId = reader.path("goalId", format: .uuid, maxLength: 256)
        startDate = reader.query.string("startDate", format: .date, maxLength: 256)
        endDate = reader.query.string("endDate", format: .date, maxLength: 256)
        activityType = reader.query.manyOf("activityType", ["progress", "completed", "skipped", "partial"], maxItems: 50)
        page = reader.query.integer("page", in: 1...Int.max, default: 1)
        limit = reader.query.integer("limit", in: 1...100, default: 20)
        try reader.check()
    }
}

/// The parameters of `logGoalActivity` (POST /goals/{goalId}/activities), as openapi.yaml declares them.
public struct LogGoalActivityParameters: Sendable, Equatable {
    /// A goal's id.
    public var goalId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        goalId = reader.path("goalId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `getGoalProgress` (GET /goals/{goalId}/progress), as openapi.yaml declares them.
public struct GetGoalProgressParameters: Sendable, Equatable {
    /// A goal's id.
    public var goalId: String
    /// The period the statistics cover.
    public var period: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        goalId = reader.path("goalId", format: .uuid, maxLength: 256)
        period = reader.query.oneOf("period", ["current", "week", "month", "quarter", "year", "all"]) ?? "current"
        try reader.check()
    }
}

/// The parameters of `listJournalEntries` (GET /journal), as openapi.yaml declares them.
public struct ListJournalEntriesParameters: Sendable, Equatable {
    /// The page, from 1.
    public var page: Int
    /// Items per page.
    public var limit: Int
    /// Whose entries.
    public var filter: String
    /// Only entries that link this goal of the caller.
    public var goalId: String?

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        page = reader.query.integer("page", in: 1...Int.max, default: 1)
        limit = reader.query.integer("limit", in: 1...100, default: 20)
        filter = reader.query.oneOf("filter", ["owned", "shared-with-me", "shared-by-me", "all"]) ?? "owned"
        goalId = reader.query.string("goalId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `getJournalEntry` (GET /journal/{entryId}), as openapi.yaml declares them.
public struct GetJournalEntryParameters: Sendable, Equatable {
    /// A journal entry's id.
    public var entryId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        entryId = reader.path("entryId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `updateJournalEntry` (PUT /journal/{entryId}), as openapi.yaml declares them.
public struct UpdateJournalEntryParameters: Sendable, Equatable {
    /// A journal entry's id.
    public var entryId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        entryId = reader.path("entryId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `deleteJournalEntry` (DELETE /journal/{entryId}), as openapi.yaml declares them.
public struct DeleteJournalEntryParameters: Sendable, Equatable {
    /// A journal entry's id.
    public var entryId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        entryId = reader.path("entryId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}

/// The parameters of `listShares` (GET /shares), as openapi.yaml declares them.
public struct ListSharesParameters: Sendable, Equatable {
    /// Shared items of this type.
    public var itemType: String?
    /// Given (created) or received.
    public var direction: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        itemType = reader.query.oneOf("itemType", ["journal", "goal"])
        direction = reader.query.oneOf("direction", ["created", "received", "all"]) ?? "all"
        try reader.check()
    }
}

/// The parameters of `revokeShare` (DELETE /shares/{shareId}), as openapi.yaml declares them.
public struct RevokeShareParameters: Sendable, Equatable {
    /// A share's id.
    public var shareId: String

    /// Reads every parameter; throws one 400 VALIDATION_ERROR naming each bad one.
    public init(_ request: APIRequest, path: PathParameters) throws {
        var reader = ParameterReader(request, path: path)
        shareId = reader.path("shareId", format: .uuid, maxLength: 256)
        try reader.check()
    }
}
