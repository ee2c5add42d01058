public enum GoalPattern: String, Sendable, CaseIterable {
    case recurring, milestone, target, streak, limit
}

public enum GoalTargetType: String, Sendable, CaseIterable {
    case minimum, maximum, exact, range
}

public enum GoalDirection: String, Sendable, CaseIterable {
    case increase, decrease, maintain
}

public enum ActivityType: String, Sendable, CaseIterable {
    case progress, completed, skipped, partial
}

public enum GoalTrend: String, Sendable {
    case improving, stable, declining
}

/// What progress depends on, of a goal.
public struct ProgressRules: Sendable, Equatable {
    public var pattern: GoalPattern
    /// `target.value`: per period (recurring, limit), in all (milestone), to reach (target), or
    /// the streak length to reach (streak).
    public var value: Double
    /// Recurring and limit goals need one; a streak without one counts days.
    public var period: GoalPeriod?
    public var targetType: GoalTargetType
    public var direction: GoalDirection
    public var startValue: Double?
    public var minValue: Double?
    public var maxValue: Double?
    /// Streaks: how many missed periods in a row do not break the streak.
    public var allowSkipDays: Int
    /// The goal's first day, in the user's time zone.
    public var startDate: CivilDate

    public init(
        pattern: GoalPattern, value: Double, period: GoalPeriod? = nil, targetType: GoalTargetType = .minimum,
        direction: GoalDirection = .increase, startValue: Double? = nil, minValue: Double? = nil, maxValue: Double? = nil,
        allowSkipDays: Int = 0, startDate: CivilDate
    ) {
        self.pattern = pattern
        self.value = value
        self.period = period
        self.targetType = targetType
        self.direction = direction
        self.startValue = startValue
        self.minValue = minValue
        self.maxValue = maxValue
        self.allowSkipDays = allowSkipDays
        self.startDate = startDate
    }
}

/// What was logged on one day.
public struct DayRecord: Sendable, Equatable {
    public var date: CivilDate
    /// Sum of the values that count (everything but `skipped`).
    public var sum: Double = 0
    /// Activities that count, and of them the `completed` ones.
    public var count = 0
    public var completions = 0
    public var skips = 0
    /// The last value logged that day (a measurement, for target goals), its smallest and largest.
    public var last: Double?
    public var lowest: Double?
    public var highest: Double?

    public init(date: CivilDate) {
        self.date = date
    }

    /// Adds one activity (in the order they were logged).
    public mutating func add(_ value: Double, _ type: ActivityType) {
        if type == .skipped {
            skips += 1
            return
        }
        sum += value
        count += 1
        if type == .completed { completions += 1 }
        last = value
        lowest = min(lowest ?? value, value)
        highest = max(highest ?? value, value)
    }
}

public struct PeriodRecord: Sendable, Equatable {
    /// `2026-12-06`, `2026-W49`, `2026-12`, `2026-Q4` or `2026` (`GoalPeriod.key`).
    public var period: String
    public var achieved: Bool
    public var value: Double
}

/// The contract's `GoalProgressDetails` (without `lastActivityDate`, a time the store keeps).
public struct ProgressDetails: Sendable, Equatable {
    public var percentComplete: Double = 0
    public var successRate: Double = 0
    public var trend: GoalTrend = .stable
    public var currentPeriodValue: Double?
    public var totalAccumulated: Double?
    public var remainingToGoal: Double?
    public var currentStreak: Int?
    public var longestStreak: Int?
    public var averageValue: Double?
    /// Periods over the limit (days, for a daily limit).
    public var daysOverLimit: Int?
    public var projectedCompletion: CivilDate?
    public var periodHistory: [PeriodRecord] = []
    /// The goal is reached: the app sets `status: completed` and `completedAt`.
    public var completed = false
}

/// The contract's `GoalStatistics`.
public struct ProgressStatistics: Sendable, Equatable {
    public var totalActivities = 0
    public var completedActivities = 0
    public var skippedActivities = 0
    public var averageValue: Double?
    public var bestValue: Double?
    public var worstValue: Double?
    /// Share of the goal's periods (days without a period) with at least one activity that counts.
    public var consistency: Double = 0
}

