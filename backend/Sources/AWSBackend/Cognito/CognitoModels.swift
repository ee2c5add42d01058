import FoundationEssentials
import LifestyleCore
import LifestyleToolkit

/// Cognito User Pools request/response shapes for the operations the app uses.
public enum CognitoIdentityProvider {
    public struct AttributeType: Codable, Sendable, Hashable {
        public var name: String
        public var value: String?
        enum CodingKeys: String, CodingKey { case name = "Name", value = "Value" }
        public init(name: String, value: String?) { self.name = name; self.value = value }
    }

    public enum AuthFlow: String, Codable, Sendable, Hashable {
        case userPasswordAuth = "USER_PASSWORD_AUTH"
        case refreshTokenAuth = "REFRESH_TOKEN_AUTH"
        case refreshToken = "REFRESH_TOKEN"
        case adminUserPasswordAuth = "ADMIN_USER_PASSWORD_AUTH"
        case adminNoSrpAuth = "ADMIN_NO_SRP_AUTH"
        case userSrpAuth = "USER_SRP_AUTH"
        case customAuth = "CUSTOM_AUTH"
    }

    public struct CodeDeliveryDetails: Codable, Sendable, Hashable {
        public var destination: String?
        public var deliveryMedium: String?
        public var attributeName: String?
        enum CodingKeys: String, CodingKey {
            case destination = "Destination", deliveryMedium = "DeliveryMedium", attributeName = "AttributeName"
        }
    }

    // MARK: SignUp
    public struct SignUpInput: Encodable, Sendable, Hashable {
        public var clientId: String
        public var secretHash: String?
        public var username: String
        public var password: String
        public var userAttributes: [AttributeType]?
        public var validationData: [AttributeType]?
        public var clientMetadata: [String: String]?
        enum CodingKeys: String, CodingKey {
            case clientId = "ClientId", secretHash = "SecretHash", username = "Username", password = "Password"
            case userAttributes = "UserAttributes", validationData = "ValidationData", clientMetadata = "ClientMetadata"
        }
        public init(
            clientId: String, username: String, password: String, userAttributes: [AttributeType]? = nil,
            validationData: [AttributeType]? = nil, clientMetadata: [String: String]? = nil, secretHash: String? = nil
        ) {
            self.clientId = clientId; self.username = username; self.password = password; self.userAttributes = userAttributes
            self.validationData = validationData; self.clientMetadata = clientMetadata; self.secretHash = secretHash
        }
    }

    public struct SignUpOutput: Decodable, Sendable, Hashable {
        public var userConfirmed: Bool
        public var userSub: String
        public var codeDeliveryDetails: CodeDeliveryDetails?
        public var session: String?
        enum CodingKeys: String, CodingKey {
            case userConfirmed = "UserConfirmed", userSub = "UserSub", codeDeliveryDetails = "CodeDeliveryDetails", session = "Session"
        }
    }

    // MARK: ConfirmSignUp
    public struct ConfirmSignUpInput: Encodable, Sendable, Hashable {
        public var clientId: String
        public var secretHash: String?
        public var username: String
        public var confirmationCode: String
        public var forceAliasCreation: Bool?
        public var clientMetadata: [String: String]?
        enum CodingKeys: String, CodingKey {
            case clientId = "ClientId", secretHash = "SecretHash", username = "Username", confirmationCode = "ConfirmationCode"
            case forceAliasCreation = "ForceAliasCreation", clientMetadata = "ClientMetadata"
        }
        public init(
            clientId: String, username: String, confirmationCode: String, forceAliasCreation: Bool? = nil,
            clientMetadata: [String: String]? = nil, secretHash: String? = nil
        ) {
            self.clientId = clientId; self.username = username; self.confirmationCode = confirmationCode
            self.forceAliasCreation = forceAliasCreation; self.clientMetadata = clientMetadata; self.secretHash = secretHash
        }
    }

