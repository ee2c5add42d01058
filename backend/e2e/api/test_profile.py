"""GET/PUT /v1/users/profile."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from api_support import assert_profile, assert_validation, json_body, parse_ts


@pytest.fixture()
def token(api, user):
    return api.access_token(user)


def _get(api, token):
    r = api.get("/users/profile", token=token)
    assert r.status_code == 200, r.text
    return json_body(r)


def _put(api, token, body):
    return api.put("/users/profile", body, token=token)


def test_get_profile(api, user, token):
    p = _get(api, token)
    assert_profile(p, user)
    assert p["emailVerified"] is True
    assert p["mfaEnabled"] is False
    assert parse_ts(p["createdAt"]) <= parse_ts(p["updatedAt"])


def test_full_update_round_trips(api, user, token):
    before = _get(api, token)
    time.sleep(0.01)
    update = {
        "firstName": "Mary-Jane",
        "lastName": "Van Der Berg",
        "phoneNumber": "+14155550123",
        "dateOfBirth": "1990-05-17",
        "timezone": "Europe/Berlin",
        "preferences": {
            "units": "imperial",
            "language": "de-DE",
            "notifications": {"email": False, "push": True, "sms": True},
            "dietaryRestrictions": ["vegan", "gluten-free"],
            "fitnessGoals": ["endurance", "flexibility"],
        },
    }
    r = _put(api, token, update)
    assert r.status_code == 200, r.text
    p = json_body(r)
    for k in ("firstName", "lastName", "phoneNumber", "dateOfBirth", "timezone"):
        assert p[k] == update[k], (k, p[k])
    prefs = p["preferences"]
    assert prefs["units"] == "imperial" and prefs["language"] == "de-DE"
    assert prefs["notifications"] == {"email": False, "push": True, "sms": True}
    assert sorted(prefs["dietaryRestrictions"]) == ["gluten-free", "vegan"]
    assert sorted(prefs["fitnessGoals"]) == ["endurance", "flexibility"]
    assert p["userId"] == user.user_id and p["email"] == before["email"]
    assert p["createdAt"] == before["createdAt"]
    assert parse_ts(p["updatedAt"]) > parse_ts(before["updatedAt"])
    # persisted
    again = _get(api, token)
    assert again == p


def test_partial_update_keeps_other_fields_and_merges_preferences(api, token):
    r = _put(api, token, {"timezone": "America/New_York", "preferences": {"units": "imperial", "fitnessGoals": ["muscle-gain"]}})
    assert r.status_code == 200, r.text
    base = json_body(r)
    r = _put(api, token, {"preferences": {"notifications": {"email": False}}})
    assert r.status_code == 200, r.text
    p = json_body(r)
    assert p["timezone"] == "America/New_York"
    assert p["firstName"] == base["firstName"]
    prefs = p["preferences"]
    assert prefs["units"] == "imperial"
    assert prefs["fitnessGoals"] == ["muscle-gain"]
    assert prefs["language"] == base["preferences"]["language"]
    assert prefs["notifications"]["email"] is False
    assert prefs["notifications"]["push"] == base["preferences"]["notifications"]["push"]
    assert prefs["notifications"]["sms"] == base["preferences"]["notifications"]["sms"]


def test_empty_update_changes_nothing(api, token):
    before = _get(api, token)
    r = _put(api, token, {})
    assert r.status_code == 200, r.text
    p = json_body(r)
    for k in ("firstName", "lastName", "preferences", "email", "createdAt"):
        assert p[k] == before[k]


def test_phone_null_clears(api, token):
    assert _put(api, token, {"phoneNumber": "+447911123456"}).json()["phoneNumber"] == "+447911123456"
    r = _put(api, token, {"phoneNumber": None})
    assert r.status_code == 200, r.text
    assert json_body(r).get("phoneNumber") is None
    assert _get(api, token).get("phoneNumber") is None


@pytest.mark.parametrize("phone", ["14155550123", "+4915112345678"])
def test_valid_phones(api, token, phone):
    r = _put(api, token, {"phoneNumber": phone})
    assert r.status_code == 200, r.text
    assert r.json()["phoneNumber"] == phone


def test_read_only_fields_cannot_be_changed(api, user, token):
    before = _get(api, token)
    r = _put(api, token, {"firstName": "Ann", "email": "evil@example.com", "userId": "00000000-0000-0000-0000-000000000000", "emailVerified": False, "mfaEnabled": True})
    # either ignored or refused -- never applied
    assert r.status_code in (200, 400), r.text
    p = _get(api, token)
    assert p["email"] == before["email"]
    assert p["userId"] == user.user_id
    assert p["emailVerified"] is True and p["mfaEnabled"] is False


TOMORROW = (date.today() + timedelta(days=2)).isoformat()

INVALID = [
    ("firstName", "J4ne"),
    ("firstName", ""),
    ("firstName", "A" * 51),
    ("lastName", "Doe!"),
    ("phoneNumber", "0123456"),
    ("phoneNumber", "+0123"),
    ("phoneNumber", "+1234567890123456"),
    ("phoneNumber", "phone"),
    ("dateOfBirth", "1990-13-01"),
    ("dateOfBirth", "17/05/1990"),
    ("dateOfBirth", "1990-02-30"),
    ("dateOfBirth", TOMORROW),
    ("timezone", "Mars/Olympus_Mons"),
    ("timezone", "not a zone"),
    ("timezone", "Europe/Berlinx"),
]


@pytest.mark.parametrize("field,value", INVALID)
def test_invalid_top_level_fields(api, token, field, value):
    before = _get(api, token)
    assert_validation(_put(api, token, {field: value}), [field])
    assert _get(api, token) == before


INVALID_PREFS = [
    ({"units": "kelvin"}, "preferences.units"),
    ({"language": "EN"}, "preferences.language"),
    ({"language": "en-us"}, "preferences.language"),
    ({"language": "english"}, "preferences.language"),
    ({"notifications": {"email": "yes"}}, "preferences.notifications.email"),
    ({"dietaryRestrictions": ["carnivore"]}, "preferences.dietaryRestrictions"),
    ({"dietaryRestrictions": "vegan"}, "preferences.dietaryRestrictions"),
    ({"fitnessGoals": ["get-rich"]}, "preferences.fitnessGoals"),
]


@pytest.mark.parametrize("prefs,field", INVALID_PREFS)
def test_invalid_preferences(api, token, prefs, field):
    before = _get(api, token)
    assert_validation(_put(api, token, {"preferences": prefs}), [field])
    assert _get(api, token) == before


def test_every_failing_field_is_listed(api, token):
    r = _put(
        api,
        token,
        {
            "firstName": "1",
            "lastName": "2",
            "phoneNumber": "x",
            "dateOfBirth": "yesterday",
            "timezone": "Nowhere/Land",
            "preferences": {
                "units": "stones",
                "language": "xx_YY",
                "dietaryRestrictions": ["paleo"],
                "fitnessGoals": ["nap"],
            },
        },
    )
    assert_validation(
        r,
        [
            "firstName",
            "lastName",
            "phoneNumber",
            "dateOfBirth",
            "timezone",
            "preferences.units",
            "preferences.language",
            "preferences.dietaryRestrictions",
            "preferences.fitnessGoals",
        ],
    )


def test_all_enum_values_accepted(api, token):
    diets = ["vegan", "vegetarian", "gluten-free", "dairy-free", "nut-free", "halal", "kosher"]
    goals = ["weight-loss", "muscle-gain", "endurance", "flexibility", "general-health"]
    r = _put(api, token, {"preferences": {"dietaryRestrictions": diets, "fitnessGoals": goals, "units": "metric", "language": "en"}})
    assert r.status_code == 200, r.text
    prefs = r.json()["preferences"]
    assert sorted(prefs["dietaryRestrictions"]) == sorted(diets)
    assert sorted(prefs["fitnessGoals"]) == sorted(goals)
    assert prefs["language"] == "en" and prefs["units"] == "metric"
