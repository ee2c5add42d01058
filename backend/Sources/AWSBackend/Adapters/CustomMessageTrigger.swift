import FoundationEssentials
import LifestyleCore
import LifestyleToolkit

/// Cognito's triggers, served by the same function:
/// - custom message: turns Cognito's code emails into links whose single `token` carries username
///   and code (`EmailToken`);
/// - pre token generation (event version 2, `TokenGeneration_*`): suppresses the
///   `aws.cognito.signin.user.admin` scope in every access token, so the tokens the API hands out
///   cannot call Cognito's self-service API (UpdateUserAttributes, SetUserMFAPreference,
///   AssociateSoftwareToken, ChangePassword, DeleteUser, ...) around the API.
/// Other events pass through unchanged.
public struct CustomMessageTrigger: Sendable {
    public let appBaseURL: String

    public init(appBaseURL: String) { self.appBaseURL = appBaseURL }

    /// Takes the raw trigger event and returns the event Cognito expects back.
    public func handle(_ event: [UInt8]) throws -> [UInt8] {
        guard case .object(var root) = try JSONParser.parse(event),
            case .string(let source)? = root["triggerSource"], case .string(let username)? = root["userName"]
        else { throw TriggerError.malformed }
        if source.hasPrefix("TokenGeneration_") { return Self.suppressingSelfServiceScope(root) }
        let link: (path: String, subject: String, intro: String)
        switch source {
        case "CustomMessage_SignUp", "CustomMessage_ResendCode":
            link = ("/verify-email", "Verify your AI Lifestyle account", "Welcome to AI Lifestyle! Confirm your email address:")
        case "CustomMessage_ForgotPassword":
            link = ("/reset-password", "Reset your AI Lifestyle password", "Use this link to choose a new password:")
        default:
            return event
        }
        let url = appBaseURL + link.path + "?token=" + EmailToken.template(username: username)
        var response: [String: JSONValue] = [:]
        if case .object(let existing)? = root["response"] { response = existing }
        response["emailSubject"] = .string(link.subject)
        response["emailMessage"] = .string("<p>\(link.intro)</p><p><a href=\"\(url)\">\(url)</a></p>")
        root["response"] = .object(response)
        return JSON.encode(JSONValue.object(root))
    }

    /// The scope Cognito puts in every access token from its user-flow APIs.
    public static let selfServiceScope = "aws.cognito.signin.user.admin"

    static func suppressingSelfServiceScope(_ event: [String: JSONValue]) -> [UInt8] {
        var root = event
        var response: [String: JSONValue] = [:]
        if case .object(let existing)? = root["response"] { response = existing }
        response["claimsAndScopeOverrideDetails"] = .object([
            "accessTokenGeneration": .object(["scopesToSuppress": .array([.string(selfServiceScope)])])
        ])
        root["response"] = .object(response)
        return JSON.encode(JSONValue.object(root))
    }

    public enum TriggerError: Error { case malformed }
}
