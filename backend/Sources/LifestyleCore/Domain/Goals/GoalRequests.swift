import LifestyleToolkit

/// The goal and activity request bodies of the app's contract (`CreateGoalRequest`,
/// `UpdateGoalRequest`, `LogActivityRequest`) as shapes, and the rules across fields that a
/// schema cannot say. Every bad field is listed in one 400 VALIDATION_ERROR; a rule about the
/// world (a target date already past) is a 422 with its own code.
///
/// Decided where the contract is silent (the web client's goal wizard is the judge):
/// - `target.targetDate` is a date, or a date-time (the wizard sends `Date.toISOString()`), which
///   means the calendar date it falls on in the user's time zone;
/// - `period` is required for recurring and limit goals; a streak without one counts days;
/// - a target goal needs `targetDate`; a milestone may have none;
/// - a `range` target needs `minValue <= maxValue`.
public enum GoalRequests {
    static let metrics = ["count", "duration", "amount", "weight", "distance", "calories", "money", "custom"]
    static let periods = GoalPeriod.allCases.map(\.rawValue)
    static let directions = GoalDirection.allCases.map(\.rawValue)
    static let targetTypes = GoalTargetType.allCases.map(\.rawValue)
    static let visibilities = ["private", "friends", "public"]
    static let shortText = Shape.string(maxLength: 200)
    static let texts = Shape.array(.string(minLength: 1, maxLength: 200), maxItems: 20)
    static let goalIds = Shape.array(.string(maxLength: 36, format: .uuid), maxItems: 20)

    public static let target: [Shape.Property] = [
        .init("metric", .string(maxLength: 20, allowed: metrics), required: true),
        .init("value", .number(minimum: 0, maximum: 1e12), required: true),
        .init("unit", .string(minLength: 1, maxLength: 50), required: true),
        .init("period", .string(maxLength: 10, allowed: periods)),
        .init("targetDate", .string(minLength: 10, maxLength: 40)),
        .init("startValue", .number(minimum: -1e12, maximum: 1e12)),
        .init("currentValue", .number(minimum: -1e12, maximum: 1e12)),
        .init("direction", .string(maxLength: 10, allowed: directions), required: true),
        .init("targetType", .string(maxLength: 10, allowed: targetTypes)),
        .init("minValue", .number(minimum: -1e12, maximum: 1e12)),
        .init("maxValue", .number(minimum: -1e12, maximum: 1e12)),
    ]

    public static let targetUpdate: [Shape.Property] = [
        .init("value", .number(minimum: 0, maximum: 1e12)),
        .init("targetDate", .string(minLength: 10, maxLength: 40)),
        .init("currentValue", .number(minimum: -1e12, maximum: 1e12)),
        .init("minValue", .number(minimum: -1e12, maximum: 1e12)),
        .init("maxValue", .number(minimum: -1e12, maximum: 1e12)),
    ]

    public static let schedule: [Shape.Property] = [
        .init("frequency", .string(maxLength: 10, allowed: ["daily", "weekly", "monthly", "custom"])),
        .init("daysOfWeek", .array(.integer(minimum: 0, maximum: 6), maxItems: 7)),
        .init("preferredTimes", .array(.string(maxLength: 5, format: .hourMinute), maxItems: 10)),
        .init("checkInFrequency", .string(maxLength: 10, allowed: ["daily", "weekly", "monthly"])),
        .init("allowSkipDays", .integer(minimum: 0, maximum: 366)),
        .init("catchUpAllowed", .boolean),
    ]

    public static let context: [Shape.Property] = [
        .init("motivation", .string(maxLength: 500)),
        .init("importanceLevel", .integer(minimum: 1, maximum: 5)),
        .init("supportingGoals", goalIds), .init("conflictingGoals", goalIds),
        .init("obstacles", texts), .init("successFactors", texts), .init("preferredActivities", texts),
        .init("avoidActivities", texts),
    ]

    public static let rewards: [Shape.Property] = [
        .init("pointsPerActivity", .integer(minimum: 0, maximum: 1_000_000)),
        .init(
            "milestoneRewards",
            .array(
                .object([
                    .init("value", .number(minimum: -1e12, maximum: 1e12), required: true), .init("reward", shortText, required: true),
                ]),
                maxItems: 20)),
        .init("badges", .array(.string(minLength: 1, maxLength: 100), maxItems: 50)),
    ]