/// Progress of a goal, computed from what was logged per day in the user's time zone.
///
/// The input is one `DayRecord` per day with activity, not the activities themselves: a goal
/// keeps its day records with it, so logging an activity updates one record and recomputes the
/// progress without reading the goal's activity history (one read and one conditional write).
///
/// What counts (decided here; the app's contract names the figures but not their arithmetic):
/// - `progress`, `completed` and `partial` activities add their value; a `skipped` one adds
///   nothing (a streak may spend it as an allowed skip).
/// - Periods run from the one holding the goal's start (or the earliest activity, if that is
///   earlier) to the one holding today. A closed period is decided; the current one only once its
///   outcome cannot change (a minimum reached, a limit exceeded), so an ordinary morning does not
///   count as a failed day.
/// - `successRate` is achieved periods / decided periods, in percent.
/// - `trend` is the least-squares slope over the last five values (period totals, or
///   measurements): beyond 1 % of their mean it is improving or declining, the sign flipped where
///   less is better (limits, maximum targets, decreasing targets).
/// - `periodHistory` is the last `GoalProgressCalculator.historyLength` periods, oldest first.
public enum GoalProgressCalculator {
    /// How many periods `periodHistory` holds.
    public static let historyLength = 30

    /// The progress of a goal with these rules, given its day records (any order, one per date)
    /// and today's date in the user's time zone.
    public static func progress(_ rules: ProgressRules, days: [DayRecord], today: CivilDate) -> ProgressDetails {
        let days = days.sorted { $0.date < $1.date }
        switch rules.pattern {
        case .recurring: return recurring(rules, days, today)
        case .limit: return limit(rules, days, today)
        case .milestone: return milestone(rules, days, today)
        case .target: return target(rules, days, today)
        case .streak: return streak(rules, days, today)
        }
    }

    public static func statistics(_ rules: ProgressRules, days: [DayRecord], today: CivilDate) -> ProgressStatistics {
        let days = days.sorted { $0.date < $1.date }
        var s = ProgressStatistics()
        var sum = 0.0
        for day in days {
            s.totalActivities += day.count + day.skips
            s.completedActivities += day.completions
            s.skippedActivities += day.skips
            sum += day.sum
            if let high = day.highest { s.bestValue = max(s.bestValue ?? high, high) }
            if let low = day.lowest { s.worstValue = min(s.worstValue ?? low, low) }
        }
        let counted = s.totalActivities - s.skippedActivities
        if counted > 0 { s.averageValue = sum / Double(counted) }
        if lessIsBetter(rules) { swap(&s.bestValue, &s.worstValue) }
        let periods = buckets(rules.period ?? .day, rules, days, today)
        let active = periods.filter { $0.count > 0 }.count
        s.consistency = periods.isEmpty ? 0 : percent(Double(active), Double(periods.count))
        return s
    }

    // MARK: - patterns

    static func recurring(_ rules: ProgressRules, _ days: [DayRecord], _ today: CivilDate) -> ProgressDetails {
        let periods = buckets(rules.period ?? .day, rules, days, today)
        var p = ProgressDetails()
        var decided = 0
        var achieved = 0
        var run = 0
        var longest = 0
        var history: [PeriodRecord] = []
        for (index, bucket) in periods.enumerated() {
            let isCurrent = index == periods.count - 1
            let met = meets(bucket.total, rules)
            let failed = !met && (!isCurrent || cannotMeet(bucket.total, rules))
            if met || failed { decided += 1 }
            if met { achieved += 1 }
            if met {
                run += 1
            } else if failed {
                run = 0
            }
            longest = max(longest, run)
            history.append(PeriodRecord(period: bucket.key, achieved: met, value: bucket.total))
        }
        let current = periods.last?.total ?? 0
        p.currentPeriodValue = current
        p.successRate = decided == 0 ? 0 : percent(Double(achieved), Double(decided))
        if rules.targetType == .maximum {
            // staying under: how many periods stayed under is the progress
            p.percentComplete = decided == 0 ? 100 : p.successRate
            p.remainingToGoal = max(0, rules.value - current)
        } else {
            let goal = rules.targetType == .range ? (rules.minValue ?? rules.value) : rules.value
            p.percentComplete = goal <= 0 ? 100 : min(100, percent(current, goal))
            p.remainingToGoal = max(0, goal - current)
        }
        p.currentStreak = run
        p.longestStreak = longest
        p.trend = trend(periods.dropLast().map(\.total), lessIsBetter: rules.targetType == .maximum)
        p.periodHistory = Array(history.suffix(historyLength))
        return p
    }

