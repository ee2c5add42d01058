import LifestyleToolkit

/// Static AWS credentials (an access key pair, optionally with an STS session token).
///
/// `description` / `debugDescription` never print the secret or the token, so a
/// credentials value that ends up in a log line or an error message leaks nothing.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (optionally) `AWS_SESSION_TOKEN`.
    /// Returns nil when either of the first two is missing or empty. This is what the
    /// Lambda runtime provides to a function (its execution role's temporary credentials).
    public static func fromEnvironment(_ env: [String: String]) -> AWSCredentials? {
        guard let id = env["AWS_ACCESS_KEY_ID"], !id.isEmpty,
            let secret = env["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else { return nil }
        let token = env["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
    }

    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "nil" : "<redacted>"))"
    }

    public var debugDescription: String { description }

    /// Removes any occurrence of the secret key or session token from `text`.
    /// Used on every error message that we surface, including the ones we get from the server.
    public func redact(_ text: String) -> String {
        var out = text
        if secretAccessKey.count >= 4, out.contains(secretAccessKey) {
            out = out.replacing(secretAccessKey, with: "<redacted>")
        }
        if let token = sessionToken, token.count >= 4, out.contains(token) {
            out = out.replacing(token, with: "<redacted>")
        }
        return out
    }
}
