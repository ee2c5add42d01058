import AWSBackend
import LambdaTransport
import LifestyleCore
import Logging

#if !LAMBDA_ONLY
    import EmbeddedBackend
#endif

#if canImport(Glibc)
    import Glibc
#endif

enum Entry {
    static func main(environment: [String: String]) async {
        let started = ContinuousClock.now
        if let api = environment["AWS_LAMBDA_RUNTIME_API"], !api.isEmpty {
            await LambdaEntry.run(endpoint: api, environment: environment, started: started)
        }
        #if LAMBDA_ONLY
            LambdaProcess.stderrLine(
                "api-handler: this is the Lambda-only build (bootstrap); it runs when AWS_LAMBDA_RUNTIME_API is set. "
                    + "Build without LIFESTYLE_LAMBDA_ONLY for serve, routes and cognito-trigger.")
            exit(64)  // EX_USAGE
        #else
            await APIHandler.main()
        #endif
    }

    /// The adapters for `config.environment`: embedded SQLite + local identity provider in
    /// `dataDir` for `local`, the AWS adapters otherwise. Shared by `serve` and the Lambda runtime.
    static func makeServices(config: AppConfig, env: [String: String], dataDir: String, logger: Logger) async throws -> Services {
        switch config.environment {
        case .local:
            #if LAMBDA_ONLY
                throw ConfigError(
                    "ENVIRONMENT=local needs the embedded backend, which the Lambda-only build leaves out; use dev or prod")
            #else
                let backend = try await EmbeddedBackend.open(dataDirectory: dataDir)
                return Services(
                    users: backend.users, identity: backend.identity, rateLimiter: backend.rateLimiter,
                    secret: AppSecret(backend.masterKey), config: config, apiKeys: try localAPIKeys(env),
                    edge: localEdge(env))
            #endif
        case .dev, .prod:
            return Wiring.awsServices(config: config, env: env, logger: logger)
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

    /// Prints one clear line and exits non-zero: invalid configuration stops start-up.
    static func fail(_ message: String) -> Never {
        LambdaEntry.reportInitFailure(message)
        LambdaProcess.stderrLine("api-handler: \(message)")
        exit(78)  // EX_CONFIG
    }
}

enum Wiring {
    /// Where the emailed links of the AWS environments point (the web app's routes).
    static func appBaseURL(_ config: AppConfig, _ env: [String: String]) -> String {
        if let url = env["APP_BASE_URL"], !url.isEmpty { return url }
        return config.environment == .prod ? "https://ailifestyle.app" : "https://dev.ailifestyle.app"
    }

    /// The Cognito and DynamoDB adapters; a missing or invalid setting stops start-up with one line.
    static func makeAWS(config: AppConfig, env: [String: String], logger: Logger) -> AWSBackend {
        do {
            let settings = try AWSSettings.fromEnvironment(env)
            let backend = try AWSBackend.make(settings: settings, appBaseURL: appBaseURL(config, env), logger: logger)
            backend.warmUp()
            return backend
        } catch {
            Entry.fail("invalid configuration: \(error)")
        }
    }

    static func awsServices(config: AppConfig, env: [String: String], logger: Logger) -> Services {
        let aws = makeAWS(config: config, env: env, logger: logger)
        return Services(
            users: aws.users, identity: aws.identity, rateLimiter: aws.rateLimiter, secret: aws.appSecret, config: config,
            apiKeys: aws.apiKeys, edge: aws.edge)
    }
}
