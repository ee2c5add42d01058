import LifestyleToolkit

/// Optional API keys: when an environment turns them on, every request except health and the
/// CORS preflight carries `x-api-key` with one of the environment's keys. Only each key's
/// SHA-256 is held (in the secret store); several keys at once let a client move to a new key
/// before the old one is removed. A key's name, never the key, reaches the log line and the
/// metrics.
public struct APIKey: Sendable, Equatable {
    public var name: String
    /// SHA-256 of the key's UTF-8 bytes.
    public var sha256: [UInt8]

    public init(name: String, sha256: [UInt8]) {
        self.name = name
        self.sha256 = sha256
    }
}

public enum APIKeys {
    /// `{"keys":[{"name":"web-2026-12","sha256":"<64 hex digits>"}, …]}`, the form
    /// `scripts/api-keys.sh` writes. Names are 1-64 of `A-Za-z0-9._-`; an empty list is valid
    /// (every request is then refused).
    public static func parse(_ text: String) throws(ConfigError) -> [APIKey] {
        let bad = ConfigError(
            "API keys must be {\"keys\":[{\"name\":\"…\",\"sha256\":\"<64 hex digits>\"}]} with names of A-Za-z0-9._- (1-64)")
        guard let root = try? JSONParser.parse(Array(text.utf8)), case .object(let object) = root,
            case .array(let entries)? = object["keys"]
        else { throw bad }
        var keys: [APIKey] = []
        for entry in entries {
            guard case .object(let fields) = entry, case .string(let name)? = fields["name"],
                case .string(let hex)? = fields["sha256"], Self.validName(name), hex.utf8.count == 64,
                let digest = Hex.decode(hex.lowercased()), digest.count == 32
            else { throw bad }
            guard !keys.contains(where: { $0.name == name }) else { throw ConfigError("API key name '\(name)' appears twice") }
            keys.append(APIKey(name: name, sha256: digest))
        }
        return keys
    }

    static func validName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return (1...64).contains(bytes.count) && bytes.allSatisfy(RequestID.safe)
    }

    /// The key the presented value is, comparing its SHA-256 with every key in constant time
    /// (no early exit, so the answer's timing says nothing about which key came close).
    public static func match(_ presented: String, in keys: [APIKey]) -> APIKey? {
        let digest = Hashing.sha256(Array(presented.utf8))
        var found: APIKey?
        for key in keys where ConstantTime.equal(digest, key.sha256) && found == nil {
            found = key
        }
        return found
    }
}

/// The environment's keys, read once and again every `refresh` (so a removed key stops working
/// within minutes without a deploy). A failed refresh keeps the keys it had; without any, the
/// request answers 503.
public actor APIKeyRing {
    let load: @Sendable () async throws -> [APIKey]
    let refresh: Duration
    private var cached: (keys: [APIKey], at: ContinuousClock.Instant)?
    private var inFlight: Task<[APIKey], any Error>?

    public init(refresh: Duration = .seconds(300), load: @escaping @Sendable () async throws -> [APIKey]) {
        self.refresh = refresh
        self.load = load
    }

    public init(_ keys: [APIKey]) {
        self.refresh = .seconds(365 * 24 * 3600)
        self.load = { keys }
        self.cached = (keys, ContinuousClock.now)
    }

    public func keys() async throws -> [APIKey] {
        let now = ContinuousClock.now
        if let cached, now - cached.at < refresh { return cached.keys }
        let task = inFlight ?? Task { try await load() }
        inFlight = task
        defer { inFlight = nil }
        do {
            let keys = try await task.value
            cached = (keys, now)
            return keys
        } catch {
            if let cached { return cached.keys }
            throw error
        }
    }
}