    static func limit(_ rules: ProgressRules, _ days: [DayRecord], _ today: CivilDate) -> ProgressDetails {
        let periods = buckets(rules.period ?? .day, rules, days, today)
        var p = ProgressDetails()
        var decided = 0
        var over = 0
        var history: [PeriodRecord] = []
        for (index, bucket) in periods.enumerated() {
            let exceeded = bucket.total > rules.value
            // the current period is decided only once it is over the limit
            if index < periods.count - 1 || exceeded { decided += 1 }
            if exceeded { over += 1 }
            history.append(PeriodRecord(period: bucket.key, achieved: !exceeded, value: bucket.total))
        }
        let current = periods.last?.total ?? 0
        let total = periods.reduce(0) { $0 + $1.total }
        p.currentPeriodValue = current
        p.remainingToGoal = max(0, rules.value - current)
        p.daysOverLimit = over
        p.averageValue = periods.isEmpty ? 0 : total / Double(periods.count)
        p.successRate = decided == 0 ? 100 : percent(Double(decided - over), Double(decided))
        p.percentComplete = p.successRate
        p.trend = trend(periods.dropLast().map(\.total), lessIsBetter: true)
        p.periodHistory = Array(history.suffix(historyLength))
        return p
    }

    static func milestone(_ rules: ProgressRules, _ days: [DayRecord], _ today: CivilDate) -> ProgressDetails {
        var p = ProgressDetails()
        var total = 0.0
        var history: [PeriodRecord] = []
        for day in days where day.count > 0 {
            total += day.sum
            history.append(PeriodRecord(period: day.date.iso, achieved: total >= rules.value, value: total))
        }
        p.totalAccumulated = total
        p.remainingToGoal = max(0, rules.value - total)
        p.percentComplete = rules.value <= 0 ? 100 : min(100, percent(total, rules.value))
        p.successRate = p.percentComplete
        p.completed = total >= rules.value
        if !p.completed, total > 0, let first = days.first(where: { $0.count > 0 })?.date {
            // at the average daily rate since the first activity
            let elapsed = Double(first.days(to: today) + 1)
            let needed = (rules.value - total) / (total / elapsed)
            p.projectedCompletion = today.adding(days: Int(needed.rounded(.up)))
        }
        p.trend = trend(days.filter { $0.count > 0 }.map(\.sum), lessIsBetter: false)
        p.periodHistory = Array(history.suffix(historyLength))
        return p
    }

