import LifestyleToolkit

/// What one entry adds to a user's journal statistics. An update takes the old contribution away
/// and adds the new one; a deletion takes it away. The statistics are counters, so they are
/// never recomputed by reading the entries.
public struct EntryContribution: Sendable, Equatable {
    /// The entry's day (`YYYY-MM-DD`) in the user's time zone when it was written.
    public var day: String
    public var words: Int
    public var mood: String?
    public var tags: [String]
    public var template: String
    public var goalIds: [String]
    public var goalsCompleted: Int
    /// When the entry was written (ISO 8601), for the template's `lastUsed`.
    public var createdAt: String

    public init(
        day: String, words: Int, mood: String?, tags: [String], template: String, goalIds: [String], goalsCompleted: Int,
        createdAt: String
    ) {
        self.day = day
        self.words = words
        self.mood = mood
        self.tags = tags
        self.template = template
        self.goalIds = goalIds
        self.goalsCompleted = goalsCompleted
        self.createdAt = createdAt
    }
}

/// A user's journal counters, stored as one item (`JOURNAL_STATS`) and rendered as the contract's
/// `JournalStats` (plus the fields the web client reads).
public struct JournalCounters: Sendable, Equatable {
    public var zone = "UTC"
    public var entries = 0
    public var words = 0
    public var days: [String: Int] = [:]
    public var monthEntries: [String: Int] = [:]
    public var monthWords: [String: Int] = [:]
    public var moods: [String: Int] = [:]
    public var tags: [String: Int] = [:]
    public var templates: [String: Int] = [:]
    public var templateLastUsed: [String: String] = [:]
    public var goals: [String: Int] = [:]
    public var goalsCompleted = 0

    public init() {}

    public mutating func add(_ c: EntryContribution) { apply(c, 1) }
    public mutating func remove(_ c: EntryContribution) { apply(c, -1) }

    mutating func apply(_ c: EntryContribution, _ sign: Int) {
        func bump(_ map: inout [String: Int], _ key: String, _ by: Int) {
            let n = (map[key] ?? 0) + by
            map[key] = n > 0 ? n : nil
        }
        entries = max(0, entries + sign)
        words = max(0, words + sign * c.words)
        bump(&days, c.day, sign)
        let month = String(c.day.prefix(7))
        bump(&monthEntries, month, sign)
        bump(&monthWords, month, sign * c.words)
        if let mood = c.mood { bump(&moods, mood, sign) }
        for tag in Set(c.tags) { bump(&tags, tag, sign) }
        bump(&templates, c.template, sign)
        if sign > 0, c.createdAt > (templateLastUsed[c.template] ?? "") { templateLastUsed[c.template] = c.createdAt }
        if templates[c.template] == nil { templateLastUsed[c.template] = nil }
        for goal in Set(c.goalIds) { bump(&goals, goal, sign) }
        goalsCompleted = max(0, goalsCompleted + sign * c.goalsCompleted)
    }

    // MARK: the stored form

    public var json: JSONValue {
        func ints(_ m: [String: Int]) -> JSONValue { .object(m.mapValues { .number(Double($0)) }) }
        return .object([
            "zone": .string(zone), "entries": .number(Double(entries)), "words": .number(Double(words)), "days": ints(days),
            "monthEntries": ints(monthEntries), "monthWords": ints(monthWords), "moods": ints(moods), "tags": ints(tags),
            "templates": ints(templates), "templateLastUsed": .object(templateLastUsed.mapValues { .string($0) }),
            "goals": ints(goals), "goalsCompleted": .number(Double(goalsCompleted)),
        ])
    }

    public init(json: JSONValue) {
        guard case .object(let o) = json else { return }
        func int(_ v: JSONValue?) -> Int { if case .number(let d)? = v { Int(d) } else { 0 } }
        func ints(_ key: String) -> [String: Int] {
            guard case .object(let m)? = o[key] else { return [:] }
            return m.mapValues { int($0) }
        }
        if case .string(let z)? = o["zone"] { zone = z }
        entries = int(o["entries"])
        words = int(o["words"])
        days = ints("days")
        monthEntries = ints("monthEntries")
        monthWords = ints("monthWords")
        moods = ints("moods")
        tags = ints("tags")
        templates = ints("templates")
        if case .object(let m)? = o["templateLastUsed"] {
            templateLastUsed = m.compactMapValues { if case .string(let s) = $0 { s } else { nil } }
        }
        goals = ints("goals")
        goalsCompleted = int(o["goalsCompleted"])
    }

    // MARK: the answer

    /// Days in a row with an entry, the run that ends today or yesterday (a streak is not broken
    /// before the day is over), and the longest run.
    public func streaks(today: CivilDate) -> (current: Int, longest: Int) {
        let dates = days.keys.compactMap(CivilDate.init(iso:)).sorted()
        var longest = 0
        var run = 0
        var previous: CivilDate?
        for d in dates {
            run = previous.map { $0.adding(days: 1) == d } == true ? run + 1 : 1
            longest = max(longest, run)
            previous = d
        }
        var current = 0
        var day = days[today.iso] != nil ? today : today.adding(days: -1)
        while days[day.iso] != nil {
            current += 1
            day = day.adding(days: -1)
        }
        return (current, longest)
    }

    public func render(today: CivilDate) -> JSONValue {
        let (current, longest) = streaks(today: today)
        let average = entries > 0 ? Int((Double(words) / Double(entries)).rounded()) : 0
        let thisWeek = (0..<7).reduce(0) { $0 + (days[today.adding(days: -$1).iso] ?? 0) }
        let month = String(today.iso.prefix(7))
        let topTags = tags.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(10)
        let usage = templates.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { t -> JSONValue in
            var o: [String: JSONValue] = ["template": .string(t.key), "count": .number(Double(t.value))]
            if let last = templateLastUsed[t.key] { o["lastUsed"] = .string(last) }
            return .object(o)
        }
        var o: [String: JSONValue] = [
            "totalEntries": .number(Double(entries)), "totalWords": .number(Double(words)),
            "currentStreak": .number(Double(current)), "longestStreak": .number(Double(longest)),
            "averageWordCount": .number(Double(average)), "averageWordsPerEntry": .number(Double(average)),
            "moodDistribution": .object(moods.mapValues { .number(Double($0)) }),
            "topTags": .array(topTags.map { .object(["tag": .string($0.key), "count": .number(Double($0.value))]) }),
            "entriesThisWeek": .number(Double(thisWeek)), "entriesThisMonth": .number(Double(monthEntries[month] ?? 0)),
            "templateUsage": .array(usage), "goalsTracked": .number(Double(goals.count)),
            "goalsCompleted": .number(Double(goalsCompleted)),
            "entriesByMonth": .array(
                monthEntries.keys.sorted(by: >).map {
                    .object([
                        "month": .string($0), "entries": .number(Double(monthEntries[$0] ?? 0)),
                        "words": .number(Double(monthWords[$0] ?? 0)),
                    ])
                }),
        ]
        if let last = days.keys.max() { o["lastEntryDate"] = .string(last) }
        return .object(o)
    }
}
