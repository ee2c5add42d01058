import FoundationEssentials
import LifestyleCore
import LifestyleToolkit

/// `GoalStore` on the environment's DynamoDB table (docs/aws-design.md, "The domain in the same
/// table"):
///
/// - `USER#<userId>` / `GOAL#<goalId>`: a goal that is not archived (at most 100 a user), with
///   `version` (N) for conditional writes;
/// - `USER#<userId>#ARCHIVED` / `GOAL#<goalId>`: an archived goal (archiving is final; they
///   accumulate), moved there in one transaction, so the default list never reads them;
/// - `USER#<userId>#GOAL#<goalId>` / `ACT#<activityDate>#<loggedAt>#<activityId>`: its activities,
///   in a partition of their own whose key names the owner.
///
/// Lists read the partitions they need with a strongly consistent `Query` (`begins_with(sk,
/// GOAL#)`), not an index: a goal listed right after it was created is there (an index is
/// eventually consistent). The default list (every status but archived) is one Query however many
/// goals the user archived. Logging an activity is one `TransactWriteItems`: the activity `Put`
/// and the goal `Put` conditioned on the version read.
public struct DynamoDBGoalStore: GoalStore {
    let db: DynamoDBClient
    let table: String

    public init(client: DynamoDBClient, table: String) {
        self.db = client
        self.table = table
    }

    static func goalKey(_ user: String, _ goal: String, archived: Bool = false) -> DynamoDBItem {
        ["pk": .s(goalPartition(user, archived: archived)), "sk": .s("GOAL#" + goal)]
    }

    static func goalPartition(_ user: String, archived: Bool) -> String { archived ? "USER#\(user)#ARCHIVED" : "USER#" + user }

    static func activityPartition(_ user: String, _ goal: String) -> String { "USER#\(user)#GOAL#\(goal)" }

    public func createGoal(_ goal: StoredGoal) async throws {
        do {
            _ = try await db.putItem(
                .init(tableName: table, item: Self.item(goal), conditionExpression: "attribute_not_exists(pk)"))
        } catch {
            if error.code == "ConditionalCheckFailedException" { throw GoalStoreError.alreadyExists }
            throw Self.mapped(error)
        }
    }

    public func goal(userId: String, goalId: String) async throws -> StoredGoal? {
        do {
            // most reads are of goals in use; an archived (or unknown) id costs a second read
            for archived in [false, true] {
                let out = try await db.getItem(
                    .init(tableName: table, key: Self.goalKey(userId, goalId, archived: archived), consistentRead: true))
                if let goal = out.item.flatMap(Self.goal) { return goal }
            }
            return nil
        } catch {
            throw Self.mapped(error)
        }
    }

    public func goals(userId: String, statuses: [String]) async throws -> [StoredGoal] {
        let live = statuses.filter { $0 != "archived" }
        var items: [DynamoDBItem] = []
        if statuses.isEmpty || !live.isEmpty {
            items += try await queryGoals(Self.goalPartition(userId, archived: false), statuses: live)
        }
        if statuses.isEmpty || statuses.contains("archived") {
            items += try await queryGoals(Self.goalPartition(userId, archived: true), statuses: [])
        }
        return items.compactMap(Self.goal).sorted { ($0.createdAt, $0.goalId) > ($1.createdAt, $1.goalId) }
    }

