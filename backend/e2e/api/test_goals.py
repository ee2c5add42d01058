"""Goals: the five patterns as the web client's wizard creates them, activities over several
days in the user's time zone, the progress the API computes (checked against figures worked out
by hand), lists with filters, sorts and pages, archiving, another user's goals, concurrent logs
and account deletion."""

from __future__ import annotations

import concurrent.futures
import json
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from api_support import assert_error, assert_validation, behind_api_gateway, json_body, parse_ts, refused_by_the_authorizer

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


@pytest.fixture()
def token(api, user):
    return api.access_token(user)


def _zone(api, token, name: str) -> date:
    """Sets the profile's time zone; returns today there."""
    r = api.put("/users/profile", {"timezone": name}, token=token)
    assert r.status_code == 200, r.text
    return datetime.now(ZoneInfo(name)).date()


def _create(api, token, body) -> dict:
    r = api.post("/goals", body, token=token)
    assert r.status_code == 201, r.text
    goal = json_body(r)
    assert r.headers["Location"].endswith(f"/v1/goals/{goal['goalId']}")
    return goal


def _log(api, token, goal_id, value, day: date | None = None, activity_type="progress", **extra) -> dict:
    body = {"value": value, "unit": "x", "activityType": activity_type, **extra}
    if day is not None:
        body["activityDate"] = day.isoformat()
    r = api.post(f"/goals/{goal_id}/activities", body, token=token)
    assert r.status_code == 201, r.text
    return json_body(r)


def _goal(api, token, goal_id) -> dict:
    r = api.get(f"/goals/{goal_id}", token=token)
    assert r.status_code == 200, r.text
    return json_body(r)


def _recurring(title="Walk 10,000 steps", category="fitness", value=10000, period="day"):
    # as GoalWizard.tsx sends a recurring goal
    return {"title": title, "description": "", "category": category, "icon": "🚶", "color": "#22AA88",
            "goalPattern": "recurring", "metadata": {"isJournalLinked": False},
            "target": {"metric": "count", "value": value, "unit": "steps", "period": period, "direction": "increase",
                       "targetType": "minimum"},
            "schedule": {"frequency": "daily", "checkInFrequency": "daily", "catchUpAllowed": True}}


def test_a_recurring_goal_over_several_days(api, token):
    today = _zone(api, token, "America/New_York")
    goal = _create(api, token, _recurring())
    assert goal["status"] == "active" and goal["visibility"] == "private"
    assert goal["progress"] == {"percentComplete": 0, "successRate": 0, "trend": "stable", "currentPeriodValue": 0,
                                "remainingToGoal": 10000, "currentStreak": 0, "longestStreak": 0,
                                "periodHistory": [{"period": today.isoformat(), "achieved": False, "value": 0}]}
    assert goal["metadata"] == {"isJournalLinked": False}
    gid = goal["goalId"]
    _log(api, token, gid, 12000, today - timedelta(days=3))
    _log(api, token, gid, 8000, today - timedelta(days=2), "partial")
    _log(api, token, gid, 6000, today - timedelta(days=1))
    activity = _log(api, token, gid, 4000, today - timedelta(days=1), note="evening walk")
    assert activity["timezone"] == "America/New_York" and activity["note"] == "evening walk"
    assert activity["userId"] == goal["userId"] and activity["source"] == "manual"
    _log(api, token, gid, 3000)  # no date: today in New York
    p = _goal(api, token, gid)["progress"]
    # days -3 (12000 met), -2 (8000), -1 (10000 met) decided; today (3000) still open
    assert p["successRate"] == 66.67
    assert p["currentPeriodValue"] == 3000 and p["percentComplete"] == 30 and p["remainingToGoal"] == 7000
    assert p["currentStreak"] == 1 and p["longestStreak"] == 1
    assert [h["value"] for h in p["periodHistory"]] == [12000, 8000, 10000, 3000]
    assert parse_ts(p["lastActivityDate"])

    r = api.get(f"/goals/{gid}/progress?period=all", token=token)
    assert r.status_code == 200, r.text
    body = json_body(r)
    assert body["goalId"] == gid and body["period"] == "all"
    assert body["statistics"]["totalActivities"] == 5 and body["statistics"]["bestValue"] == 12000
    assert body["statistics"]["consistency"] == 100
    # four days of history: no best weekday yet; logged every day since the start
    assert "bestDayOfWeek" not in body["insights"]
    assert "You logged activity in 100% of days." in body["insights"]["successPatterns"]
    r = api.get(f"/goals/{gid}/activities?startDate={(today - timedelta(days=2)).isoformat()}&limit=2", token=token)
    assert r.status_code == 200, r.text
    page = json_body(r)
    assert page["pagination"] == {"page": 1, "limit": 2, "total": 4, "pages": 2}
    assert [a["activityDate"] for a in page["activities"]] == [today.isoformat(), (today - timedelta(days=1)).isoformat()]
    # the activity history filters by type; the web client's axios sends arrays as `name[]=`
    for query in ("activityType=partial", "activityType[]=partial", "activityType%5B%5D=partial&activityType=skipped"):
        r = api.get(f"/goals/{gid}/activities?{query}", token=token)
        assert r.status_code == 200, (query, r.text)
        assert [a["value"] for a in json_body(r)["activities"]] == [8000], query


