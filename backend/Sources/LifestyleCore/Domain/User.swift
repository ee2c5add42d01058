import LifestyleToolkit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The app's user profile record (what `UserStore` keeps). Identity data (password, MFA secret,
/// tokens) lives behind `IdentityProvider`; the two are joined by `userId` (the identity subject).
public struct UserRecord: Sendable, Equatable {
    public var userId: String
    /// Normalized (trimmed, lower-cased) email.
    public var email: String
    public var firstName: String
    public var lastName: String
    public var emailVerified: Bool
    public var mfaEnabled: Bool
    public var phoneNumber: String?
    public var dateOfBirth: String?
    public var timezone: String?
    public var preferences: Preferences
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        userId: String, email: String, firstName: String, lastName: String, emailVerified: Bool = false,
        mfaEnabled: Bool = false, phoneNumber: String? = nil, dateOfBirth: String? = nil, timezone: String? = nil,
        preferences: Preferences = Preferences(), createdAt: Date, updatedAt: Date
    ) {
        self.userId = userId
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.emailVerified = emailVerified
        self.mfaEnabled = mfaEnabled
        self.phoneNumber = phoneNumber
        self.dateOfBirth = dateOfBirth
        self.timezone = timezone
        self.preferences = preferences
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct Preferences: Sendable, Equatable, Codable {
    public struct Notifications: Sendable, Equatable, Codable {
        public var email: Bool = true
        public var push: Bool = true
        public var sms: Bool = false
        public init() {}
    }
    public var units: String = "metric"
    public var language: String = "en-US"
    public var notifications = Notifications()
    public var dietaryRestrictions: [String] = []
    public var fitnessGoals: [String] = []
    public init() {}
}

/// The contract's `UserProfile`.
struct UserProfileDTO: Encodable {
    var userId: String
    var email: String
    var firstName: String
    var lastName: String
    var emailVerified: Bool
    var mfaEnabled: Bool
    var phoneNumber: String?
    var dateOfBirth: String?
    var timezone: String?
    var preferences: Preferences
    var createdAt: String
    var updatedAt: String

    init(_ u: UserRecord) {
        userId = u.userId
        email = u.email
        firstName = u.firstName
        lastName = u.lastName
        emailVerified = u.emailVerified
        mfaEnabled = u.mfaEnabled
        phoneNumber = u.phoneNumber
        dateOfBirth = u.dateOfBirth
        timezone = u.timezone
        preferences = u.preferences
        createdAt = Timestamp.iso8601(u.createdAt)
        updatedAt = Timestamp.iso8601(u.updatedAt)
    }
}

public enum EmailAddress {
    /// Emails are compared case-insensitively: one account per address.
    public static func normalize(_ raw: String) -> String {
        raw.trimmingWhitespace().lowercased()
    }
}