    // MARK: InitiateAuth / AdminInitiateAuth / RespondToAuthChallenge
    public struct InitiateAuthInput: Encodable, Sendable, Hashable {
        public var authFlow: AuthFlow
        public var clientId: String
        /// e.g. `USERNAME`, `PASSWORD`, `SECRET_HASH`, `REFRESH_TOKEN`.
        public var authParameters: [String: String]
        public var clientMetadata: [String: String]?
        enum CodingKeys: String, CodingKey {
            case authFlow = "AuthFlow", clientId = "ClientId", authParameters = "AuthParameters", clientMetadata = "ClientMetadata"
        }
        public init(authFlow: AuthFlow, clientId: String, authParameters: [String: String], clientMetadata: [String: String]? = nil) {
            self.authFlow = authFlow; self.clientId = clientId; self.authParameters = authParameters; self.clientMetadata = clientMetadata
        }
        public static func userPassword(clientId: String, username: String, password: String, secretHash: String? = nil)
            -> InitiateAuthInput
        {
            var p = ["USERNAME": username, "PASSWORD": password]
            if let secretHash { p["SECRET_HASH"] = secretHash }
            return InitiateAuthInput(authFlow: .userPasswordAuth, clientId: clientId, authParameters: p)
        }
        public static func refreshToken(clientId: String, refreshToken: String, secretHash: String? = nil) -> InitiateAuthInput {
            var p = ["REFRESH_TOKEN": refreshToken]
            if let secretHash { p["SECRET_HASH"] = secretHash }
            return InitiateAuthInput(authFlow: .refreshTokenAuth, clientId: clientId, authParameters: p)
        }
    }

    public struct AdminInitiateAuthInput: Encodable, Sendable, Hashable {
        public var userPoolId: String
        public var authFlow: AuthFlow
        public var clientId: String
        public var authParameters: [String: String]
        public var clientMetadata: [String: String]?
        enum CodingKeys: String, CodingKey {
            case userPoolId = "UserPoolId", authFlow = "AuthFlow", clientId = "ClientId", authParameters = "AuthParameters",
                clientMetadata = "ClientMetadata"
        }
        public init(
            userPoolId: String, authFlow: AuthFlow, clientId: String, authParameters: [String: String],
            clientMetadata: [String: String]? = nil
        ) {
            self.userPoolId = userPoolId; self.authFlow = authFlow; self.clientId = clientId; self.authParameters = authParameters;
            self.clientMetadata = clientMetadata
        }
    }

    public struct AuthenticationResult: Decodable, Sendable, Hashable {
        public var accessToken: String?
        public var idToken: String?
        /// Absent on REFRESH_TOKEN_AUTH responses.
        public var refreshToken: String?
        public var expiresIn: Int?
        public var tokenType: String?
        enum CodingKeys: String, CodingKey {
            case accessToken = "AccessToken", idToken = "IdToken", refreshToken = "RefreshToken", expiresIn = "ExpiresIn", tokenType =
                "TokenType"
        }
    }

    /// Output of InitiateAuth, AdminInitiateAuth and RespondToAuthChallenge: either
    /// `authenticationResult` (signed in) or a `challengeName` with a `session`
    /// (e.g. `SOFTWARE_TOKEN_MFA`, `MFA_SETUP`, `NEW_PASSWORD_REQUIRED`).
    public struct AuthOutput: Decodable, Sendable, Hashable {
        public var authenticationResult: AuthenticationResult?
        public var challengeName: String?
        public var challengeParameters: [String: String]?
        public var session: String?
        enum CodingKeys: String, CodingKey {
            case authenticationResult = "AuthenticationResult", challengeName = "ChallengeName", challengeParameters =
                "ChallengeParameters", session = "Session"
        }
    }

