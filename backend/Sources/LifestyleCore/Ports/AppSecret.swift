public import LifestyleToolkit

/// The master key ring (current + previous versions), loaded once (from a secret store, at
/// start-up in the background) and then cached; concurrent first users share one load, and a
/// failed load is retried by the next use. A seal under a key id the ring does not hold (another
/// instance already has a newer version after a rotation) reloads the ring, at most once per
/// `reloadInterval`.
public actor AppSecret {
    let load: @Sendable () async throws -> KeyRing
    private var cached: KeyRing?
    private var loadedAt: ContinuousClock.Instant?
    private var inFlight: Task<KeyRing, any Error>?
    let reloadInterval: Duration

    public init(reloadInterval: Duration = .seconds(10), load: @escaping @Sendable () async throws -> KeyRing) {
        self.load = load
        self.reloadInterval = reloadInterval
    }

    public init(_ key: MasterKey) { self.init(KeyRing(current: key)) }

    public init(_ ring: KeyRing) {
        self.load = { ring }
        self.cached = ring
        self.reloadInterval = .seconds(10)
    }

    /// The ring (loading it on first use).
    public func keys() async throws -> KeyRing {
        if let cached { return cached }
        return try await fetch()
    }

    /// The current master key, which derived keys come from.
    public func key() async throws -> MasterKey { try await keys().current }

    private func fetch() async throws -> KeyRing {
        let task = inFlight ?? Task { try await load() }
        inFlight = task
        defer { inFlight = nil }
        let ring = try await task.value
        cached = ring
        loadedAt = .now
        return ring
    }

    /// A ring loaded again, when the last load is older than `reloadInterval`; nil otherwise.
    func reloaded() async throws -> KeyRing? {
        if let loadedAt, ContinuousClock.now - loadedAt < reloadInterval { return nil }
        return try await fetch()
    }

    /// Seals under the current key for `purpose`.
    public func seal(_ plaintext: [UInt8], purpose: String, associatedData: [UInt8] = []) async throws -> [UInt8] {
        try await keys().box(purpose).seal(plaintext, associatedData: associatedData)
    }

    /// Opens a seal of `purpose`; a seal under an unknown key id reloads the ring once (rate
    /// limited) before it counts as unknown.
    public func open(_ sealed: [UInt8], purpose: String, associatedData: [UInt8] = []) async throws -> Opened {
        let first = try await keys().box(purpose).open(sealed, associatedData: associatedData)
        guard first == .unknownKey, let ring = try await reloaded() else { return first }
        return ring.box(purpose).open(sealed, associatedData: associatedData)
    }
}
