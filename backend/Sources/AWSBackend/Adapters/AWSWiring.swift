import LifestyleCore
import LifestyleToolkit
import Logging
import SigV4

/// Settings of the AWS mode, read from the Lambda environment (or a shell pointed at an emulator).
public struct AWSSettings: Sendable {
    public var region: String
    public var credentials: AWSCredentials
    public var usersTable: String
    public var userPoolId: String
    public var userPoolClientId: String
    /// `APP_SECRET_ID`: the Secrets Manager secret holding the master key (base64, >= 32 bytes).
    public var appSecretId: String
    /// `API_KEYS_SECRET_ID`: the secret holding the API keys' hashes, when the environment
    /// requires API keys (unset: it does not).
    public var apiKeysSecretId: String?
    /// `EDGE_SECRET_ID`: the secret CloudFront sends in `x-origin-verify`, when the environment
    /// has the edge on (unset: requests reach the function straight from API Gateway).
    public var edgeSecretId: String?
    public var environment: [String: String]

    /// Throws one `ConfigError` naming every missing setting.
    public static func fromEnvironment(_ env: [String: String]) throws(ConfigError) -> AWSSettings {
        func value(_ k: String) -> String? { env[k].flatMap { $0.isEmpty ? nil : $0 } }
        let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION")
        var missing: [String] = []
        if region == nil { missing.append("AWS_REGION") }
        for k in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "USERS_TABLE", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "APP_SECRET_ID"]
        where value(k) == nil {
            missing.append(k)
        }
        guard missing.isEmpty, let region, let credentials = AWSCredentials.fromEnvironment(env) else {
            throw ConfigError("missing settings for ENVIRONMENT=\(env["ENVIRONMENT"] ?? "?"): " + missing.joined(separator: ", "))
        }
        for (k, v) in env where k.hasPrefix("AWS_ENDPOINT_URL") && AWSEndpoint(url: v) == nil {
            throw ConfigError("\(k) must be an http(s) URL (got '\(v)')")
        }
        return AWSSettings(
            region: region, credentials: credentials, usersTable: value("USERS_TABLE")!, userPoolId: value("USER_POOL_ID")!,
            userPoolClientId: value("USER_POOL_CLIENT_ID")!, appSecretId: value("APP_SECRET_ID")!,
            apiKeysSecretId: value("API_KEYS_SECRET_ID"), edgeSecretId: value("EDGE_SECRET_ID"), environment: env)
    }
}

/// The AWS adapters of the ports, built once per process around one shared HTTP client.
public struct AWSAdapters: Sendable {
    public let users: DynamoDBUserStore
    public let goals: DynamoDBGoalStore
    public let encryptionKeys: DynamoDBEncryptionKeyStore
    public let journal: DynamoDBJournalStore
    public let identity: CognitoIdentityAdapter
    public let rateLimiter: DynamoDBRateLimiter
    public let revocations: DynamoDBTokenRevocations
    public let customMessage: CustomMessageTrigger
    public let httpClient: AWSHTTPClient
    let verifier: JWKSVerifier
    public let appSecret: AppSecret
    public let apiKeys: APIKeyRing?
    public let edge: EdgeOrigin?
    let logger: Logger

    /// Fetches what the first requests need (the user pool's JWKS, the master key, the app
    /// client's secret) in the background, so start-up never waits on a network call. A key that
    /// cannot be read is reported on one error line now; requests that need it answer 503 until
    /// it can be read.
    public func warmUp() {
        let verifier = self.verifier, appSecret = self.appSecret, clientSecret = identity.clientSecret, logger = self.logger
        Task { await verifier.prefetch() }
        if let apiKeys {
            Task {
                do {
                    _ = try await apiKeys.keys()
                } catch {
                    logger.error("cannot read the API keys (API_KEYS_SECRET_ID)", metadata: ["error": .string("\(error)")])
                }
            }
        }
        if let edge {
            Task {
                do {
                    try await edge.prefetch()
                } catch {
                    logger.error("cannot read the edge secret (EDGE_SECRET_ID)", metadata: ["error": .string("\(error)")])
                }
            }
        }
        Task {
            do {
                _ = try await appSecret.key()
            } catch {
                logger.error("cannot read the master key (APP_SECRET_ID)", metadata: ["error": .string("\(error)")])
            }
        }
        Task {
            do {
                _ = try await clientSecret.value()
            } catch {
                logger.error("cannot read the app client's secret (DescribeUserPoolClient)", metadata: ["error": .string("\(error)")])
            }
        }
    }

