import AWSBackend
import LambdaRuntime
import LifestyleCore
import LifestyleLambda
import LifestyleToolkit
import Logging
import Metrics

#if os(Linux)
    import Glibc
#else
    #error("Linux only: the Lambda main calls Glibc directly")
#endif

/// The process as a Lambda custom runtime (`bootstrap`, and `api-handler` when
/// `AWS_LAMBDA_RUNTIME_API` is set, which is how `serve --lambda` runs its child): configuration,
/// services and handler are built once; any failure on the way is one `/runtime/init/error`.
public enum LambdaMain {
    /// `bootstrap`'s main: the function when `AWS_LAMBDA_RUNTIME_API` is set, else a usage line.
    public static func run(environment env: [String: String], started: ContinuousClock.Instant) async -> Never {
        guard let endpoint = env["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else {
            StandardStream.write(
                "bootstrap: the Lambda function; it runs when AWS_LAMBDA_RUNTIME_API is set. "
                    + "Use api-handler for serve, routes and cognito-trigger.\n", to: 2)
            exit(64)  // EX_USAGE
        }
        await run(endpoint: endpoint, environment: env, started: started)
    }

    public static func run(endpoint: String, environment env: [String: String], started: ContinuousClock.Instant) async -> Never {
        let client: RuntimeAPIClient
        do {
            client = try RuntimeAPIClient(endpoint: endpoint)
        } catch {
            LambdaProcess.failInit(client: nil, type: "Runtime.InvalidEndpoint", message: "\(error)")
        }
        let (handler, metrics, logger): (LifestyleLambdaHandler, EMFMetricsFactory, Logger)
        do {
            (handler, metrics, logger) = try await start(env)
        } catch {
            LambdaProcess.failInit(client: client, type: error.type, message: error.message)
        }
        Termination.install()
        metrics.recordColdStart(initDuration: ContinuousClock.now - started)
        let runtime = RuntimeLoop(client: client, handler: handler, logger: logger, afterInvocation: { metrics.flush() })
        do {
            try await runtime.run()
            metrics.flush()
            exit(0)
        } catch {
            LambdaProcess.stderrLine("api-handler: \(error)")
            exit(1)
        }
    }

    /// Everything the first invocation needs, or the one reason it cannot be served.
    static func start(_ env: [String: String]) async throws(StartupError) -> (LifestyleLambdaHandler, EMFMetricsFactory, Logger) {
        let config = try Composition.configure(env)
        let metrics = EMFMetricsFactory(namespace: "LifestyleBackend/\(config.environment.rawValue)")
        MetricsSystem.bootstrap(metrics)
        var logger = Logger(label: "api-handler")
        logger.logLevel = config.logLevel
        let dataDir = env["LIFESTYLE_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp/lifestyle"
        let services = try await Composition.services(config: config, env: env, dataDir: dataDir, logger: logger)
        let app = LifestyleApp(services: services, logger: logger)
        let trigger = CustomMessageCognitoHandler(config: config, env: env)
        let version = env["AWS_LAMBDA_FUNCTION_VERSION"].flatMap { $0.isEmpty ? nil : $0 } ?? "$LATEST"
        return (LifestyleLambdaHandler(app: app, cognito: trigger, version: version), metrics, logger)
    }
}

/// Cognito user-pool triggers: the AWS adapter's custom-message trigger (other trigger
/// sources come back unchanged, which Cognito reads as "no change").
struct CustomMessageCognitoHandler: CognitoTriggerHandler {
    let config: AppConfig
    let env: [String: String]
    func handle(_ event: [UInt8]) async throws -> [UInt8] { try Composition.customMessage(event, config: config, env: env) }
}
