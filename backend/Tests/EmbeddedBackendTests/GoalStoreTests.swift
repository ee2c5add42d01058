import Foundation
import LifestyleCore
import XCTest

@testable import EmbeddedBackend

/// `SQLiteGoalStore`: owner-scoped reads, conditional writes, an activity and its goal written
/// together, and deletion of everything a user has.
final class GoalStoreTests: XCTestCase {
    var db: EmbeddedDatabase!
    var store: SQLiteGoalStore!

    override func setUp() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("goals-\(UUID().uuidString).sqlite").path
        db = try await EmbeddedDatabase.open(path: path)
        store = SQLiteGoalStore(database: db)
    }

    override func tearDown() async throws {
        try await db.close()
    }

    func goal(_ user: String, _ id: String, status: String = "active", at seconds: Double = 0) -> StoredGoal {
        StoredGoal(
            userId: user, goalId: id, status: status, pattern: "recurring", category: "fitness", title: "Walk \(id)",
            createdAt: Date(timeIntervalSince1970: 1_800_000_000 + seconds),
            updatedAt: Date(timeIntervalSince1970: 1_800_000_000 + seconds),
            document: Array(#"{"goalId":"\#(id)"}"#.utf8), days: Array("[]".utf8))
    }

    func activity(_ g: StoredGoal, _ id: String, _ date: String) -> StoredActivity {
        StoredActivity(
            userId: g.userId, goalId: g.goalId, activityId: id, activityDate: date, loggedAt: Date(),
            document: Array(#"{"activityId":"\#(id)"}"#.utf8))
    }

    func testGoalsAreTheOwnersOnly() async throws {
        try await store.createGoal(goal("u1", "g1", at: 1))
        try await store.createGoal(goal("u1", "g2", status: "archived", at: 2))
        try await store.createGoal(goal("u1", "g3", status: "paused", at: 3))
        try await store.createGoal(goal("u2", "g4", at: 4))
        do {
            try await store.createGoal(goal("u1", "g1"))
            XCTFail("an id is used once")
        } catch GoalStoreError.alreadyExists {}

        let read = try await store.goal(userId: "u1", goalId: "g1")
        XCTAssertEqual(read, goal("u1", "g1", at: 1))
        let foreign = try await store.goal(userId: "u2", goalId: "g1")
        XCTAssertNil(foreign, "another user's goal is not there")

        let all = try await store.goals(userId: "u1", statuses: [])
        XCTAssertEqual(all.map(\.goalId), ["g3", "g2", "g1"], "newest first")
        XCTAssertTrue(all.allSatisfy { $0.days.isEmpty }, "a list leaves the day records out")
        let current = try await store.goals(userId: "u1", statuses: ["active", "paused"])
        XCTAssertEqual(current.map(\.goalId), ["g3", "g1"])
    }

    func testWritesAreConditionalOnTheVersionRead() async throws {
        var g = goal("u1", "g1")
        try await store.createGoal(g)
        g.version = 2
        g.title = "Walk more"
        try await store.updateGoal(g)
        do {
            var stale = goal("u1", "g1")
            stale.version = 2  // read at version 1, after the update above
            stale.title = "lost update"
            try await store.updateGoal(stale)
            XCTFail("a write based on an old read must not land")
        } catch GoalStoreError.conflict {}
        let stored = try await store.goal(userId: "u1", goalId: "g1")
        XCTAssertEqual(stored?.title, "Walk more")
        XCTAssertEqual(stored?.version, 2)

        // an activity with a stale goal is refused whole: neither is written
        var stale = goal("u1", "g1")
        stale.version = 2
        do {
            try await store.logActivity(activity(stale, "a1", "2026-12-06"), updating: stale)
            XCTFail("stale")
        } catch GoalStoreError.conflict {}
        let none = try await store.activities(userId: "u1", goalId: "g1", from: nil, to: nil)
        XCTAssertEqual(none, [])
    }

    /// Two activities logged at the same moment, each read-compute-write with a retry on conflict
    /// (as the app does): both count.
    func testConcurrentLogsBothCount() async throws {
        try await store.createGoal(goal("u1", "g1"))
        let store = self.store!
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<8 {
                group.addTask {
                    while true {
                        var g = try await store.goal(userId: "u1", goalId: "g1")!
                        let count = Int(String(decoding: g.days, as: UTF8.self).count(where: { $0 == "x" }))
                        g.days = Array(String(repeating: "x", count: count + 1).utf8)
                        g.version += 1
                        do {
                            try await store.logActivity(
                                StoredActivity(
                                    userId: "u1", goalId: "g1", activityId: "a\(n)", activityDate: "2026-12-06", loggedAt: Date(),
                                    document: []), updating: g)
                            return
                        } catch GoalStoreError.conflict {
                            continue
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let g = try await store.goal(userId: "u1", goalId: "g1")
        XCTAssertEqual(g?.days, Array(String(repeating: "x", count: 8).utf8), "no update lost")
        XCTAssertEqual(g?.version, 9)
        let logged = try await store.activities(userId: "u1", goalId: "g1", from: nil, to: nil)
        XCTAssertEqual(logged.count, 8)
    }

    func testActivitiesByDateRange() async throws {
        var g = goal("u1", "g1")
        try await store.createGoal(g)
        for (id, date) in [("a1", "2026-12-03"), ("a2", "2026-12-01"), ("a3", "2026-12-05"), ("a4", "2026-12-03")] {
            g.version += 1
            try await store.logActivity(activity(g, id, date), updating: g)
        }
        let all = try await store.activities(userId: "u1", goalId: "g1", from: nil, to: nil)
        XCTAssertEqual(all.map(\.activityId), ["a2", "a1", "a4", "a3"], "by date, then as logged")
        let some = try await store.activities(userId: "u1", goalId: "g1", from: "2026-12-02", to: "2026-12-03")
        XCTAssertEqual(some.map(\.activityId), ["a1", "a4"])
        let foreign = try await store.activities(userId: "u2", goalId: "g1", from: nil, to: nil)
        XCTAssertEqual(foreign, [])
    }

    func testDeletingAUsersGoalsRemovesTheirActivitiesAndNothingElse() async throws {
        var mine = goal("u1", "g1")
        try await store.createGoal(mine)
        mine.version = 2
        try await store.logActivity(activity(mine, "a1", "2026-12-06"), updating: mine)
        var theirs = goal("u2", "g2")
        try await store.createGoal(theirs)
        theirs.version = 2
        try await store.logActivity(activity(theirs, "a2", "2026-12-06"), updating: theirs)

        try await store.deleteGoals(userId: "u1")
        try await store.deleteGoals(userId: "u1")  // again: nothing there, no error
        let gone = try await store.goals(userId: "u1", statuses: [])
        XCTAssertEqual(gone, [])
        let rows = try await db.query("SELECT COUNT(*) AS n FROM goal_activities WHERE user_id = 'u1'")
        XCTAssertEqual(rows.first?.int("n"), 0)
        let kept = try await store.activities(userId: "u2", goalId: "g2", from: nil, to: nil)
        XCTAssertEqual(kept.map(\.activityId), ["a2"])
    }
}
