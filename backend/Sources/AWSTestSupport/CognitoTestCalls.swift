// Control-plane and client-side AWS calls that only the tests make (creating and deleting
// emulator tables and pools, signing in as a client would, MFA set-up through Cognito). The
// deployed stack owns the real resources, and the function never makes these calls, so they
// live here, outside the AWSBackend module the Lambda binary links.
import AWSBackend
import FoundationEssentials
import SigV4

extension CognitoIdentityProviderClient {
    /// Not retried on 5xx (the session and TOTP code are single use).
    public func respondToAuthChallenge(_ input: Models.RespondToAuthChallengeInput, deadline: Deadline? = nil) async throws(AWSClientError)
        -> Models.AuthOutput
    {
        try await client.call("RespondToAuthChallenge", input: input, idempotent: false, deadline: deadline)
    }

    public func associateSoftwareToken(_ input: Models.AssociateSoftwareTokenInput, deadline: Deadline? = nil) async throws(AWSClientError)
        -> Models.AssociateSoftwareTokenOutput
    {
        try await client.call("AssociateSoftwareToken", input: input, idempotent: false, deadline: deadline)
    }

    public func verifySoftwareToken(_ input: Models.VerifySoftwareTokenInput, deadline: Deadline? = nil) async throws(AWSClientError)
        -> Models.VerifySoftwareTokenOutput
    {
        try await client.call("VerifySoftwareToken", input: input, idempotent: false, deadline: deadline)
    }

    /// Not retried on 5xx (a replay after a success fails with NotAuthorized: the old password is gone).
    public func changePassword(_ input: Models.ChangePasswordInput, deadline: Deadline? = nil) async throws(AWSClientError) {
        let _: AWSEmpty = try await client.call("ChangePassword", input: input, idempotent: false, deadline: deadline)
    }

    public func globalSignOut(accessToken: String, deadline: Deadline? = nil) async throws(AWSClientError) {
        let _: AWSEmpty = try await client.call(
            "GlobalSignOut", input: Models.AccessTokenInput(accessToken: accessToken), idempotent: true, deadline: deadline)
    }

    public func setUserMFAPreference(_ input: Models.SetUserMFAPreferenceInput, deadline: Deadline? = nil) async throws(AWSClientError) {
        let _: AWSEmpty = try await client.call("SetUserMFAPreference", input: input, idempotent: true, deadline: deadline)
    }

    public func adminConfirmSignUp(userPoolId: String, username: String, clientMetadata: [String: String]? = nil, deadline: Deadline? = nil)
        async throws(AWSClientError)
    {
        let _: AWSEmpty = try await client.call(
            "AdminConfirmSignUp", input: Models.PoolUserInput(userPoolId: userPoolId, username: username, clientMetadata: clientMetadata),
            idempotent: false, deadline: deadline)
    }

    public func adminSetUserMFAPreference(_ input: Models.AdminSetUserMFAPreferenceInput, deadline: Deadline? = nil)
        async throws(AWSClientError)
    {
        let _: AWSEmpty = try await client.call("AdminSetUserMFAPreference", input: input, idempotent: true, deadline: deadline)
    }

    public func adminUpdateUserAttributes(_ input: Models.AdminUpdateUserAttributesInput, deadline: Deadline? = nil)
        async throws(AWSClientError)
    {
        let _: AWSEmpty = try await client.call("AdminUpdateUserAttributes", input: input, idempotent: true, deadline: deadline)
    }

    public func adminInitiateAuth(_ input: Models.AdminInitiateAuthInput, deadline: Deadline? = nil) async throws(AWSClientError)
        -> Models.AuthOutput
    {
        try await client.call("AdminInitiateAuth", input: input, idempotent: true, deadline: deadline)
    }

    public func createUserPool(_ input: Models.CreateUserPoolInput, deadline: Deadline? = nil) async throws(AWSClientError)
        -> Models.CreateUserPoolOutput
    {
        try await client.call("CreateUserPool", input: input, idempotent: false, deadline: deadline)
    }

    public func createUserPoolClient(_ input: Models.CreateUserPoolClientInput, deadline: Deadline? = nil) async throws(AWSClientError)
        -> Models.CreateUserPoolClientOutput
    {
        try await client.call("CreateUserPoolClient", input: input, idempotent: false, deadline: deadline)
    }

    public func deleteUserPool(userPoolId: String, deadline: Deadline? = nil) async throws(AWSClientError) {
        let _: AWSEmpty = try await client.call(
            "DeleteUserPool", input: Models.UserPoolIdInput(userPoolId: userPoolId), idempotent: true, deadline: deadline)
    }
}

extension CognitoIdentityProvider {
    public struct CreateUserPoolInput: Encodable, Sendable, Hashable {
        public var poolName: String
        public var autoVerifiedAttributes: [String]?
        public var usernameAttributes: [String]?
        /// `OFF`, `ON`, `OPTIONAL`.
        public var mfaConfiguration: String?
        enum CodingKeys: String, CodingKey {
            case poolName = "PoolName", autoVerifiedAttributes = "AutoVerifiedAttributes", usernameAttributes = "UsernameAttributes",
                mfaConfiguration = "MfaConfiguration"
        }
        public init(
            poolName: String, autoVerifiedAttributes: [String]? = nil, usernameAttributes: [String]? = nil, mfaConfiguration: String? = nil
        ) {
            self.poolName = poolName; self.autoVerifiedAttributes = autoVerifiedAttributes; self.usernameAttributes = usernameAttributes;
            self.mfaConfiguration = mfaConfiguration
        }
    }

    public struct UserPool: Decodable, Sendable, Hashable {
        public var id: String
        public var name: String?
        public var arn: String?
        enum CodingKeys: String, CodingKey { case id = "Id", name = "Name", arn = "Arn" }
    }

    public struct CreateUserPoolOutput: Decodable, Sendable, Hashable {
        public var userPool: UserPool
        enum CodingKeys: String, CodingKey { case userPool = "UserPool" }
    }

    public struct CreateUserPoolClientInput: Encodable, Sendable, Hashable {
        public var userPoolId: String
        public var clientName: String
        public var generateSecret: Bool?
        public var explicitAuthFlows: [String]?
        /// Attributes the client may read; moto only copies these into id tokens.
        public var readAttributes: [String]?
        enum CodingKeys: String, CodingKey {
            case userPoolId = "UserPoolId", clientName = "ClientName", generateSecret = "GenerateSecret", explicitAuthFlows =
                "ExplicitAuthFlows", readAttributes = "ReadAttributes"
        }
        public init(
            userPoolId: String, clientName: String, generateSecret: Bool? = false,
            explicitAuthFlows: [String]? = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"],
            readAttributes: [String]? = nil
        ) {
            self.userPoolId = userPoolId; self.clientName = clientName; self.generateSecret = generateSecret;
            self.explicitAuthFlows = explicitAuthFlows; self.readAttributes = readAttributes
        }
    }

    public struct UserPoolIdInput: Encodable, Sendable {
        public var userPoolId: String
        enum CodingKeys: String, CodingKey { case userPoolId = "UserPoolId" }
    }
}
