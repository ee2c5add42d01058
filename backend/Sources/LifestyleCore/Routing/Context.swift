import LifestyleToolkit
public import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Everything the app needs from the outside world, wired once by `LifestyleServices`.
public struct Services: Sendable {
    public var users: any UserStore
    /// Goals and their activities (an in-memory store unless the composition gives one).
    public var goals: any GoalStore
    /// Users' end-to-end encryption keys (opaque to the server).
    public var encryptionKeys: any EncryptionKeyStore
    /// Journal entries, their statistics and shares.
    public var journal: any JournalStore
    public var identity: any IdentityProvider
    /// Bearer authentication (by default the identity provider, which verifies its own tokens).
    public var tokens: any AccessTokenVerifier
    public var rateLimiter: any RateLimiter
    /// The environment's master key, which every server-side key is derived from.
    public var secret: AppSecret
    public var clock: any WallClock
    public var config: AppConfig
    public var version: String
    /// The environment's API keys when it requires them (`nil`: no API key needed).
    public var apiKeys: APIKeyRing?
    /// The edge's origin secret when the environment has the edge on (`nil`: no edge).
    public var edge: EdgeOrigin?
    /// Access-token revocations (logout and the other account events), checked on every bearer request.
    public var revocations: RevocationCheck

    public init(
        users: any UserStore, goals: (any GoalStore)? = nil, encryptionKeys: (any EncryptionKeyStore)? = nil,
        journal: (any JournalStore)? = nil, identity: any IdentityProvider,
        rateLimiter: any RateLimiter = InMemoryRateLimiter(),
        secret: AppSecret = AppSecret(.generate()), clock: any WallClock = SystemClock(), config: AppConfig,
        version: String = AppVersion.current, apiKeys: APIKeyRing? = nil,
        edge: EdgeOrigin? = nil, tokens: (any AccessTokenVerifier)? = nil, revocations: (any TokenRevocations)? = nil
    ) {
        self.revocations = RevocationCheck(store: revocations ?? InMemoryTokenRevocations())
        self.tokens = tokens ?? identity
        self.apiKeys = apiKeys
        self.edge = edge
        self.users = users
        self.goals = goals ?? InMemoryGoalStore()
        self.encryptionKeys = encryptionKeys ?? InMemoryEncryptionKeyStore()
        self.journal = journal ?? InMemoryJournalStore()
        self.identity = identity
        self.rateLimiter = rateLimiter
        self.secret = secret
        self.clock = clock
        self.config = config
        self.version = version
    }
}

public enum AppVersion {
    public static let current = "1.0.0"
}

/// Per-request state handed through middleware to the handler.
public struct APIContext: Sendable {
    public var requestID: String
    public var logger: Logger
    public var services: Services
    /// Set by the auth middleware on protected routes.
    public var principal: Principal?
    /// When the transport must have answered (the Lambda invocation deadline), if any.
    public var deadline: ContinuousClock.Instant?
    /// The route table's answer for this request, matched once by the app.
    public var match: APIRouter.Match?
    /// The matched route's path parameters (`/goals/{goalId}`: `parameters["goalId"]`), decoded.
    public var parameters = PathParameters()

    public init(requestID: String, logger: Logger, services: Services, deadline: ContinuousClock.Instant? = nil) {
        self.requestID = requestID
        self.logger = logger
        self.services = services
        self.deadline = deadline
    }
}
