import XCTest

@testable import LifestyleCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A user's local date from the zone rules kept in code, checked against Python's zoneinfo.
final class GoalTimeZoneTests: XCTestCase {
    func testEveryAcceptedZoneHasARuleThatParses() {
        XCTAssertGreaterThan(TimeZones.rules.count, 400)
        for (name, rule) in TimeZones.rules {
            XCTAssertNotNil(ZoneRule(posix: rule), "\(name): \(rule)")
        }
    }

    /// e2e/static/fixtures/tz-offsets.txt (backend/scripts/gen-timezones.py): one zone per
    /// distinct rule, just before and at every transition of 2026-2027 and on the 1st of each
    /// month, as Python's zoneinfo reads the full tz data.
    func testOffsetsMatchTheTzDatabase() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("e2e/static/fixtures/tz-offsets.txt")
        let text = try String(decoding: Data(contentsOf: fixture), as: UTF8.self)
        var checked = 0
        var zones: Set<String> = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let t = Int64(parts[1]), let expected = Int(parts[2]) else {
                XCTFail("bad line \(line)")
                continue
            }
            let name = String(parts[0])
            guard let rule = ZoneRule.named(name) else {
                XCTFail("no rule for \(name)")
                continue
            }
            XCTAssertEqual(rule.offset(at: t), expected, "\(name) at \(t)")
            checked += 1
            zones.insert(name)
        }
        XCTAssertGreaterThan(checked, 2000)
        // the unusual ones are among them: negative DST, a 30-minute shift, transitions at -1h and 50h
        XCTAssertTrue(zones.isSuperset(of: ["Europe/Dublin", "Australia/LHI", "America/Godthab", "Asia/Gaza"]), "\(zones.sorted())")
    }

    func testLocalDateAcrossTheDateLine() {
        // 2026-12-06T11:30:00Z
        let t: Int64 = 1_796_556_600
        XCTAssertEqual(ZoneRule.named("Pacific/Auckland")!.localDate(at: t).iso, "2026-12-07", "00:30 NZDT")
        XCTAssertEqual(ZoneRule.named("America/Los_Angeles")!.localDate(at: t).iso, "2026-12-06", "03:30 PST")
        XCTAssertEqual(ZoneRule.named("Pacific/Pago_Pago")!.localDate(at: t).iso, "2026-12-06", "00:30 SST")
        XCTAssertEqual(ZoneRule.named("Pacific/Honolulu")!.localDate(at: t - 7 * 3600).iso, "2026-12-05", "21:30 HST the day before")
        XCTAssertEqual(ZoneRule.named("UTC")!.localDate(at: -1).iso, "1969-12-31")
    }

    func testMalformedRulesAreRefused() {
        for bad in ["", "E5", "EST", "EST5EDT", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0", "<+05", "CET-1CEST,M3.5.0,M10.5.0/3x"] {
            XCTAssertNil(ZoneRule(posix: bad), bad)
        }
        XCTAssertEqual(ZoneRule(posix: "<+0530>-5:30")?.standard, 19_800)
        XCTAssertEqual(ZoneRule(posix: "NST3:30NDT,M3.2.0,M11.1.0")?.daylight, -9_000)
    }
}
