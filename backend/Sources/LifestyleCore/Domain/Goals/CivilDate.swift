import LifestyleToolkit

/// A calendar date with no time zone: a day as the user lives it (an activity's `activityDate`,
/// "today" in the profile's time zone). Arithmetic is on whole days since 1970-01-01.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    public let dayNumber: Int

    public init(dayNumber: Int) {
        self.dayNumber = dayNumber
    }

    /// A real calendar date, or nil (`2026-02-30`).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= Self.length(of: month, in: year) else {
            return nil
        }
        dayNumber = Self.days(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD`, or nil when it is not a real date.
    public init?(iso: String) {
        guard let (y, m, d) = Timestamp.parseDate(iso) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var year: Int { parts.0 }
    public var month: Int { parts.1 }
    public var day: Int { parts.2 }

    /// 0 = Sunday ... 6 = Saturday (the contract's `daysOfWeek`).
    public var weekday: Int { ((dayNumber % 7) + 7 + 4) % 7 }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    public func days(to other: CivilDate) -> Int { other.dayNumber - dayNumber }

    /// `YYYY-MM-DD`.
    public var iso: String {
        let (y, m, d) = parts
        return Self.pad(y, 4) + "-" + Self.pad(m, 2) + "-" + Self.pad(d, 2)
    }

    public var description: String { iso }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }

    private var parts: (Int, Int, Int) {
        let (y, m, d) = Timestamp.civil(fromDays: Int64(dayNumber))
        return (Int(y), Int(m), Int(d))
    }

    static func length(of month: Int, in year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// Days since 1970-01-01 of a valid date (Howard Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// The contract's goal periods, and the calendar arithmetic each needs: which period a day falls
/// in, the period's first day, the next period, and the key the API shows (`periodHistory.period`).
public enum GoalPeriod: String, Sendable, CaseIterable {
    case day, week, month, quarter, year

    /// The first day of the period that holds `date`. Weeks are ISO 8601 weeks (Monday first).
    public func start(of date: CivilDate) -> CivilDate {
        switch self {
        case .day: return date
        case .week: return date.adding(days: -((date.weekday + 6) % 7))
        case .month: return CivilDate(year: date.year, month: date.month, day: 1)!
        case .quarter: return CivilDate(year: date.year, month: (date.month - 1) / 3 * 3 + 1, day: 1)!
        case .year: return CivilDate(year: date.year, month: 1, day: 1)!
        }
    }

    /// The first day of the period after the one starting at `start`.
    public func next(after start: CivilDate) -> CivilDate {
        switch self {
        case .day: return start.adding(days: 1)
        case .week: return start.adding(days: 7)
        case .month, .quarter:
            let step = self == .month ? 1 : 3
            let index = start.year * 12 + (start.month - 1) + step
            return CivilDate(year: index / 12, month: index % 12 + 1, day: 1)!
        case .year: return CivilDate(year: start.year + 1, month: 1, day: 1)!
        }
    }

    /// `2026-12-06`, `2026-W49` (the ISO week-numbering year, which can differ from the date's
    /// year around New Year), `2026-12`, `2026-Q4`, `2026`.
    public func key(of date: CivilDate) -> String {
        let start = start(of: date)
        switch self {
        case .day: return start.iso
        case .week:
            // the ISO week belongs to the year of its Thursday
            let thursday = start.adding(days: 3)
            let firstOfYear = CivilDate(year: thursday.year, month: 1, day: 1)!
            let week = firstOfYear.days(to: thursday) / 7 + 1
            return String(thursday.year) + "-W" + (week < 10 ? "0" : "") + String(week)
        case .month: return String(start.iso.prefix(7))
        case .quarter: return String(start.year) + "-Q" + String((start.month - 1) / 3 + 1)
        case .year: return String(start.year)
        }
    }
}
