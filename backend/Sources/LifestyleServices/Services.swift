import AWSBackend
public import LifestyleCore
import LifestyleToolkit
public import Logging

#if Embedded
    import EmbeddedBackend
#endif

/// Builds the app's services from configuration: the only place that knows every adapter.
/// Start-up either returns the services or throws one `StartupError`; the callers (the CLI's
/// `serve`, the Lambda main) decide how to report it.
public enum Composition {
    /// Reads `ENVIRONMENT`, `LOG_LEVEL`, `CORS_ORIGIN` and bootstraps the JSON log handler at that level.
    public static func configure(_ env: [String: String]) throws(StartupError) -> AppConfig {
        let config: AppConfig
        do {
            config = try AppConfig.fromEnvironment(env)
        } catch {
            throw StartupError(type: "Runtime.InvalidConfiguration", message: "invalid configuration: \(error)")
        }
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: config.logLevel) }
        return config
    }

    /// The adapters for `config.environment`: embedded SQLite + local identity provider in
    /// `dataDir` for `local`, the AWS adapters otherwise.
    public static func services(config: AppConfig, env: [String: String], dataDir: String, logger: Logger) async throws(StartupError)
        -> Services
    {
        switch config.environment {
        case .local:
            return try await embeddedServices(config: config, env: env, dataDir: dataDir)
        case .dev, .prod:
            let aws = try awsAdapters(config: config, env: env, logger: logger)
            return Services(
                users: aws.users, goals: aws.goals, encryptionKeys: aws.encryptionKeys, journal: aws.journal, identity: aws.identity,
                rateLimiter: aws.rateLimiter, secret: aws.appSecret,
                config: config,
                apiKeys: aws.apiKeys, edge: aws.edge, revocations: aws.revocations)
        }
    }

    #if Embedded
        static func embeddedServices(config: AppConfig, env: [String: String], dataDir: String) async throws(StartupError) -> Services {
            do {
                // settings first: a bad API_KEYS stops start-up before the database is opened
                let apiKeys = try localAPIKeys(env)
                let backend = try await EmbeddedAdapters.open(dataDirectory: dataDir)
                return Services(
                    users: backend.users, goals: backend.goals, encryptionKeys: backend.encryptionKeys, journal: backend.journal,
                    identity: backend.identity,
                    rateLimiter: backend.rateLimiter,
                    secret: AppSecret(backend.keys), config: config, apiKeys: apiKeys, edge: localEdge(env),
                    revocations: backend.revocations)
            } catch {
                throw StartupError(type: "Runtime.InitializationFailed", message: "\(error)")
            }
        }
    #else
        static func embeddedServices(config: AppConfig, env: [String: String], dataDir: String) async throws(StartupError) -> Services {
            throw StartupError(
                type: "Runtime.InitializationFailed",
                message: "ENVIRONMENT=local needs the embedded backend, which this build (the Lambda bootstrap) leaves out; use dev or prod"
            )
        }
    #endif

    #if Embedded
        /// Rotates the local data directory's master key (`api-handler rotate-master-key`): the
        /// ids of the previous and the new key (never their values).
        public static func rotateLocalMasterKey(dataDir: String) throws -> (previous: String, current: String) {
            try EmbeddedAdapters.rotateMasterKey(dataDirectory: dataDir)
        }
    #else
        public static func rotateLocalMasterKey(dataDir: String) throws -> (previous: String, current: String) {
            throw StartupError(type: "Runtime.InitializationFailed", message: "this build has no embedded backend")
        }
    #endif

    /// Where the emailed links of the AWS environments point (the web app's routes).
    public static func appBaseURL(_ config: AppConfig, _ env: [String: String]) -> String {
        if let url = env["APP_BASE_URL"], !url.isEmpty { return url }
        return config.environment == .prod ? "https://ailifestyle.app" : "https://dev.ailifestyle.app"
    }

    /// The Cognito and DynamoDB adapters, warming up (TLS, JWKS, the app secret) in the background.
    static func awsAdapters(config: AppConfig, env: [String: String], logger: Logger) throws(StartupError) -> AWSAdapters {
        do {
            let settings = try AWSSettings.fromEnvironment(env)
            let backend = try AWSAdapters.make(settings: settings, appBaseURL: appBaseURL(config, env), logger: logger)
            backend.warmUp()
            return backend
        } catch {
            throw StartupError(type: "Runtime.InitializationFailed", message: "invalid configuration: \(error)")
        }
    }

    /// `API_KEYS` (the JSON `scripts/api-keys.sh` writes: names and SHA-256 of the keys) turns
    /// API keys on for the local server; unset, no key is needed.
    static func localAPIKeys(_ env: [String: String]) throws -> APIKeyRing? {
        guard let raw = env["API_KEYS"], !raw.isEmpty else { return nil }
        return APIKeyRing(try APIKeys.parse(raw))
    }

    /// `EDGE_SECRET` (the value, or `new,old` during a rotation) makes the local server behave
    /// as the function behind the edge does: the secret header required, the viewer's address
    /// believed. Unset, there is no edge.
    static func localEdge(_ env: [String: String]) -> EdgeOrigin? {
        guard let raw = env["EDGE_SECRET"], !raw.isEmpty else { return nil }
        return EdgeOrigin(APIKeyRing(EdgeOrigin.digests(raw.split(separator: ",").map(String.init))))
    }

    /// The Cognito custom-message trigger on one event (`api-handler cognito-trigger`, and the
    /// Lambda function's trigger path).
    public static func customMessage(_ event: [UInt8], config: AppConfig, env: [String: String]) throws -> [UInt8] {
        try CustomMessageTrigger(appBaseURL: appBaseURL(config, env)).handle(event)
    }
}

/// Why start-up stopped: a Lambda `errorType` for `/runtime/init/error` and one line for people.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public var type: String
    public var message: String
    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }
    public var description: String { message }
}
