public import Logging

/// Configuration shared by every transport, read from the environment.
public struct AppConfig: Sendable, Equatable {
    public enum Environment: String, Sendable, CaseIterable {
        case local, dev, prod
    }

    public var environment: Environment
    public var logLevel: Logger.Level
    /// `*` or one exact origin.
    public var corsOrigin: String
    public var basePath: String = "/v1"
    public var maxBodyBytes: Int = 1 << 20

    public init(environment: Environment, logLevel: Logger.Level? = nil, corsOrigin: String? = nil) {
        self.environment = environment
        self.logLevel = logLevel ?? (environment == .prod ? .info : .debug)
        self.corsOrigin = corsOrigin ?? (environment == .prod ? "https://ailifestyle.app" : "*")
    }

    /// Reads `ENVIRONMENT`, `LOG_LEVEL` and `CORS_ORIGIN`. Throws a `ConfigError` naming the bad
    /// setting; empty values count as unset.
    public static func fromEnvironment(_ env: [String: String]) throws(ConfigError) -> AppConfig {
        func value(_ k: String) -> String? {
            guard let v = env[k]?.trimmingWhitespace(), !v.isEmpty else { return nil }
            return v
        }
        let environment: Environment
        if let raw = value("ENVIRONMENT") {
            guard let e = Environment(rawValue: raw.lowercased()) else {
                throw ConfigError("ENVIRONMENT must be one of local, dev, prod (got '\(raw)')")
            }
            environment = e
        } else {
            environment = .local
        }
        var level: Logger.Level?
        if let raw = value("LOG_LEVEL") {
            let aliases: [String: Logger.Level] = ["warn": .warning, "fatal": .critical]
            guard let l = Logger.Level(rawValue: raw.lowercased()) ?? aliases[raw.lowercased()] else {
                throw ConfigError(
                    "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical (got '\(raw)')")
            }
            level = l
        }
        var origin: String?
        if let raw = value("CORS_ORIGIN") {
            guard raw == "*" || Self.isOrigin(raw) else {
                throw ConfigError("CORS_ORIGIN must be * or an origin like https://ailifestyle.app (got '\(raw)')")
            }
            origin = raw
        }
        return AppConfig(environment: environment, logLevel: level, corsOrigin: origin)
    }

    static func isOrigin(_ s: String) -> Bool {
        guard s.hasPrefix("https://") || s.hasPrefix("http://") else { return false }
        let rest = s.drop(while: { $0 != "/" }).dropFirst(2)
        return !rest.isEmpty && !rest.contains("/") && !rest.contains(" ")
    }
}

public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
