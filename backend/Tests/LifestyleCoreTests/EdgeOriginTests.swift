import Testing

@testable import LifestyleCore
@testable import LifestyleToolkit

@Suite struct EdgeOriginTests {
    @Test(arguments: [
        ("198.51.100.7:46532", "198.51.100.7"),
        ("2001:db8::1:443", "2001:db8::1"),
        ("2001:DB8:0:0:8:800:200C:417A:1", "2001:DB8:0:0:8:800:200C:417A"),
    ])
    func takesTheAddressBeforeThePort(_ header: String, _ address: String) {
        #expect(EdgeOrigin.viewerAddress(header) == address)
    }

    @Test(arguments: [
        "", "198.51.100.7", "198.51.100.7:", ":443", "198.51.100.7:https", "198.51.100.7:123456", "[2001:db8::1]:443",
        "evil.example:443", "198.51.100.7 :443", "198.51.100.7:443\r\nx: y", String(repeating: "1", count: 80) + ":1",
    ])
    func ignoresAnythingElse(_ header: String) {
        #expect(EdgeOrigin.viewerAddress(header) == nil)
    }

    @Test func admitsOnlyTheSecretThenBelievesTheViewer() async throws {
        let edge = EdgeOrigin(APIKeyRing(EdgeOrigin.digests(["new-secret", "old-secret"])))
        var request = APIRequest(method: "GET", path: "/v1/health")
        request.clientAddress = "203.0.113.9"  // the CloudFront server
        request.headers["cloudfront-viewer-address"] = "198.51.100.7:5000"
        var refused = request
        await #expect(throws: APIError.self) { try await edge.admit(&refused) }
        refused.headers["x-origin-verify"] = "new-secret "
        await #expect(throws: APIError.self) { try await edge.admit(&refused) }
        #expect(refused.clientAddress == "203.0.113.9")

        for secret in ["new-secret", "old-secret"] {
            var admitted = request
            admitted.headers["x-origin-verify"] = secret
            try await edge.admit(&admitted)
            #expect(admitted.clientAddress == "198.51.100.7")
            #expect(admitted.headers["x-origin-verify"] == nil)  // nothing downstream sees the secret
        }
    }

    @Test func anEmptyPreviousValueIsNotAccepted() {
        #expect(EdgeOrigin.digests(["current", ""]).map(\.name) == ["current"])
    }
}