def test_the_wizards_other_patterns_and_their_progress(api, token):
    today = _zone(api, token, "Europe/Berlin")
    # milestone without a target date, completed by its activities
    milestone = _create(api, token, {
        "title": "Write 1,000 words", "category": "creativity", "goalPattern": "milestone",
        "target": {"metric": "custom", "value": 1000, "unit": "words", "direction": "increase", "targetType": "exact",
                   "startValue": 0, "currentValue": 0}})
    _log(api, token, milestone["goalId"], 400, today - timedelta(days=1))
    g = _goal(api, token, milestone["goalId"])
    assert g["progress"]["totalAccumulated"] == 400 and g["progress"]["percentComplete"] == 40
    assert g["progress"]["remainingToGoal"] == 600
    # 400 over 2 days: 200 a day, 600 to go -> 3 days
    assert g["progress"]["projectedCompletion"] == (today + timedelta(days=3)).isoformat()
    _log(api, token, milestone["goalId"], 600)
    g = _goal(api, token, milestone["goalId"])
    assert g["status"] == "completed" and g["progress"]["percentComplete"] == 100
    assert parse_ts(g["completedAt"])
    assert_error(api.post(f"/goals/{milestone['goalId']}/activities", {"value": 1, "unit": "words", "activityType": "progress"},
                          token=token), 422, "GOAL_NOT_ACTIVE")

    # target: the wizard's targetDate is toISOString() of local midnight (22:00 or 23:00 UTC the day before)
    local_midnight = datetime.combine(today + timedelta(days=90), datetime.min.time(), ZoneInfo("Europe/Berlin"))
    target = _create(api, token, {
        "title": "Lose weight", "category": "health", "goalPattern": "target",
        "target": {"metric": "custom", "value": 180, "unit": "lbs", "direction": "decrease", "targetType": "exact",
                   "startValue": 200, "currentValue": 200,
                   "targetDate": local_midnight.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")}})
    assert target["target"]["targetDate"] == (today + timedelta(days=90)).isoformat()
    _log(api, token, target["goalId"], 199, today - timedelta(days=7))
    _log(api, token, target["goalId"], 195)
    p = _goal(api, token, target["goalId"])["progress"]
    assert p["percentComplete"] == 25 and p["remainingToGoal"] == 15 and p["trend"] == "improving"
    # 4 lbs in 7 days; 15 more -> 26.25 -> 27 days
    assert p["projectedCompletion"] == (today + timedelta(days=27)).isoformat()

    # streak without a period: days; three in a row up to today
    streak = _create(api, token, {
        "title": "Meditate", "category": "wellness", "goalPattern": "streak",
        "target": {"metric": "count", "value": 30, "unit": "days", "direction": "increase", "targetType": "exact"},
        "schedule": {"frequency": "daily", "checkInFrequency": "daily", "allowSkipDays": 0, "catchUpAllowed": False}})
    for back in (4, 2, 1, 0):
        _log(api, token, streak["goalId"], 1, today - timedelta(days=back), "completed")
    p = _goal(api, token, streak["goalId"])["progress"]
    assert p["currentStreak"] == 3 and p["longestStreak"] == 3 and p["percentComplete"] == 10

    # limit: at most 2 a day
    limit = _create(api, token, {
        "title": "Coffee", "category": "nutrition", "goalPattern": "limit",
        "target": {"metric": "custom", "value": 2, "unit": "cups", "period": "day", "direction": "decrease",
                   "targetType": "maximum"}, "schedule": {"checkInFrequency": "daily"}})
    _log(api, token, limit["goalId"], 3, today - timedelta(days=2))
    _log(api, token, limit["goalId"], 1, today - timedelta(days=1))
    p = _goal(api, token, limit["goalId"])["progress"]
    assert p["daysOverLimit"] == 1 and p["successRate"] == 50 and p["currentPeriodValue"] == 0


def test_activities_land_on_the_users_own_date(api, user, token):
    """Logged without a date, an activity is dated today where the user lives, on either side of
    the date line."""
    for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        today = _zone(api, token, name)
        goal = _create(api, token, _recurring(title=name))
        activity = _log(api, token, goal["goalId"], 1)
        assert activity["activityDate"] == today.isoformat(), (name, activity)
        assert activity["timezone"] == name


def test_lists_filter_sort_and_page(api, token):
    made = [_create(api, token, _recurring(title=f"Goal {n:02d}", category="fitness" if n % 3 else "sleep"))["goalId"]
            for n in range(45)]
    r = api.get("/goals?limit=20&page=2&sort=title_asc", token=token)
    assert r.status_code == 200, r.text
    body = json_body(r)
    assert body["pagination"] == {"page": 2, "limit": 20, "total": 45, "pages": 3}
    assert [g["title"] for g in body["goals"]] == [f"Goal {n:02d}" for n in range(20, 40)]
    r = api.get("/goals?category=sleep&limit=100", token=token)
    assert json_body(r)["pagination"]["total"] == 15
    # archive: readable, out of the default list, in the archived one
    r = api.delete(f"/goals/{made[0]}", token=token)
    assert r.status_code == 200, r.text
    assert _goal(api, token, made[0])["status"] == "archived"
    assert json_body(api.get("/goals?limit=100", token=token))["pagination"]["total"] == 44
    archived = json_body(api.get("/goals?status=archived", token=token))
    assert [g["goalId"] for g in archived["goals"]] == [made[0]]
    assert_error(api.post(f"/goals/{made[0]}/activities", {"value": 1, "unit": "x", "activityType": "progress"}, token=token),
                 422, "GOAL_NOT_ACTIVE")
    assert_error(api.put(f"/goals/{made[0]}", {"title": "back"}, token=token), 422, "GOAL_NOT_EDITABLE")
    # archiving again changes nothing; every status named lists both kinds
    r = api.delete(f"/goals/{made[0]}", token=token)
    assert r.status_code == 200, r.text
    assert _goal(api, token, made[0])["updatedAt"] == archived["goals"][0]["updatedAt"]
    r = api.get("/goals?status=archived&status=active&limit=100", token=token)
    assert json_body(r)["pagination"]["total"] == 45


def _aws_calls(api, driver, path, token) -> int:
    """The AWS calls the server made for one request, from its request log line."""
    rid = "goal-calls-" + uuid.uuid4().hex
    r = api.get(path, token=token, headers={"X-Request-Id": rid})
    assert r.status_code == 200, r.text
    lines = [json.loads(line) for line in driver.output_text().splitlines() if rid in line and '"request"' in line]
    assert len(lines) == 1, lines
    return int(lines[0]["aws_calls"])


def test_the_default_list_reads_no_archived_goal(api, driver, token):
    """Archived goals pile up over the years; the default list (what the goal screen shows) costs
    the same calls however many there are: archived goals are kept apart (AWS: one Query of the
    goals in use). The request log line says how many AWS calls a request made."""
    if driver.mode != "aws":
        pytest.skip("counts the AWS calls (AWS mode)")
    made = [_create(api, token, _recurring(title=f"Old {n}"))["goalId"] for n in range(3)]
    before = _aws_calls(api, driver, "/goals", token)
    assert before >= 1
    for goal_id in made[1:]:
        assert api.delete(f"/goals/{goal_id}", token=token).status_code == 200
    assert _aws_calls(api, driver, "/goals", token) == before
    assert [g["goalId"] for g in json_body(api.get("/goals", token=token))["goals"]] == made[:1]
    # the archived ones are read only when asked for, still readable one by one
    assert _aws_calls(api, driver, "/goals?status=archived", token) == before
    assert _aws_calls(api, driver, "/goals?status=archived&status=active", token) == before + 1
    assert _goal(api, token, made[2])["status"] == "archived"


def test_an_update_changes_part_of_the_target(api, token):
    _zone(api, token, "UTC")
    goal = _create(api, token, _recurring())
    r = api.put(f"/goals/{goal['goalId']}", {"title": "Walk more", "status": "paused", "target": {"value": 12000}}, token=token)
    assert r.status_code == 200, r.text
    g = json_body(r)
    assert g["title"] == "Walk more" and g["status"] == "paused"
    assert g["target"]["value"] == 12000 and g["target"]["period"] == "day" and g["target"]["unit"] == "steps"
    assert g["progress"]["remainingToGoal"] == 12000
    assert parse_ts(g["updatedAt"]) >= parse_ts(g["createdAt"])
    assert _goal(api, token, goal["goalId"]) == g


def test_bad_requests_name_every_field(api, token):
    assert_validation(api.post("/goals", {"title": "", "category": 7, "goalPattern": "habit", "color": "red",
                                          "target": {"value": -1, "unit": "x", "direction": "up"}}, token=token),
                      ["title", "category", "goalPattern", "color", "target.value", "target.direction", "target.metric"])
    assert_validation(api.post("/goals", {"title": "Steps", "category": "fitness", "goalPattern": "recurring",
                                          "target": {"metric": "count", "value": 1, "unit": "x", "direction": "increase"}},
                               token=token), ["target.period"])
    assert_error(api.post("/goals", {"title": "T", "category": "c", "goalPattern": "target",
                                     "target": {"metric": "weight", "value": 1, "unit": "kg", "direction": "decrease",
                                                "targetDate": "2001-01-01"}}, token=token), 422, "TARGET_DATE_IN_PAST")
    assert_validation(api.get("/goals?status=done&page=0&limit=101&sort=newest", token=token),
                      ["status", "page", "limit", "sort"])
    assert_validation(api.get("/goals/not-a-goal", token=token), ["goalId"])
    goal = _create(api, token, _recurring())
    assert_validation(api.post(f"/goals/{goal['goalId']}/activities", {"value": "12", "activityType": "done",
                                                                      "activityDate": "2024-02-30"}, token=token),
                      ["value", "unit", "activityType", "activityDate"])


def test_another_users_goal_is_not_found_anywhere(api, token):
    goal = _create(api, token, _recurring())
    other = api.access_token(api.new_user(tag="other"))
    gid = goal["goalId"]
    for r in (api.get(f"/goals/{gid}", token=other), api.put(f"/goals/{gid}", {"title": "mine"}, token=other),
              api.delete(f"/goals/{gid}", token=other), api.get(f"/goals/{gid}/activities", token=other),
              api.post(f"/goals/{gid}/activities", {"value": 1, "unit": "x", "activityType": "progress"}, token=other),
              api.get(f"/goals/{gid}/progress", token=other), api.get(f"/goals/{uuid.uuid4()}", token=token)):
        assert_error(r, 404, "GOAL_NOT_FOUND")
    assert json_body(api.get("/goals", token=other))["goals"] == []
    assert _goal(api, token, gid)["title"] == goal["title"], "untouched"
    assert_error(api.get("/goals"), 401)
    # a route with a path parameter is behind the JWT authorizer too, as API Gateway matches it
    r = api.get(f"/goals/{gid}", token="not-a-token")
    if behind_api_gateway():
        assert refused_by_the_authorizer(r), (r.status_code, r.text, dict(r.headers))
    else:
        assert_error(r, 401)


def test_concurrent_logs_all_count(api, token):
    _zone(api, token, "UTC")
    goal = _create(api, token, {"title": "Pages", "category": "learning", "goalPattern": "milestone",
                                "target": {"metric": "count", "value": 1000, "unit": "pages", "direction": "increase"}})

    def log(_):
        return api.post(f"/goals/{goal['goalId']}/activities", {"value": 1, "unit": "pages", "activityType": "progress"},
                        token=token).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(log, range(16)))
    assert codes == [201] * 16, codes
    g = _goal(api, token, goal["goalId"])
    assert g["progress"]["totalAccumulated"] == 16, "no activity lost"
    assert json_body(api.get(f"/goals/{goal['goalId']}/activities?limit=100", token=token))["pagination"]["total"] == 16


def test_deleting_the_account_deletes_its_goals(api, user, token):
    goal = _create(api, token, _recurring(title="Goal of a leaving user"))
    marker = f"note-{uuid.uuid4()}"
    _log(api, token, goal["goalId"], 1, note=marker)
    dump = api.driver.stored_text()
    assert goal["goalId"] in dump and marker in dump, "the store should hold the goal and its activity"
    r = api.delete("/users/profile", {"password": user.password}, token=token)
    assert r.status_code == 204, r.text
    dump = api.driver.stored_text()
    assert goal["goalId"] not in dump and marker not in dump, "the goal or its activity outlived the account"


def test_at_most_100_goals_in_use(api, token):
    """The per-user limit counts goals that are not archived: the 101st is refused with a clear
    code, and archiving one makes room."""
    made = [_create(api, token, _recurring(title=f"Goal {n}"))["goalId"] for n in range(100)]
    assert_error(api.post("/goals", _recurring(title="One too many"), token=token), 422, "GOAL_LIMIT_REACHED")
    assert api.delete(f"/goals/{made[0]}", token=token).status_code == 200
    _create(api, token, _recurring(title="Room again"))
    assert_error(api.post("/goals", _recurring(title="Full again"), token=token), 422, "GOAL_LIMIT_REACHED")
