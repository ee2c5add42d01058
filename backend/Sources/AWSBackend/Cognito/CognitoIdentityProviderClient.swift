import FoundationEssentials
import LifestyleToolkit
import Logging
import SigV4

/// Typed Cognito User Pools client (AWS JSON 1.1, target prefix `AWSCognitoIdentityProviderService`).
///
/// All requests are SigV4-signed (AWS ignores the signature on the public, token-based
/// operations such as SignUp/InitiateAuth, and requires it on Admin* operations).
/// Errors are `AWSClientError.service(AWSError)` with codes such as `UsernameExistsException`,
/// `NotAuthorizedException`, `UserNotConfirmedException`, `CodeMismatchException`,
/// `ExpiredCodeException`, `InvalidPasswordException`, `UserNotFoundException`,
/// `LimitExceededException`, `TooManyRequestsException`.
public struct CognitoIdentityProviderClient: Sendable {
    public typealias Models = CognitoIdentityProvider
    public let client: AWSJSONClient

    public init(client: AWSJSONClient) {
        precondition(client.service == .cognitoIdentityProvider, "CognitoIdentityProviderClient needs a cognito-idp AWSJSONClient")
        self.client = client
    }

    /// Endpoint from `endpoint` or, when nil, `AWSEndpoint.resolve` over `environment`
    /// (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, AWS_ENDPOINT_URL, default).
    public init(
        credentials: AWSCredentials, region: String, httpClient: AWSHTTPClient,
        endpoint: AWSEndpoint? = nil, environment: [String: String] = [:],
        retryPolicy: RetryPolicy = .default, attemptTimeout: Duration = .seconds(5),
        logger: Logger
    ) throws(AWSEndpoint.ResolutionError) {
        let resolved: AWSEndpoint
        if let endpoint {
            resolved = endpoint
        } else {
            resolved = try AWSEndpoint.resolve(for: .cognitoIdentityProvider, region: region, environment: environment)
        }
        self.client = AWSJSONClient(
            service: .cognitoIdentityProvider, credentials: credentials, region: region, endpoint: resolved,
            httpClient: httpClient, retryPolicy: retryPolicy, attemptTimeout: attemptTimeout, logger: logger)
    }

    public typealias Deadline = ContinuousClock.Instant

    // MARK: Public (client-side) operations

    /// Not retried on 5xx/timeouts (a replay of a successful sign-up fails with UsernameExistsException).
    public func signUp(_ input: Models.SignUpInput, deadline: Deadline? = nil) async throws(AWSClientError) -> Models.SignUpOutput {
        try await client.call("SignUp", input: input, idempotent: false, deadline: deadline)
    }

    public func confirmSignUp(_ input: Models.ConfirmSignUpInput, deadline: Deadline? = nil) async throws(AWSClientError) {
        let _: AWSEmpty = try await client.call("ConfirmSignUp", input: input, idempotent: false, deadline: deadline)
    }

    /// USER_PASSWORD_AUTH / REFRESH_TOKEN_AUTH. Retried on 5xx (a replay only issues other tokens).
    public func initiateAuth(_ input: Models.InitiateAuthInput, deadline: Deadline? = nil) async throws(AWSClientError) -> Models.AuthOutput
    {
        try await client.call("InitiateAuth", input: input, idempotent: true, deadline: deadline)
    }

    public func forgotPassword(_ input: Models.ForgotPasswordInput, deadline: Deadline? = nil) async throws(AWSClientError)
        -> Models.ForgotPasswordOutput
    {
        try await client.call("ForgotPassword", input: input, idempotent: false, deadline: deadline)
    }

    public func confirmForgotPassword(_ input: Models.ConfirmForgotPasswordInput, deadline: Deadline? = nil) async throws(AWSClientError) {
        let _: AWSEmpty = try await client.call("ConfirmForgotPassword", input: input, idempotent: false, deadline: deadline)
    }

    /// Not retried on 5xx (each call mails a new code).
    public func resendConfirmationCode(_ input: Models.ResendConfirmationCodeInput, deadline: Deadline? = nil) async throws(AWSClientError)
        -> Models.ResendConfirmationCodeOutput
    {
        try await client.call("ResendConfirmationCode", input: input, idempotent: false, deadline: deadline)
    }

    public func revokeToken(_ input: Models.RevokeTokenInput, deadline: Deadline? = nil) async throws(AWSClientError) {
        let _: AWSEmpty = try await client.call("RevokeToken", input: input, idempotent: true, deadline: deadline)
    }

    // MARK: Admin operations (need IAM permissions)

    /// The app client's settings, its secret included (read once at start: the secret never sits
    /// in Terraform outputs or the function's environment).
    public func describeUserPoolClient(userPoolId: String, clientId: String, deadline: Deadline? = nil) async throws(AWSClientError)
        -> Models.UserPoolClient
    {
        let out: Models.DescribeUserPoolClientOutput = try await client.call(
            "DescribeUserPoolClient", input: Models.UserPoolClientInput(userPoolId: userPoolId, clientId: clientId), idempotent: true,
            deadline: deadline)
        return out.userPoolClient
    }

    public func adminGetUser(userPoolId: String, username: String, deadline: Deadline? = nil) async throws(AWSClientError)
        -> Models.AdminGetUserOutput
    {
        try await client.call(
            "AdminGetUser", input: Models.PoolUserInput(userPoolId: userPoolId, username: username), idempotent: true, deadline: deadline)
    }

    public func adminDeleteUser(userPoolId: String, username: String, deadline: Deadline? = nil) async throws(AWSClientError) {
        let _: AWSEmpty = try await client.call(
            "AdminDeleteUser", input: Models.PoolUserInput(userPoolId: userPoolId, username: username), idempotent: true, deadline: deadline
        )
    }

    public func adminUserGlobalSignOut(userPoolId: String, username: String, deadline: Deadline? = nil) async throws(AWSClientError) {
        let _: AWSEmpty = try await client.call(
            "AdminUserGlobalSignOut", input: Models.PoolUserInput(userPoolId: userPoolId, username: username), idempotent: true,
            deadline: deadline)
    }

    /// Not retried on 5xx: a replay could set a password the caller has since changed again.
    public func adminSetUserPassword(_ input: Models.AdminSetUserPasswordInput, deadline: Deadline? = nil) async throws(AWSClientError) {
        let _: AWSEmpty = try await client.call("AdminSetUserPassword", input: input, idempotent: false, deadline: deadline)
    }

}
