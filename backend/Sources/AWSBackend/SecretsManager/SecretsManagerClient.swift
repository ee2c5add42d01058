import FoundationEssentials
import LifestyleToolkit
import Logging
import SigV4

/// The one Secrets Manager call the function makes (AWS JSON 1.1, target prefix `secretsmanager`).
public struct SecretsManagerClient: Sendable {
    public let client: AWSJSONClient

    public init(
        credentials: AWSCredentials, region: String, httpClient: AWSHTTPClient, environment: [String: String] = [:],
        logger: Logger
    ) throws(AWSEndpoint.ResolutionError) {
        let endpoint = try AWSEndpoint.resolve(for: .secretsManager, region: region, environment: environment)
        self.client = AWSJSONClient(
            service: .secretsManager, credentials: credentials, region: region, endpoint: endpoint, httpClient: httpClient,
            retryPolicy: .default, attemptTimeout: .seconds(5), logger: logger)
    }

    struct GetSecretValueInput: Encodable, Sendable {
        var secretId: String
        var versionStage: String?
        enum CodingKeys: String, CodingKey {
            case secretId = "SecretId"
            case versionStage = "VersionStage"
        }
    }

    struct GetSecretValueOutput: Decodable, Sendable {
        var secretString: String?
        enum CodingKeys: String, CodingKey { case secretString = "SecretString" }
    }

    /// The secret's string value at `stage` (nil: `AWSCURRENT`; `AWSPREVIOUS` is the value a
    /// rotation replaced).
    public func secretString(
        id: String, stage: String? = nil, deadline: ContinuousClock.Instant? = nil
    ) async throws(AWSClientError) -> String? {
        let out: GetSecretValueOutput = try await client.call(
            "GetSecretValue", input: GetSecretValueInput(secretId: id, versionStage: stage), idempotent: true,
            deadline: deadline)
        return out.secretString
    }
}
