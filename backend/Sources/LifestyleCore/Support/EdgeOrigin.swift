import LifestyleToolkit

/// The optional edge (`enable_edge`: CloudFront with AWS WAF in front of the HTTP API). CloudFront
/// adds a secret header to every request it forwards to the API; with the edge on, a request
/// without it (or with a wrong value) went around the WAF's rules to the API's own hostname and
/// is refused (all but health, which an uptime check may ask the API itself). Behind CloudFront,
/// API Gateway's `sourceIp` is an edge server's address, shared by many users, so the client's
/// address for the per-address limits comes from `CloudFront-Viewer-Address` instead, a header
/// CloudFront sets itself, and believed only on a request that carried the secret. With the edge
/// off, that header means nothing.
public struct EdgeOrigin: Sendable {
    /// The header CloudFront sends to the origin with the environment's edge secret.
    public static let secretHeader = "x-origin-verify"
    /// The viewer's `address:port` as CloudFront saw the connection.
    public static let viewerHeader = "cloudfront-viewer-address"

    /// SHA-256 of each value accepted now (the current secret and, during a rotation, the previous one).
    let accepted: APIKeyRing

    public init(_ accepted: APIKeyRing) {
        self.accepted = accepted
    }

    /// The accepted values as digests, newest first: a rotation's new value and the one it
    /// replaces both pass until CloudFront sends only the new one.
    public static func digests(_ values: [String]) -> [APIKey] {
        values.filter { !$0.isEmpty }.enumerated().map { i, value in
            APIKey(name: i == 0 ? "current" : "previous", sha256: Hashing.sha256(Array(value.utf8)))
        }
    }

    /// Reads the accepted values now (start-up warms them so the first request does not wait).
    public func prefetch() async throws {
        _ = try await accepted.keys()
    }

    /// Checks the secret (403 FORBIDDEN without it; 503 while the secret cannot be read), takes
    /// the secret header off the request, and sets its client address to the viewer's.
    public func admit(_ request: inout APIRequest) async throws(APIError) {
        let values: [APIKey]
        do {
            values = try await accepted.keys()
        } catch {
            throw APIError.serviceUnavailable
        }
        guard let presented = request.headers[Self.secretHeader], APIKeys.match(presented, in: values) != nil else {
            AppMetrics.failure("edge_bypassed")
            throw APIError.notThroughEdge
        }
        request.headers[Self.secretHeader] = nil
        if let viewer = Self.viewerAddress(request.headers[Self.viewerHeader]) {
            request.clientAddress = viewer
        }
    }

    /// `198.51.100.7:46532` → `198.51.100.7`; `2001:db8::1:46532` → `2001:db8::1` (CloudFront
    /// writes IPv6 without brackets; the port is after the last colon). Anything else: nil.
    public static func viewerAddress(_ header: String?) -> String? {
        guard let header, (3...64).contains(header.utf8.count), let colon = header.lastIndex(of: ":") else { return nil }
        let address = header[..<colon], port = header[header.index(after: colon)...]
        guard !address.isEmpty, (1...5).contains(port.utf8.count), port.utf8.allSatisfy({ (Hex.value($0) ?? 10) < 10 }),
            address.utf8.allSatisfy({ Hex.value($0) != nil || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") })
        else { return nil }
        return String(address)
    }
}
