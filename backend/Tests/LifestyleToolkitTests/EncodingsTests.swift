import Testing

@testable import LifestyleToolkit

/// The one Base64 and the one percent-encoder every module uses (RFC 4648 and RFC 3986 vectors).
@Suite struct EncodingsTests {
    @Test(arguments: [
        ("", "", ""), ("f", "Zg==", "Zg"), ("fo", "Zm8=", "Zm8"), ("foo", "Zm9v", "Zm9v"), ("foob", "Zm9vYg==", "Zm9vYg"),
        ("fooba", "Zm9vYmE=", "Zm9vYmE"), ("foobar", "Zm9vYmFy", "Zm9vYmFy"),
    ])
    func base64MatchesRFC4648(plain: String, standard: String, url: String) {
        #expect(Base64.encode(Array(plain.utf8)) == standard)
        #expect(Base64.encode(Array(plain.utf8), alphabet: .url) == url)
        #expect(Base64.decode(standard) == Array(plain.utf8))
        #expect(Base64.decode(url) == Array(plain.utf8))
    }

    @Test func base64AlphabetsDifferOnlyInTheirLastTwoCharacters() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Base64.encode(bytes) == "+/+/")
        #expect(Base64.encode(bytes, alphabet: .url) == "-_-_")
        #expect(Base64.decode("+/+/") == bytes)
        #expect(Base64.decode("-_-_") == bytes)
    }

    @Test func base64RefusesStrayCharactersUnlessAskedToSkipWhitespace() {
        #expect(Base64.decode("Zm9v\nYmFy") == nil)
        #expect(Base64.decode("Zm9v\r\nYmFy", ignoringWhitespace: true) == Array("foobar".utf8))
        #expect(Base64.decode("Zm9v*mFy", ignoringWhitespace: true) == nil)
        #expect(Base64.decode("Z") == nil)
    }

    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(PercentEncoding.encode("a-b._~Z9") == "a-b._~Z9")
        #expect(PercentEncoding.encode("a b/c?d=é") == "a%20b%2Fc%3Fd%3D%C3%A9")
        #expect(PercentEncoding.decode("a%20b%2fc%3Fd%3D%C3%A9") == "a b/c?d=é")
        #expect(PercentEncoding.decode("100%") == "100%")
        #expect(PercentEncoding.decode("a+b") == "a+b")
        #expect(PercentEncoding.decode("a+b", plusAsSpace: true) == "a b")
    }

    @Test func unixClockIsAClockOnTheUnixEpoch() async throws {
        let clock = UnixClock()
        let before = clock.now
        try await clock.sleep(for: .milliseconds(20))
        let after = clock.now
        #expect(before.duration(to: after) >= .milliseconds(20))
        // 2026-01-01T00:00:00Z .. 2100: the instants are Unix time, not a process-relative count.
        #expect(after.milliseconds > 1_767_225_600_000 && after.milliseconds < 4_102_444_800_000)
        #expect(UnixClock.Instant(milliseconds: 1_500).milliseconds == 1_500)
    }

    @Test func requestIDsAreAcceptedOnlyWhenShortAndPlain() {
        let id = RequestID.generate()
        #expect(RequestID.accept(id) == id)
        #expect(RequestID.generate() != id)
        #expect(RequestID.accept("a b") == nil)
        #expect(RequestID.accept(String(repeating: "a", count: 129)) == nil)
        #expect(RequestID.accept("") == nil)
    }
}
