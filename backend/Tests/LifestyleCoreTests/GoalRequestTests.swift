import LifestyleToolkit
import XCTest

@testable import LifestyleCore

/// The goal and activity request bodies: what the web client's wizard sends is accepted as the
/// contract defines it, every bad field is named, and the cross-field rules hold.
final class GoalRequestTests: XCTestCase {
    let today = CivilDate(iso: "2026-12-06")!
    let berlin = ZoneRule.named("Europe/Berlin")!

    func object(_ json: String) -> [String: JSONValue] {
        guard case .object(let o) = try! JSONParser.parse(Array(json.utf8)) else { fatalError("not an object") }
        return o
    }

    func fields(_ body: () throws -> Any) -> [String] {
        do {
            _ = try body()
            XCTFail("accepted")
            return []
        } catch let error as APIError {
            XCTAssertEqual(error.code, "VALIDATION_ERROR", error.message)
            return error.validationErrors.map(\.field)
        } catch {
            XCTFail("\(error)")
            return []
        }
    }

    /// The wizard's target goal: `targetDate` from `Date.toISOString()`, midnight in Berlin
    /// being 23:00 UTC the day before.
    func testTheWizardsTargetGoal() throws {
        let goal = try GoalRequests.create(
            object(
                #"""
                {"title":"Lose weight","description":"","category":"health","icon":"⚖️","color":"#1A2b3C","goalPattern":"target",
                 "metadata":{"isJournalLinked":true},
                 "target":{"metric":"custom","value":180,"unit":"lbs","direction":"decrease","targetType":"exact","startValue":200,
                           "currentValue":200,"targetDate":"2027-03-30T22:00:00.000Z"},
                 "unknownField":"dropped"}
                """#), today: today, zone: berlin)
        guard case .object(let target)? = goal["target"] else { return XCTFail("no target") }
        XCTAssertEqual(target["targetDate"], .string("2027-03-31"), "the Berlin date of that instant (CEST, +2)")
        XCTAssertNil(goal["unknownField"], "only what the contract defines is kept")
        XCTAssertEqual(goal["metadata"], .object(["isJournalLinked": .bool(true)]))
    }

    func testTheWizardsOtherPatterns() throws {
        // a milestone without a target date, a streak without a period
        XCTAssertNoThrow(
            try GoalRequests.create(
                object(
                    #"{"title":"Novel","category":"creativity","goalPattern":"milestone","target":{"metric":"custom","value":80000,"unit":"words","direction":"increase","targetType":"exact","startValue":0,"currentValue":0}}"#
                ), today: today, zone: berlin))
        XCTAssertNoThrow(
            try GoalRequests.create(
                object(
                    #"{"title":"Meditate","category":"wellness","goalPattern":"streak","target":{"metric":"count","value":30,"unit":"days","direction":"increase","targetType":"exact"},"schedule":{"frequency":"daily","checkInFrequency":"daily","allowSkipDays":0,"catchUpAllowed":false}}"#
                ), today: today, zone: berlin))
    }

    func testEveryBadFieldIsNamed() {
        XCTAssertEqual(
            fields {
                try GoalRequests.create(
                    object(
                        #"{"title":"","category":7,"goalPattern":"habit","color":"red","visibility":"everyone","schedule":{"daysOfWeek":[1,7],"preferredTimes":["25:00"]},"target":{"value":-1,"unit":"x","direction":"up"}}"#
                    ), today: today, zone: berlin)
            }.sorted(),
            [
                "category", "color", "goalPattern", "schedule.daysOfWeek[1]", "schedule.preferredTimes[0]", "target.direction",
                "target.metric", "target.value", "title", "visibility",
            ])
        XCTAssertEqual(
            fields {
                try GoalRequests.create(
                    object(
                        #"{"title":"Steps","category":"fitness","goalPattern":"recurring","target":{"metric":"count","value":10000,"unit":"steps","direction":"increase","targetType":"range","minValue":5}}"#
                    ), today: today, zone: berlin)
            }, ["target.period", "target.minValue"])
        XCTAssertEqual(
            fields {
                try GoalRequests.create(
                    object(
                        #"{"title":"T","category":"c","goalPattern":"target","target":{"metric":"weight","value":1,"unit":"kg","direction":"decrease","targetDate":"next week"}}"#
                    ), today: today, zone: berlin)
            }, ["target.targetDate"])
    }

    func testATargetDateInThePastIsABusinessRule() {
        XCTAssertThrowsError(
            try GoalRequests.create(
                object(
                    #"{"title":"T","category":"c","goalPattern":"target","target":{"metric":"weight","value":1,"unit":"kg","direction":"decrease","targetDate":"2026-12-05"}}"#
                ), today: today, zone: berlin)
        ) { error in
            XCTAssertEqual((error as? APIError)?.status, 422)
            XCTAssertEqual((error as? APIError)?.code, "TARGET_DATE_IN_PAST")
        }
    }

    func testAnUpdateMergesPartOfTheTarget() throws {
        let stored = object(#"{"target":{"metric":"count","value":10,"unit":"km","direction":"increase","period":"week"}}"#)
        let changes = try GoalRequests.update(
            object(#"{"target":{"value":12},"status":"paused","title":"Run more"}"#), stored: stored, today: today, zone: berlin)
        guard case .object(let target)? = changes["target"] else { return XCTFail("no target") }
        XCTAssertEqual(target["value"], .number(12))
        XCTAssertEqual(target["period"], .string("week"), "the rest of the target stays")
        XCTAssertEqual(changes["status"], .string("paused"))
        XCTAssertEqual(
            fields {
                try GoalRequests.update(
                    object(#"{"goalPattern":"limit","status":"completed"}"#), stored: stored, today: today, zone: berlin)
            },
            ["status"], "a bad status is named first; the pattern rule comes with the rest once shapes pass")
    }

    func testAnActivity() throws {
        let a = try GoalRequests.activity(
            object(
                #"{"value":12500,"unit":"steps","activityType":"completed","activityDate":"2024-01-20","context":{"timeOfDay":"evening","energyLevel":8,"enjoyment":5},"note":"Great walk"}"#
            ))
        XCTAssertEqual(a["value"], .number(12500))
        XCTAssertEqual(
            fields {
                try GoalRequests.activity(
                    object(
                        #"{"value":"12","activityType":"done","activityDate":"2024-02-30","note":"\#(String(repeating: "x", count: 501))"}"#
                    ))
            }.sorted(), ["activityDate", "activityType", "note", "unit", "value"])
    }

    func testDateTimes() {
        XCTAssertEqual(DateTimeText.parse("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(DateTimeText.parse("2026-12-06T11:30:00.123Z"), 1_796_556_600)
        XCTAssertEqual(DateTimeText.parse("2026-12-06T12:30:00+01:00"), 1_796_556_600)
        XCTAssertEqual(DateTimeText.parse("2026-12-06T06:30:00-05:00"), 1_796_556_600)
        for bad in ["2026-12-06", "2026-12-06T25:00:00Z", "2026-12-06T11:30:00", "2026-12-06T11:30:00+0100", "2026-02-30T00:00:00Z"] {
            XCTAssertNil(DateTimeText.parse(bad), bad)
        }
    }
}
