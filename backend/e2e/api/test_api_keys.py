"""Optional API keys (issue 13): an environment that turns them on refuses every request
without a valid ``x-api-key`` except health and the CORS preflight, with one answer for a
missing and a wrong key (401 ``INVALID_API_KEY``, nothing else revealed). Only the keys'
SHA-256 is configured (``API_KEYS`` locally, a Secrets Manager secret named by
``API_KEYS_SECRET_ID`` on AWS); two keys at once let a client rotate; the key's name, never the
key, reaches the log.

Without API keys configured (every other test in this suite) no header is needed.
"""

from __future__ import annotations

import hashlib
import json
import secrets

import pytest

import api_support
import drivers
from api_support import assert_error, refused_by_the_authorizer

WEB_OLD = "lk_" + secrets.token_urlsafe(32)
WEB_NEW = "lk_" + secrets.token_urlsafe(32)
ORIGIN = "https://ailifestyle.app"


def _keys_document(*pairs: tuple[str, str]) -> str:
    return json.dumps({"keys": [{"name": name, "sha256": hashlib.sha256(key.encode()).hexdigest()}
                                for name, key in pairs]})


@pytest.fixture(scope="module")
def keyed(driver):
    """A second server of this mode that requires API keys (web-2026-11 and web-2026-12)."""
    doc = _keys_document(("web-2026-11", WEB_OLD), ("web-2026-12", WEB_NEW))
    d = driver.spawn({"CORS_ORIGIN": ORIGIN})
    if isinstance(d, drivers.AwsDriver):
        arn = d._client("secretsmanager").create_secret(Name="api-handler-dev-api-keys", SecretString=doc)["ARN"]
        d.extra_env["API_KEYS_SECRET_ID"] = arn
    else:
        d.extra_env["API_KEYS"] = doc
    d.start()
    try:
        yield api_support.Api(d)
    finally:
        d.cleanup()


def test_without_a_key_every_route_but_health_and_preflight_is_refused(keyed):
    assert keyed.get("/health").status_code == 200
    pre = keyed.request("OPTIONS", "/auth/login", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-api-key"})
    assert pre.status_code == 204
    assert "x-api-key" in pre.headers.get("Access-Control-Allow-Headers", "").lower()

    for method, path, body in (("POST", "/auth/register", {"email": "a@example.com"}),
                               ("POST", "/auth/login", {"email": "a@example.com", "password": "x"}),
                               ("GET", "/users/profile", None), ("POST", "/no/such/route", {})):
        r = keyed.request(method, path, json_body=body, headers={"Origin": ORIGIN})
        if path == "/users/profile" and refused_by_the_authorizer(r):
            # behind API Gateway the JWT authorizer refuses a protected route without a token
            # before the function (and its key check) sees it; refused all the same
            assert r.headers.get("Access-Control-Allow-Origin") == ORIGIN, dict(r.headers)
            continue
        assert_error(r, 401, "INVALID_API_KEY")
        # the browser app can read why (CORS headers on the refusal too)
        assert r.headers.get("Access-Control-Allow-Origin") == ORIGIN, (path, dict(r.headers))


def test_a_wrong_key_gets_the_same_answer_as_none(keyed):
    body = {"email": "a@example.com", "password": "x"}
    missing = keyed.post("/auth/login", body)
    wrong = keyed.post("/auth/login", body, headers={"x-api-key": WEB_OLD[:-1] + ("A" if WEB_OLD[-1] != "A" else "B")})
    empty = keyed.post("/auth/login", body, headers={"x-api-key": ""})
    for r in (missing, wrong, empty):
        assert_error(r, 401, "INVALID_API_KEY")
    strip = lambda r: {k: v for k, v in r.json().items() if k not in ("request_id", "timestamp")}  # noqa: E731
    assert strip(missing) == strip(wrong) == strip(empty)
    assert set(missing.headers) == set(wrong.headers)


def test_both_keys_of_a_rotation_work_and_only_names_reach_the_log(keyed):
    for key in (WEB_OLD, WEB_NEW):
        r = keyed.post("/auth/login", {"email": api_support.new_email("keyed"), "password": "Wrong-pass1!"},
                       headers={"x-api-key": key})
        assert_error(r, 401, "INVALID_CREDENTIALS")  # past the key check, into the app
    user = api_support.User(email=api_support.new_email("keyed"), password=api_support.new_password())
    r = keyed.post("/auth/register", {"email": user.email, "password": user.password, "firstName": user.first_name,
                                      "lastName": user.last_name}, headers={"x-api-key": WEB_NEW})
    assert r.status_code == 201, r.text
    log = keyed.driver.output_text()
    assert "web-2026-11" in log and "web-2026-12" in log
    assert WEB_OLD not in log and WEB_NEW not in log
    assert hashlib.sha256(WEB_OLD.encode()).hexdigest() not in log
