"""User lookup (to share with someone): another user's id and email, found by email or id, and
nothing more; unverified and unknown accounts are not found; each caller has a budget of
lookups, so the operations are no way to enumerate the users."""

from __future__ import annotations

import uuid

from api_support import assert_error, assert_validation, behind_api_gateway, json_body, refused_by_the_authorizer


def test_a_user_is_found_by_email_and_by_id_with_nothing_more(api, driver):
    me, other = api.new_user(tag="looker"), api.new_user(tag="found")
    token = api.access_token(me)
    r = api.put("/users/profile", {"firstName": "Ada", "lastName": "Lovelace", "timezone": "Europe/London"},
                token=api.access_token(other))
    assert r.status_code == 200, r.text
    expected = {"userId": other.user_id, "email": other.email, "username": "Ada Lovelace"}
    r = api.get(f"/users/by-email/{other.email.upper()}", token=token)
    assert r.status_code == 200, r.text
    assert json_body(r) == expected, "UserBasicInfo only: no profile, preferences or MFA state"
    r = api.get(f"/users/{other.user_id.upper()}", token=token)
    assert r.status_code == 200, r.text
    assert json_body(r) == expected
    # the caller's own profile is still the profile operation (a literal path beats {userId})
    assert json_body(api.get("/users/profile", token=token))["userId"] == me.user_id
    # the looked-up email was in the request's path; no log line holds it
    if hasattr(driver, "output_text"):
        log = driver.output_text().lower()
        assert other.email.lower() not in log and other.email.split("@")[0].lower() not in log


def test_unknown_and_unverified_users_are_not_found_and_bad_input_is_named(api):
    me = api.new_user(tag="looker")
    token = api.access_token(me)
    unverified = api.new_user(verified=False, tag="unverified")
    assert_error(api.get(f"/users/by-email/{unverified.email}", token=token), 404, "USER_NOT_FOUND")
    assert_error(api.get(f"/users/{unverified.user_id}", token=token), 404, "USER_NOT_FOUND")
    assert_error(api.get("/users/by-email/nobody-" + uuid.uuid4().hex + "@example.com", token=token), 404, "USER_NOT_FOUND")
    assert_error(api.get(f"/users/{uuid.uuid4()}", token=token), 404, "USER_NOT_FOUND")
    assert_validation(api.get("/users/by-email/not-an-email", token=token), ["email"])
    assert_validation(api.get("/users/not-a-uuid", token=token), ["userId"])
    for path in (f"/users/by-email/{me.email}", f"/users/{me.user_id}"):
        r = api.get(path)
        if behind_api_gateway():
            assert refused_by_the_authorizer(r), (r.status_code, r.text)
        else:
            assert_error(r, 401, "UNAUTHORIZED")


def test_each_caller_has_a_budget_of_lookups(api):
    me, second = api.new_user(tag="looker"), api.new_user(tag="second")
    token = api.access_token(me)
    for n in range(30):
        path = f"/users/{uuid.uuid4()}" if n % 2 else f"/users/by-email/{second.email}"
        r = api.get(path, token=token)
        assert r.status_code in (200, 404), (n, r.text)
    r = api.get(f"/users/by-email/{second.email}", token=token)
    assert_error(r, 429, "RATE_LIMITED")
    assert int(r.headers["Retry-After"]) > 0
    # another caller's budget is their own
    r = api.get(f"/users/{me.user_id}", token=api.access_token(second))
    assert r.status_code == 200, r.text
