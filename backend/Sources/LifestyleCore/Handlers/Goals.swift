import LifestyleToolkit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The goals operations. A goal is stored as the API answers it (`document`, its `progress`
/// included) with its per-day activity records (`days`), so reads return the stored bytes and a
/// logged activity updates one day record and recomputes the progress: one read and one
/// conditional write, retried when another write got there first.
enum Goals {
    /// Goals that are not archived, per user.
    static let activeLimit = 100
    /// Writes that lost to another write retry, after a random pause that grows with each try
    /// (busy goals: a family logging to a shared counter at once).
    static let attempts = 12

    static func backoff(_ attempt: Int) async throws {
        try await Task.sleep(for: .milliseconds(Int.random(in: 1...(4 << min(attempt, 5)))))
    }

    // MARK: handlers

    @Sendable static func create(_ request: APIRequest, _ context: APIContext, _ principal: Principal) async throws -> APIResponse {
        let body = try Body.object(request).object
        let (zone, _) = try await userZone(context, principal)
        let now = context.services.clock.now()
        let today = zone.localDate(at: seconds(now))
        var goal = try GoalRequests.create(body, today: today, zone: zone)
        let store = context.services.goals
        let inUse = try await mapped(context) { try await store.goalsInUse(userId: principal.subject) }
        guard inUse < activeLimit else {
            throw APIError(
                status: 422, code: "GOAL_LIMIT_REACHED", message: "At most \(activeLimit) goals that are not archived; archive one first")
        }
        let id = Random.uuid()
        let stamp = Timestamp.iso8601(now)
        goal["goalId"] = .string(id)
        goal["userId"] = .string(principal.subject)
        goal["status"] = .string("active")
        if goal["visibility"] == nil { goal["visibility"] = .string("private") }
        goal["createdAt"] = .string(stamp)
        goal["updatedAt"] = .string(stamp)
        let days = DayLog(start: today, days: [])
        goal["progress"] = render(GoalProgressCalculator.progress(rules(goal, days.start), days: [], today: today), lastActivity: nil)
        let stored = StoredGoal(
            userId: principal.subject, goalId: id, status: "active", pattern: string(goal, "goalPattern"),
            category: string(goal, "category"), title: string(goal, "title"), createdAt: now, updatedAt: now,
            document: JSON.encode(JSONValue.object(goal)), days: JSON.encode(days))
        try await mapped(context) { try await store.createGoal(stored) }
        AppMetrics.event("goal_created")
        var response = raw(201, stored.document)
        response.headers["location"] = context.services.config.basePath + "/goals/" + id
        return response
    }

    @Sendable static func list(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: ListGoalsParameters)
        async throws -> APIResponse
    {
        let statuses = p.status.isEmpty ? StoredGoal.statusesInUse : p.status
        var goals = try await mapped(context) { try await context.services.goals.goals(userId: principal.subject, statuses: statuses) }
        if !p.goalPattern.isEmpty { goals = goals.filter { p.goalPattern.contains($0.pattern) } }
        if !p.category.isEmpty { goals = goals.filter { p.category.contains($0.category) } }
        switch p.sort {
        case "created_asc": goals.sort { ($0.createdAt, $0.goalId) < ($1.createdAt, $1.goalId) }
        case "created_desc": goals.sort { ($0.createdAt, $0.goalId) > ($1.createdAt, $1.goalId) }
        case "updated_asc": goals.sort { ($0.updatedAt, $0.goalId) < ($1.updatedAt, $1.goalId) }
        case "title_asc": goals.sort { ($0.title.lowercased(), $0.goalId) < ($1.title.lowercased(), $1.goalId) }
        case "title_desc": goals.sort { ($0.title.lowercased(), $0.goalId) > ($1.title.lowercased(), $1.goalId) }
        default: goals.sort { ($0.updatedAt, $0.goalId) > ($1.updatedAt, $1.goalId) }
        }
        let page = Page(page: p.page, limit: p.limit)
        return listBody("goals", page.slice(goals).map(\.document), page.info(total: goals.count))
    }

    @Sendable static func get(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: GetGoalParameters)
        async throws -> APIResponse
    {
        raw(200, try await load(context, principal, p.goalId).document)
    }

    @Sendable static func update(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: UpdateGoalParameters)
        async throws -> APIResponse
    {
        let body = try Body.object(request).object
        let (zone, _) = try await userZone(context, principal)
        let updated = try await rewrite(context, principal, p.goalId) { stored, goal, days, now in
            guard stored.status != "completed", stored.status != "archived" else {
                throw APIError(status: 422, code: "GOAL_NOT_EDITABLE", message: "A \(stored.status) goal cannot be changed")
            }
            let today = zone.localDate(at: seconds(now))
            let changes = try GoalRequests.update(body, stored: goal, today: today, zone: zone)
            for (key, value) in changes { goal[key] = value }
            let progress = GoalProgressCalculator.progress(rules(goal, days.start), days: days.records, today: today)
            goal["progress"] = render(progress, lastActivity: progressObject(goal)["lastActivityDate"])
        }
        return raw(200, updated.document)
    }

    @Sendable static func archive(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: ArchiveGoalParameters)
        async throws -> APIResponse
    {
        var archived = false
        _ = try await rewrite(context, principal, p.goalId) { stored, goal, _, _ in
            // archiving is final and happens once: archiving an archived goal again writes nothing
            archived = stored.status != "archived"
            guard archived else { throw Unchanged() }
            goal["status"] = .string("archived")
        }
        if archived { AppMetrics.event("goal_archived") }
        return .json(MessageDTO(message: "Goal archived"))
    }

    @Sendable static func logActivity(
        _ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: LogGoalActivityParameters
    ) async throws -> APIResponse {
        let body = try Body.object(request).object
        let (zone, zoneName) = try await userZone(context, principal)
        var activity = try GoalRequests.activity(body)
        let store = context.services.goals
        return try await retryingConflicts(context) {
            let stored = try await load(context, principal, p.goalId)
            guard stored.status == "active" || stored.status == "paused" else {
                throw APIError(status: 422, code: "GOAL_NOT_ACTIVE", message: "Activities cannot be logged to a \(stored.status) goal")
            }
            let now = context.services.clock.now()
            let today = zone.localDate(at: seconds(now))
            let date = activityDate(activity) ?? today
            guard date <= today.adding(days: 1) else {
                throw APIError(status: 422, code: "ACTIVITY_DATE_IN_FUTURE", message: "activityDate is after today (\(today.iso))")
            }
            var goal = try document(stored)
            var days = try DayLog.decode(stored.days)
            let type = ActivityType(rawValue: string(activity, "activityType")) ?? .progress
            days.add(date, value: number(activity, "value"), type: type)
            let stamp = Timestamp.iso8601(now)
            let progress = GoalProgressCalculator.progress(rules(goal, days.start), days: days.records, today: today)
            goal["progress"] = render(progress, lastActivity: .string(stamp))
            goal["updatedAt"] = .string(stamp)
            var completed = false
            if progress.completed, stored.status == "active" {
                goal["status"] = .string("completed")
                goal["completedAt"] = .string(stamp)
                completed = true
            }
            let id = Random.uuid()
            activity["activityId"] = .string(id)
            activity["goalId"] = .string(stored.goalId)
            activity["userId"] = .string(principal.subject)
            activity["activityDate"] = .string(date.iso)
            activity["loggedAt"] = .string(stamp)
            activity["timezone"] = .string(zoneName)
            if activity["source"] == nil { activity["source"] = .string("manual") }
            var next = stored
            next.status = string(goal, "status")
            next.updatedAt = now
            next.version += 1
            next.document = JSON.encode(JSONValue.object(goal))
            next.days = JSON.encode(days)
            let logged = StoredActivity(
                userId: principal.subject, goalId: stored.goalId, activityId: id, activityDate: date.iso, loggedAt: now,
                document: JSON.encode(JSONValue.object(activity)))
            try await mapped(context) { try await store.logActivity(logged, updating: next) }
            AppMetrics.event("goal_activity_logged")
            if completed { AppMetrics.event("goal_completed") }
            return raw(201, logged.document)
        }
    }

    @Sendable static func listActivities(
        _ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: ListGoalActivitiesParameters
    ) async throws -> APIResponse {
        let stored = try await load(context, principal, p.goalId)
        var activities = try await mapped(context) {
            try await context.services.goals.activities(userId: principal.subject, goalId: stored.goalId, from: p.startDate, to: p.endDate)
        }
        if !p.activityType.isEmpty {
            activities = activities.filter { a in
                guard case .object(let o)? = try? JSONParser.parse(a.document), case .string(let t)? = o["activityType"] else {
                    return false
                }
                return p.activityType.contains(t)
            }
        }
        activities.reverse()  // newest first
        let page = Page(page: p.page, limit: p.limit)
        return listBody("activities", page.slice(activities).map(\.document), page.info(total: activities.count))
    }

    @Sendable static func progress(_ request: APIRequest, _ context: APIContext, _ principal: Principal, _ p: GetGoalProgressParameters)
        async throws -> APIResponse
    {
        let stored = try await load(context, principal, p.goalId)
        let (zone, _) = try await userZone(context, principal)
        let today = zone.localDate(at: seconds(context.services.clock.now()))
        let goal = try document(stored)
        let days = try DayLog.decode(stored.days)
        let rules = rules(goal, days.start)
        let progress = GoalProgressCalculator.progress(rules, days: days.records, today: today)
        let from: CivilDate? =
            switch p.period {
            case "all": nil
            case "current": (rules.period ?? .day).start(of: today)
            default: GoalPeriod(rawValue: p.period).map { $0.start(of: today) }
            }
        let inPeriod = days.records.filter { from == nil || $0.date >= from! }
        let stats = GoalProgressCalculator.statistics(rules, days: inPeriod, today: today)
        var statistics: [String: JSONValue] = [
            "totalActivities": .number(Double(stats.totalActivities)),
            "completedActivities": .number(Double(stats.completedActivities)),
            "skippedActivities": .number(Double(stats.skippedActivities)), "consistency": .number(stats.consistency),
        ]
        if let v = stats.averageValue { statistics["averageValue"] = .number(v) }
        if let v = stats.bestValue { statistics["bestValue"] = .number(v) }
        if let v = stats.worstValue { statistics["worstValue"] = .number(v) }
        let found = GoalProgressCalculator.insights(
            rules, days: days.records, progress: progress,
            statistics: GoalProgressCalculator.statistics(rules, days: days.records, today: today))
        var insights: [String: JSONValue] = [
            "successPatterns": .array(found.successPatterns.map(JSONValue.string)),
            "recommendations": .array(found.recommendations.map(JSONValue.string)),
        ]
        if let day = found.bestDayOfWeek { insights["bestDayOfWeek"] = .string(day) }
        let body: JSONValue = .object([
            "goalId": .string(stored.goalId), "period": .string(p.period),
            "progress": render(progress, lastActivity: progressObject(goal)["lastActivityDate"]),
            "statistics": .object(statistics), "insights": .object(insights),
        ])
        return raw(200, JSON.encode(body))
    }

    // MARK: helpers

    /// The caller's goal, or 404 (another user's goal is not found either: it is not theirs).
    static func load(_ context: APIContext, _ principal: Principal, _ goalId: String) async throws -> StoredGoal {
        let id = goalId.lowercased()
        guard let goal = try await mapped(context, { try await context.services.goals.goal(userId: principal.subject, goalId: id) }) else {
            throw APIError(status: 404, code: "GOAL_NOT_FOUND", message: "Goal not found")
        }
        return goal
    }

    /// Thrown by a `rewrite` change that has nothing to write.
    struct Unchanged: Error {}

    /// Reads the goal, lets `change` edit its document, stores it with `updatedAt` and the next
    /// version; again from the read when another write got there first.
    static func rewrite(
        _ context: APIContext, _ principal: Principal, _ goalId: String,
        _ change: (StoredGoal, inout [String: JSONValue], DayLog, Date) throws -> Void
    ) async throws -> StoredGoal {
        try await retryingConflicts(context) {
            let stored = try await load(context, principal, goalId)
            var goal = try document(stored)
            let now = context.services.clock.now()
            do {
                try change(stored, &goal, try DayLog.decode(stored.days), now)
            } catch is Unchanged {
                return stored
            }
            goal["updatedAt"] = .string(Timestamp.iso8601(now))
            var next = stored
            next.status = string(goal, "status")
            next.title = string(goal, "title")
            next.category = string(goal, "category")
            next.updatedAt = now
            next.version += 1
            next.document = JSON.encode(JSONValue.object(goal))
            try await mapped(context) { try await context.services.goals.updateGoal(next) }
            return next
        }
    }

    /// Runs a read-compute-write `body` again, after `backoff`, each time its write lost to
    /// another (`GoalStoreError.conflict`); 503 once `attempts` are spent.
    static func retryingConflicts<T>(_ context: APIContext, _ body: () async throws -> T) async throws -> T {
        try await retrying(context, "goal", isConflict: { ($0 as? GoalStoreError) == .conflict }, body)
    }

    /// Runs `body` again, after `backoff`, each time it throws what `isConflict` calls a lost
    /// write; 503 once `attempts` are spent (the goal and journal writes share it).
    static func retrying<T>(
        _ context: APIContext, _ what: String, isConflict: (any Error) -> Bool, _ body: () async throws -> T
    ) async throws -> T {
        for attempt in 0..<attempts {
            if attempt > 0 { try await backoff(attempt) }
            do {
                return try await body()
            } catch  where isConflict(error) {
                continue
            }
        }
        context.logger.warning("\(what) changed under every attempt", metadata: ["attempts": .stringConvertible(attempts)])
        throw APIError.serviceUnavailable
    }

    /// The profile's time zone (UTC when it has none) and its name.
    static func userZone(_ context: APIContext, _ principal: Principal) async throws -> (ZoneRule, String) {
        let profile = try await context.services.users.user(id: principal.subject)
        if let name = profile?.timezone, let zone = ZoneRule.named(name) { return (zone, name) }
        return (ZoneRule(posix: "UTC0")!, "UTC")
    }

    /// Store failures answer 503 (logged with the store's error code); conflicts go back to the
    /// caller's retry.
    static func mapped<T>(_ context: APIContext, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch GoalStoreError.conflict {
            throw GoalStoreError.conflict
        } catch GoalStoreError.alreadyExists {
            throw APIError(status: 409, code: "CONFLICT", message: "A goal with this id exists")
        } catch GoalStoreError.unavailable(let code) {
            context.logger.warning("goal store unavailable", metadata: ["error_code": .string(code)])
            throw APIError.serviceUnavailable
        }
    }

    static func rules(_ goal: [String: JSONValue], _ start: CivilDate) -> ProgressRules {
        let target: [String: JSONValue] = { if case .object(let t)? = goal["target"] { t } else { [:] } }()
        let schedule: [String: JSONValue] = { if case .object(let s)? = goal["schedule"] { s } else { [:] } }()
        return ProgressRules(
            pattern: GoalPattern(rawValue: string(goal, "goalPattern")) ?? .recurring, value: number(target, "value"),
            period: GoalPeriod(rawValue: string(target, "period")),
            targetType: GoalTargetType(rawValue: string(target, "targetType")) ?? .exact,
            direction: GoalDirection(rawValue: string(target, "direction")) ?? .increase,
            startValue: optionalNumber(target, "startValue"), minValue: optionalNumber(target, "minValue"),
            maxValue: optionalNumber(target, "maxValue"), allowSkipDays: Int(number(schedule, "allowSkipDays")), startDate: start)
    }

    static func render(_ p: ProgressDetails, lastActivity: JSONValue?) -> JSONValue {
        var o: [String: JSONValue] = [
            "percentComplete": .number(p.percentComplete), "successRate": .number(p.successRate), "trend": .string(p.trend.rawValue),
            "periodHistory": .array(
                p.periodHistory.map {
                    .object(["period": .string($0.period), "achieved": .bool($0.achieved), "value": .number($0.value)])
                }),
        ]
        if let v = lastActivity { o["lastActivityDate"] = v }
        if let v = p.currentPeriodValue { o["currentPeriodValue"] = .number(v) }
        if let v = p.totalAccumulated { o["totalAccumulated"] = .number(v) }
        if let v = p.remainingToGoal { o["remainingToGoal"] = .number(v) }
        if let v = p.currentStreak { o["currentStreak"] = .number(Double(v)) }
        if let v = p.longestStreak { o["longestStreak"] = .number(Double(v)) }
        if let v = p.averageValue { o["averageValue"] = .number(v) }
        if let v = p.daysOverLimit { o["daysOverLimit"] = .number(Double(v)) }
        if let v = p.projectedCompletion { o["projectedCompletion"] = .string(v.iso) }
        return .object(o)
    }

    static func document(_ stored: StoredGoal) throws -> [String: JSONValue] {
        guard case .object(let o) = try JSONParser.parse(stored.document) else { throw APIError.internalError }
        return o
    }

    static func progressObject(_ goal: [String: JSONValue]) -> [String: JSONValue] {
        if case .object(let p)? = goal["progress"] { return p }
        return [:]
    }

    static func activityDate(_ activity: [String: JSONValue]) -> CivilDate? {
        if case .string(let s)? = activity["activityDate"] { return CivilDate(iso: s) }
        return nil
    }

    static func string(_ o: [String: JSONValue], _ key: String) -> String {
        if case .string(let s)? = o[key] { return s }
        return ""
    }

    static func optionalString(_ o: [String: JSONValue], _ key: String) -> String? {
        if case .string(let s)? = o[key] { return s }
        return nil
    }

    static func number(_ o: [String: JSONValue], _ key: String) -> Double { optionalNumber(o, key) ?? 0 }

    static func optionalNumber(_ o: [String: JSONValue], _ key: String) -> Double? {
        if case .number(let d)? = o[key] { return d }
        return nil
    }

    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }

    static func raw(_ status: Int, _ body: [UInt8]) -> APIResponse {
        var response = APIResponse(status: status, body: body)
        response.headers["content-type"] = "application/json"
        return response
    }

    /// `{"<key>":[...documents...],"pagination":{...}}` from stored bytes, without re-encoding them.
    static func listBody(_ key: String, _ documents: [[UInt8]], _ info: PaginationInfo) -> APIResponse {
        var body = Array("{\"\(key)\":[".utf8)
        for (i, d) in documents.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += d
        }
        body += Array("],\"pagination\":".utf8)
        body += JSON.encode(info)
        body.append(UInt8(ascii: "}"))
        return raw(200, body)
    }
}

