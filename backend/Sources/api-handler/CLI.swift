import ArgumentParser
import HTTPTransport
import LambdaRuntime
import LifestyleCore
import LifestyleServices
import LifestyleToolkit
import Logging

#if os(Linux)
    import Glibc
#else
    #error("Linux only: the CLI calls Glibc directly")
#endif

// The command line of the full build: `serve`, `serve --lambda`, `routes`, `cognito-trigger`,
// `rotate-master-key`.

/// Prints one clear line and exits non-zero: invalid configuration stops start-up.
func fail(_ message: String) -> Never {
    LambdaProcess.stderrLine("api-handler: \(message)")
    exit(78)  // EX_CONFIG
}

struct APIHandler: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-handler",
        abstract: "The AI Lifestyle App API: one router for the local server and the Lambda runtime.",
        discussion: """
            Environment: ENVIRONMENT (local|dev|prod, default local), LOG_LEVEL, CORS_ORIGIN.
            With AWS_LAMBDA_RUNTIME_API set, the process runs as a Lambda runtime instead.
            """,
        subcommands: [Serve.self, ListRoutes.self, CognitoTrigger.self, RotateMasterKey.self])

    /// Parses the command line and runs the subcommand (AsyncParsableCommand's async `main`).
    static func runCommandLine() async { await main() }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the API over HTTP on this machine (embedded SQLite and local identity provider when ENVIRONMENT=local).")

    @Option(help: "Interface to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 4000
    @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database, signing key and outbox.") var dataDir = ".local"
    @Flag(help: "Emulate Lambda locally: an API Gateway v2 front and a Runtime API emulator, with the function in a child process.")
    var lambda = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard !dataDir.isEmpty else { throw ValidationError("--data-dir must not be empty") }
    }

    func run() async throws {
        let env = ProcessEnvironment.current
        let config: AppConfig
        do {
            config = try Composition.configure(env)
        } catch {
            fail(error.message)
        }
        var logger = Logger(label: "api-handler")
        logger.logLevel = config.logLevel
        if lambda {
            try await LambdaEmulation.run(host: host, port: port, dataDir: dataDir, config: config, logger: logger)
            return
        }
        let services: Services
        do {
            services = try await Composition.services(config: config, env: env, dataDir: dataDir, logger: logger)
        } catch {
            fail(error.message)
        }
        let app = LifestyleApp(services: services, logger: logger)
        let host = host
        let readyLogger = logger
        try await LocalServer.run(app: app, host: host, port: port, logger: logger) { bound in
            readyLogger.notice(
                "listening",
                metadata: [
                    "url": .string("http://\(host):\(bound)\(config.basePath)"), "environment": .string(config.environment.rawValue),
                    "port": .stringConvertible(bound),
                ])
        }
    }
}

struct ListRoutes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "Print the route table (method, path, access), one route a line.",
        discussion: """
            With --terraform: the JSON object terraform/routes.json holds ("METHOD /v1/path": true when the
            JWT authorizer guards it), which the HTTP API's routes are made from. A test checks that the
            committed file is what this prints.
            """)

    @Flag(help: "Print terraform/routes.json instead.") var terraform = false

    func run() {
        let base = AppConfig(environment: .local).basePath
        if terraform {
            // sorted, one key a line: a stable file that diffs well
            let lines = Routes.all.map { route -> String in
                let bearer = if case .bearer = route.access { true } else { false }
                var key = ""
                JSONText.appendQuoted("\(route.method) \(base)\(route.path)", to: &key)
                return "  \(key): \(bearer)"
            }.sorted()
            print("{\n" + lines.joined(separator: ",\n") + "\n}")
            return
        }
        for route in Routes.all {
            let access = if case .bearer = route.access { "bearer" } else { "open" }
            print("\(route.method) \(base)\(route.path) \(access)")
        }
    }
}

struct CognitoTrigger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cognito-trigger",
        abstract: "Run the Cognito custom-message trigger on an event read from standard input and print the answer.")

    func run() throws {
        var input: [UInt8] = []
        while let line = readLine(strippingNewline: false) { input += Array(line.utf8) }
        let env = ProcessEnvironment.current
        let config = (try? AppConfig.fromEnvironment(env)) ?? AppConfig(environment: .local)
        let answer = try Composition.customMessage(input, config: config, env: env)
        print(String(decoding: answer, as: UTF8.self))
    }
}

struct RotateMasterKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-master-key",
        abstract: "Rotate the local data directory's master key (the old one stays accepted as master.key.previous).",
        discussion: """
            Restart the server afterwards. What the old key sealed (TOTP secrets) is sealed again under the new
            key at its next use; a second rotation retires the oldest key. In AWS, rotate the APP_SECRET_ID
            secret instead (docs/deployment-guide.md, "Rotating the master key").
            """)

    @Option(name: .customLong("data-dir"), help: "The data directory of `serve`.") var dataDir = ".local"

    func run() throws {
        do {
            let ids = try Composition.rotateLocalMasterKey(dataDir: dataDir)
            print("master key rotated: \(ids.previous) -> \(ids.current) (restart the server)")
        } catch {
            fail("cannot rotate the master key in \(dataDir): \(error)")
        }
    }
}
