import XCTest

@testable import LifestyleCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The in-memory `GoalStore` keeps the adapters' contract: owner scoping, conditional writes,
/// an activity and its goal together, ordering, deletion.
final class InMemoryGoalStoreTests: XCTestCase {
    func goal(_ user: String, _ id: String, status: String = "active", at seconds: Double = 0, version: Int = 1) -> StoredGoal {
        StoredGoal(
            userId: user, goalId: id, status: status, pattern: "streak", category: "wellness", title: id,
            createdAt: Date(timeIntervalSince1970: seconds), updatedAt: Date(timeIntervalSince1970: seconds), version: version,
            document: [], days: Array("d".utf8))
    }

    func activity(_ user: String, _ goal: String, _ id: String, _ date: String) -> StoredActivity {
        StoredActivity(userId: user, goalId: goal, activityId: id, activityDate: date, loggedAt: Date(), document: [])
    }

    func testTheContract() async throws {
        let store = InMemoryGoalStore()
        try await store.createGoal(goal("u1", "g1", at: 1))
        try await store.createGoal(goal("u1", "g2", status: "archived", at: 2))
        try await store.createGoal(goal("u2", "g3", at: 3))
        do {
            try await store.createGoal(goal("u1", "g1"))
            XCTFail("an id is used once")
        } catch GoalStoreError.alreadyExists {}
        let foreign = try await store.goal(userId: "u2", goalId: "g1")
        XCTAssertNil(foreign)
        let listed = try await store.goals(userId: "u1", statuses: [])
        XCTAssertEqual(listed.map(\.goalId), ["g2", "g1"])
        XCTAssertTrue(listed.allSatisfy { $0.days.isEmpty })
        let active = try await store.goals(userId: "u1", statuses: ["active"])
        XCTAssertEqual(active.map(\.goalId), ["g1"])

        try await store.logActivity(activity("u1", "g1", "a1", "2026-12-03"), updating: goal("u1", "g1", at: 1, version: 2))
        try await store.logActivity(activity("u1", "g1", "a2", "2026-12-01"), updating: goal("u1", "g1", at: 1, version: 3))
        do {
            try await store.logActivity(activity("u1", "g1", "a3", "2026-12-02"), updating: goal("u1", "g1", at: 1, version: 3))
            XCTFail("a stale version must not land")
        } catch GoalStoreError.conflict {}
        let logged = try await store.activities(userId: "u1", goalId: "g1", from: nil, to: nil)
        XCTAssertEqual(logged.map(\.activityId), ["a2", "a1"], "by date; the refused one is not there")
        let ranged = try await store.activities(userId: "u1", goalId: "g1", from: "2026-12-02", to: nil)
        XCTAssertEqual(ranged.map(\.activityId), ["a1"])

        try await store.deleteGoals(userId: "u1")
        let gone = try await store.goals(userId: "u1", statuses: [])
        XCTAssertEqual(gone, [])
        let none = try await store.activities(userId: "u1", goalId: "g1", from: nil, to: nil)
        XCTAssertEqual(none, [])
        let kept = try await store.goals(userId: "u2", statuses: [])
        XCTAssertEqual(kept.map(\.goalId), ["g3"])
    }
}
