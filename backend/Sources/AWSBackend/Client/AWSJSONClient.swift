import FoundationEssentials
import LifestyleToolkit
import Logging
import NIOHTTP1
import SigV4

/// Factory for the one `AWSHTTPClient` the process shares between all AWS service clients
/// (and the JWKS fetcher): pooled keep-alive connections, 2 s connect timeout, no redirects,
/// no decompression.
///
/// Create it once (e.g. at Lambda cold start) and keep it for the life of the process; call
/// `shutdown()` only when the process ends (tests do).
public enum AWSHTTPClientFactory {
    public static func makeHTTPClient(connectTimeout: Duration = .seconds(2), idleTimeout: Duration = .seconds(50)) -> AWSHTTPClient {
        var configuration = AWSHTTPClient.Configuration()
        configuration.connectTimeout = connectTimeout
        configuration.idleTimeout = idleTimeout
        return AWSHTTPClient(configuration: configuration)
    }
}

/// An empty JSON object, for operations without input or output members.
public struct AWSEmpty: Codable, Sendable, Hashable {
    public init() {}
}

/// A client for one AWS JSON 1.0 / 1.1 protocol service (DynamoDB, Cognito User Pools...).
///
/// Each call: JSON-encodes the input, signs (SigV4) `POST {endpoint}/` with `X-Amz-Target`
/// and `Content-Type: application/x-amz-json-1.x`, sends it over the shared `AWSHTTPClient`,
/// and decodes the output or the AWS error. Retries follow `RetryPolicy` and never run past
/// the caller's `deadline`; each attempt is bounded by `attemptTimeout` (5 s by default).
public final class AWSJSONClient: Sendable {
    public let service: AWSServiceDescriptor
    public let region: String
    public let endpoint: AWSEndpoint
    public let retryPolicy: RetryPolicy
    public let attemptTimeout: Duration
    let httpClient: AWSHTTPClient
    let signer: SigV4Signer
    let logger: Logger
    let maxResponseBytes = 16 * 1024 * 1024
    let clock = ContinuousClock()

