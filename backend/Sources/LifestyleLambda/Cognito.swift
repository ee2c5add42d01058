import LifestyleToolkit

/// Cognito user-pool triggers (events with `triggerSource` and `userPoolId`). The handler gets the
/// raw event JSON and returns the event JSON to hand back to Cognito (with `response` filled in).
public protocol CognitoTriggerHandler: Sendable {
    func handle(_ event: [UInt8]) async throws -> [UInt8]
}

/// Returns the event unchanged, which Cognito reads as "no change" (e.g. default CustomMessage).
public struct PassThroughCognitoTriggerHandler: CognitoTriggerHandler {
    public init() {}
    public func handle(_ event: [UInt8]) async throws -> [UInt8] { event }
}
