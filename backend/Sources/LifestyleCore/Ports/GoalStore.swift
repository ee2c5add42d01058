import LifestyleToolkit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A goal as the store keeps it: the fields it lists, filters and sorts by, and the rest as the
/// core encoded it (the store never reads `document` or `days`).
public struct StoredGoal: Sendable, Equatable {
    public var userId: String
    public var goalId: String
    public var status: String
    public var pattern: String
    public var category: String
    public var title: String
    public var createdAt: Date
    public var updatedAt: Date
    /// Starts at 1; every write names the version it read and stores the next one, so two writes
    /// that read the same goal cannot both land (the second gets `GoalStoreError.conflict`).
    public var version: Int
    /// The goal as the API answers it (JSON), its stored `progress` included.
    public var document: [UInt8]
    /// The per-day activity records progress is computed from (the core's encoding).
    public var days: [UInt8]

    public init(
        userId: String, goalId: String, status: String, pattern: String, category: String, title: String, createdAt: Date,
        updatedAt: Date, version: Int = 1, document: [UInt8], days: [UInt8] = []
    ) {
        self.userId = userId
        self.goalId = goalId
        self.status = status
        self.pattern = pattern
        self.category = category
        self.title = title
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
        self.document = document
        self.days = days
    }
}

/// An activity logged to a goal.
public struct StoredActivity: Sendable, Equatable {
    public var userId: String
    public var goalId: String
    public var activityId: String
    /// `YYYY-MM-DD` in the user's time zone.
    public var activityDate: String
    public var loggedAt: Date
    /// The activity as the API answers it (JSON).
    public var document: [UInt8]

    public init(userId: String, goalId: String, activityId: String, activityDate: String, loggedAt: Date, document: [UInt8]) {
        self.userId = userId
        self.goalId = goalId
        self.activityId = activityId
        self.activityDate = activityDate
        self.loggedAt = loggedAt
        self.document = document
    }
}

/// Goal and activity storage. Embedded: SQLite. AWS: the environment's DynamoDB table (keys in
/// docs/aws-design.md). Every read names the owner: another user's goal is simply not there.
public protocol GoalStore: Sendable {
    /// Stores a new goal (version 1); `.alreadyExists` when the id is taken.
    func createGoal(_ goal: StoredGoal) async throws
    func goal(userId: String, goalId: String) async throws -> StoredGoal?
    /// The user's goals with one of `statuses` (every goal when empty), newest first, read after
    /// every write that returned (no stale list right after a create). `days` left empty.
    func goals(userId: String, statuses: [String]) async throws -> [StoredGoal]
    /// Replaces the goal with `goal` (whose `version` is the read one plus one) if the stored
    /// version is still `goal.version - 1`; else `.conflict`. Archiving is final: a goal is
    /// updated to `archived` once and never updated again (a store may keep archived goals apart).
    func updateGoal(_ goal: StoredGoal) async throws
    /// Stores the activity and replaces its goal as `updateGoal` does, both or neither.
    func logActivity(_ activity: StoredActivity, updating goal: StoredGoal) async throws
    /// A goal's activities with `from <= activityDate <= to` (either bound optional), by date,
    /// then in the order they were logged.
    func activities(userId: String, goalId: String, from: String?, to: String?) async throws -> [StoredActivity]
    /// Removes every goal and activity of the user. Safe to repeat; nothing there is no error.
    func deleteGoals(userId: String) async throws
    /// How many of the user's goals are not archived (the per-user limit counts them).
    func goalsInUse(userId: String) async throws -> Int
}

extension StoredGoal {
    /// Every status but `archived`: the goals the default list shows and the per-user limit counts.
    public static let statusesInUse = ["draft", "active", "paused", "completed"]
}

extension GoalStore {
    public func goalsInUse(userId: String) async throws -> Int {
        try await goals(userId: userId, statuses: StoredGoal.statusesInUse).count
    }
}

public enum GoalStoreError: Error, Sendable, Equatable {
    case alreadyExists
    /// The goal changed (or went) since it was read: read it again and retry.
    case conflict
    case unavailable(String)
}
