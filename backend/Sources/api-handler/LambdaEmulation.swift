import LambdaEmulator
import LambdaRuntime
import LifestyleCore
import LifestyleServices
import LifestyleToolkit
import Logging
import Synchronization

#if os(Linux)
    import Glibc
#else
    #error("Linux only: the emulation spawns and signals its child through Glibc")
#endif

enum LambdaEmulation {
    private static let stopping = Atomic<Bool>(false)

    /// `api-handler serve --lambda`: an API Gateway v2 front on `host:port` and a Runtime API
    /// emulator on loopback, with this executable as the function in a child process.
    static func run(host: String, port: Int, dataDir: String, config: AppConfig, logger: Logger) async throws {
        // API Gateway's own answers need the token check of the deployed authorizer. The
        // services open (and on a first start create) the data directory before the function
        // process does, so both use the same signing key.
        let gateway: GatewayBehaviour
        do {
            let services = try await Composition.services(
                config: config, env: ProcessEnvironment.current, dataDir: dataDir, logger: logger)
            gateway = behaviour(config: config, tokens: services.tokens, env: ProcessEnvironment.current)
        } catch {
            fail(error.message)
        }
        let runtimeAPI: RuntimeAPIServer
        do {
            runtimeAPI = try RuntimeAPIServer()
        } catch {
            fail("cannot start the Runtime API emulator: \(error)")
        }
        var env = ProcessEnvironment.current
        env["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI.endpoint
        env["LIFESTYLE_DATA_DIR"] = dataDir
        env["AWS_LAMBDA_FUNCTION_NAME"] = env["AWS_LAMBDA_FUNCTION_NAME"] ?? "api-handler-local"
        guard let pid = ChildProcess.spawn(path: ChildProcess.currentExecutable, arguments: [], environment: env) else {
            fail("cannot start the Lambda runtime process")
        }
        startThread {
            let status = ChildProcess.wait(pid)
            if stopping.load(ordering: .acquiring) { exit(0) }
            LambdaProcess.stderrLine("api-handler: the Lambda runtime process exited with status \(status)")
            exit(1)
        }
        let readyLogger = logger
        do {
            try await APIGatewayFront.run(runtime: runtimeAPI, host: host, port: port, gateway: gateway, logger: logger) { bound in
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
        stopping.store(true, ordering: .releasing)
        kill(pid, SIGTERM)
        try? await Task.sleep(for: .seconds(5))
        kill(pid, SIGKILL)
        try? await Task.sleep(for: .seconds(1))
        exit(0)
    }

    /// The HTTP API as terraform/modules/api_gateway configures it: CORS from the environment's
    /// origin list, the JWT authorizer on every bearer route, and (`GATEWAY_THROTTLE=rate,burst`,
    /// the stage's per-route limits; unset: none) the throttle.
    static func behaviour(config: AppConfig, tokens: any AccessTokenVerifier, env: [String: String]) -> GatewayBehaviour {
        let origins = config.cors
        let cors = GatewayBehaviour.CORS(
            allowOrigin: { origins.allowOrigin(for: $0) }, allowMethods: CORSAllowList.allowMethods,
            allowHeaders: CORSAllowList.allowHeaders, exposeHeaders: CORSAllowList.exposeHeaders,
            maxAgeSeconds: CORSAllowList.maxAgeSeconds, variesByOrigin: origins.variesByOrigin)
        var protected: Set<String> = []
        var all: [String] = []
        for route in Routes.all {
            let key = "\(route.method) \(config.basePath)\(route.path)"
            all.append(key)
            if case .bearer = route.access { protected.insert(key) }
        }
        return GatewayBehaviour(
            cors: cors, protectedRoutes: protected, routes: all,
            authorize: { token in (try? await tokens.verifyAccessToken(token)) != nil },
            throttle: GatewayBehaviour.Throttle.parse(env["GATEWAY_THROTTLE"]))
    }
}
