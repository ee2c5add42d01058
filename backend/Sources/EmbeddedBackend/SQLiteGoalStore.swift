import LifestyleCore
import LifestyleToolkit
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `GoalStore` on the embedded SQLite database (tables `goals` and `goal_activities`, schema
/// migration 2). A version check in the `UPDATE`'s `WHERE` makes writes conditional, as the
/// DynamoDB adapter's condition expressions do.
public struct SQLiteGoalStore: GoalStore {
    let db: EmbeddedDatabase

    public init(database: EmbeddedDatabase) { self.db = database }

    public func createGoal(_ g: StoredGoal) async throws {
        do {
            try await db.query(
                """
                INSERT INTO goals (user_id, goal_id, status, pattern, category, title, created_at, updated_at, version,
                  document, days) VALUES (?,?,?,?,?,?,?,?,?,?,?)
                """,
                [
                    .text(g.userId), .text(g.goalId), .text(g.status), .text(g.pattern), .text(g.category), .text(g.title),
                    .float(g.createdAt.timeIntervalSince1970), .float(g.updatedAt.timeIntervalSince1970), .integer(g.version),
                    .text(String(decoding: g.document, as: UTF8.self)), .text(String(decoding: g.days, as: UTF8.self)),
                ])
        } catch let e as SQLiteError where e.reason == .constraint || e.reason == .constraintPrimaryKeyFailed {
            throw GoalStoreError.alreadyExists
        }
    }

    public func goal(userId: String, goalId: String) async throws -> StoredGoal? {
        try await db.query("SELECT * FROM goals WHERE user_id = ? AND goal_id = ?", [.text(userId), .text(goalId)]).first
            .map { Self.goal($0, withDays: true) }
    }

    public func goals(userId: String, statuses: [String]) async throws -> [StoredGoal] {
        var sql =
            "SELECT user_id, goal_id, status, pattern, category, title, created_at, updated_at, version, document FROM goals WHERE user_id = ?"
        if !statuses.isEmpty { sql += " AND status IN (" + statuses.map { _ in "?" }.joined(separator: ",") + ")" }
        sql += " ORDER BY created_at DESC, goal_id DESC"
        return try await db.query(sql, [.text(userId)] + statuses.map { .text($0) }).map { Self.goal($0, withDays: false) }
    }

    public func updateGoal(_ g: StoredGoal) async throws {
        try await db.transaction { tx in try await Self.replace(g, tx) }
    }

    public func logActivity(_ a: StoredActivity, updating g: StoredGoal) async throws {
        try await db.transaction { tx in
            try await Self.replace(g, tx)
            try await tx.query(
                """
                INSERT INTO goal_activities (user_id, goal_id, activity_id, activity_date, logged_at, document)
                VALUES (?,?,?,?,?,?)
                """,
                [
                    .text(a.userId), .text(a.goalId), .text(a.activityId), .text(a.activityDate),
                    .float(a.loggedAt.timeIntervalSince1970), .text(String(decoding: a.document, as: UTF8.self)),
                ])
        }
    }

    public func activities(userId: String, goalId: String, from: String?, to: String?) async throws -> [StoredActivity] {
        try await db.query(
            """
            SELECT * FROM goal_activities WHERE user_id = ? AND goal_id = ? AND activity_date >= ? AND activity_date <= ?
            ORDER BY activity_date, logged_at, activity_id
            """, [.text(userId), .text(goalId), .text(from ?? ""), .text(to ?? "~")]
        ).map { row in
            StoredActivity(
                userId: row.string("user_id") ?? "", goalId: row.string("goal_id") ?? "", activityId: row.string("activity_id") ?? "",
                activityDate: row.string("activity_date") ?? "", loggedAt: Date(timeIntervalSince1970: row.double("logged_at")),
                document: Array((row.string("document") ?? "").utf8))
        }
    }

    public func deleteGoals(userId: String) async throws {
        try await db.transaction { tx in
            try await tx.query("DELETE FROM goal_activities WHERE user_id = ?", [.text(userId)])
            try await tx.query("DELETE FROM goals WHERE user_id = ?", [.text(userId)])
        }
        try await db.purgeDeleted()
    }

    static func replace(_ g: StoredGoal, _ tx: EmbeddedDatabase.Transaction) async throws {
        let rows = try await tx.query(
            """
            UPDATE goals SET status = ?, pattern = ?, category = ?, title = ?, updated_at = ?, version = ?, document = ?,
              days = ? WHERE user_id = ? AND goal_id = ? AND version = ? RETURNING goal_id
            """,
            [
                .text(g.status), .text(g.pattern), .text(g.category), .text(g.title), .float(g.updatedAt.timeIntervalSince1970),
                .integer(g.version), .text(String(decoding: g.document, as: UTF8.self)), .text(String(decoding: g.days, as: UTF8.self)),
                .text(g.userId), .text(g.goalId), .integer(g.version - 1),
            ])
        if rows.isEmpty { throw GoalStoreError.conflict }
    }

    static func goal(_ row: SQLiteRow, withDays: Bool) -> StoredGoal {
        StoredGoal(
            userId: row.string("user_id") ?? "", goalId: row.string("goal_id") ?? "", status: row.string("status") ?? "",
            pattern: row.string("pattern") ?? "", category: row.string("category") ?? "", title: row.string("title") ?? "",
            createdAt: Date(timeIntervalSince1970: row.double("created_at")),
            updatedAt: Date(timeIntervalSince1970: row.double("updated_at")), version: row.int("version"),
            document: Array((row.string("document") ?? "").utf8), days: withDays ? Array((row.string("days") ?? "").utf8) : [])
    }
}