    /// The goals in use are the items of the live partition: counted from their keys alone.
    public func goalsInUse(userId: String) async throws -> Int {
        try await queryAll(
            .init(
                tableName: table, keyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)", projectionExpression: "sk",
                expressionAttributeValues: [":pk": .s(Self.goalPartition(userId, archived: false)), ":prefix": .s("GOAL#")],
                consistentRead: true)
        ).count
    }

    /// The goals of one partition with one of `statuses` (all when empty), without their day records.
    func queryGoals(_ partition: String, statuses: [String]) async throws -> [DynamoDBItem] {
        var values: DynamoDBItem = [":pk": .s(partition), ":prefix": .s("GOAL#")]
        var filter: String?
        if !statuses.isEmpty {
            let names = statuses.indices.map { ":st\($0)" }
            for (name, status) in zip(names, statuses) { values[name] = .s(status) }
            filter = "#status IN (" + names.joined(separator: ", ") + ")"
        }
        return try await queryAll(
            .init(
                tableName: table, keyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)", filterExpression: filter,
                // the day records stay behind: a list never needs them
                projectionExpression: "userId, goalId, #status, pattern, category, title, createdAt, updatedAt, version, #document",
                expressionAttributeNames: ["#status": "status", "#document": "document"], expressionAttributeValues: values,
                consistentRead: true))
    }

    public func updateGoal(_ goal: StoredGoal) async throws {
        if goal.status == "archived" { return try await archive(goal) }
        do {
            _ = try await db.putItem(
                .init(
                    tableName: table, item: Self.item(goal), conditionExpression: "version = :read",
                    expressionAttributeValues: [":read": .n(String(goal.version - 1))]))
        } catch {
            if error.code == "ConditionalCheckFailedException" { throw GoalStoreError.conflict }
            throw Self.mapped(error)
        }
    }

    /// Moves a goal being archived to the archived partition: the live item's deletion
    /// conditioned on the version read, and the archived item's creation, in one transaction.
    func archive(_ goal: StoredGoal) async throws {
        do {
            try await db.transactWriteItems(
                .init(transactItems: [
                    .delete(
                        .init(
                            tableName: table, key: Self.goalKey(goal.userId, goal.goalId), conditionExpression: "version = :read",
                            expressionAttributeValues: [":read": .n(String(goal.version - 1))])),
                    .put(.init(tableName: table, item: Self.item(goal), conditionExpression: "attribute_not_exists(pk)")),
                ]))
        } catch {
            throw Self.transactionError(error)
        }
    }

    public func logActivity(_ activity: StoredActivity, updating goal: StoredGoal) async throws {
        do {
            try await db.transactWriteItems(
                .init(transactItems: [
                    .put(
                        .init(
                            tableName: table, item: Self.item(goal), conditionExpression: "version = :read",
                            expressionAttributeValues: [":read": .n(String(goal.version - 1))])),
                    .put(.init(tableName: table, item: Self.item(activity), conditionExpression: "attribute_not_exists(pk)")),
                ]))
        } catch {
            throw Self.transactionError(error)
        }
    }

    public func activities(userId: String, goalId: String, from: String?, to: String?) async throws -> [StoredActivity] {
        let items = try await queryAll(
            .init(
                tableName: table, keyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
                expressionAttributeValues: [
                    ":pk": .s(Self.activityPartition(userId, goalId)), ":from": .s("ACT#" + (from ?? "")),
                    ":to": .s("ACT#" + (to ?? "9999-12-31") + "~"),
                ], consistentRead: true))
        return items.compactMap(Self.activity)
    }

    public func deleteGoals(userId: String) async throws {
        var goals: [DynamoDBItem] = []
        for archived in [true, false] {
            goals += try await queryAll(
                .init(
                    tableName: table, keyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
                    projectionExpression: "pk, sk, goalId",
                    expressionAttributeValues: [":pk": .s(Self.goalPartition(userId, archived: archived)), ":prefix": .s("GOAL#")],
                    consistentRead: true))
        }
        for goal in goals {
            guard case .s(let goalId)? = goal["goalId"] else { continue }
            // the activities first: a deletion cut short leaves the goal, and a retry finds the rest
            let activities = try await queryAll(
                .init(
                    tableName: table, keyConditionExpression: "pk = :pk", projectionExpression: "pk, sk",
                    expressionAttributeValues: [":pk": .s(Self.activityPartition(userId, goalId))], consistentRead: true))
            try await delete(activities.map { ["pk": $0["pk"]!, "sk": $0["sk"]!] })
            try await delete([["pk": goal["pk"]!, "sk": goal["sk"]!]])
        }
    }

    /// Deletes the keys, up to 100 a transaction.
    func delete(_ keys: [DynamoDBItem]) async throws {
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(start + 100, keys.count)]
            do {
                try await db.transactWriteItems(.init(transactItems: chunk.map { .delete(.init(tableName: table, key: $0)) }))
            } catch {
                throw Self.mapped(error)
            }
            start += 100
        }
    }

    /// Every page of a query.
    func queryAll(_ input: DynamoDB.QueryInput) async throws -> [DynamoDBItem] {
        do {
            return try await db.queryPages(input)
        } catch {
            throw Self.mapped(error)
        }
    }

    // MARK: mapping

    /// A changed goal, or another transaction on it at the same moment, is a conflict (read
    /// again, retry); anything else is the store being unavailable.
    static func transactionError(_ error: AWSClientError) -> GoalStoreError {
        DynamoDBClient.isConflict(error) ? .conflict : mapped(error)
    }

    static func mapped(_ error: AWSClientError) -> GoalStoreError {
        .unavailable(error.code ?? "transport")
    }

    static func item(_ g: StoredGoal) -> DynamoDBItem {
        var item = goalKey(g.userId, g.goalId, archived: g.status == "archived")
        item["entity"] = .s("goal")
        item["userId"] = .s(g.userId)
        item["goalId"] = .s(g.goalId)
        item["status"] = .s(g.status)
        item["pattern"] = .s(g.pattern)
        item["category"] = .s(g.category)
        item["title"] = .s(g.title)
        item["createdAt"] = .n(String(g.createdAt.timeIntervalSince1970))
        item["updatedAt"] = .n(String(g.updatedAt.timeIntervalSince1970))
        item["version"] = .n(String(g.version))
        item["document"] = .s(String(decoding: g.document, as: UTF8.self))
        item["days"] = .s(String(decoding: g.days, as: UTF8.self))
        return item
    }

    static func item(_ a: StoredActivity) -> DynamoDBItem {
        // the logging time keeps a day's activities in the order they were logged
        let logged = String(Int64((a.loggedAt.timeIntervalSince1970 * 1000).rounded()))
        return [
            "pk": .s(activityPartition(a.userId, a.goalId)),
            "sk": .s("ACT#\(a.activityDate)#\(String(repeating: "0", count: max(0, 15 - logged.count)) + logged)#\(a.activityId)"),
            "entity": .s("goalActivity"), "userId": .s(a.userId), "goalId": .s(a.goalId), "activityId": .s(a.activityId),
            "activityDate": .s(a.activityDate), "loggedAt": .n(String(a.loggedAt.timeIntervalSince1970)),
            "document": .s(String(decoding: a.document, as: UTF8.self)),
        ]
    }

    static func goal(_ item: DynamoDBItem) -> StoredGoal? {
        guard case .s(let userId)? = item["userId"], case .s(let goalId)? = item["goalId"] else { return nil }
        return StoredGoal(
            userId: userId, goalId: goalId, status: item.string("status"), pattern: item.string("pattern"),
            category: item.string("category"), title: item.string("title"), createdAt: item.date("createdAt"),
            updatedAt: item.date("updatedAt"), version: Int(item.number("version")),
            document: Array(item.string("document").utf8), days: Array(item.string("days").utf8))
    }

    static func activity(_ item: DynamoDBItem) -> StoredActivity? {
        guard case .s(let userId)? = item["userId"], case .s(let activityId)? = item["activityId"] else { return nil }
        return StoredActivity(
            userId: userId, goalId: item.string("goalId"), activityId: activityId, activityDate: item.string("activityDate"),
            loggedAt: item.date("loggedAt"), document: Array(item.string("document").utf8))
    }
}
