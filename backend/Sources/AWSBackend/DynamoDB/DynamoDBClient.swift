import FoundationEssentials
import LifestyleToolkit
import Logging
import SigV4

/// Typed DynamoDB client (AWS JSON 1.0, target prefix `DynamoDB_20120810`).
///
/// Every method takes an optional `deadline`; no attempt or retry backoff runs past it.
/// Errors are `AWSClientError`; e.g. a failed condition is
/// `.service(AWSError(code: "ConditionalCheckFailedException", statusCode: 400))` and a
/// cancelled transaction is `TransactionCanceledException` with `cancellationReasons`.
public struct DynamoDBClient: Sendable {
    public let client: AWSJSONClient

    public init(client: AWSJSONClient) {
        precondition(client.service == .dynamoDB, "DynamoDBClient needs a DynamoDB AWSJSONClient")
        self.client = client
    }

    /// Builds the underlying `AWSJSONClient`; the endpoint comes from `endpoint` or, when nil,
    /// from `AWSEndpoint.resolve` over `environment` (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL).
    public init(
        credentials: AWSCredentials, region: String, httpClient: AWSHTTPClient,
        endpoint: AWSEndpoint? = nil, environment: [String: String] = [:],
        retryPolicy: RetryPolicy = .default, attemptTimeout: Duration = .seconds(5),
        logger: Logger
    ) throws(AWSEndpoint.ResolutionError) {
        let resolved: AWSEndpoint
        if let endpoint {
            resolved = endpoint
        } else {
            resolved = try AWSEndpoint.resolve(for: .dynamoDB, region: region, environment: environment)
        }
        self.client = AWSJSONClient(
            service: .dynamoDB, credentials: credentials, region: region, endpoint: resolved,
            httpClient: httpClient, retryPolicy: retryPolicy, attemptTimeout: attemptTimeout, logger: logger)
    }

    public func getItem(_ input: DynamoDB.GetItemInput, deadline: ContinuousClock.Instant? = nil) async throws(AWSClientError)
        -> DynamoDB.GetItemOutput
    {
        try await client.call("GetItem", input: input, idempotent: true, deadline: deadline)
    }

    /// PutItem is retried on 5xx/timeouts: replaying a full-item Put converges to the same
    /// state; with a ConditionExpression a replay of an applied write fails with
    /// ConditionalCheckFailedException rather than writing twice.
    public func putItem(_ input: DynamoDB.PutItemInput, deadline: ContinuousClock.Instant? = nil) async throws(AWSClientError)
        -> DynamoDB.WriteItemOutput
    {
        try await client.call("PutItem", input: input, idempotent: true, deadline: deadline)
    }

    /// Retried on 5xx/timeouts only when the update has a ConditionExpression (an
    /// unconditional counter update could otherwise be applied twice).
    public func updateItem(_ input: DynamoDB.UpdateItemInput, deadline: ContinuousClock.Instant? = nil) async throws(AWSClientError)
        -> DynamoDB.WriteItemOutput
    {
        try await client.call("UpdateItem", input: input, idempotent: input.conditionExpression != nil, deadline: deadline)
    }

    public func deleteItem(_ input: DynamoDB.DeleteItemInput, deadline: ContinuousClock.Instant? = nil) async throws(AWSClientError)
        -> DynamoDB.WriteItemOutput
    {
        try await client.call("DeleteItem", input: input, idempotent: true, deadline: deadline)
    }

    public func query(_ input: DynamoDB.QueryInput, deadline: ContinuousClock.Instant? = nil) async throws(AWSClientError)
        -> DynamoDB.QueryOutput
    {
        try await client.call("Query", input: input, idempotent: true, deadline: deadline)
    }

    /// Fills `clientRequestToken` with a random UUID when nil, which makes replays within
    /// 10 minutes idempotent on DynamoDB's side, so 5xx/timeouts are retried.
    public func transactWriteItems(_ input: DynamoDB.TransactWriteItemsInput, deadline: ContinuousClock.Instant? = nil)
        async throws(AWSClientError)
    {
        var input = input
        if input.clientRequestToken == nil { input.clientRequestToken = UUID().uuidString }
        let _: AWSEmpty = try await client.call("TransactWriteItems", input: input, idempotent: true, deadline: deadline)
    }

    /// The pages of a query until `count` items (every page when nil), in order.
    public func queryPages(_ input: DynamoDB.QueryInput, upTo count: Int? = nil) async throws(AWSClientError) -> [DynamoDBItem] {
        var input = input
        var items: [DynamoDBItem] = []
        while count.map({ items.count < $0 }) ?? true {
            if let count { input.limit = count - items.count }
            let out = try await query(input)
            items += out.items
            guard let next = out.lastEvaluatedKey else { break }
            input.exclusiveStartKey = next
        }
        return items
    }

    /// Whether a `TransactWriteItems` failure says another write got there first: a condition
    /// failed, or a concurrent transaction on the same item.
    public static func isConflict(_ error: AWSClientError) -> Bool {
        if error.code == "TransactionConflictException" { return true }
        guard error.code == "TransactionCanceledException", let reasons = error.serviceError?.cancellationReasons else { return false }
        return reasons.contains { $0.code == "ConditionalCheckFailed" || $0.code == "TransactionConflict" }
    }
}

extension [String: AttributeValue] {
    /// The string attribute `key`, or "".
    public func string(_ key: String) -> String {
        if case .s(let v)? = self[key] { return v }
        return ""
    }

    /// The number attribute `key`, or 0.
    public func number(_ key: String) -> Double {
        if case .n(let v)? = self[key] { return Double(v) ?? 0 }
        return 0
    }

    /// A number attribute of seconds since 1970 as a date.
    public func date(_ key: String) -> Date { Date(timeIntervalSince1970: number(key)) }
}
