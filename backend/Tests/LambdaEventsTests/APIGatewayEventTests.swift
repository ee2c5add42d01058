import LambdaEvents
import Testing

/// The event reader on the sample payloads of AWS's documentation (API Gateway HTTP API payload
/// 2.0, REST API / payload 1.0, a Cognito custom-message trigger), trimmed of fields it skips.
@Suite struct APIGatewayEventTests {
    // "Working with AWS Lambda proxy integrations for HTTP APIs", payload format version 2.0.
    static let v2 = #"""
        {
          "version": "2.0",
          "routeKey": "$default",
          "rawPath": "/my/path",
          "rawQueryString": "parameter1=value1&parameter1=value2&parameter2=value",
          "cookies": ["cookie1", "cookie2"],
          "headers": {"header1": "value1", "header2": "value1,value2"},
          "queryStringParameters": {"parameter1": "value1,value2", "parameter2": "value"},
          "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "authentication": {"clientCert": {"clientCertPem": "CERT_CONTENT", "validity": {"notAfter": "Aug 5 09:36:04 2021 GMT"}}},
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "http": {"method": "POST", "path": "/my/path", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "agent"},
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
            "time": "12/Mar/2020:19:03:58 +0000",
            "timeEpoch": 1583348638390
          },
          "body": "Hello from Lambda",
          "pathParameters": {"parameter1": "value1"},
          "isBase64Encoded": false,
          "stageVariables": {"stageVariable1": "value1", "stageVariable2": "value2"}
        }
        """#

    // The same page, payload format version 1.0.
    static let v1 = #"""
        {
          "version": "1.0",
          "resource": "/my/path",
          "path": "/my/path",
          "httpMethod": "GET",
          "headers": {"header1": "value1", "header2": "value2"},
          "multiValueHeaders": {"header1": ["value1"], "header2": ["value1", "value2"]},
          "queryStringParameters": {"parameter1": "value1", "parameter2": "value"},
          "multiValueQueryStringParameters": {"parameter1": ["value1", "value2"], "parameter2": ["value"]},
          "requestContext": {
            "accountId": "123456789012",
            "apiId": "id",
            "authorizer": {"claims": null, "scopes": null},
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "extendedRequestId": "request-id",
            "httpMethod": "GET",
            "identity": {"accessKey": null, "sourceIp": "192.0.2.1", "user": null, "userAgent": "user-agent"},
            "path": "/my/path",
            "requestId": "id=",
            "requestTime": "04/Mar/2020:19:15:17 +0000",
            "resourcePath": "/my/path",
            "stage": "$default"
          },
          "pathParameters": null,
          "stageVariables": null,
          "body": "Hello from Lambda!",
          "isBase64Encoded": false
        }
        """#

    // "Custom message Lambda trigger", the sign-up example.
    static let customMessage = #"""
        {
          "version": "1",
          "region": "us-west-2",
          "userPoolId": "us-west-2_EXAMPLE",
          "userName": "test-user",
          "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
          "triggerSource": "CustomMessage_SignUp",
          "request": {
            "userAttributes": {"sub": "4example-b92b-4ea2-bd5b-06example6be6", "email_verified": "false", "email": "test@example.com"},
            "codeParameter": "{####}",
            "linkParameter": "{##Click Here##}",
            "usernameParameter": null
          },
          "response": {"smsMessage": null, "emailMessage": null, "emailSubject": null}
        }
        """#

    static func parse(_ text: String) throws -> IncomingEvent { try IncomingEvent(bytes: Array(text.utf8)) }

    @Test func payloadVersion2() throws {
        let event = try Self.parse(Self.v2)
        #expect(event.kind == .httpV2)
        #expect(event.requestContext?.http?.method == "POST")
        #expect(event.rawPath == "/my/path")
        #expect(event.rawQueryString == "parameter1=value1&parameter1=value2&parameter2=value")
        #expect(event.cookies == ["cookie1", "cookie2"])
        #expect(event.headers?["header2"] == "value1,value2")
        #expect(event.requestContext?.http?.sourceIp == "192.0.2.1")
        #expect(event.requestContext?.requestId == "id")
        #expect(event.body == "Hello from Lambda")
        #expect(event.isBase64Encoded == false)
    }

    @Test func payloadVersion1() throws {
        let event = try Self.parse(Self.v1)
        #expect(event.kind == .httpV1)
        #expect(event.httpMethod == "GET")
        #expect(event.path == "/my/path")
        #expect(event.multiValueHeaders?["header2"] == ["value1", "value2"])
        #expect(event.multiValueQueryStringParameters?["parameter1"] == ["value1", "value2"])
        #expect(event.requestContext?.identitySourceIp == "192.0.2.1")
        #expect(event.body == "Hello from Lambda!")
    }

    @Test func cognitoCustomMessageTrigger() throws {
        let event = try Self.parse(Self.customMessage)
        #expect(event.kind == .cognitoTrigger)
        #expect(event.triggerSource == "CustomMessage_SignUp")
        #expect(event.userPoolId == "us-west-2_EXAMPLE")
    }

    @Test(arguments: [
        #"{"version":"2.0","rawPath":7}"#, #"{"isBase64Encoded":"yes"}"#, #"[1,2]"#, #"{"headers":{"a":1}}"#, "{", "",
    ])
    func aKnownFieldOfTheWrongTypeIsRefused(_ text: String) {
        #expect(throws: (any Error).self) { try Self.parse(text) }
    }

    @Test func anythingElseIsUnsupported() throws {
        #expect(try Self.parse(#"{"detail-type":"Scheduled Event","source":"aws.events"}"#).kind == .unsupported)
        #expect(try Self.parse(#"{"version":"2.0","rawPath":"/x"}"#).kind == .unsupported)
    }
}
