import LifestyleToolkit
public import Logging

/// Configuration shared by every transport, read from the environment.
public struct AppConfig: Sendable, Equatable {
    public enum Environment: String, Sendable, CaseIterable {
        case local, dev, prod
    }

    public var environment: Environment
    public var logLevel: Logger.Level
    /// Which browser origins may call the API (`CORS_ORIGIN`).
    public var cors: CORSAllowList
    public var basePath: String = "/v1"
    public var maxBodyBytes: Int = 1 << 20

    public init(environment: Environment, logLevel: Logger.Level? = nil, cors: CORSAllowList? = nil) {
        self.environment = environment
        self.logLevel = logLevel ?? (environment == .prod ? .info : .debug)
        self.cors = cors ?? (environment == .prod ? .origins(["https://ailifestyle.app"]) : .any)
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
        var cors: CORSAllowList?
        if let raw = value("CORS_ORIGIN") {
            cors = try CORSAllowList(parsing: raw)
        }
        return AppConfig(environment: environment, logLevel: level, cors: cors)
    }
}

/// The browser origins allowed to call the API: any (`*`, local and dev) or an exact list
/// (`CORS_ORIGIN=https://ailifestyle.app,https://staging.ailifestyle.app`).
public enum CORSAllowList: Sendable, Equatable {
    case any
    case origins([String])

    /// `*`, or a comma-separated list of origins (`scheme://host[:port]`, no path).
    public init(parsing raw: String) throws(ConfigError) {
        if raw.trimmingWhitespace() == "*" {
            self = .any
            return
        }
        var list: [String] = []
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let origin = String(part).trimmingWhitespace()
            guard Self.isOrigin(origin) else {
                throw ConfigError(
                    "CORS_ORIGIN must be * or a comma-separated list of origins like https://ailifestyle.app (got '\(raw)')")
            }
            let lowered = origin.lowercased()
            if !list.contains(lowered) { list.append(lowered) }
        }
        self = .origins(list)
    }

    static func isOrigin(_ s: String) -> Bool {
        guard s.hasPrefix("https://") || s.hasPrefix("http://") else { return false }
        let rest = s.drop(while: { $0 != "/" }).dropFirst(2)
        return !rest.isEmpty && !rest.contains("/") && !rest.contains(" ") && !rest.contains("*")
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, or nil when that
    /// origin may not read the response.
    public func allowOrigin(for origin: String?) -> String? {
        guard let origin else { return nil }
        switch self {
        case .any: return "*"
        case .origins(let list):
            // Origins are case-insensitive (scheme and host); the browser compares the echo byte for byte.
            return list.contains(origin.lowercased()) ? origin : nil
        }
    }

    /// What a browser may send and read, the same for every environment. API Gateway's
    /// `cors_configuration` (terraform/locals.tf `cors`) states the same lists; a static test
    /// holds the two together.
    public static let allowMethods = "GET, POST, PUT, DELETE, OPTIONS"
    public static let allowHeaders = "Authorization, Content-Type, X-Request-ID, X-Api-Key"
    public static let exposeHeaders = "X-Request-ID, Retry-After"
    public static let maxAgeSeconds = 600

    /// Whether answers differ per `Origin` (an exact list), so caches must key on it.
    public var variesByOrigin: Bool { self != .any }

    /// Adds the CORS headers of a simple (non-preflight) answer to a request from `origin`.
    public func decorate(_ headers: inout APIHeaders, origin: String?) {
        if variesByOrigin { headers["vary"] = "Origin" }
        guard let allowed = allowOrigin(for: origin) else { return }
        headers["access-control-allow-origin"] = allowed
        headers["access-control-expose-headers"] = Self.exposeHeaders
    }
}

public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
