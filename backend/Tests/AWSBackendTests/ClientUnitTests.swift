import FoundationEssentials
import XCTest

@testable import AWSBackend
@testable import SigV4

final class AttributeValueTests: XCTestCase {
    func roundTrip(_ v: AttributeValue, _ json: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        XCTAssertEqual(String(decoding: try encoder.encode(v), as: UTF8.self), json, file: file, line: line)
        XCTAssertEqual(try JSONDecoder().decode(AttributeValue.self, from: Data(json.utf8)), v, file: file, line: line)
    }

    func testWireFormat() throws {
        try roundTrip(.s("héllo \"q\""), #"{"S":"héllo \"q\""}"#)
        try roundTrip(.n("-12.5e3"), #"{"N":"-12.5e3"}"#)
        try roundTrip(.bool(false), #"{"BOOL":false}"#)
        try roundTrip(.null, #"{"NULL":true}"#)
        try roundTrip(.ss(["a", "b"]), #"{"SS":["a","b"]}"#)
        try roundTrip(.ns(["1", "2"]), #"{"NS":["1","2"]}"#)
        try roundTrip(.b(Data([0, 1, 255])), #"{"B":"AAH/"}"#)
        try roundTrip(.l([.s("x"), .n("1"), .null]), #"{"L":[{"S":"x"},{"N":"1"},{"NULL":true}]}"#)
        try roundTrip(.m(["k": .m(["inner": .bool(true)]), "l": .l([])]), #"{"M":{"k":{"M":{"inner":{"BOOL":true}}},"l":{"L":[]}}}"#)
    }

    func testRejectsUnknownOrMultipleKeys() {
        XCTAssertThrowsError(try JSONDecoder().decode(AttributeValue.self, from: Data(#"{"X":"1"}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(AttributeValue.self, from: Data(#"{"S":"1","N":"1"}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(AttributeValue.self, from: Data(#"{"B":"***"}"#.utf8)))
    }

    func testItemAndLiterals() throws {
        let item: DynamoDBItem = ["pk": "USER#1", "n": 42, "ok": true]
        XCTAssertEqual(item["pk"]?.stringValue, "USER#1")
        XCTAssertEqual(item["n"]?.intValue, 42)
        XCTAssertEqual(item["ok"]?.boolValue, true)
        let decoded = try JSONDecoder().decode(DynamoDBItem.self, from: try JSONEncoder().encode(item))
        XCTAssertEqual(decoded, item)
    }

    func testRequestShapesUseAWSMemberNames() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let put = DynamoDB.PutItemInput(
            tableName: "t", item: ["pk": "a"], conditionExpression: "attribute_not_exists(#pk)", expressionAttributeNames: ["#pk": "pk"])
        XCTAssertEqual(
            String(decoding: try encoder.encode(put), as: UTF8.self),
            ##"{"ConditionExpression":"attribute_not_exists(#pk)","ExpressionAttributeNames":{"#pk":"pk"},"Item":{"pk":{"S":"a"}},"TableName":"t"}"##
        )
        let tx = DynamoDB.TransactWriteItemsInput(
            transactItems: [
                .conditionCheck(.init(tableName: "t", key: ["pk": "a"], conditionExpression: "attribute_exists(pk)")),
                .delete(.init(tableName: "t", key: ["pk": "b"])),
            ], clientRequestToken: "tok")
        XCTAssertEqual(
            String(decoding: try encoder.encode(tx), as: UTF8.self),
            #"{"ClientRequestToken":"tok","TransactItems":[{"ConditionCheck":{"ConditionExpression":"attribute_exists(pk)","Key":{"pk":{"S":"a"}},"TableName":"t"}},{"Delete":{"Key":{"pk":{"S":"b"}},"TableName":"t"}}]}"#
        )
        let q = try JSONDecoder().decode(
            DynamoDB.QueryOutput.self, from: Data(#"{"Count":1,"Items":[{"pk":{"S":"a"}}],"ScannedCount":1}"#.utf8))
        XCTAssertEqual(q.items, [["pk": .s("a")]])
        XCTAssertNil(q.lastEvaluatedKey)
    }
}

final class AWSErrorTests: XCTestCase {
    func testParsesNamespacedTypeAndLowercaseMessage() {
        let e = AWSError.parse(
            statusCode: 400,
            body: Array(
                #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#
                    .utf8))
        XCTAssertEqual(e.code, "ConditionalCheckFailedException")
        XCTAssertEqual(e.message, "The conditional request failed")
        XCTAssertEqual(e.statusCode, 400)
        XCTAssertFalse(e.isRetryable)
    }

    func testParsesUppercaseMessageAndHeaderFallback() {
        let e = AWSError.parse(statusCode: 400, body: Array(#"{"__type":"UsernameExistsException","Message":"User already exists"}"#.utf8))
        XCTAssertEqual(e.code, "UsernameExistsException")
        XCTAssertEqual(e.message, "User already exists")
        let h = AWSError.parse(
            statusCode: 400, body: Array("{}".utf8),
            errorTypeHeader: "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/")
        XCTAssertEqual(h.code, "ThrottlingException")
        XCTAssertTrue(h.isRetryable)
    }

    func testParsesCancellationReasons() {
        let body =
            #"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]","CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]}"#
        let e = AWSError.parse(statusCode: 400, body: Array(body.utf8))
        XCTAssertEqual(e.code, "TransactionCanceledException")
        XCTAssertEqual(e.cancellationReasons?.map(\.code), ["None", "ConditionalCheckFailed"])
    }

    func testNonJSONBodies() {
        let e = AWSError.parse(statusCode: 502, body: Array("<html>Bad Gateway</html>".utf8))
        XCTAssertEqual(e.code, "InternalServerError")
        XCTAssertEqual(e.message, "<html>Bad Gateway</html>")
        XCTAssertTrue(e.isRetryable)
        XCTAssertEqual(AWSError.parse(statusCode: 403, body: []).code, "UnknownError(HTTP 403)")
    }

    func testRedactionOfServerMessages() {
        let creds = AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s3cr3t/KEY+value", sessionToken: "tok3n-value")
        XCTAssertEqual(creds.redact("bad key s3cr3t/KEY+value and tok3n-value"), "bad key <redacted> and <redacted>")
    }
}

final class RetryPolicyTests: XCTestCase {
    let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50), maxDelay: .seconds(1), minimumAttemptTime: .milliseconds(100))

    func service(_ code: String, _ status: Int = 400) -> AWSClientError {
        .service(AWSError(code: code, message: "", statusCode: status))
    }

    func testWhichErrorsRetry() {
        for code in [
            "ThrottlingException", "ProvisionedThroughputExceededException", "TooManyRequestsException", "RequestLimitExceeded",
            "Throttling",
        ] {
            XCTAssertTrue(policy.isRetryable(service(code), idempotent: false), code)
        }
        for code in [
            "LimitExceededException", "ConditionalCheckFailedException", "ValidationException", "NotAuthorizedException",
            "UsernameExistsException", "TransactionCanceledException", "ResourceNotFoundException", "AccessDeniedException",
        ] {
            XCTAssertFalse(policy.isRetryable(service(code), idempotent: true), code)
        }
        XCTAssertTrue(policy.isRetryable(service("InternalServerError", 500), idempotent: true))
        XCTAssertTrue(policy.isRetryable(service("ServiceUnavailable", 503), idempotent: true))
        XCTAssertFalse(policy.isRetryable(service("InternalServerError", 500), idempotent: false))
        XCTAssertFalse(policy.isRetryable(service("Whatever", 404), idempotent: true))
        XCTAssertTrue(policy.isRetryable(.transport(.init(kind: .connect, detail: "")), idempotent: false))
        XCTAssertTrue(policy.isRetryable(.transport(.init(kind: .timeout, detail: "")), idempotent: true))
        XCTAssertFalse(policy.isRetryable(.transport(.init(kind: .timeout, detail: "")), idempotent: false))
        XCTAssertFalse(policy.isRetryable(.transport(.init(kind: .connection, detail: "")), idempotent: false))
        XCTAssertFalse(policy.isRetryable(.deadlineExceeded(lastError: nil), idempotent: true))
        XCTAssertFalse(policy.isRetryable(.serialization("x"), idempotent: true))
    }

    func testBackoffCeilingIsCappedExponential() {
        XCTAssertEqual(policy.backoffCeiling(retry: 0), .milliseconds(50))
        XCTAssertEqual(policy.backoffCeiling(retry: 1), .milliseconds(100))
        XCTAssertEqual(policy.backoffCeiling(retry: 3), .milliseconds(400))
        XCTAssertEqual(policy.backoffCeiling(retry: 5), .seconds(1))
        XCTAssertEqual(policy.backoffCeiling(retry: 60), .seconds(1))
    }

    func testFullJitterStaysWithinBounds() {
        var rng = SystemRandomNumberGenerator()
        var sawSmall = false, sawLarge = false
        for retry in 0..<6 {
            for _ in 0..<500 {
                let d = policy.backoff(retry: retry, using: &rng)
                XCTAssertGreaterThanOrEqual(d, .zero)
                XCTAssertLessThanOrEqual(d, policy.backoffCeiling(retry: retry))
                if retry == 5 { if d < .milliseconds(200) { sawSmall = true }; if d > .milliseconds(800) { sawLarge = true } }
            }
        }
        XCTAssertTrue(sawSmall && sawLarge, "full jitter spans the whole [0, ceiling] range")
    }

    func testAttemptLimitAndDeadline() {
        var rng = SystemRandomNumberGenerator()
        let now = ContinuousClock.now
        let throttled = service("ThrottlingException")
        XCTAssertNotNil(policy.nextDelay(after: throttled, attempt: 1, idempotent: false, now: now, deadline: nil, using: &rng))
        XCTAssertNotNil(policy.nextDelay(after: throttled, attempt: 2, idempotent: false, now: now, deadline: nil, using: &rng))
        XCTAssertNil(policy.nextDelay(after: throttled, attempt: 3, idempotent: false, now: now, deadline: nil, using: &rng))
        // Less time left than the minimum attempt time (100 ms) alone: never retried, whatever the jitter.
        XCTAssertNil(
            policy.nextDelay(
                after: throttled, attempt: 1, idempotent: false, now: now, deadline: now.advanced(by: .milliseconds(90)), using: &rng))
        XCTAssertNotNil(
            policy.nextDelay(
                after: throttled, attempt: 1, idempotent: false, now: now, deadline: now.advanced(by: .seconds(2)), using: &rng))
        XCTAssertNil(
            policy.nextDelay(after: service("ValidationException"), attempt: 1, idempotent: true, now: now, deadline: nil, using: &rng))
        XCTAssertNil(RetryPolicy.none.nextDelay(after: throttled, attempt: 1, idempotent: true, now: now, deadline: nil, using: &rng))
    }
}

final class AWSEndpointTests: XCTestCase {
    func testDefaults() throws {
        XCTAssertEqual(
            try AWSEndpoint.resolve(for: .dynamoDB, region: "eu-west-1", environment: [:]).url, "https://dynamodb.eu-west-1.amazonaws.com")
        XCTAssertEqual(
            try AWSEndpoint.resolve(for: .cognitoIdentityProvider, region: "us-east-1", environment: [:]).url,
            "https://cognito-idp.us-east-1.amazonaws.com")
        XCTAssertEqual(
            try AWSEndpoint.resolve(for: .cognitoIdentityProvider, region: "us-east-1", environment: [:]).hostHeader,
            "cognito-idp.us-east-1.amazonaws.com")
    }

    func testOverridesPrecedence() throws {
        let env = ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_DYNAMODB": "http://localhost:8000/"]
        let ddb = try AWSEndpoint.resolve(for: .dynamoDB, region: "us-east-1", environment: env)
        XCTAssertEqual(ddb.url, "http://localhost:8000")
        XCTAssertEqual(ddb.hostHeader, "localhost:8000")
        let idp = try AWSEndpoint.resolve(for: .cognitoIdentityProvider, region: "us-east-1", environment: env)
        XCTAssertEqual(idp.url, "http://127.0.0.1:5000")
        let idp2 = try AWSEndpoint.resolve(
            for: .cognitoIdentityProvider, region: "us-east-1",
            environment: env.merging(["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "https://idp.example:443"]) { $1 })
        XCTAssertEqual(idp2.url, "https://idp.example")
        XCTAssertEqual(
            try AWSEndpoint.resolve(for: .dynamoDB, region: "us-east-1", environment: ["AWS_ENDPOINT_URL_DYNAMODB": ""]).host,
            "dynamodb.us-east-1.amazonaws.com")
        XCTAssertThrowsError(try AWSEndpoint.resolve(for: .dynamoDB, region: "us-east-1", environment: ["AWS_ENDPOINT_URL": "not a url"]))
    }

    func testServiceDescriptors() {
        XCTAssertEqual(AWSServiceDescriptor.dynamoDB.contentType, "application/x-amz-json-1.0")
        XCTAssertEqual(AWSServiceDescriptor.cognitoIdentityProvider.contentType, "application/x-amz-json-1.1")
        XCTAssertEqual(AWSServiceDescriptor.cognitoIdentityProvider.targetPrefix, "AWSCognitoIdentityProviderService")
        XCTAssertEqual(CognitoIdentityProvider.secretHash(username: "u", clientId: "c", clientSecret: "s").count, 44)
    }
}

final class MessageScrubbingTests: XCTestCase {
    func testJWTsAreRemovedFromServiceMessages() {
        XCTAssertEqual(
            AWSJSONClient.scrubTokens("Invalid token eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl here"), "Invalid token <redacted-jwt> here")
        XCTAssertEqual(AWSJSONClient.scrubTokens("no tokens: a.b.c"), "no tokens: a.b.c")
    }
}

final class XMLErrorTests: XCTestCase {
    func testQueryStyleXMLErrorBody() {
        let body =
            #"<?xml version="1.0" encoding="utf-8"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>"#
        let e = AWSError.parse(statusCode: 403, body: Array(body.utf8))
        XCTAssertEqual(e.code, "SignatureDoesNotMatch")
        XCTAssertEqual(e.message, "The request signature we calculated does not match.")
        XCTAssertFalse(e.isRetryable)
    }
}