/// A goal's per-day activity records, stored with it: the goal's first day and one record per
/// day with activity.
struct DayLog: Codable {
    var start: CivilDate
    var records: [DayRecord]

    init(start: CivilDate, days: [DayRecord]) {
        self.start = start
        self.records = days
    }

    mutating func add(_ date: CivilDate, value: Double, type: ActivityType) {
        if let i = records.firstIndex(where: { $0.date == date }) {
            records[i].add(value, type)
        } else {
            var record = DayRecord(date: date)
            record.add(value, type)
            records.append(record)
            records.sort { $0.date < $1.date }
        }
    }

    static func decode(_ bytes: [UInt8]) throws -> DayLog {
        do {
            return try JSON.decode(DayLog.self, from: bytes)
        } catch {
            throw APIError.internalError
        }
    }

    // compact: {"s":20428,"d":[[day, sum, count, completions, skips, last, lowest, highest], ...]}
    enum CodingKeys: String, CodingKey { case s, d }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        start = CivilDate(dayNumber: try c.decode(Int.self, forKey: .s))
        records = try c.decode([[Double?]].self, forKey: .d).map { row in
            var r = DayRecord(date: CivilDate(dayNumber: Int(row[0] ?? 0)))
            r.sum = row[1] ?? 0
            r.count = Int(row[2] ?? 0)
            r.completions = Int(row[3] ?? 0)
            r.skips = Int(row[4] ?? 0)
            r.last = row.count > 5 ? row[5] : nil
            r.lowest = row.count > 6 ? row[6] : nil
            r.highest = row.count > 7 ? row[7] : nil
            return r
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(start.dayNumber, forKey: .s)
        try c.encode(
            records.map { r -> [Double?] in
                [Double(r.date.dayNumber), r.sum, Double(r.count), Double(r.completions), Double(r.skips), r.last, r.lowest, r.highest]
            }, forKey: .d)
    }
}
