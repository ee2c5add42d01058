import LifestyleCore
import LifestyleToolkit

/// The Cognito app client's secret, read once from Cognito (`DescribeUserPoolClient`) and then
/// cached, so it never sits in Terraform outputs, the function's environment or a log line.
/// Concurrent first users share one read; a failed read is retried by the next use. A client
/// without a secret (`nil`) needs no SECRET_HASH.
public actor ClientSecret {
    let load: @Sendable () async throws -> String?
    private var cached: String??
    private var inFlight: Task<String?, any Error>?

    public init(load: @escaping @Sendable () async throws -> String?) { self.load = load }

    public init(_ value: String?) {
        self.load = { value }
        self.cached = .some(value)
    }

    public func value() async throws -> String? {
        if let cached { return cached }
        let task = inFlight ?? Task { try await load() }
        inFlight = task
        defer { inFlight = nil }
        let value = try await task.value
        cached = .some(value)
        return value
    }
}

/// The refresh token the API hands out: Cognito's refresh token and the Cognito username it
/// belongs to, sealed with a key derived from the master key ring (the app client id as associated
/// data; `r2.`: with a key id). With a client secret, refreshing needs SECRET_HASH over that
/// username, and `/auth/refresh` receives nothing but the token; sealed, it is also worthless
/// outside the API.
struct SealedRefreshToken: Codable {
    var t: String
    var u: String

    static let purpose = "refresh-token/v1"
    static let prefix = "r2."
}