    public static func make(settings s: AWSSettings, appBaseURL: String, logger appLogger: Logger) throws(ConfigError) -> AWSAdapters {
        // The HTTP client logs request and response bodies at trace level; bodies carry passwords
        // and tokens, so its logger never goes below info.
        var logger = appLogger
        logger.logLevel = max(appLogger.logLevel, .info)
        let http = AWSHTTPClientFactory.makeHTTPClient()
        let dynamo: DynamoDBClient
        let cognito: CognitoIdentityProviderClient
        let secrets: SecretsManagerClient
        do {
            secrets = try SecretsManagerClient(
                credentials: s.credentials, region: s.region, httpClient: http, environment: s.environment, logger: logger)
            dynamo = try DynamoDBClient(
                credentials: s.credentials, region: s.region, httpClient: http, environment: s.environment, logger: logger)
            cognito = try CognitoIdentityProviderClient(
                credentials: s.credentials, region: s.region, httpClient: http, environment: s.environment, logger: logger)
        } catch {
            throw ConfigError("cannot resolve AWS endpoints: \(error)")
        }
        let emulated = s.environment["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] != nil || s.environment["AWS_ENDPOINT_URL"] != nil
        let verifier = JWKSVerifier(
            configuration: .cognito(
                region: s.region, userPoolId: s.userPoolId, clientIds: [s.userPoolClientId],
                endpoint: emulated ? cognito.client.endpoint : nil),
            httpClient: http)
        let users = DynamoDBUserStore(client: dynamo, table: s.usersTable)
        let secretId = s.appSecretId
        let appSecret = AppSecret(load: { try await Self.masterKeys(secrets, secretId) })
        var apiKeys: APIKeyRing?
        if let keysId = s.apiKeysSecretId {
            apiKeys = APIKeyRing(load: {
                let value: String?
                do {
                    value = try await secrets.secretString(id: keysId)
                } catch let error as AWSClientError {
                    throw AppSecretError.apiKeysUnreadable(error.code ?? "transport")
                }
                guard let value else { throw AppSecretError.apiKeysUnreadable("empty") }
                return try APIKeys.parse(value)
            })
        }
        let edge = s.edgeSecretId.map { id in
            EdgeOrigin(APIKeyRing(load: { try await Self.edgeSecrets(secrets, id) }))
        }
        let poolId = s.userPoolId, clientId = s.userPoolClientId
        let clientSecret = ClientSecret(load: {
            do {
                return try await cognito.describeUserPoolClient(userPoolId: poolId, clientId: clientId).clientSecret
            } catch {
                throw AppSecretError.clientSecretUnreadable((error as? AWSClientError)?.code ?? "transport")
            }
        })
        let identity = CognitoIdentityAdapter(
            cognito: cognito, verifier: verifier,
            secrets: MFASecretStore(client: dynamo, table: s.usersTable, appSecret: appSecret, logger: appLogger),
            userPoolId: poolId, clientId: clientId, appSecret: appSecret, clientSecret: clientSecret)
        return AWSAdapters(
            users: users, goals: DynamoDBGoalStore(client: dynamo, table: s.usersTable),
            encryptionKeys: DynamoDBEncryptionKeyStore(client: dynamo, table: s.usersTable),
            journal: DynamoDBJournalStore(client: dynamo, table: s.usersTable), identity: identity,
            rateLimiter: DynamoDBRateLimiter(client: dynamo, table: s.usersTable),
            revocations: DynamoDBTokenRevocations(client: dynamo, table: s.usersTable),
            customMessage: CustomMessageTrigger(appBaseURL: appBaseURL), httpClient: http,
            verifier: verifier, appSecret: appSecret, apiKeys: apiKeys, edge: edge, logger: logger)
    }
}

extension AWSAdapters {
    /// The master key ring: `AWSCURRENT` seals, `AWSPREVIOUS` (the version before the last
    /// rotation, when there is one) still opens. A previous version that is not a valid key is
    /// left out (logged by the caller's 503s never: it only narrows what opens).
    static func masterKeys(_ secrets: SecretsManagerClient, _ id: String) async throws -> KeyRing {
        let value: String?
        do {
            value = try await secrets.secretString(id: id)
        } catch {
            throw AppSecretError.unreadable(error.code ?? "transport")
        }
        guard let value, let current = MasterKey(base64: value) else { throw AppSecretError.malformed }
        var previous: [MasterKey] = []
        do {
            if let old = try await secrets.secretString(id: id, stage: "AWSPREVIOUS"), let key = MasterKey(base64: old) {
                previous.append(key)
            }
        } catch {
            if error.code != "ResourceNotFoundException" { throw AppSecretError.unreadable(error.code ?? "transport") }
        }
        return KeyRing(current: current, previous: previous)
    }

    /// The edge origin secret's accepted values: `AWSCURRENT`, and `AWSPREVIOUS` while a rotation
    /// may still have CloudFront sending it (no previous version: just the current one).
    static func edgeSecrets(_ secrets: SecretsManagerClient, _ id: String) async throws -> [APIKey] {
        let current: String?
        do {
            current = try await secrets.secretString(id: id)
        } catch {
            throw AppSecretError.edgeSecretUnreadable(error.code ?? "transport")
        }
        guard let current, !current.isEmpty else { throw AppSecretError.edgeSecretUnreadable("empty") }
        var previous = ""
        do {
            previous = try await secrets.secretString(id: id, stage: "AWSPREVIOUS") ?? ""
        } catch {
            if error.code != "ResourceNotFoundException" {
                throw AppSecretError.edgeSecretUnreadable(error.code ?? "transport")
            }
        }
        return EdgeOrigin.digests([current, previous])
    }
}

/// Why the master key could not be had (never its value).
public enum AppSecretError: Error, Sendable, CustomStringConvertible {
    case unreadable(String)
    case malformed
    case clientSecretUnreadable(String)
    case apiKeysUnreadable(String)
    case edgeSecretUnreadable(String)
    public var description: String {
        switch self {
        case .edgeSecretUnreadable(let code): "the secret named by EDGE_SECRET_ID cannot be read (\(code))"
        case .apiKeysUnreadable(let code): "the secret named by API_KEYS_SECRET_ID cannot be read (\(code))"
        case .unreadable(let code): "the secret named by APP_SECRET_ID cannot be read (\(code))"
        case .clientSecretUnreadable(let code): "the app client's secret cannot be read with DescribeUserPoolClient (\(code))"
        case .malformed: "the secret named by APP_SECRET_ID is not base64 of at least 32 random bytes"
        }
    }
}