    static func target(_ rules: ProgressRules, _ days: [DayRecord], _ today: CivilDate) -> ProgressDetails {
        var p = ProgressDetails()
        let measured = days.filter { $0.last != nil }
        let start = rules.startValue ?? measured.first?.last ?? 0
        let current = measured.last?.last ?? start
        let goal = rules.value
        func reached(_ value: Double) -> Bool {
            switch rules.direction {
            case .increase: value >= goal
            case .decrease: value <= goal
            case .maintain: value >= (rules.minValue ?? goal) && value <= (rules.maxValue ?? goal)
            }
        }
        p.currentPeriodValue = current
        p.remainingToGoal = reached(current) ? 0 : abs(goal - current)
        switch rules.direction {
        case .increase, .decrease:
            let needed = rules.direction == .increase ? goal - start : start - goal
            let made = rules.direction == .increase ? current - start : start - current
            p.percentComplete = needed <= 0 ? (reached(current) ? 100 : 0) : max(0, min(100, percent(made, needed)))
            p.successRate = p.percentComplete
            p.completed = !measured.isEmpty && reached(current)
            if !p.completed, measured.count >= 2, let first = measured.first, let last = measured.last {
                // at the rate between the first and the latest measurement, if it heads the right way
                let span = Double(first.date.days(to: last.date))
                let rate = span > 0 ? (last.last! - first.last!) / span : 0
                let towards = rules.direction == .increase ? rate > 0 : rate < 0
                if towards {
                    p.projectedCompletion = last.date.adding(days: Int((abs(goal - current) / abs(rate)).rounded(.up)))
                }
            }
        case .maintain:
            let within = measured.filter { reached($0.last!) }.count
            p.successRate = measured.isEmpty ? 0 : percent(Double(within), Double(measured.count))
            p.percentComplete = p.successRate
        }
        p.trend = trend(measured.map { $0.last! }, lessIsBetter: rules.direction == .decrease)
        p.periodHistory = measured.suffix(historyLength).map {
            PeriodRecord(period: $0.date.iso, achieved: reached($0.last!), value: $0.last!)
        }
        return p
    }

    static func streak(_ rules: ProgressRules, _ days: [DayRecord], _ today: CivilDate) -> ProgressDetails {
        let periods = buckets(rules.period ?? .day, rules, days, today)
        var p = ProgressDetails()
        var run = 0
        var longest = 0
        var missed = 0
        var done = 0
        var history: [PeriodRecord] = []
        for (index, bucket) in periods.enumerated() {
            let isCurrent = index == periods.count - 1
            if bucket.count > 0 {
                run += 1
                missed = 0
                done += 1
            } else if !isCurrent {
                // a missed period; up to allowSkipDays of them in a row keep the streak alive
                missed += 1
                if missed > rules.allowSkipDays { run = 0 }
            }
            longest = max(longest, run)
            history.append(PeriodRecord(period: bucket.key, achieved: bucket.count > 0, value: bucket.total))
        }
        let goal = max(1, Int(rules.value.rounded(.up)))
        p.currentStreak = run
        p.longestStreak = longest
        p.percentComplete = min(100, percent(Double(run), Double(goal)))
        p.remainingToGoal = Double(max(0, goal - run))
        p.completed = longest >= goal
        let closed = periods.count - (periods.last.map { $0.count > 0 ? 0 : 1 } ?? 0)
        p.successRate = closed <= 0 ? 0 : percent(Double(done), Double(closed))
        p.trend = run > 0 ? .improving : (longest > 0 ? .declining : .stable)
        p.periodHistory = Array(history.suffix(historyLength))
        return p
    }

    // MARK: - arithmetic

    struct Bucket: Equatable {
        var key: String
        var total: Double
        var count: Int
    }

    /// One bucket per period from the goal's first period to today's, in order (`days` sorted by date).
    static func buckets(_ period: GoalPeriod, _ rules: ProgressRules, _ days: [DayRecord], _ today: CivilDate) -> [Bucket] {
        let first = min(rules.startDate, days.first?.date ?? rules.startDate)
        let end = max(today, first)
        var out: [Bucket] = []
        var start = period.start(of: first)
        var index = days.startIndex
        while start <= end {
            let next = period.next(after: start)
            var bucket = Bucket(key: period.key(of: start), total: 0, count: 0)
            while index < days.endIndex, days[index].date < next {
                if days[index].date >= start {
                    bucket.total += days[index].sum
                    bucket.count += days[index].count
                }
                index += 1
            }
            out.append(bucket)
            start = next
        }
        return out
    }

    static func meets(_ total: Double, _ rules: ProgressRules) -> Bool {
        switch rules.targetType {
        case .minimum: total >= rules.value
        case .maximum: total <= rules.value
        case .exact: abs(total - rules.value) <= 1e-9 * max(1, abs(rules.value))
        case .range: total >= (rules.minValue ?? rules.value) && total <= (rules.maxValue ?? rules.value)
        }
    }

