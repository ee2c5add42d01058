import AWSBackend
import LifestyleToolkit
import Logging
import SigV4
import Testing

/// The request's deadline reaches the AWS client without being passed: the app sets it around a
/// request, and a call made while serving it never starts past it.
@Suite struct RequestScopeTests {
    static func client() -> AWSJSONClient {
        AWSJSONClient(
            service: .dynamoDB, credentials: AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "secret"), region: "us-east-1",
            endpoint: AWSEndpoint(scheme: "http", host: "127.0.0.1", port: 9), httpClient: AWSHTTPClientFactory.makeHTTPClient(),
            logger: Logger(label: "request-scope-tests"))
    }

    @Test func aCallMadeAfterTheRequestsDeadlineIsNotAttempted() async throws {
        let client = Self.client()
        do {
            _ = try await RequestScope.$current.withValue(RequestScope.Values(deadline: .now - .milliseconds(1))) {
                try await client.callRaw("GetItem", body: Array("{}".utf8), idempotent: true)
            }
            Issue.record("the call went ahead")
        } catch let error as AWSClientError {
            guard case .deadlineExceeded(let last) = error else {
                Issue.record("expected deadlineExceeded, got \(error)")
                return
            }
            #expect(last == nil, "no attempt was made")
        }
    }

    @Test func anEarlierDeadlineOfTheCallerStillWins() async throws {
        let client = Self.client()
        do {
            _ = try await RequestScope.$current.withValue(RequestScope.Values(deadline: .now + .seconds(60))) {
                try await client.callRaw("GetItem", body: Array("{}".utf8), idempotent: true, deadline: .now - .milliseconds(1))
            }
            Issue.record("the call went ahead")
        } catch let error as AWSClientError {
            guard case .deadlineExceeded(let last) = error else {
                Issue.record("expected deadlineExceeded, got \(error)")
                return
            }
            #expect(last == nil, "no attempt was made")
        }
    }
}
