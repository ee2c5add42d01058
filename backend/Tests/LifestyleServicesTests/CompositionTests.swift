import LifestyleCore
import LifestyleServices
import LifestyleToolkit
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What start-up builds from configuration, and how it says no. (`Composition.configure` with a
/// valid environment bootstraps the process-wide log handler, so these tests build `AppConfig`
/// directly and call `configure` only where it refuses.)
@Suite struct CompositionTests {
    let logger = Logger(label: "composition-test")

    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: String = "") -> APIRequest {
        var h = APIHeaders()
        for (k, v) in headers { h.add(k, v) }
        return APIRequest(method: method, path: path, query: "", headers: h, body: Array(body.utf8))
    }

    @Test func anInvalidEnvironmentIsOneStartupErrorNamingTheSetting() {
        #expect {
            _ = try Composition.configure(["ENVIRONMENT": "staging"])
        } throws: { error in
            let startup = error as? StartupError
            return startup?.type == "Runtime.InvalidConfiguration" && startup?.message.contains("ENVIRONMENT") == true
        }
    }

    @Test func theLocalEnvironmentServesFromItsDataDirectory() async throws {
        let dir = makeTempDir()
        let services = try await Composition.services(
            config: AppConfig(environment: .local, logLevel: .warning), env: [:], dataDir: dir, logger: logger)
        #expect(services.apiKeys == nil && services.edge == nil)
        let app = LifestyleApp(services: services, logger: logger)
        let health = await app.respond(to: request("GET", "/v1/health"))
        #expect(health.status == 200)
        let registered = await app.respond(
            to: request(
                "POST", "/v1/auth/register", headers: [("content-type", "application/json")],
                body: #"{"email":"composed@example.com","password":"SecureP@ss123","firstName":"A","lastName":"B"}"#))
        #expect(registered.status == 201)
        // the verification mail went to the embedded outbox in that directory
        #expect(access(dir + "/lifestyle.db", F_OK) == 0)
        #expect(access(dir + "/outbox.jsonl", F_OK) == 0)
    }

    @Test func localAPIKeysAreRequiredOnceConfigured() async throws {
        let digest = Hex.encode(Hashing.sha256(Array("local-key-1".utf8)))
        let env = ["API_KEYS": #"{"keys":[{"name":"web","sha256":"\#(digest)"}]}"#]
        let services = try await Composition.services(
            config: AppConfig(environment: .local, logLevel: .warning), env: env, dataDir: makeTempDir(), logger: logger)
        let app = LifestyleApp(services: services, logger: logger)
        let login = #"{"email":"nobody@example.com","password":"SecureP@ss123"}"#
        let json = ("content-type", "application/json")
        let refused = await app.respond(to: request("POST", "/v1/auth/login", headers: [json], body: login))
        #expect(refused.status == 401)
        #expect(String(decoding: refused.body, as: UTF8.self).contains("INVALID_API_KEY"))
        let keyed = await app.respond(
            to: request("POST", "/v1/auth/login", headers: [json, ("x-api-key", "local-key-1")], body: login))
        #expect(keyed.status == 401)  // past the key: the unknown account's own answer
        #expect(!String(decoding: keyed.body, as: UTF8.self).contains("INVALID_API_KEY"))
        // health needs no key (uptime checks)
        #expect(await app.respond(to: request("GET", "/v1/health")).status == 200)
    }

    @Test func badAPIKeysStopStartUpBeforeTheDatabaseIsOpened() async throws {
        let dir = makeTempDir()
        await #expect {
            _ = try await Composition.services(
                config: AppConfig(environment: .local), env: ["API_KEYS": "not json"], dataDir: dir, logger: logger)
        } throws: { error in
            (error as? StartupError)?.type == "Runtime.InitializationFailed"
        }
        #expect(access(dir + "/lifestyle.db", F_OK) != 0)
    }

    @Test func anAWSEnvironmentWithoutItsSettingsSaysWhatIsMissing() async throws {
        await #expect {
            _ = try await Composition.services(
                config: AppConfig(environment: .dev), env: ["ENVIRONMENT": "dev"], dataDir: "", logger: logger)
        } throws: { error in
            guard let startup = error as? StartupError else { return false }
            return startup.type == "Runtime.InitializationFailed" && startup.message.contains("missing settings for ENVIRONMENT=dev")
        }
    }

    @Test func emailedLinksPointAtTheEnvironmentsWebApp() {
        #expect(Composition.appBaseURL(AppConfig(environment: .prod), [:]) == "https://ailifestyle.app")
        #expect(Composition.appBaseURL(AppConfig(environment: .dev), [:]) == "https://dev.ailifestyle.app")
        #expect(Composition.appBaseURL(AppConfig(environment: .dev), ["APP_BASE_URL": "https://pr-7.example"]) == "https://pr-7.example")
    }
}
