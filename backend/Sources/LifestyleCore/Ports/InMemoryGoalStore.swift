import Synchronization

/// `GoalStore` in memory: what `Services` uses when the composition gives no store (unit tests
/// of the core). Same contract as the SQLite and DynamoDB adapters.
public final class InMemoryGoalStore: GoalStore {
    private struct State {
        var goals: [String: StoredGoal] = [:]
        var activities: [String: [StoredActivity]] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    static func key(_ user: String, _ goal: String) -> String { user + "\u{0}" + goal }

    public func createGoal(_ goal: StoredGoal) async throws {
        try state.withLock { s in
            let key = Self.key(goal.userId, goal.goalId)
            guard s.goals[key] == nil else { throw GoalStoreError.alreadyExists }
            s.goals[key] = goal
        }
    }

    public func goal(userId: String, goalId: String) async throws -> StoredGoal? {
        state.withLock { $0.goals[Self.key(userId, goalId)] }
    }

    public func goals(userId: String, statuses: [String]) async throws -> [StoredGoal] {
        state.withLock { s in
            s.goals.values.filter { $0.userId == userId && (statuses.isEmpty || statuses.contains($0.status)) }
                .map { goal in
                    var listed = goal
                    listed.days = []
                    return listed
                }
                .sorted { ($0.createdAt, $0.goalId) > ($1.createdAt, $1.goalId) }
        }
    }

    public func updateGoal(_ goal: StoredGoal) async throws {
        try state.withLock { s in try Self.replace(goal, &s) }
    }

    public func logActivity(_ activity: StoredActivity, updating goal: StoredGoal) async throws {
        try state.withLock { s in
            try Self.replace(goal, &s)
            s.activities[Self.key(activity.userId, activity.goalId), default: []].append(activity)
        }
    }

    public func activities(userId: String, goalId: String, from: String?, to: String?) async throws -> [StoredActivity] {
        state.withLock { s in
            (s.activities[Self.key(userId, goalId)] ?? [])
                .filter { $0.activityDate >= (from ?? "") && $0.activityDate <= (to ?? "~") }
                .enumerated().sorted { ($0.element.activityDate, $0.offset) < ($1.element.activityDate, $1.offset) }.map(\.element)
        }
    }

    public func deleteGoals(userId: String) async throws {
        state.withLock { s in
            s.goals = s.goals.filter { $0.value.userId != userId }
            s.activities = s.activities.filter { $0.value.first?.userId != userId }
        }
    }

    private static func replace(_ goal: StoredGoal, _ s: inout State) throws {
        let key = Self.key(goal.userId, goal.goalId)
        guard let stored = s.goals[key], stored.version == goal.version - 1 else { throw GoalStoreError.conflict }
        s.goals[key] = goal
    }
}
