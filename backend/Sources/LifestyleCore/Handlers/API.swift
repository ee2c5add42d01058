/// Which handler serves each operation of openapi.yaml. `APIHandlers` (generated from the spec by
/// backend/scripts/gen-api.py) has one requirement per operation, named by its operationId: an
/// operation without a handler here does not compile, and `Routes.all` routes nothing else.
extension API {
    public static let getHealthStatus: Handler = Health.get
    public static let registerUser: Handler = Registration.register
    public static let verifyEmail: Handler = Registration.verifyEmail
    public static let loginUser: Handler = Session.login
    public static let refreshToken: Handler = Session.refresh
    public static let logoutUser: Handler = Session.logout
    public static let resendVerificationEmail: Handler = Registration.resendVerification
    public static let changePassword: BearerHandler = Account.changePassword
    public static let requestPasswordReset: Handler = PasswordReset.request
    public static let confirmPasswordReset: Handler = PasswordReset.confirm
    public static let setupMfa: BearerHandler = MFA.setup
    public static let verifyMfaSetup: BearerHandler = MFA.verifySetup
    public static let verifyMfa: Handler = MFA.verifyLogin
    public static let disableMfa: BearerHandler = MFA.disable
    public static let getUserProfile: BearerHandler = Profile.get
    public static let updateUserProfile: BearerHandler = Profile.update
    public static let deleteUserAccount: BearerHandler = Account.delete
}

extension API {
    public static let listGoals: @Sendable (APIRequest, APIContext, Principal, ListGoalsParameters) async throws -> APIResponse =
        Goals.list
    public static let createGoal: BearerHandler = Goals.create
    public static let setupEncryption: @Sendable (APIRequest, APIContext, Principal) async throws -> APIResponse = Encryption.setup
    public static let checkUserEncryption:
        @Sendable (APIRequest, APIContext, Principal, CheckUserEncryptionParameters) async throws -> APIResponse = Encryption.check
    public static let getUserEncryption:
        @Sendable (APIRequest, APIContext, Principal, GetUserEncryptionParameters) async throws -> APIResponse = Encryption.user
    public static let setupEncryptionRecovery: @Sendable (APIRequest, APIContext, Principal) async throws -> APIResponse = Encryption
        .recovery
    public static let resetEncryptionKeys: @Sendable (APIRequest, APIContext, Principal) async throws -> APIResponse = Encryption.reset
    public static let getUserByEmail: @Sendable (APIRequest, APIContext, Principal, GetUserByEmailParameters) async throws -> APIResponse =
        Users.byEmail
    public static let getUserById: @Sendable (APIRequest, APIContext, Principal, GetUserByIdParameters) async throws -> APIResponse =
        Users.byId
    public static let getGoal: @Sendable (APIRequest, APIContext, Principal, GetGoalParameters) async throws -> APIResponse = Goals.get
    public static let updateGoal: @Sendable (APIRequest, APIContext, Principal, UpdateGoalParameters) async throws -> APIResponse =
        Goals.update
    public static let archiveGoal: @Sendable (APIRequest, APIContext, Principal, ArchiveGoalParameters) async throws -> APIResponse =
        Goals.archive
    public static let listGoalActivities:
        @Sendable (APIRequest, APIContext, Principal, ListGoalActivitiesParameters) async throws -> APIResponse = Goals.listActivities
    public static let logGoalActivity:
        @Sendable (APIRequest, APIContext, Principal, LogGoalActivityParameters) async throws -> APIResponse = Goals.logActivity
    public static let getGoalProgress:
        @Sendable (APIRequest, APIContext, Principal, GetGoalProgressParameters) async throws -> APIResponse = Goals.progress
    public static let listJournalEntries:
        @Sendable (APIRequest, APIContext, Principal, ListJournalEntriesParameters) async throws -> APIResponse = Journal.list
    public static let createJournalEntry: BearerHandler = Journal.create
    public static let getJournalStats: BearerHandler = Journal.stats
    public static let getJournalEntry:
        @Sendable (APIRequest, APIContext, Principal, GetJournalEntryParameters) async throws -> APIResponse = Journal.get
    public static let updateJournalEntry:
        @Sendable (APIRequest, APIContext, Principal, UpdateJournalEntryParameters) async throws -> APIResponse = Journal.update
    public static let deleteJournalEntry:
        @Sendable (APIRequest, APIContext, Principal, DeleteJournalEntryParameters) async throws -> APIResponse = Journal.delete
    public static let listShares: @Sendable (APIRequest, APIContext, Principal, ListSharesParameters) async throws -> APIResponse =
        Sharing.list
    public static let createShare: BearerHandler = Sharing.create
    public static let revokeShare: @Sendable (APIRequest, APIContext, Principal, RevokeShareParameters) async throws -> APIResponse =
        Sharing.revokeShare
    public static let createAIShare: BearerHandler = Sharing.createAIShare
}
