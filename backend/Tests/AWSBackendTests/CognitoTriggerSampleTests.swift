import FoundationEssentials
import LifestyleToolkit
import XCTest

@testable import AWSBackend

/// The Cognito triggers against the events AWS documents for them ("Pre token generation Lambda
/// trigger", event version 2 / V2_0; "Custom message Lambda trigger"), with Cognito's own
/// conditions on the answer: the event comes back whole with `response` filled in, the V2_0
/// override object in its documented shape, and a custom message that still carries the code
/// placeholder (Cognito refuses a message without it, and the user gets no mail).
final class CognitoTriggerSampleTests: XCTestCase {
    static let preTokenV2 = #"""
        {
            "version": "2",
            "triggerSource": "TokenGeneration_Authentication",
            "region": "us-east-1",
            "userPoolId": "us-east-1_EXAMPLE",
            "userName": "JaneDoe",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
            "request": {
                "userAttributes": {
                    "sub": "a36036a8-9061-424d-a737-56d57dae7bbc",
                    "cognito:email_alias": "testuser@example.com",
                    "cognito:user_status": "CONFIRMED",
                    "email_verified": "true",
                    "email": "testuser@example.com"
                },
                "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
                "scopes": ["aws.cognito.signin.user.admin", "openid", "email"]
            },
            "response": {"claimsAndScopeOverrideDetails": null}
        }
        """#

    static let customMessage = #"""
        {
            "version": "1",
            "region": "us-west-2",
            "userPoolId": "us-west-2_EXAMPLE",
            "userName": "test-user",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23456789"},
            "triggerSource": "CustomMessage_SignUp",
            "request": {
                "userAttributes": {
                    "sub": "d3a1b4f2-0000-4000-8000-000000000000",
                    "cognito:user_status": "UNCONFIRMED",
                    "email_verified": "false",
                    "email": "test-user@example.com"
                },
                "codeParameter": "{####}",
                "linkParameter": "{##Click Here##}",
                "usernameParameter": null
            },
            "response": {"smsMessage": null, "emailMessage": null, "emailSubject": null}
        }
        """#

    func answer(_ event: String) throws -> [String: JSONValue] {
        let out = try CustomMessageTrigger(appBaseURL: "https://dev.ailifestyle.app").handle(Array(event.utf8))
        guard case .object(let root) = try JSONParser.parse(out) else {
            XCTFail("not a JSON object")
            return [:]
        }
        return root
    }

    func testPreTokenGenerationV2AnswersTheDocumentedOverrideShapeAndKeepsTheEvent() throws {
        let root = try answer(Self.preTokenV2)
        guard case .object(let original) = try JSONParser.parse(Array(Self.preTokenV2.utf8)) else { return XCTFail() }
        for key in ["version", "triggerSource", "region", "userPoolId", "userName", "callerContext", "request"] {
            XCTAssertEqual(root[key], original[key], key)
        }
        guard case .object(let response)? = root["response"], case .object(let details)? = response["claimsAndScopeOverrideDetails"],
            case .object(let access)? = details["accessTokenGeneration"]
        else { return XCTFail("no claimsAndScopeOverrideDetails.accessTokenGeneration: \(root["response"] as Any)") }
        XCTAssertEqual(access["scopesToSuppress"], .array([.string("aws.cognito.signin.user.admin")]))
        // only keys V2_0 defines: Cognito fails the sign-in on anything else
        let allowedDetails: Set<String> = ["idTokenGeneration", "accessTokenGeneration", "groupOverrideDetails"]
        let allowedAccess: Set<String> = ["claimsToAddOrOverride", "claimsToSuppress", "scopesToAdd", "scopesToSuppress"]
        XCTAssertTrue(Set(details.keys).isSubset(of: allowedDetails), "\(details.keys)")
        XCTAssertTrue(Set(access.keys).isSubset(of: allowedAccess), "\(access.keys)")
    }

    func testEveryTokenGenerationSourceSuppressesTheSelfServiceScope() throws {
        for source in ["TokenGeneration_HostedAuth", "TokenGeneration_RefreshTokens", "TokenGeneration_NewPasswordChallenge"] {
            let root = try answer(Self.preTokenV2.replacingOccurrences(of: "TokenGeneration_Authentication", with: source))
            guard case .object(let response)? = root["response"], case .object(let details)? = response["claimsAndScopeOverrideDetails"]
            else { return XCTFail(source) }
            XCTAssertNotNil(details["accessTokenGeneration"], source)
        }
    }

    func testCustomMessageKeepsTheCodePlaceholderAndFillsTheDocumentedFields() throws {
        let root = try answer(Self.customMessage)
        guard case .object(let response)? = root["response"], case .string(let message)? = response["emailMessage"],
            case .string(let subject)? = response["emailSubject"]
        else { return XCTFail("emailMessage/emailSubject missing") }
        XCTAssertTrue(message.contains("{####}"), "Cognito refuses a custom message without the code placeholder")
        XCTAssertTrue(message.contains("https://dev.ailifestyle.app/verify-email?token="), message)
        XCTAssertFalse(subject.isEmpty)
        XCTAssertEqual(response["smsMessage"], .null)  // left as Cognito sent it
        guard case .object(let original) = try JSONParser.parse(Array(Self.customMessage.utf8)) else { return XCTFail() }
        XCTAssertEqual(root["request"], original["request"])
        XCTAssertEqual(root["userName"], original["userName"])
    }

    func testOtherCustomMessageSourcesComeBackUnchanged() throws {
        let event = Self.customMessage.replacingOccurrences(of: "CustomMessage_SignUp", with: "CustomMessage_AdminCreateUser")
        let out = try CustomMessageTrigger(appBaseURL: "https://dev.ailifestyle.app").handle(Array(event.utf8))
        XCTAssertEqual(out, Array(event.utf8))
    }
}