    /// Whether a period whose total is `total` so far can no longer meet the target (values are
    /// never negative, so totals only grow).
    static func cannotMeet(_ total: Double, _ rules: ProgressRules) -> Bool {
        switch rules.targetType {
        case .minimum: false
        case .maximum: total > rules.value
        case .exact: total > rules.value + 1e-9 * max(1, abs(rules.value))
        case .range: total > (rules.maxValue ?? rules.value)
        }
    }

    static func lessIsBetter(_ rules: ProgressRules) -> Bool {
        switch rules.pattern {
        case .limit: true
        case .recurring: rules.targetType == .maximum
        case .target: rules.direction == .decrease
        case .milestone, .streak: false
        }
    }

    /// Least-squares slope of the last five values, against 1 % of their mean.
    static func trend(_ values: [Double], lessIsBetter: Bool) -> GoalTrend {
        let recent = Array(values.suffix(5))
        guard recent.count >= 2 else { return .stable }
        let n = Double(recent.count)
        let meanX = (n - 1) / 2
        let meanY = recent.reduce(0, +) / n
        var numerator = 0.0
        var denominator = 0.0
        for (i, y) in recent.enumerated() {
            numerator += (Double(i) - meanX) * (y - meanY)
            denominator += (Double(i) - meanX) * (Double(i) - meanX)
        }
        let slope = numerator / denominator
        let threshold = abs(meanY) * 0.01
        if slope > threshold { return lessIsBetter ? .declining : .improving }
        if slope < -threshold { return lessIsBetter ? .improving : .declining }
        return .stable
    }

    static func percent(_ part: Double, _ whole: Double) -> Double {
        whole == 0 ? 0 : (part / whole * 10_000).rounded() / 100
    }
}

/// The contract's `GoalInsights`, from the day records: the best weekday once there is enough
/// history, and plain-language observations and suggestions. `bestTimeOfDay` is left out: the day
/// records keep no times.
public struct GoalInsights: Sendable, Equatable {
    public var bestDayOfWeek: String?
    public var successPatterns: [String] = []
    public var recommendations: [String] = []
}

extension GoalProgressCalculator {
    static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    /// Days with activity needed before a weekday is called the best (two weeks of some kind).
    static let daysForBestWeekday = 7

    public static func insights(
        _ rules: ProgressRules, days: [DayRecord], progress: ProgressDetails, statistics: ProgressStatistics
    ) -> GoalInsights {
        var insights = GoalInsights()
        let active = days.filter { $0.count > 0 }
        let unit = (rules.period ?? .day).rawValue
        if active.isEmpty {
            insights.recommendations.append("Log your first activity to start tracking progress.")
            return insights
        }
        // the weekday with the best mean daily value (the lowest where less is better)
        var sums = [Double](repeating: 0, count: 7)
        var counts = [Int](repeating: 0, count: 7)
        for day in active {
            sums[day.date.weekday] += day.sum
            counts[day.date.weekday] += 1
        }
        let seen = (0..<7).filter { counts[$0] > 0 }
        if active.count >= daysForBestWeekday, seen.count >= 2 {
            let mean = { (d: Int) in sums[d] / Double(counts[d]) }
            let best = lessIsBetter(rules) ? seen.min { mean($0) < mean($1) }! : seen.max { mean($0) < mean($1) }!
            insights.bestDayOfWeek = weekdays[best]
            insights.successPatterns.append("Your best results come on \(weekdays[best].capitalized)s.")
        }
        if let longest = progress.longestStreak, longest >= 3 {
            insights.successPatterns.append("Your longest run is \(longest) \(unit)s in a row.")
        }
        if statistics.consistency >= 80 {
            insights.successPatterns.append("You logged activity in \(Int(statistics.consistency))% of \(unit)s.")
        } else if statistics.consistency < 50 {
            insights.recommendations.append("Try to log something every \(unit): steady logging makes progress easier to see.")
        }
        if progress.trend == .declining {
            insights.recommendations.append("Recent results are slipping; a smaller, regular step may help you get back on track.")
        } else if progress.trend == .improving {
            insights.successPatterns.append("Your recent results are improving.")
        }
        return insights
    }
}