    public init(
        service: AWSServiceDescriptor,
        credentials: AWSCredentials,
        region: String,
        endpoint: AWSEndpoint,
        httpClient: AWSHTTPClient,
        retryPolicy: RetryPolicy = .default,
        attemptTimeout: Duration = .seconds(5),
        logger: Logger
    ) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.httpClient = httpClient
        self.retryPolicy = retryPolicy
        self.attemptTimeout = attemptTimeout
        self.logger = logger
        self.signer = SigV4Signer(credentials: credentials, region: region, service: service.signingName)
    }

    var credentials: AWSCredentials { signer.credentials }

    /// Calls `operation` with `input` and decodes `Output`.
    ///
    /// - Parameters:
    ///   - idempotent: whether a replay after a 5xx / timeout / reset is safe (see `RetryPolicy`).
    ///   - deadline: no attempt or backoff runs past it (e.g. Lambda's remaining time minus a margin).
    public func call<Input: Encodable & Sendable, Output: Decodable & Sendable>(
        _ operation: String,
        input: Input,
        output: Output.Type = Output.self,
        idempotent: Bool,
        deadline: ContinuousClock.Instant? = nil
    ) async throws(AWSClientError) -> Output {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(input))
        } catch {
            throw .serialization("cannot encode \(operation) input: \(error)")
        }
        let responseBody = try await callRaw(operation, body: body, idempotent: idempotent, deadline: deadline)
        if Output.self == AWSEmpty.self { return AWSEmpty() as! Output }
        do {
            return try JSONDecoder().decode(Output.self, from: Data(responseBody.isEmpty ? Array("{}".utf8) : responseBody))
        } catch {
            throw .serialization("cannot decode \(operation) output: \(error)")
        }
    }

    /// Sends an already-encoded JSON body and returns the raw response body of a 2xx answer.
    public func callRaw(
        _ operation: String,
        body: [UInt8],
        idempotent: Bool,
        deadline: ContinuousClock.Instant? = nil
    ) async throws(AWSClientError) -> [UInt8] {
        // The request's deadline (set by the app around each request) bounds every call made
        // while serving it, unless the caller names an earlier one.
        let deadline = [deadline, RequestScope.deadline].compactMap { $0 }.min()
        var rng = SystemRandomNumberGenerator()
        var attempt = 0
        // The lines of this call name the request it serves (`request_id`, `aws_request_id`).
        var logger = self.logger
        for (key, value) in RequestScope.metadata { logger[metadataKey: key] = value }
        logger[metadataKey: "aws.operation"] = "\(service.targetPrefix).\(operation)"
        while true {
            attempt += 1
            if Task.isCancelled { throw .cancelled }
            let now = clock.now
            var attemptDeadline = now.advanced(by: attemptTimeout)
            if let deadline {
                if now >= deadline { throw .deadlineExceeded(lastError: nil) }
                attemptDeadline = min(attemptDeadline, deadline)
            }
            let error: AWSClientError
            do {
                return try await attemptOnce(operation, body: body, attemptDeadline: attemptDeadline, logger: logger)
            } catch let e {
                error = e
            }
            if case .cancelled = error { throw error }
            if let delay = retryPolicy.nextDelay(
                after: error, attempt: attempt, idempotent: idempotent, now: clock.now, deadline: deadline, using: &rng)
            {
                logger.debug("retrying AWS call", metadata: ["attempt": "\(attempt)", "delay": "\(delay)", "error": "\(error)"])
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw .cancelled
                }
                continue
            }
            // Surface a timeout caused by the caller's deadline as deadlineExceeded.
            if let deadline, clock.now >= deadline, case .transport(let t) = error, t.kind == .timeout {
                throw .deadlineExceeded(lastError: t.description)
            }
            throw error
        }
    }

    private func attemptOnce(
        _ operation: String, body: [UInt8], attemptDeadline: ContinuousClock.Instant, logger: Logger
    ) async throws(AWSClientError) -> [UInt8] {
        let target = "\(service.targetPrefix).\(operation)"
        RequestScope.countServiceCall()
        let signature = signer.sign(
            method: "POST", host: endpoint.hostHeader, path: endpoint.basePath.isEmpty ? "/" : endpoint.basePath + "/",
            headers: [("Content-Type", service.contentType), ("X-Amz-Target", target)],
            body: body, date: Date())
        var headers = HTTPHeaders()
        headers.reserveCapacity(8)
        headers.add(name: "Host", value: endpoint.hostHeader)
        headers.add(name: "Content-Type", value: service.contentType)
        headers.add(name: "X-Amz-Target", value: target)
        for h in signature.headersToAdd { headers.add(name: h.name, value: h.value) }

        let response: AWSHTTPResponse
        do {
            response = try await httpClient.execute(
                method: .POST, endpoint: endpoint, path: endpoint.basePath + "/", headers: headers, body: body,
                deadline: attemptDeadline, maxResponseBytes: maxResponseBytes)
        } catch {
            throw .transport(AWSTransportError(kind: error.kind, detail: credentials.redact(error.detail)))
        }
        let status = response.status
        let responseBytes = response.body
        if (200..<300).contains(status) { return responseBytes }
        var awsError = AWSError.parse(
            statusCode: status, body: responseBytes,
            errorTypeHeader: response.headers.first(name: "x-amzn-ErrorType"),
            requestId: response.headers.first(name: "x-amzn-RequestId") ?? response.headers.first(name: "x-amz-request-id"))
        awsError.message = AWSJSONClient.scrubTokens(credentials.redact(awsError.message))
        throw .service(awsError)
    }

    /// Replaces JWT-looking words (`eyJ...x.y`) with `<redacted-jwt>`: some services (and
    /// moto) echo the rejected access token in NotAuthorizedException messages.
    static func scrubTokens(_ message: String) -> String {
        guard message.contains("eyJ") else { return message }
        var out = ""
        out.reserveCapacity(message.utf8.count)
        var word = ""
        func flush() {
            if word.hasPrefix("eyJ") && word.utf8.filter({ $0 == UInt8(ascii: ".") }).count >= 2 {
                out += "<redacted-jwt>"
            } else {
                out += word
            }
            word = ""
        }
        for ch in message {
            if ch == " " || ch == "\"" || ch == "'" || ch == "," || ch == ":" || ch == "(" || ch == ")" || ch == "\n" {
                flush()
                out.append(ch)
            } else {
                word.append(ch)
            }
        }
        flush()
        return out
    }
}
