import FoundationEssentials
import LifestyleCore
import Logging
import XCTest

@testable import AWSBackend

/// `DynamoDBGoalStore` against the emulator: owner-scoped reads, a list that sees a goal the
/// moment it was created, conditional writes, concurrent logs that all count, activities by
/// date, and deletion of everything a user has (more than one transaction's worth).
final class DynamoDBGoalStoreTests: EmulatorTestCase {
    func makeStore() async throws -> (DynamoDBGoalStore, DynamoDBClient, String) {
        let env = try EmulatorEnvironment.load()
        let ddb = try DynamoDBClient(
            credentials: env.credentials, region: env.region, httpClient: http!, endpoint: env.endpoint, logger: Logger(label: "test"))
        let table = uniqueName("goals")
        try await ddb.createTable(
            .init(
                tableName: table,
                keySchema: [.init(attributeName: "pk", keyType: .hash), .init(attributeName: "sk", keyType: .range)],
                attributeDefinitions: [.init(attributeName: "pk", attributeType: "S"), .init(attributeName: "sk", attributeType: "S")]))
        return (DynamoDBGoalStore(client: ddb, table: table), ddb, table)
    }

    func goal(_ user: String, _ id: String, status: String = "active", at seconds: Double = 0) -> StoredGoal {
        StoredGoal(
            userId: user, goalId: id, status: status, pattern: "limit", category: "nutrition", title: "Coffee \(id)",
            createdAt: Date(timeIntervalSince1970: 1_800_000_000 + seconds),
            updatedAt: Date(timeIntervalSince1970: 1_800_000_000 + seconds),
            document: Array(#"{"goalId":"\#(id)","title":"Café ☕"}"#.utf8), days: Array(#"[{"d":"2026-12-06"}]"#.utf8))
    }

    func testGoalsListsAndConditionalWrites() async throws {
        let (store, ddb, table) = try await makeStore()
        defer { Task { [ddb] in _ = try? await ddb.deleteTable(tableName: table) } }
        try await store.createGoal(goal("u1", "g1", at: 1))
        try await store.createGoal(goal("u1", "g2", status: "archived", at: 2))
        try await store.createGoal(goal("u1", "g3", status: "paused", at: 3))
        try await store.createGoal(goal("u2", "g4", at: 4))
        do {
            try await store.createGoal(goal("u1", "g1"))
            XCTFail("an id is used once")
        } catch GoalStoreError.alreadyExists {}

        let read = try await store.goal(userId: "u1", goalId: "g1")
        XCTAssertEqual(read, goal("u1", "g1", at: 1), "stored and read back byte for byte")
        let foreign = try await store.goal(userId: "u2", goalId: "g1")
        XCTAssertNil(foreign)
        let all = try await store.goals(userId: "u1", statuses: [])
        XCTAssertEqual(all.map(\.goalId), ["g3", "g2", "g1"])
        XCTAssertTrue(all.allSatisfy { $0.days.isEmpty }, "a list leaves the day records behind")
        let current = try await store.goals(userId: "u1", statuses: ["active", "paused"])
        XCTAssertEqual(current.map(\.goalId), ["g3", "g1"])

        var g = goal("u1", "g1", at: 1)
        g.version = 2
        g.title = "Less coffee"
        try await store.updateGoal(g)
        do {
            var stale = goal("u1", "g1", at: 1)
            stale.version = 2
            try await store.updateGoal(stale)
            XCTFail("a write based on an old read must not land")
        } catch GoalStoreError.conflict {}
        let updated = try await store.goal(userId: "u1", goalId: "g1")
        XCTAssertEqual(updated?.title, "Less coffee")
        XCTAssertEqual(updated?.version, 2)

        // archiving moves the goal out of the partition the default list reads, conditionally
        var archived = goal("u1", "g3", status: "archived", at: 3)
        archived.version = 2
        var staleArchive = archived
        staleArchive.version = 5
        do {
            try await store.updateGoal(staleArchive)
            XCTFail("an archive based on an old read must not land")
        } catch GoalStoreError.conflict {}
        try await store.updateGoal(archived)
        let moved = try await store.goal(userId: "u1", goalId: "g3")
        XCTAssertEqual(moved, archived)
        let live = try await ddb.getItem(.init(tableName: table, key: DynamoDBGoalStore.goalKey("u1", "g3"), consistentRead: true))
        XCTAssertNil(live.item, "nothing of it stays among the goals in use")
        let inUse = try await store.goals(userId: "u1", statuses: ["active", "paused", "draft", "completed"])
        XCTAssertEqual(inUse.map(\.goalId), ["g1"])
        let counted = try await store.goalsInUse(userId: "u1")
        XCTAssertEqual(counted, 1, "the limit counts the goals in use only")
        let archivedOnes = try await store.goals(userId: "u1", statuses: ["archived"])
        XCTAssertEqual(archivedOnes.map(\.goalId), ["g3", "g2"])
        let both = try await store.goals(userId: "u1", statuses: [])
        XCTAssertEqual(both.map(\.goalId), ["g3", "g2", "g1"])
    }

    func testConcurrentLogsAllCountAndActivitiesComeByDate() async throws {
        let (store, ddb, table) = try await makeStore()
        defer { Task { [ddb] in _ = try? await ddb.deleteTable(tableName: table) } }
        try await store.createGoal(goal("u1", "g1"))
        let dates = ["2026-12-03", "2026-12-01", "2026-12-05", "2026-12-03", "2026-12-02", "2026-12-04"]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, date) in dates.enumerated() {
                group.addTask {
                    while true {
                        var g = try await store.goal(userId: "u1", goalId: "g1")!
                        g.days += Array("+".utf8)
                        g.version += 1
                        do {
                            try await store.logActivity(
                                StoredActivity(
                                    userId: "u1", goalId: "g1", activityId: "a\(n)", activityDate: date,
                                    loggedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)), document: Array("{}".utf8)),
                                updating: g)
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
        XCTAssertEqual(g?.version, 1 + dates.count)
        XCTAssertEqual(g.map { $0.days.filter { $0 == UInt8(ascii: "+") }.count }, dates.count, "no log lost")
        let all = try await store.activities(userId: "u1", goalId: "g1", from: nil, to: nil)
        XCTAssertEqual(all.map(\.activityId), ["a1", "a4", "a0", "a3", "a5", "a2"], "by date, then as logged")
        let some = try await store.activities(userId: "u1", goalId: "g1", from: "2026-12-02", to: "2026-12-03")
        XCTAssertEqual(some.map(\.activityId), ["a4", "a0", "a3"])
        let foreign = try await store.activities(userId: "u2", goalId: "g1", from: nil, to: nil)
        XCTAssertEqual(foreign, [])
    }

    func testDeletingAUsersGoalsRemovesEverythingOfTheirsOnly() async throws {
        let (store, ddb, table) = try await makeStore()
        defer { Task { [ddb] in _ = try? await ddb.deleteTable(tableName: table) } }
        var mine = goal("u1", "g1")
        try await store.createGoal(mine)
        // more activities than one transaction deletes
        for n in 0..<105 {
            mine.version += 1
            try await store.logActivity(
                StoredActivity(
                    userId: "u1", goalId: "g1", activityId: "a\(n)", activityDate: "2026-12-06", loggedAt: Date(), document: []),
                updating: mine)
        }
        try await store.createGoal(goal("u1", "g2"))
        try await store.createGoal(goal("u1", "g5", status: "archived"))
        var theirs = goal("u2", "g3")
        try await store.createGoal(theirs)
        theirs.version = 2
        try await store.logActivity(
            StoredActivity(userId: "u2", goalId: "g3", activityId: "b", activityDate: "2026-12-06", loggedAt: Date(), document: []),
            updating: theirs)

        try await store.deleteGoals(userId: "u1")
        try await store.deleteGoals(userId: "u1")
        let goals = try await store.goals(userId: "u1", statuses: [])
        XCTAssertEqual(goals, [])
        let activities = try await store.activities(userId: "u1", goalId: "g1", from: nil, to: nil)
        XCTAssertEqual(activities, [])
        let archivedOne = try await store.goal(userId: "u1", goalId: "g5")
        XCTAssertNil(archivedOne)
        let kept = try await store.activities(userId: "u2", goalId: "g3", from: nil, to: nil)
        XCTAssertEqual(kept.map(\.activityId), ["b"])
    }
}
