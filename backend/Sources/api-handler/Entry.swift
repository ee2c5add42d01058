#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import EmbeddedBackend
import HTTPTransport
import LifestyleCore
import Logging

enum ProcessEnvironment {
    static var current: [String: String] {
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return env
    }
}

enum Entry {
    static func main(environment: [String: String]) async {
        await APIHandler.main()
    }

    /// Prints one clear line and exits non-zero: invalid configuration stops start-up.
    static func fail(_ message: String) -> Never {
        let line = "api-handler: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        exit(78)  // EX_CONFIG
    }

    static func configure(_ env: [String: String]) -> AppConfig {
        let config: AppConfig
        do {
            config = try AppConfig.fromEnvironment(env)
        } catch {
            fail("invalid configuration: \(error)")
        }
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: config.logLevel) }
        return config
    }
}

struct APIHandler: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-handler",
        abstract: "The AI Lifestyle App API: one router for the local server and the Lambda runtime.",
        discussion: """
            Environment: ENVIRONMENT (local|dev|prod, default local), LOG_LEVEL, CORS_ORIGIN.
            With AWS_LAMBDA_RUNTIME_API set, the process runs as a Lambda runtime instead.
            """,
        subcommands: [Serve.self, ListRoutes.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the API over HTTP on this machine (embedded SQLite and local identity provider when ENVIRONMENT=local).")

    @Option(help: "Interface to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 4000
    @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database, signing key and outbox.") var dataDir = ".local"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard !dataDir.isEmpty else { throw ValidationError("--data-dir must not be empty") }
    }

    func run() async throws {
        let env = ProcessEnvironment.current
        let config = Entry.configure(env)
        var logger = Logger(label: "api-handler")
        logger.logLevel = config.logLevel
        let services: Services
        switch config.environment {
        case .local:
            let backend: EmbeddedBackend
            do {
                backend = try await EmbeddedBackend.open(dataDirectory: dataDir)
            } catch {
                Entry.fail("\(error)")
            }
            services = Services(users: backend.users, identity: backend.identity, config: config)
        case .dev, .prod:
            services = Wiring.awsServices(config: config, env: env, logger: logger)
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

enum Wiring {
    static func awsServices(config: AppConfig, env: [String: String], logger: Logger) -> Services {
        Entry.fail("ENVIRONMENT=\(config.environment.rawValue) needs the AWS adapters, which this build does not include yet")
    }
}

struct ListRoutes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "Print the route table (method, path, access), one route a line.")

    func run() {
        let base = AppConfig(environment: .local).basePath
        for route in Routes.all {
            let access = if case .bearer = route.access { "bearer" } else { "open" }
            print("\(route.method) \(base)\(route.path) \(access)")
        }
    }
}
