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
