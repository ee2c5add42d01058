import AWSBackend
import LambdaTransport
import LifestyleCore
import Logging
import Metrics
import Synchronization

#if !LAMBDA_ONLY
    import LambdaEmulator
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The Lambda side of `api-handler`: with `AWS_LAMBDA_RUNTIME_API` set the process is a Lambda
/// custom runtime (`bootstrap`); `serve --lambda` emulates API Gateway + the Runtime API locally
/// and runs this same runtime as a child process.
enum LambdaEntry {
    /// Set while starting up as a Lambda runtime, so `Entry.fail` can report `init/error`.
    private static let activeEndpoint = Mutex<String?>(nil)
    private static let emulatorStopping = Atomic<Bool>(false)

    static func run(endpoint: String, environment env: [String: String], started: ContinuousClock.Instant) async -> Never {
        activeEndpoint.withLock { $0 = endpoint }
        let client: RuntimeAPIClient
        do {
            client = try RuntimeAPIClient(endpoint: endpoint)
        } catch {
            LambdaProcess.failInit(client: nil, type: "Runtime.InvalidEndpoint", message: "\(error)")
        }
        let config: AppConfig
        do {
            config = try AppConfig.fromEnvironment(env)
        } catch {
            LambdaProcess.failInit(client: client, type: "Runtime.InvalidConfiguration", message: "invalid configuration: \(error)")
        }
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: config.logLevel) }
        let metrics = EMFMetricsFactory(namespace: "LifestyleBackend/\(config.environment.rawValue)")
        MetricsSystem.bootstrap(metrics)
        var logger = Logger(label: "api-handler")
        logger.logLevel = config.logLevel

        let dataDir = env["LIFESTYLE_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp/lifestyle"
        let services: Services
        do {
            services = try await Entry.makeServices(config: config, env: env, dataDir: dataDir, logger: logger)
        } catch {
            LambdaProcess.failInit(client: client, type: "Runtime.InitializationFailed", message: "\(error)")
        }
        let app = LifestyleApp(services: services, logger: logger)
        let handler = LifestyleLambdaHandler(app: app, cognito: cognitoTriggerHandler(config: config, env: env))
        activeEndpoint.withLock { $0 = nil }
        Termination.install()
        metrics.recordColdStart(initDuration: ContinuousClock.now - started)
        let runtime = LambdaRuntime(client: client, handler: handler, logger: logger, afterInvocation: { metrics.flush() })
        do {
            try await runtime.run()
            metrics.flush()
            exit(0)
        } catch {
            LambdaProcess.stderrLine("api-handler: \(error)")
            exit(1)
        }
    }

    /// Cognito user-pool triggers: the AWS adapter's custom-message trigger (other trigger
    /// sources come back unchanged, which Cognito reads as "no change").
    static func cognitoTriggerHandler(config: AppConfig, env: [String: String]) -> any CognitoTriggerHandler {
        CustomMessageCognitoHandler(trigger: CustomMessageTrigger(appBaseURL: Wiring.appBaseURL(config, env)))
    }

    /// Called by `Entry.fail` before it exits: during Lambda start-up the failure is also
    /// reported to `/runtime/init/error`.
    static func reportInitFailure(_ message: String) {
        guard let endpoint = activeEndpoint.withLock({ $0 }), let client = try? RuntimeAPIClient(endpoint: endpoint) else { return }
        try? client.reportInitError(type: "Runtime.InitializationFailed", message: message)
    }

    #if !LAMBDA_ONLY
        /// `api-handler serve --lambda`: an API Gateway v2 front on `host:port` and a Runtime API
        /// emulator on loopback, with this executable as the function in a child process.
        static func emulate(host: String, port: Int, dataDir: String, config: AppConfig, logger: Logger) async throws {
            let runtimeAPI: RuntimeAPIServer
            do {
                runtimeAPI = try RuntimeAPIServer()
            } catch {
                Entry.fail("cannot start the Runtime API emulator: \(error)")
            }
            var env = ProcessEnvironment.current
            env["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI.endpoint
            env["LIFESTYLE_DATA_DIR"] = dataDir
            env["AWS_LAMBDA_FUNCTION_NAME"] = env["AWS_LAMBDA_FUNCTION_NAME"] ?? "api-handler-local"
            guard let pid = ChildProcess.spawn(path: ChildProcess.currentExecutable, arguments: [], environment: env) else {
                Entry.fail("cannot start the Lambda runtime process")
            }
            startThread {
                let status = ChildProcess.wait(pid)
                if emulatorStopping.load(ordering: .acquiring) { exit(0) }
                LambdaProcess.stderrLine("api-handler: the Lambda runtime process exited with status \(status)")
                exit(1)
            }
            let readyLogger = logger
            do {
                try await APIGatewayFront.run(runtime: runtimeAPI, host: host, port: port, logger: logger) { bound in
                    readyLogger.notice(
                        "listening",
                        metadata: [
                            "url": .string("http://\(host):\(bound)\(config.basePath)"),
                            "environment": .string(config.environment.rawValue), "port": .stringConvertible(bound),
                            "transport": "lambda-emulation", "runtime_api": .string(runtimeAPI.endpoint),
                        ])
                }
            } catch {
                logger.error("API Gateway emulator failed", metadata: ["error": .string("\(error)")])
            }
            // Stop the function the way Lambda does (SIGTERM), give it 5 s, then SIGKILL.
            emulatorStopping.store(true, ordering: .releasing)
            kill(pid, SIGTERM)
            try? await Task.sleep(for: .seconds(5))
            kill(pid, SIGKILL)
            try? await Task.sleep(for: .seconds(1))
            exit(0)
        }
    #endif
}

/// Adapts the AWS adapter's `CustomMessageTrigger` to the transport's trigger protocol.
struct CustomMessageCognitoHandler: CognitoTriggerHandler {
    let trigger: CustomMessageTrigger
    func handle(_ event: [UInt8]) async throws -> [UInt8] { try trigger.handle(event) }
}
