import FoundationEssentials
import LifestyleCore
import LifestyleToolkit
import SigV4

/// Static description of an AWS JSON-protocol service.
public struct AWSServiceDescriptor: Sendable, Hashable {
    /// SigV4 signing name (credential scope service), e.g. `dynamodb`, `cognito-idp`.
    public var signingName: String
    /// Host prefix of the default endpoint: `https://{endpointPrefix}.{region}.amazonaws.com`.
    public var endpointPrefix: String
    /// `X-Amz-Target` prefix: the header is `{targetPrefix}.{Operation}`.
    public var targetPrefix: String
    /// AWS JSON protocol version: `1.0` or `1.1` (Content-Type `application/x-amz-json-{v}`).
    public var jsonVersion: String
    /// Suffix of the service specific endpoint variable `AWS_ENDPOINT_URL_{suffix}`.
    public var endpointEnvironmentSuffix: String

    public init(signingName: String, endpointPrefix: String, targetPrefix: String, jsonVersion: String, endpointEnvironmentSuffix: String) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.targetPrefix = targetPrefix
        self.jsonVersion = jsonVersion
        self.endpointEnvironmentSuffix = endpointEnvironmentSuffix
    }

    public var contentType: String { "application/x-amz-json-\(jsonVersion)" }

    public static let dynamoDB = AWSServiceDescriptor(
        signingName: "dynamodb", endpointPrefix: "dynamodb", targetPrefix: "DynamoDB_20120810",
        jsonVersion: "1.0", endpointEnvironmentSuffix: "DYNAMODB")

    public static let cognitoIdentityProvider = AWSServiceDescriptor(
        signingName: "cognito-idp", endpointPrefix: "cognito-idp",
        targetPrefix: "AWSCognitoIdentityProviderService", jsonVersion: "1.1",
        endpointEnvironmentSuffix: "COGNITO_IDENTITY_PROVIDER")

    public static let secretsManager = AWSServiceDescriptor(
        signingName: "secretsmanager", endpointPrefix: "secretsmanager", targetPrefix: "secretsmanager", jsonVersion: "1.1",
        endpointEnvironmentSuffix: "SECRETS_MANAGER")
}

/// A resolved endpoint: scheme, host, optional port and base path.
public struct AWSEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// Path prefix of the endpoint URL without a trailing slash ("" for none).
    public var basePath: String

    public enum ResolutionError: Error, Sendable, Equatable {
        case invalidURL(variable: String, value: String)
    }

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme.lowercased()
        self.host = host
        self.port = port
        self.basePath = basePath
    }

    /// Parses `http(s)://host[:port][/path]`. Returns nil for anything else.
    public init?(url string: String) {
        guard let url = URL(string: string), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return nil }
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        self.init(scheme: scheme, host: host, port: url.port, basePath: path)
    }

    var isDefaultPort: Bool {
        guard let port else { return true }
        return (scheme == "https" && port == 443) || (scheme == "http" && port == 80)
    }

    /// The value for the `Host` header: `host` or `host:port` for a non-default port.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host  // IPv6 literal
        return isDefaultPort ? h : "\(h):\(port!)"
    }

    /// `scheme://host[:port]{basePath}` (no trailing slash).
    public var url: String { "\(scheme)://\(hostHeader)\(basePath)" }

    public var description: String { url }

    /// The default AWS endpoint: `https://{prefix}.{region}.amazonaws.com`
    /// (`amazonaws.com.cn` for the China partition).
    public static func defaultEndpoint(for service: AWSServiceDescriptor, region: String) -> AWSEndpoint {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).\(region).\(suffix)")
    }

    /// Resolution order (as the AWS SDKs do): `AWS_ENDPOINT_URL_{SERVICE}`
    /// (e.g. `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`), then
    /// `AWS_ENDPOINT_URL`, then the default `https://{service}.{region}.amazonaws.com`.
    /// Empty variables are ignored; an unparseable one is an error (never silently AWS).
    public static func resolve(for service: AWSServiceDescriptor, region: String, environment: [String: String]) throws(ResolutionError)
        -> AWSEndpoint
    {
        for variable in ["AWS_ENDPOINT_URL_\(service.endpointEnvironmentSuffix)", "AWS_ENDPOINT_URL"] {
            guard let value = environment[variable]?.trimmingWhitespace(), !value.isEmpty else { continue }
            guard let endpoint = AWSEndpoint(url: value) else {
                throw .invalidURL(variable: variable, value: value)
            }
            return endpoint
        }
        return defaultEndpoint(for: service, region: region)
    }
}
