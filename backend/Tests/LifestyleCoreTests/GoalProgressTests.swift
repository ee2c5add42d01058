import XCTest

@testable import LifestyleCore

/// The five goal patterns' progress, each against figures worked out by hand in the comments.
final class GoalProgressTests: XCTestCase {
    private func date(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

    /// Day records from (date, value, type) activities, in the order they were logged.
    private func days(_ activities: [(String, Double, ActivityType)]) -> [DayRecord] {
        var byDate: [CivilDate: DayRecord] = [:]
        for (iso, value, type) in activities {
            byDate[date(iso), default: DayRecord(date: date(iso))].add(value, type)
        }
        return Array(byDate.values)
    }

    func testCalendarArithmetic() {
        XCTAssertEqual(CivilDate(dayNumber: 0).iso, "1970-01-01")
        XCTAssertEqual(CivilDate(dayNumber: 0).weekday, 4, "a Thursday")
        XCTAssertEqual(date("2026-12-06").weekday, 0, "a Sunday")
        XCTAssertEqual(date("2024-02-29").adding(days: 366).iso, "2025-03-01")
        XCTAssertNil(CivilDate(iso: "2026-02-29"))
        XCTAssertEqual(date("1969-12-31").dayNumber, -1)
        // ISO weeks start on Monday and belong to the year of their Thursday
        XCTAssertEqual(GoalPeriod.week.key(of: date("2021-01-03")), "2020-W53")
        XCTAssertEqual(GoalPeriod.week.key(of: date("2024-12-30")), "2025-W01")
        XCTAssertEqual(GoalPeriod.week.start(of: date("2026-12-06")).iso, "2026-11-30")
        XCTAssertEqual(GoalPeriod.month.next(after: date("2026-12-01")).iso, "2027-01-01")
        XCTAssertEqual(GoalPeriod.quarter.key(of: date("2026-11-15")), "2026-Q4")
        XCTAssertEqual(GoalPeriod.quarter.next(after: date("2026-10-01")).iso, "2027-01-01")
        XCTAssertEqual(GoalPeriod.year.key(of: date("2026-11-15")), "2026")
    }

    func testRecurringDailyMinimum() {
        // 10,000 steps a day from Dec 1; today is Dec 6 with 4,000 so far; Dec 4 only skipped
        let rules = ProgressRules(pattern: .recurring, value: 10_000, period: .day, targetType: .minimum, startDate: date("2026-12-01"))
        let log = days([
            ("2026-12-01", 12_000, .progress), ("2026-12-02", 8_000, .partial), ("2026-12-03", 10_000, .completed),
            ("2026-12-04", 0, .skipped), ("2026-12-05", 6_000, .progress), ("2026-12-05", 5_000, .progress),
            ("2026-12-06", 4_000, .progress),
        ])
        let p = GoalProgressCalculator.progress(rules, days: log, today: date("2026-12-06"))
        // decided: Dec 1-5 (today can still be met); met: 1, 3, 5 -> 3/5
        XCTAssertEqual(p.successRate, 60)
        XCTAssertEqual(p.currentPeriodValue, 4_000)
        XCTAssertEqual(p.percentComplete, 40)
        XCTAssertEqual(p.remainingToGoal, 6_000)
        XCTAssertEqual(p.currentStreak, 1, "Dec 5 met, today undecided")
        XCTAssertEqual(p.longestStreak, 1)
        // closed totals 12000, 8000, 10000, 0, 11000: slope -1000 a day
        XCTAssertEqual(p.trend, .declining)
        XCTAssertEqual(p.periodHistory.map(\.period).first, "2026-12-01")
        XCTAssertEqual(p.periodHistory.last, PeriodRecord(period: "2026-12-06", achieved: false, value: 4_000))
        XCTAssertFalse(p.completed)

        let s = GoalProgressCalculator.statistics(rules, days: log, today: date("2026-12-06"))
        XCTAssertEqual(s.totalActivities, 7)
        XCTAssertEqual(s.skippedActivities, 1)
        XCTAssertEqual(s.completedActivities, 1)
        XCTAssertEqual(s.averageValue, 7_500, "45,000 over 6 counted activities")
        XCTAssertEqual(s.bestValue, 12_000)
        XCTAssertEqual(s.worstValue, 4_000)
        XCTAssertEqual(s.consistency, 83.33, "5 of 6 days with activity that counts")
    }

    func testRecurringWeeklyPeriodsFollowISOWeeks() {
        // three workouts a week; weeks of Nov 23, Nov 30 (current, Sunday Dec 6)
        let rules = ProgressRules(pattern: .recurring, value: 3, period: .week, startDate: date("2026-11-25"))
        let log = days([
            ("2026-11-25", 1, .completed), ("2026-11-27", 1, .completed), ("2026-11-29", 1, .completed),
            ("2026-12-01", 1, .completed), ("2026-12-06", 1, .completed), ("2026-12-06", 1, .completed),
        ])
        let p = GoalProgressCalculator.progress(rules, days: log, today: date("2026-12-06"))
        XCTAssertEqual(p.periodHistory.map(\.period), ["2026-W48", "2026-W49"])
        XCTAssertEqual(p.periodHistory.map(\.value), [3, 3])
        XCTAssertEqual(p.successRate, 100)
        XCTAssertEqual(p.currentStreak, 2)
        XCTAssertEqual(p.percentComplete, 100)
    }

    func testLimitDaily() {
        // at most 2 coffees a day from Dec 3; today Dec 6 is already over
        let rules = ProgressRules(pattern: .limit, value: 2, period: .day, direction: .decrease, startDate: date("2026-12-03"))
        let log = days([
            ("2026-12-03", 3, .progress), ("2026-12-04", 1, .progress), ("2026-12-05", 2, .progress),
            ("2026-12-06", 2, .progress), ("2026-12-06", 1, .progress),
        ])
        let p = GoalProgressCalculator.progress(rules, days: log, today: date("2026-12-06"))
        // decided: Dec 3-5 and today (over); over: Dec 3 and today
        XCTAssertEqual(p.daysOverLimit, 2)
        XCTAssertEqual(p.successRate, 50)
        XCTAssertEqual(p.percentComplete, 50)
        XCTAssertEqual(p.averageValue, 2.25, "(3 + 1 + 2 + 3) / 4")
        XCTAssertEqual(p.currentPeriodValue, 3)
        XCTAssertEqual(p.remainingToGoal, 0)
        // closed totals 3, 1, 2: falling, which is better for a limit
        XCTAssertEqual(p.trend, .improving)
        XCTAssertEqual(p.periodHistory.map(\.achieved), [false, true, true, false])
        XCTAssertFalse(p.completed, "a limit goal is ongoing")

        // the same morning before the second coffee: today is not a failure yet
        let morning = GoalProgressCalculator.progress(
            rules, days: days([("2026-12-03", 3, .progress), ("2026-12-04", 1, .progress), ("2026-12-06", 1, .progress)]),
            today: date("2026-12-06"))
        XCTAssertEqual(morning.successRate, 66.67, "Dec 3 over, Dec 4 and 5 within; today undecided")
    }

    func testMilestoneWithProjection() {
        // 100 km in all; 40 km by Dec 10 since Dec 1: 4 km a day, 60 to go -> 15 days
        let rules = ProgressRules(pattern: .milestone, value: 100, startDate: date("2026-12-01"))
        var log = days([("2026-12-01", 10, .progress), ("2026-12-04", 20, .progress), ("2026-12-05", 10, .progress)])
        var p = GoalProgressCalculator.progress(rules, days: log, today: date("2026-12-10"))
        XCTAssertEqual(p.totalAccumulated, 40)
        XCTAssertEqual(p.percentComplete, 40)
        XCTAssertEqual(p.remainingToGoal, 60)
        XCTAssertEqual(p.projectedCompletion, date("2026-12-25"))
        XCTAssertEqual(p.periodHistory.map(\.value), [10, 30, 40], "cumulative")
        XCTAssertFalse(p.completed)

        log += days([("2026-12-10", 60, .progress)])
        p = GoalProgressCalculator.progress(rules, days: log, today: date("2026-12-10"))
        XCTAssertTrue(p.completed)
        XCTAssertEqual(p.percentComplete, 100)
        XCTAssertEqual(p.remainingToGoal, 0)
        XCTAssertNil(p.projectedCompletion)
        XCTAssertEqual(p.periodHistory.last, PeriodRecord(period: "2026-12-10", achieved: true, value: 100))
    }

    func testTargetDecreasingWeight() {
        // 200 -> 180; the latest measurement of a day counts
        let rules = ProgressRules(pattern: .target, value: 180, direction: .decrease, startValue: 200, startDate: date("2026-12-01"))
        var log = days([("2026-12-01", 199, .progress), ("2026-12-08", 196, .progress), ("2026-12-08", 195, .progress)])
        var p = GoalProgressCalculator.progress(rules, days: log, today: date("2026-12-10"))
        XCTAssertEqual(p.currentPeriodValue, 195)
        XCTAssertEqual(p.percentComplete, 25, "5 of 20 lost")
        XCTAssertEqual(p.remainingToGoal, 15)
        // 4 lost in 7 days; 15 more at that rate is 26.25 days -> 27 after Dec 8
        XCTAssertEqual(p.projectedCompletion, date("2027-01-04"))
        XCTAssertEqual(p.trend, .improving, "falling weight on a decreasing target")
        XCTAssertEqual(p.periodHistory.map(\.value), [199, 195])
        XCTAssertFalse(p.completed)

        log += days([("2026-12-20", 179.5, .progress)])
        p = GoalProgressCalculator.progress(rules, days: log, today: date("2026-12-20"))
        XCTAssertTrue(p.completed)
        XCTAssertEqual(p.percentComplete, 100)
        XCTAssertEqual(p.remainingToGoal, 0)

        // moving away from the target: no projection
        let gaining = GoalProgressCalculator.progress(
            rules, days: days([("2026-12-01", 199, .progress), ("2026-12-05", 203, .progress)]), today: date("2026-12-05"))
        XCTAssertNil(gaining.projectedCompletion)
        XCTAssertEqual(gaining.percentComplete, 0)
        XCTAssertEqual(gaining.trend, .declining)
    }

    func testStreakWithAndWithoutSkips() {
        // 5 days in a row; done Dec 1-3 and 5-6, missed Dec 4, nothing yet today (Dec 7)
        let log = days([
            ("2026-12-01", 1, .completed), ("2026-12-02", 1, .completed), ("2026-12-03", 1, .completed),
            ("2026-12-05", 1, .completed), ("2026-12-06", 1, .completed),
        ])
        let strict = ProgressRules(pattern: .streak, value: 5, allowSkipDays: 0, startDate: date("2026-12-01"))
        var p = GoalProgressCalculator.progress(strict, days: log, today: date("2026-12-07"))
        XCTAssertEqual(p.currentStreak, 2, "today can still continue it")
        XCTAssertEqual(p.longestStreak, 3)
        XCTAssertEqual(p.percentComplete, 40)
        XCTAssertEqual(p.remainingToGoal, 3)
        XCTAssertEqual(p.successRate, 83.33, "5 of the 6 closed days")
        XCTAssertFalse(p.completed)
        XCTAssertEqual(p.trend, .improving)

        let lenient = ProgressRules(pattern: .streak, value: 5, allowSkipDays: 1, startDate: date("2026-12-01"))
        p = GoalProgressCalculator.progress(lenient, days: log, today: date("2026-12-07"))
        XCTAssertEqual(p.currentStreak, 5, "one missed day does not break it")
        XCTAssertTrue(p.completed)
        XCTAssertEqual(p.percentComplete, 100)

        // two days with nothing: broken
        p = GoalProgressCalculator.progress(strict, days: log, today: date("2026-12-09"))
        XCTAssertEqual(p.currentStreak, 0)
        XCTAssertEqual(p.trend, .declining)
    }

    func testInsightsNameTheBestWeekdayOnceThereIsHistory() {
        // 10,000 steps a day, Nov 23 (Monday) to Dec 6 (Sunday): 14 days, Saturdays 15,000 and
        // Sundays 14,000, the rest 9,000 (weekdays fall short: consistency 100 %, rate 4/14)
        var entries: [(String, Double, ActivityType)] = []
        for n in 0..<14 {
            let d = date("2026-11-23").adding(days: n)
            entries.append((d.iso, d.weekday == 6 ? 15000 : (d.weekday == 0 ? 14000 : 9000), .progress))
        }
        let rules = ProgressRules(pattern: .recurring, value: 10000, period: .day, startDate: date("2026-11-23"))
        let log = days(entries)
        let today = date("2026-12-06")
        let p = GoalProgressCalculator.progress(rules, days: log, today: today)
        let stats = GoalProgressCalculator.statistics(rules, days: log, today: today)
        let found = GoalProgressCalculator.insights(rules, days: log, progress: p, statistics: stats)
        XCTAssertEqual(found.bestDayOfWeek, "saturday")
        XCTAssertTrue(found.successPatterns.contains("Your best results come on Saturdays."), "\(found)")
        XCTAssertTrue(found.successPatterns.contains("You logged activity in 100% of days."), "\(found)")
        XCTAssertEqual(p.longestStreak, 2, "each weekend")
        XCTAssertFalse(found.successPatterns.contains { $0.hasPrefix("Your longest run") }, "a run of 2 is no pattern yet")

        // a limit goal's best weekday is its lowest; six days are not enough history
        let limit = ProgressRules(pattern: .limit, value: 3, period: .day, direction: .decrease, startDate: date("2026-11-23"))
        let coffee = days((0..<7).map { n in (date("2026-11-23").adding(days: n).iso, n == 2 ? 1 : 4, ActivityType.progress) })
        let lp = GoalProgressCalculator.progress(limit, days: coffee, today: date("2026-11-29"))
        let ls = GoalProgressCalculator.statistics(limit, days: coffee, today: date("2026-11-29"))
        XCTAssertEqual(GoalProgressCalculator.insights(limit, days: coffee, progress: lp, statistics: ls).bestDayOfWeek, "wednesday")
        let short = Array(coffee.sorted { $0.date < $1.date }.prefix(6))
        XCTAssertNil(GoalProgressCalculator.insights(limit, days: short, progress: lp, statistics: ls).bestDayOfWeek)

        // nothing logged: one suggestion, no patterns
        let none = GoalProgressCalculator.insights(rules, days: [], progress: ProgressDetails(), statistics: ProgressStatistics())
        XCTAssertEqual(none, GoalInsights(recommendations: ["Log your first activity to start tracking progress."]))
    }

    func testANewGoalHasNothingToShow() {
        for pattern in GoalPattern.allCases {
            let rules = ProgressRules(pattern: pattern, value: 10, period: .day, startDate: date("2026-12-06"))
            let p = GoalProgressCalculator.progress(rules, days: [], today: date("2026-12-06"))
            XCTAssertFalse(p.completed, "\(pattern)")
            XCTAssertEqual(p.trend, .stable, "\(pattern)")
            XCTAssertTrue((0...100).contains(p.percentComplete) && (0...100).contains(p.successRate), "\(pattern)")
        }
    }
}