    public struct RespondToAuthChallengeInput: Encodable, Sendable, Hashable {
        public var clientId: String
        public var challengeName: String
        public var session: String?
        /// For SOFTWARE_TOKEN_MFA: `USERNAME`, `SOFTWARE_TOKEN_MFA_CODE` (and `SECRET_HASH`).
        public var challengeResponses: [String: String]
        public var clientMetadata: [String: String]?
        enum CodingKeys: String, CodingKey {
            case clientId = "ClientId", challengeName = "ChallengeName", session = "Session", challengeResponses = "ChallengeResponses",
                clientMetadata = "ClientMetadata"
        }
        public init(
            clientId: String, challengeName: String, session: String?, challengeResponses: [String: String],
            clientMetadata: [String: String]? = nil
        ) {
            self.clientId = clientId; self.challengeName = challengeName; self.session = session
            self.challengeResponses = challengeResponses; self.clientMetadata = clientMetadata
        }
        public static func softwareTokenMFA(clientId: String, session: String, username: String, code: String, secretHash: String? = nil)
            -> RespondToAuthChallengeInput
        {
            var r = ["USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code]
            if let secretHash { r["SECRET_HASH"] = secretHash }
            return RespondToAuthChallengeInput(
                clientId: clientId, challengeName: "SOFTWARE_TOKEN_MFA", session: session, challengeResponses: r)
        }
    }

    // MARK: TOTP
    public struct AssociateSoftwareTokenInput: Encodable, Sendable, Hashable {
        public var accessToken: String?
        public var session: String?
        enum CodingKeys: String, CodingKey { case accessToken = "AccessToken", session = "Session" }
        public init(accessToken: String) { self.accessToken = accessToken; self.session = nil }
        public init(session: String) { self.accessToken = nil; self.session = session }
    }

    public struct AssociateSoftwareTokenOutput: Decodable, Sendable, Hashable {
        /// Base32 TOTP secret to show to the user (QR code `otpauth://totp/...?secret=`).
        public var secretCode: String?
        public var session: String?
        enum CodingKeys: String, CodingKey { case secretCode = "SecretCode", session = "Session" }
    }

    public struct VerifySoftwareTokenInput: Encodable, Sendable, Hashable {
        public var accessToken: String?
        public var session: String?
        public var userCode: String
        public var friendlyDeviceName: String?
        enum CodingKeys: String, CodingKey {
            case accessToken = "AccessToken", session = "Session", userCode = "UserCode", friendlyDeviceName = "FriendlyDeviceName"
        }
        public init(accessToken: String? = nil, session: String? = nil, userCode: String, friendlyDeviceName: String? = nil) {
            self.accessToken = accessToken; self.session = session; self.userCode = userCode; self.friendlyDeviceName = friendlyDeviceName
        }
    }

    public struct VerifySoftwareTokenOutput: Decodable, Sendable, Hashable {
        /// `SUCCESS` or `ERROR`.
        public var status: String?
        public var session: String?
        enum CodingKeys: String, CodingKey { case status = "Status", session = "Session" }
    }

    public struct MFASettings: Codable, Sendable, Hashable {
        public var enabled: Bool?
        public var preferredMfa: Bool?
        enum CodingKeys: String, CodingKey { case enabled = "Enabled", preferredMfa = "PreferredMfa" }
        public init(enabled: Bool?, preferredMfa: Bool?) { self.enabled = enabled; self.preferredMfa = preferredMfa }
    }

    public struct SetUserMFAPreferenceInput: Encodable, Sendable, Hashable {
        public var accessToken: String
        public var softwareTokenMfaSettings: MFASettings?
        public var smsMfaSettings: MFASettings?
        enum CodingKeys: String, CodingKey {
            case accessToken = "AccessToken", softwareTokenMfaSettings = "SoftwareTokenMfaSettings", smsMfaSettings = "SMSMfaSettings"
        }
        public init(accessToken: String, softwareTokenMfaSettings: MFASettings? = nil, smsMfaSettings: MFASettings? = nil) {
            self.accessToken = accessToken; self.softwareTokenMfaSettings = softwareTokenMfaSettings; self.smsMfaSettings = smsMfaSettings
        }
    }

    public struct AdminSetUserMFAPreferenceInput: Encodable, Sendable, Hashable {
        public var userPoolId: String
        public var username: String
        public var softwareTokenMfaSettings: MFASettings?
        public var smsMfaSettings: MFASettings?
        enum CodingKeys: String, CodingKey {
            case userPoolId = "UserPoolId", username = "Username", softwareTokenMfaSettings = "SoftwareTokenMfaSettings", smsMfaSettings =
                "SMSMfaSettings"
        }
        public init(userPoolId: String, username: String, softwareTokenMfaSettings: MFASettings? = nil, smsMfaSettings: MFASettings? = nil)
        {
            self.userPoolId = userPoolId; self.username = username; self.softwareTokenMfaSettings = softwareTokenMfaSettings;
            self.smsMfaSettings = smsMfaSettings
        }
    }

