import XCTest

@testable import LifestyleCore

/// The journal's counters: what an entry adds is taken away again exactly, and streaks count
/// days in a row, the current one ending today or yesterday.
final class JournalStatsTests: XCTestCase {
    func entry(_ day: String, words: Int, mood: String? = nil, tags: [String] = [], template: String = "blank") -> EntryContribution {
        EntryContribution(
            day: day, words: words, mood: mood, tags: tags, template: template, goalIds: [], goalsCompleted: 0,
            createdAt: day + "T08:00:00.000Z")
    }

    func testAddingAndRemovingAnEntryLeavesTheCountersAsTheyWere() {
        var c = JournalCounters()
        c.add(entry("2026-12-01", words: 10, mood: "calm", tags: ["a", "b"]))
        let before = c
        let extra = entry("2026-12-02", words: 7, mood: "happy", tags: ["b", "b"], template: "gratitude")
        c.add(extra)
        XCTAssertEqual(c.tags, ["a": 1, "b": 2], "a tag counts once per entry")
        c.remove(extra)
        XCTAssertEqual(c, before)
        XCTAssertEqual(JournalCounters(json: c.json), c, "the stored form reads back the same")
    }

    func testStreaksCountDaysInARowAndTheCurrentOneEndsTodayOrYesterday() throws {
        var c = JournalCounters()
        for day in ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-12-04", "2026-12-05", "2026-12-05"] {
            c.add(entry(day, words: 1))
        }
        let today = try XCTUnwrap(CivilDate(iso: "2026-12-06"))
        XCTAssertEqual(c.streaks(today: today).current, 2, "yesterday's run is still current today")
        XCTAssertEqual(c.streaks(today: today).longest, 4)
        XCTAssertEqual(c.streaks(today: today.adding(days: 1)).current, 0, "a day without an entry ends it")
        guard case .object(let o) = c.render(today: today) else { return XCTFail() }
        XCTAssertEqual(o["entriesThisWeek"], .number(3))
        XCTAssertEqual(o["entriesThisMonth"], .number(3))
        XCTAssertEqual(o["totalEntries"], .number(7))
        XCTAssertEqual(o["lastEntryDate"], .string("2026-12-05"))
    }
}
