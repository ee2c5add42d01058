import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What API Gateway answers by itself, before or instead of the function, as the project's
/// Terraform configures the HTTP API: CORS on every answer (and the preflight), the JWT
/// authorizer on protected routes, and the stage's per-route throttle. The local front applies
/// it so that a browser sees the answers it will see in AWS, not only the app's own.
public struct GatewayBehaviour: Sendable {
    /// The API's `cors_configuration`. Once set, API Gateway answers preflights itself and puts
    /// its own CORS headers on every answer, replacing the function's.
    public struct CORS: Sendable {
        /// The `Access-Control-Allow-Origin` value for an origin, or nil when it is not allowed.
        public var allowOrigin: @Sendable (String) -> String?
        public var allowMethods: String
        public var allowHeaders: String
        public var exposeHeaders: String
        public var maxAgeSeconds: Int
        /// An exact origin list (not `*`): answers differ per origin, so they say `Vary: Origin`.
        public var variesByOrigin: Bool

        public init(
            allowOrigin: @escaping @Sendable (String) -> String?, allowMethods: String, allowHeaders: String,
            exposeHeaders: String, maxAgeSeconds: Int, variesByOrigin: Bool
        ) {
            self.allowOrigin = allowOrigin
            self.variesByOrigin = variesByOrigin
            self.allowMethods = allowMethods
            self.allowHeaders = allowHeaders
            self.exposeHeaders = exposeHeaders
            self.maxAgeSeconds = maxAgeSeconds
        }
    }

    public var cors: CORS?
    /// Route keys (`GET /v1/users/profile`, `GET /v1/goals/{goalId}`) behind the JWT authorizer.
    public var protectedRoutes: Set<String>
    /// Every route key of the API, templates included: a request is matched to its route, as
    /// API Gateway does, before the authorizer and the per-route throttle apply.
    public var routes: [String]
    /// The JWT authorizer's check of a token (signature, issuer, audience, expiry).
    public var authorize: (@Sendable (String) async -> Bool)?
    /// The stage's default route throttle: steady requests per second and burst, per route.
    public var throttle: Throttle?

    public init(
        cors: CORS? = nil, protectedRoutes: Set<String> = [], routes: [String] = [],
        authorize: (@Sendable (String) async -> Bool)? = nil, throttle: Throttle? = nil
    ) {
        self.cors = cors
        self.protectedRoutes = protectedRoutes
        self.routes = Array(Set(routes).union(protectedRoutes)).sorted()
        self.authorize = authorize
        self.throttle = throttle
    }

    /// The route key a request matches: its own `METHOD path` when a route has exactly that,
    /// else a template whose `{parameter}` segments take one whole segment each (the one with
    /// the most literal segments), else `METHOD path` (no route: the function answers 404).
    public func routeKey(method: String, path: String) -> String {
        let literal = "\(method) \(path)"
        if routes.contains(literal) { return literal }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        var best: (key: String, literals: Int)?
        for key in routes {
            guard key.hasPrefix(method + " "), key.contains("{") else { continue }
            let template = key.dropFirst(method.count + 1).split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == parts.count else { continue }
            var literals = 0
            var matches = true
            for (t, p) in zip(template, parts) {
                if t.hasPrefix("{"), t.hasSuffix("}") {
                    if p.isEmpty { matches = false }
                } else if t == p {
                    literals += 1
                } else {
                    matches = false
                }
                if !matches { break }
            }
            if matches, literals > (best?.literals ?? -1) { best = (key, literals) }
        }
        return best?.key ?? literal
    }

    /// The front without any of API Gateway's own answers (the function sees everything).
    public static let passThrough = GatewayBehaviour()

    /// A token bucket per route key, as `default_route_settings` throttles each route.
    public final class Throttle: Sendable {
        public let rate: Double
        public let burst: Double
        private let buckets = Mutex<[String: (tokens: Double, at: ContinuousClock.Instant)]>([:])

        public init(rate: Double, burst: Double) {
            self.rate = rate
            self.burst = burst
        }

        /// `GATEWAY_THROTTLE=rate,burst` (e.g. `20,40`); nil when unset or not two positive numbers.
        public static func parse(_ raw: String?) -> Throttle? {
            guard let parts = raw?.split(separator: ","), parts.count == 2, let rate = Double(parts[0]), let burst = Double(parts[1]),
                rate > 0, burst >= 1
            else { return nil }
            return Throttle(rate: rate, burst: burst)
        }

        /// Takes one token of the route's bucket; false when it is empty (429).
        public func admit(_ routeKey: String, now: ContinuousClock.Instant = .now) -> Bool {
            buckets.withLock { buckets in
                var bucket = buckets[routeKey] ?? (burst, now)
                let elapsed = now - bucket.at
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                bucket.tokens = min(burst, bucket.tokens + seconds * rate)
                bucket.at = now
                guard bucket.tokens >= 1 else {
                    buckets[routeKey] = bucket
                    return false
                }
                bucket.tokens -= 1
                buckets[routeKey] = bucket
                return true
            }
        }
    }

    /// The token the authorizer reads from `Authorization` (API Gateway drops a `Bearer ` prefix).
    static func token(_ header: String?) -> String? {
        guard var value = header?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.lowercased().hasPrefix("bearer ") { value = String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        return value.isEmpty ? nil : value
    }
}
