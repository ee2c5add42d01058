public import LifestyleToolkit

/// The master key, loaded once (from a secret store, at start-up in the background) and then
/// cached; concurrent first users share one load, and a failed load is retried by the next use.
public actor AppSecret {
    let load: @Sendable () async throws -> MasterKey
    private var cached: MasterKey?
    private var inFlight: Task<MasterKey, any Error>?

    public init(load: @escaping @Sendable () async throws -> MasterKey) { self.load = load }

    public init(_ key: MasterKey) {
        self.load = { key }
        self.cached = key
    }

    public func key() async throws -> MasterKey {
        if let cached { return cached }
        let task = inFlight ?? Task { try await load() }
        inFlight = task
        defer { inFlight = nil }
        let key = try await task.value
        cached = key
        return key
    }
}