    // MARK: Passwords
    public struct ForgotPasswordInput: Encodable, Sendable, Hashable {
        public var clientId: String
        public var secretHash: String?
        public var username: String
        public var clientMetadata: [String: String]?
        enum CodingKeys: String, CodingKey {
            case clientId = "ClientId", secretHash = "SecretHash", username = "Username", clientMetadata = "ClientMetadata"
        }
        public init(clientId: String, username: String, clientMetadata: [String: String]? = nil, secretHash: String? = nil) {
            self.clientId = clientId; self.username = username; self.clientMetadata = clientMetadata; self.secretHash = secretHash
        }
    }

    public struct ForgotPasswordOutput: Decodable, Sendable, Hashable {
        public var codeDeliveryDetails: CodeDeliveryDetails?
        enum CodingKeys: String, CodingKey { case codeDeliveryDetails = "CodeDeliveryDetails" }
    }

    public struct ConfirmForgotPasswordInput: Encodable, Sendable, Hashable {
        public var clientId: String
        public var secretHash: String?
        public var username: String
        public var confirmationCode: String
        public var password: String
        public var clientMetadata: [String: String]?
        enum CodingKeys: String, CodingKey {
            case clientId = "ClientId", secretHash = "SecretHash", username = "Username", confirmationCode = "ConfirmationCode"
            case password = "Password", clientMetadata = "ClientMetadata"
        }
        public init(
            clientId: String, username: String, confirmationCode: String, password: String, clientMetadata: [String: String]? = nil,
            secretHash: String? = nil
        ) {
            self.clientId = clientId; self.username = username; self.confirmationCode = confirmationCode; self.password = password
            self.clientMetadata = clientMetadata; self.secretHash = secretHash
        }
    }

    public struct ChangePasswordInput: Encodable, Sendable, Hashable {
        public var accessToken: String
        public var previousPassword: String
        public var proposedPassword: String
        enum CodingKeys: String, CodingKey {
            case accessToken = "AccessToken", previousPassword = "PreviousPassword", proposedPassword = "ProposedPassword"
        }
        public init(accessToken: String, previousPassword: String, proposedPassword: String) {
            self.accessToken = accessToken; self.previousPassword = previousPassword; self.proposedPassword = proposedPassword
        }
    }

    /// ResendConfirmationCode has ForgotPassword's input and output shapes.
    public typealias ResendConfirmationCodeInput = ForgotPasswordInput
    public typealias ResendConfirmationCodeOutput = ForgotPasswordOutput

    // MARK: Sign out
    public struct RevokeTokenInput: Encodable, Sendable, Hashable {
        public var token: String
        public var clientId: String
        public var clientSecret: String?
        enum CodingKeys: String, CodingKey { case token = "Token", clientId = "ClientId", clientSecret = "ClientSecret" }
        public init(token: String, clientId: String, clientSecret: String? = nil) {
            self.token = token; self.clientId = clientId; self.clientSecret = clientSecret
        }
    }

    public struct AccessTokenInput: Encodable, Sendable {
        public var accessToken: String
        enum CodingKeys: String, CodingKey { case accessToken = "AccessToken" }
        public init(accessToken: String) { self.accessToken = accessToken }
    }

    public struct PoolUserInput: Encodable, Sendable {
        public var userPoolId: String
        public var username: String
        public var clientMetadata: [String: String]?
        enum CodingKeys: String, CodingKey { case userPoolId = "UserPoolId", username = "Username", clientMetadata = "ClientMetadata" }
        public init(userPoolId: String, username: String, clientMetadata: [String: String]? = nil) {
            self.userPoolId = userPoolId
            self.username = username
            self.clientMetadata = clientMetadata
        }
    }

