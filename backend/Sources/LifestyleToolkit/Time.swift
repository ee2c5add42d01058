#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if os(Linux)
    import Glibc
#else
    #error("Linux only: UnixClock reads CLOCK_REALTIME through Glibc")
#endif

/// The wall clock (CLOCK_REALTIME) as a `Swift.Clock` whose instants are Unix time: Lambda
/// deadlines, EMF timestamps and the emulators' epoch milliseconds read it, without Foundation.
public struct UnixClock: Clock {
    public struct Instant: InstantProtocol {
        /// Time since 1970-01-01T00:00:00Z.
        public var sinceEpoch: Duration
        public init(sinceEpoch: Duration) { self.sinceEpoch = sinceEpoch }
        public init(milliseconds: Int64) { self.sinceEpoch = .milliseconds(milliseconds) }
        /// Whole milliseconds since the epoch (rounded down).
        public var milliseconds: Int64 {
            let (s, atto) = sinceEpoch.components
            return s * 1000 + atto / 1_000_000_000_000_000
        }
        public func advanced(by duration: Duration) -> Instant { Instant(sinceEpoch: sinceEpoch + duration) }
        public func duration(to other: Instant) -> Duration { other.sinceEpoch - sinceEpoch }
        public static func < (a: Instant, b: Instant) -> Bool { a.sinceEpoch < b.sinceEpoch }
    }

    public init() {}

    public var now: Instant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Instant(sinceEpoch: .seconds(Int64(ts.tv_sec)) + .nanoseconds(Int64(ts.tv_nsec)))
    }

    public var minimumResolution: Duration { .nanoseconds(1) }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await Task.sleep(for: now.duration(to: deadline), tolerance: tolerance)
    }

    /// Milliseconds since the epoch, now.
    public static func epochMilliseconds() -> Int64 { UnixClock().now.milliseconds }
}

/// RFC 3339 / ISO 8601 timestamps without a formatter object: a pure civil-from-days conversion,
/// cheap enough for every log line and error body.
public enum Timestamp {
    public static func iso8601(_ date: Date, fractional: Bool = true) -> String {
        let t = date.timeIntervalSince1970
        var secs = Int64(t.rounded(.down))
        let millis = Int64(((t - Double(secs)) * 1000).rounded(.down))
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        secs -= days * 86_400
        let (y, m, d) = civil(fromDays: days)
        let hh = secs / 3600, mm = (secs % 3600) / 60, ss = secs % 60
        var s = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(hh, 2) + ":" + pad(mm, 2) + ":" + pad(ss, 2)
        if fractional { s += "." + pad(millis, 3) }
        return s + "Z"
    }

    /// Parses `YYYY-MM-DD` into (year, month, day) when it names a real calendar date.
    public static func parseDate(_ s: String) -> (Int, Int, Int)? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            (1...12).contains(m), d >= 1
        else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= lengths[m - 1] ? (y, m, d) : nil
    }

    /// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
    public static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
