import Testing

@testable import LifestyleCore
@testable import LifestyleToolkit

@Suite struct APIKeysTests {
    static func digest(_ key: String) -> String { Hex.encode(Hashing.sha256(Array(key.utf8))) }

    @Test func parsesNamesAndDigestsAndMatchesOnlyTheRightKey() throws {
        let doc = """
            {"keys":[{"name":"web-2026-11","sha256":"\(Self.digest("old-key"))"},{"name":"web-2026-12","sha256":"\(Self.digest("new-key"))"}]}
            """
        let keys = try APIKeys.parse(doc)
        #expect(keys.map(\.name) == ["web-2026-11", "web-2026-12"])
        #expect(APIKeys.match("old-key", in: keys)?.name == "web-2026-11")
        #expect(APIKeys.match("new-key", in: keys)?.name == "web-2026-12")
        #expect(APIKeys.match("new-key ", in: keys) == nil)
        #expect(APIKeys.match("", in: keys) == nil)
        #expect(APIKeys.match("old-key", in: []) == nil)
    }

    @Test(arguments: [
        "", "[]", "{\"keys\":{}}", "{\"keys\":[{\"name\":\"a\"}]}",
        "{\"keys\":[{\"name\":\"bad name\",\"sha256\":\"\(String(repeating: "0", count: 64))\"}]}",
        "{\"keys\":[{\"name\":\"a\",\"sha256\":\"abc\"}]}",
        "{\"keys\":[{\"name\":\"a\",\"sha256\":\"\(String(repeating: "g", count: 64))\"}]}",
        "{\"keys\":[{\"name\":\"a\",\"sha256\":\"\(String(repeating: "0", count: 64))\"},{\"name\":\"a\",\"sha256\":\"\(String(repeating: "1", count: 64))\"}]}",
    ])
    func refusesMalformedDocuments(_ doc: String) {
        #expect(throws: ConfigError.self) { try APIKeys.parse(doc) }
    }

    @Test func aFailedRefreshKeepsTheKeysItHad() async throws {
        let calls = Counter()
        let ring = APIKeyRing(refresh: .zero) {
            if await calls.next() > 1 { throw ConfigError("secret store down") }
            return [APIKey(name: "web", sha256: Hashing.sha256(Array("k".utf8)))]
        }
        #expect(try await ring.keys().map(\.name) == ["web"])
        #expect(try await ring.keys().map(\.name) == ["web"])  // refresh failed: still the old keys
        #expect(await calls.value == 2)

        let never = APIKeyRing { throw ConfigError("secret store down") }
        await #expect(throws: ConfigError.self) { try await never.keys() }
    }

    actor Counter {
        var value = 0
        func next() -> Int {
            value += 1
            return value
        }
    }
}