    // MARK: Admin
    public struct AdminGetUserOutput: Decodable, Sendable, Hashable {
        public var username: String
        public var userAttributes: [AttributeType]
        /// `UNCONFIRMED`, `CONFIRMED`, `FORCE_CHANGE_PASSWORD`, `RESET_REQUIRED`...
        public var userStatus: String?
        public var enabled: Bool?
        /// Seconds since the epoch.
        public var userCreateDate: Double?
        public var userLastModifiedDate: Double?
        public var preferredMfaSetting: String?
        public var userMFASettingList: [String]?
        enum CodingKeys: String, CodingKey {
            case username = "Username", userAttributes = "UserAttributes", userStatus = "UserStatus", enabled = "Enabled"
            case userCreateDate = "UserCreateDate", userLastModifiedDate = "UserLastModifiedDate"
            case preferredMfaSetting = "PreferredMfaSetting", userMFASettingList = "UserMFASettingList"
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            username = try c.decode(String.self, forKey: .username)
            userAttributes = try c.decodeIfPresent([AttributeType].self, forKey: .userAttributes) ?? []
            userStatus = try c.decodeIfPresent(String.self, forKey: .userStatus)
            enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled)
            userCreateDate = try? c.decodeIfPresent(Double.self, forKey: .userCreateDate)
            userLastModifiedDate = try? c.decodeIfPresent(Double.self, forKey: .userLastModifiedDate)
            preferredMfaSetting = try c.decodeIfPresent(String.self, forKey: .preferredMfaSetting)
            userMFASettingList = try c.decodeIfPresent([String].self, forKey: .userMFASettingList)
        }
        /// Value of attribute `name` (e.g. `sub`, `email`).
        public func attribute(_ name: String) -> String? { userAttributes.first { $0.name == name }?.value }
    }

    public struct AdminSetUserPasswordInput: Encodable, Sendable, Hashable {
        public var userPoolId: String
        public var username: String
        public var password: String
        public var permanent: Bool
        enum CodingKeys: String, CodingKey {
            case userPoolId = "UserPoolId", username = "Username", password = "Password", permanent = "Permanent"
        }
        public init(userPoolId: String, username: String, password: String, permanent: Bool) {
            self.userPoolId = userPoolId; self.username = username; self.password = password; self.permanent = permanent
        }
    }

    public struct AdminUpdateUserAttributesInput: Encodable, Sendable, Hashable {
        public var userPoolId: String
        public var username: String
        public var userAttributes: [AttributeType]
        public var clientMetadata: [String: String]?
        enum CodingKeys: String, CodingKey {
            case userPoolId = "UserPoolId", username = "Username", userAttributes = "UserAttributes", clientMetadata = "ClientMetadata"
        }
        public init(userPoolId: String, username: String, userAttributes: [AttributeType], clientMetadata: [String: String]? = nil) {
            self.userPoolId = userPoolId; self.username = username; self.userAttributes = userAttributes;
            self.clientMetadata = clientMetadata
        }
    }

    public struct UserPoolClient: Decodable, Sendable, Hashable {
        public var clientId: String
        public var clientSecret: String?
        public var userPoolId: String?
        enum CodingKeys: String, CodingKey { case clientId = "ClientId", clientSecret = "ClientSecret", userPoolId = "UserPoolId" }
    }

    public struct CreateUserPoolClientOutput: Decodable, Sendable, Hashable {
        public var userPoolClient: UserPoolClient
        enum CodingKeys: String, CodingKey { case userPoolClient = "UserPoolClient" }
    }

    struct UserPoolClientInput: Encodable, Sendable {
        var userPoolId: String
        var clientId: String
        enum CodingKeys: String, CodingKey { case userPoolId = "UserPoolId", clientId = "ClientId" }
    }

    public typealias DescribeUserPoolClientOutput = CreateUserPoolClientOutput

    /// `SECRET_HASH` for app clients with a secret: Base64(HMAC-SHA256(clientSecret, username + clientId)).
    public static func secretHash(username: String, clientId: String, clientSecret: String) -> String {
        let mac = Hashing.hmac(.sha256, key: Array(clientSecret.utf8), message: Array((username + clientId).utf8))
        return Base64.encode(mac)
    }
}