    static let common: [Shape.Property] = [
        .init("description", .string(maxLength: 1000)),
        .init("icon", .string(maxLength: 100)),
        .init("color", .string(maxLength: 7, format: .hexColor)),
        .init("schedule", .object(schedule)),
        .init("context", .object(context)),
        .init("rewards", .object(rewards)),
        .init("visibility", .string(maxLength: 10, allowed: visibilities)),
        .init("metadata", .anyObject(maxBytes: 4096)),
    ]

    public static let create: [Shape.Property] =
        [
            .init("title", .string(minLength: 1, maxLength: 200), required: true),
            .init("category", .string(minLength: 1, maxLength: 100), required: true),
            .init("goalPattern", .string(maxLength: 10, allowed: GoalPattern.allCases.map(\.rawValue)), required: true),
            .init("target", .object(target), required: true),
        ] + common

    public static let update: [Shape.Property] =
        [
            .init("title", .string(minLength: 1, maxLength: 200)),
            .init("category", .string(minLength: 1, maxLength: 100)),
            .init("target", .object(targetUpdate)),
            .init("status", .string(maxLength: 10, allowed: ["active", "paused"])),
        ] + common

    public static let logActivity: [Shape.Property] = [
        .init("value", .number(minimum: 0, maximum: 1e12), required: true),
        .init("unit", .string(minLength: 1, maxLength: 50), required: true),
        .init("activityType", .string(maxLength: 10, allowed: ActivityType.allCases.map(\.rawValue)), required: true),
        .init("activityDate", .string(maxLength: 10, format: .date)),
        .init(
            "location",
            .object([
                .init("type", .string(maxLength: 10, allowed: ["home", "work", "gym", "outdoors", "travel"])),
                .init("city", .string(maxLength: 100)),
                .init("coordinates", .array(.number(minimum: -180, maximum: 180), maxItems: 2)),
            ])),
        .init(
            "context",
            .object([
                .init("timeOfDay", .string(maxLength: 15, allowed: ["early-morning", "morning", "afternoon", "evening", "night"])),
                .init(
                    "dayOfWeek",
                    .string(maxLength: 10, allowed: ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"])),
                .init("isWeekend", .boolean), .init("isHoliday", .boolean),
                .init("energyLevel", .integer(minimum: 1, maximum: 10)),
                .init("sleepHours", .number(minimum: 0, maximum: 24)),
                .init("stressLevel", .integer(minimum: 1, maximum: 10)),
                .init("withOthers", .boolean),
                .init("socialContext", .string(maxLength: 10, allowed: ["alone", "partner", "friends", "group", "online"])),
                .init("previousActivity", shortText), .init("nextActivity", shortText),
                .init("duration", .integer(minimum: 0, maximum: 1_000_000)),
                .init("difficulty", .integer(minimum: 1, maximum: 5)), .init("enjoyment", .integer(minimum: 1, maximum: 5)),
                .init("mood", .string(maxLength: 50)),
            ])),
        .init("note", .string(maxLength: 500)),
        .init(
            "attachments",
            .array(
                .object([
                    .init("type", .string(maxLength: 10, allowed: ["image", "link", "reference"]), required: true),
                    .init("url", .string(maxLength: 2048)),
                    .init("entityId", .string(maxLength: 36, format: .uuid)),
                ]), maxItems: 10)),
        .init("source", .string(maxLength: 12, allowed: ["manual", "device", "integration", "import"])),
    ]

    /// A create body checked: the stored goal's fields (only those the contract defines), with
    /// `target.targetDate` as the user's calendar date. 400 naming every bad field; 422
    /// TARGET_DATE_IN_PAST for a target date before `today`.
    public static func create(_ body: [String: JSONValue], today: CivilDate, zone: ZoneRule) throws -> [String: JSONValue] {
        var issues: [FieldIssue] = []
        guard var goal = Shape.readObject(body, create, issues: &issues) else { throw APIError.validation(issues) }
        guard case .object(var target)? = goal["target"], case .string(let pattern)? = goal["goalPattern"] else {
            throw APIError.validation(issues)
        }
        if pattern == "recurring" || pattern == "limit", target["period"] == nil {
            issues.append(FieldIssue(field: "target.period", message: "is required for \(pattern) goals"))
        }
        if pattern == "target", target["targetDate"] == nil {
            issues.append(FieldIssue(field: "target.targetDate", message: "is required for target goals"))
        }
        checkRange(target, prefix: "target.", issues: &issues)
        let date = resolveTargetDate(&target, zone: zone, issues: &issues)
        if !issues.isEmpty { throw APIError.validation(issues) }
        if let date, date < today {
            throw APIError(status: 422, code: "TARGET_DATE_IN_PAST", message: "target.targetDate is before today (\(today.iso))")
        }
        goal["target"] = .object(target)
        return goal
    }

    /// An update body checked against the stored goal: the fields to change (a partial
    /// `target` merged into the stored one), 400 for bad fields, 422 for a past target date.
    public static func update(_ body: [String: JSONValue], stored: [String: JSONValue], today: CivilDate, zone: ZoneRule) throws
        -> [String: JSONValue]
    {
        var issues: [FieldIssue] = []
        guard var changes = Shape.readObject(body, update, issues: &issues) else { throw APIError.validation(issues) }
        if body["goalPattern"] != nil {
            issues.append(FieldIssue(field: "goalPattern", message: "cannot change after the goal is created"))
        }
        if case .object(var partial)? = changes["target"] {
            let date = resolveTargetDate(&partial, zone: zone, issues: &issues)
            var merged: [String: JSONValue] = { if case .object(let t)? = stored["target"] { t } else { [:] } }()
            for (k, v) in partial { merged[k] = v }
            checkRange(merged, prefix: "target.", issues: &issues)
            if !issues.isEmpty { throw APIError.validation(issues) }
            if let date, date < today {
                throw APIError(status: 422, code: "TARGET_DATE_IN_PAST", message: "target.targetDate is before today (\(today.iso))")
            }
            changes["target"] = .object(merged)
        }
        if !issues.isEmpty { throw APIError.validation(issues) }
        return changes
    }

    /// A log-activity body checked (400 naming every bad field).
    public static func activity(_ body: [String: JSONValue]) throws -> [String: JSONValue] {
        var issues: [FieldIssue] = []
        guard let activity = Shape.readObject(body, logActivity, issues: &issues) else { throw APIError.validation(issues) }
        return activity
    }

    static func checkRange(_ target: [String: JSONValue], prefix: String, issues: inout [FieldIssue]) {
        guard case .string("range")? = target["targetType"] else { return }
        guard case .number(let low)? = target["minValue"], case .number(let high)? = target["maxValue"] else {
            issues.append(FieldIssue(field: prefix + "minValue", message: "minValue and maxValue are required for a range target"))
            return
        }
        if low > high { issues.append(FieldIssue(field: prefix + "maxValue", message: "must not be less than minValue")) }
    }

    /// Replaces a date-time `targetDate` with the date it falls on in `zone`; the date, or nil.
    static func resolveTargetDate(_ target: inout [String: JSONValue], zone: ZoneRule, issues: inout [FieldIssue]) -> CivilDate? {
        guard case .string(let text)? = target["targetDate"] else { return nil }
        if let date = CivilDate(iso: text) { return date }
        if let instant = DateTimeText.parse(text) {
            let date = zone.localDate(at: instant)
            target["targetDate"] = .string(date.iso)
            return date
        }
        issues.append(FieldIssue(field: "target.targetDate", message: "must be a date (YYYY-MM-DD) or a date-time"))
        return nil
    }
}

/// RFC 3339 date-times, as browsers write them (`2026-12-31T23:00:00.000Z`, `...+01:00`).
enum DateTimeText {
    /// Seconds since 1970-01-01T00:00:00Z, or nil.
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            let date = CivilDate(iso: String(decoding: b[0..<10], as: UTF8.self)),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let h = digits(b[11..<13]), let m = digits(b[14..<16]), let s = digits(b[17..<19]), h < 24, m < 60, s < 61
        else { return nil }
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            guard i > start, i - start <= 9 else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else {
            guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b.count == i + 6, b[i + 3] == UInt8(ascii: ":"),
                let oh = digits(b[(i + 1)..<(i + 3)]), let om = digits(b[(i + 4)..<(i + 6)]), oh < 24, om < 60
            else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        }
        guard i == b.count else { return nil }
        return Int64(date.dayNumber) * 86_400 + Int64(h * 3600 + m * 60 + min(s, 59) - offset)
    }

    static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var v = 0
        for c in bytes {
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }
}
