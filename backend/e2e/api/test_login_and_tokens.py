"""POST /v1/auth/login, POST /v1/auth/refresh, token claims, brute-force limit."""

from __future__ import annotations

import time

import pytest

from api_support import (
    assert_error,
    assert_login_body,
    assert_profile,
    assert_validation,
    json_body,
    jwt_parts,
    new_email,
    new_password,
    verify_es256,
)

ACCESS_CLAIMS = {"sub", "iss", "token_use", "client_id", "exp", "iat", "auth_time", "jti", "username"}
ID_CLAIMS = {"sub", "iss", "aud", "token_use", "email", "email_verified", "exp", "iat", "auth_time"}


def test_login_returns_tokens_and_profile(api, user):
    r = api.login(user.email, user.password)
    assert r.status_code == 200, r.text
    body = json_body(r)
    assert_login_body(body, user)
    assert body["user"]["emailVerified"] is True
    assert body["user"]["mfaEnabled"] is False
    p = api.get("/users/profile", token=body["accessToken"])
    assert p.status_code == 200, p.text
    assert_profile(p.json(), user)


def test_login_email_is_case_insensitive(api, user):
    r = api.login(user.email.upper(), user.password)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["userId"] == user.user_id


def test_access_and_id_token_claims(api, user):
    now = time.time()
    body = api.tokens(user)
    h, c, _ = jwt_parts(body["accessToken"])
    # ES256 from the local identity provider, RS256 from Cognito: asymmetric either way.
    expected_alg = getattr(api.driver, "token_alg", "ES256")
    assert h.get("alg") == expected_alg, h
    missing = ACCESS_CLAIMS - set(c)
    assert not missing, f"access token lacks {missing}: {c}"
    assert c["token_use"] == "access"
    assert c["sub"] == user.user_id
    assert isinstance(c["username"], str) and c["username"]
    assert isinstance(c["jti"], str) and c["jti"]
    assert isinstance(c["client_id"], str) and c["client_id"]
    assert abs(c["iat"] - now) < 120
    assert c["exp"] - c["iat"] == 3600, c
    assert c["auth_time"] <= c["iat"] + 1

    h2, ic, _ = jwt_parts(body["idToken"])
    assert h2.get("alg") == expected_alg, h2
    missing = ID_CLAIMS - set(ic) - ({"email_verified"} if "no-email-verified-claim" in api.driver.emulator_limits else set())
    assert not missing, f"id token lacks {missing}: {ic}"
    assert ic["token_use"] == "id"
    assert ic["sub"] == user.user_id
    assert ic["email"].lower() == user.email.lower()
    assert ic.get("email_verified", True) is True
    assert ic["iss"] == c["iss"]
    assert ic["aud"] == c["client_id"] or c["client_id"] in (ic["aud"] if isinstance(ic["aud"], list) else [])
    assert ic["exp"] - ic["iat"] == 3600, ic

    # a second login gets a distinct access token id
    _, c2, _ = jwt_parts(api.tokens(user)["accessToken"])
    assert c2["jti"] != c["jti"]


def test_tokens_are_signed_by_the_servers_key(api, user, signing_key):
    body = api.tokens(user)
    pub = signing_key.public_key()
    assert verify_es256(body["accessToken"], pub)
    assert verify_es256(body["idToken"], pub)


def test_unknown_email_and_wrong_password_look_the_same(api, user):
    wrong = assert_error(api.login(user.email, user.password + "x"), 401)
    unknown = assert_error(api.login(new_email("nobody"), user.password), 401)
    assert wrong["message"] == unknown["message"]
    assert wrong["error"] == unknown["error"]
    assert "accessToken" not in wrong


def test_login_validation(api):
    assert_validation(api.post("/auth/login", {}), ["email", "password"])
    assert_validation(api.post("/auth/login", {"email": "nope", "password": 7}), ["email", "password"])


def test_sixth_attempt_after_five_failures_is_429(api, user):
    for i in range(5):
        assert_error(api.login(user.email, f"Wrong{i}!pass"), 401)
    # 6th attempt, even with the right password, is refused
    r = api.login(user.email, user.password)
    assert_error(r, 429)
    ra = r.headers.get("Retry-After")
    assert ra is not None and ra.isdigit(), f"Retry-After must be delta-seconds, got {ra!r}"
    assert 1 <= int(ra) <= 15 * 60
    # the limit is per email: other accounts still log in
    other = api.new_user()
    assert api.login(other.email, other.password).status_code == 200


def test_failed_login_limit_also_applies_to_unknown_emails(api):
    email = new_email("ghost")
    for _ in range(5):
        assert_error(api.login(email, "Wrong1!pass"), 401)
    r = api.login(email, "Wrong1!pass")
    assert_error(r, 429)
    assert r.headers.get("Retry-After", "").isdigit()


def test_refresh_is_repeatable_and_gives_working_tokens(api, user):
    body = api.tokens(user)
    for _ in range(2):
        r = api.post("/auth/refresh", {"refreshToken": body["refreshToken"]})
        assert r.status_code == 200, r.text
        fresh = json_body(r)
        assert fresh["tokenType"] == "Bearer"
        assert fresh["expiresIn"] == 3600
        assert isinstance(fresh["accessToken"], str) and isinstance(fresh["idToken"], str)
        _, c, _ = jwt_parts(fresh["accessToken"])
        assert c["token_use"] == "access" and c["sub"] == user.user_id
        p = api.get("/users/profile", token=fresh["accessToken"])
        assert p.status_code == 200, p.text
        assert p.json()["userId"] == user.user_id


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
def test_refresh_with_invalid_token_is_401(api, token):
    assert_error(api.post("/auth/refresh", {"refreshToken": token}), 401)


def test_refresh_rejects_access_token(api, user):
    body = api.tokens(user)
    assert_error(api.post("/auth/refresh", {"refreshToken": body["accessToken"]}), 401)


def test_refresh_requires_token_field(api):
    assert_validation(api.post("/auth/refresh", {}), ["refreshToken"])
