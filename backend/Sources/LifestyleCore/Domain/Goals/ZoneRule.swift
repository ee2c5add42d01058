/// The current offsets of a time zone as a POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`; the
/// footer of a TZif file, RFC 8536 section 3.3, whose transition times may run from -167 to 167
/// hours). It answers which calendar date it is for a user at an instant.
///
/// The rule is the zone's offset now and in the years ahead, which is what "today" and the
/// periods of a goal need; it says nothing of offsets before the zone's last rule change. The
/// tz database lists Morocco's Ramadan changes (Africa/Casablanca, Africa/El_Aaiun) one by one
/// and no rule can: for about a month a year those two are an hour ahead here.
public struct ZoneRule: Sendable, Equatable {
    /// Seconds east of UTC in standard time, and in daylight time when the zone has it.
    public let standard: Int
    public let daylight: Int?
    let start: Transition?
    let end: Transition?

    struct Transition: Sendable, Equatable {
        enum Day: Sendable, Equatable {
            /// `Mm.w.d`: weekday d (0 = Sunday) of week w (5 = the last) of month m.
            case weekday(month: Int, week: Int, weekday: Int)
            /// `Jn`: day 1...365, February 29 never counted.
            case julian(Int)
            /// `n`: day 0...365, February 29 counted.
            case zeroBased(Int)
        }
        var day: Day
        /// Local time of day, in seconds (may be negative or past 24 hours).
        var time: Int
    }

    /// The rule of an IANA zone name the profile accepts (`Europe/Berlin`), or nil.
    public static func named(_ identifier: String) -> ZoneRule? {
        TimeZones.rules[identifier].flatMap(ZoneRule.init(posix:))
    }

    /// Parses a POSIX TZ string; nil when it is not one (or has daylight time without rules).
    public init?(posix: String) {
        var p = Parser(Array(posix.utf8))
        guard p.name(), let std = p.offset() else { return nil }
        standard = -std
        if p.atEnd {
            daylight = nil
            start = nil
            end = nil
            return
        }
        guard p.name() else { return nil }
        if !p.peek(","), let dst = p.offset() {
            daylight = -dst
        } else {
            daylight = standard + 3600
        }
        guard p.take(","), let s = p.transition(), p.take(","), let e = p.transition(), p.atEnd else { return nil }
        start = s
        end = e
    }

    /// Seconds east of UTC at `t` (seconds since 1970-01-01T00:00:00Z).
    public func offset(at t: Int64) -> Int {
        guard let daylight, let start, let end else { return standard }
        let year = CivilDate(dayNumber: Self.floorDiv(t + Int64(standard), 86_400)).year
        // the start happens in standard time, the end in daylight time
        let begins = Self.instant(start, year) - Int64(standard)
        let ends = Self.instant(end, year) - Int64(daylight)
        if begins < ends {
            return t >= begins && t < ends ? daylight : standard
        }
        // southern hemisphere (or negative daylight saving): daylight time spans the new year
        return t >= ends && t < begins ? standard : daylight
    }

    /// The calendar date at `t` in this zone.
    public func localDate(at t: Int64) -> CivilDate {
        CivilDate(dayNumber: Self.floorDiv(t + Int64(offset(at: t)), 86_400))
    }

    static func instant(_ transition: Transition, _ year: Int) -> Int64 {
        let day: Int
        switch transition.day {
        case .weekday(let month, let week, let weekday):
            let first = CivilDate(year: year, month: month, day: 1)!
            var d = 1 + (weekday - first.weekday + 7) % 7 + (week - 1) * 7
            while d > CivilDate.length(of: month, in: year) { d -= 7 }
            day = first.dayNumber + d - 1
        case .julian(let n):
            let leap = CivilDate.length(of: 2, in: year) == 29
            day = CivilDate(year: year, month: 1, day: 1)!.dayNumber + n - 1 + (leap && n >= 60 ? 1 : 0)
        case .zeroBased(let n):
            day = CivilDate(year: year, month: 1, day: 1)!.dayNumber + n
        }
        return Int64(day) * 86_400 + Int64(transition.time)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int {
        Int(a >= 0 ? a / b : -((-a + b - 1) / b))
    }

    /// A cursor over the TZ string's bytes.
    struct Parser {
        let bytes: [UInt8]
        var i = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { i == bytes.count }

        func peek(_ c: Character) -> Bool { i < bytes.count && bytes[i] == c.asciiValue! }

        mutating func take(_ c: Character) -> Bool {
            guard peek(c) else { return false }
            i += 1
            return true
        }

        /// `EST` (three or more letters) or `<+0530>` / `<-03>`.
        mutating func name() -> Bool {
            if take("<") {
                let from = i
                while i < bytes.count, bytes[i] != UInt8(ascii: ">") { i += 1 }
                guard i - from >= 3, take(">") else { return false }
                return true
            }
            let from = i
            while i < bytes.count, (bytes[i] | 0x20) >= UInt8(ascii: "a"), (bytes[i] | 0x20) <= UInt8(ascii: "z") { i += 1 }
            return i - from >= 3
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, POSIX sign (positive is west of Greenwich).
        mutating func offset(maxHours: Int = 24) -> Int? {
            let negative = take("-")
            if !negative { _ = take("+") }
            guard let h = number(), h <= maxHours else { return nil }
            var seconds = h * 3600
            if take(":") {
                guard let m = number(), m < 60 else { return nil }
                seconds += m * 60
                if take(":") {
                    guard let s = number(), s < 60 else { return nil }
                    seconds += s
                }
            }
            return negative ? -seconds : seconds
        }

        /// `Mm.w.d`, `Jn` or `n`, then an optional `/time` (default 02:00).
        mutating func transition() -> Transition? {
            var day: Transition.Day
            if take("M") {
                guard let m = number(), (1...12).contains(m), take("."), let w = number(), (1...5).contains(w), take("."),
                    let d = number(), (0...6).contains(d)
                else { return nil }
                day = .weekday(month: m, week: w, weekday: d)
            } else if take("J") {
                guard let n = number(), (1...365).contains(n) else { return nil }
                day = .julian(n)
            } else {
                guard let n = number(), (0...365).contains(n) else { return nil }
                day = .zeroBased(n)
            }
            var time = 7200
            if take("/") {
                guard let t = offset(maxHours: 167) else { return nil }
                time = t
            }
            return Transition(day: day, time: time)
        }

        mutating func number() -> Int? {
            let from = i
            var value = 0
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9"), i - from < 3 {
                value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
                i += 1
            }
            return i > from ? value : nil
        }
    }
}
