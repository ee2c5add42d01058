"""What the app's shipped web client (React + axios) relies on beyond the contract's letter.

* It decides "MFA required" by the presence of the key (`"mfaRequired" in response`).
* Its MFA set-up screen shows the image from `qrCodeUrl`.
* axios sends `Content-Type: application/json` on every request, GETs and body-less POSTs too.
* It refreshes with `POST /auth/refresh {refreshToken}` and reads `accessToken` and `expiresIn`.
* It tells errors apart by `error`, validation errors by `validation_errors[].field/message`.
* It is served from the environment's web origins (CORS_ORIGIN, a comma-separated list).
"""

from __future__ import annotations

import base64

from api_support import assert_error, enable_mfa, json_body, mfa_setup

JSON = {"Content-Type": "application/json"}
AXIOS = {"Content-Type": "application/json", "Accept": "application/json, text/plain, */*"}


def test_a_login_without_mfa_carries_no_mfaRequired_key(api, user):
    body = json_body(api.login(user.email, user.password))
    assert "mfaRequired" not in body, body
    assert body["accessToken"] and body["refreshToken"] and body["user"]["email"] == user.email.lower()


def test_an_mfa_login_carries_mfaRequired_true_and_a_session(api, user):
    enable_mfa(api, user)
    body = json_body(api.login(user.email, user.password))
    assert body.get("mfaRequired") is True and body.get("sessionToken"), body
    assert "accessToken" not in body


def test_mfa_setup_gives_the_qr_image_as_qrCode_and_qrCodeUrl(api, user):
    setup = mfa_setup(api, api.access_token(user))
    assert setup["qrCodeUrl"] == setup["qrCode"]
    prefix = "data:image/png;base64,"
    assert setup["qrCodeUrl"].startswith(prefix)
    assert base64.b64decode(setup["qrCodeUrl"][len(prefix):]).startswith(b"\x89PNG\r\n\x1a\n")


def test_json_content_type_on_requests_without_a_body(api, user):
    token = api.access_token(user)
    assert api.get("/health", headers=AXIOS).status_code == 200
    r = api.get("/users/profile", token=token, headers=AXIOS)
    assert r.status_code == 200, r.text
    # axios: POST with no data still says application/json; with and without Content-Length: 0
    r = api.request("POST", "/auth/mfa/setup", token=token, headers=JSON)
    assert r.status_code == 200, r.text
    assert json_body(r)["qrCodeUrl"]
    token2 = api.access_token(user)
    r = api.request("POST", "/auth/mfa/setup", token=token2, headers={**JSON, "Content-Length": "0"}, data=b"")
    assert r.status_code == 200, r.text
    r = api.request("POST", "/auth/mfa/setup", token=token2,
                    headers={"Content-Type": "application/json; charset=utf-8"}, data=b"")
    assert r.status_code == 200, r.text


def test_refresh_as_the_client_does_it(api, user):
    refresh = api.tokens(user)["refreshToken"]
    r = api.request("POST", "/auth/refresh", data='{"refreshToken":"%s"}' % refresh, headers=AXIOS)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["accessToken"], str) and body["accessToken"]
    assert isinstance(body["expiresIn"], int) and body["expiresIn"] > 0
    assert api.get("/users/profile", token=body["accessToken"]).status_code == 200


def test_errors_are_told_apart_by_error_and_validation_errors(api):
    r = api.post("/auth/register", {"email": "nope", "password": "x", "firstName": "", "lastName": "Doe"})
    body = assert_error(r, 400, "VALIDATION_ERROR")
    fields = {e["field"]: e["message"] for e in body["validation_errors"]}
    assert {"email", "password", "firstName"} <= set(fields), fields
    assert all(isinstance(m, str) and m for m in fields.values())
    assert assert_error(api.login("nobody@example.com", "Wrong-Passw0rd!"), 401)["error"] == "INVALID_CREDENTIALS"


# ---------------------------------------------------------------- CORS allow-list

WEB = "https://ailifestyle.app"
STAGING = "https://staging.ailifestyle.app"


def _preflight(api, origin, method, path):
    return api.request("OPTIONS", path, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type"})


def test_cors_allow_list_echoes_each_listed_origin(api_factory):
    listed = api_factory({"CORS_ORIGIN": f"{WEB},{STAGING}"})
    for origin in (WEB, STAGING):
        r = listed.get("/health", headers={"Origin": origin})
        assert r.headers.get("Access-Control-Allow-Origin") == origin, r.headers
        assert "origin" in {v.strip().lower() for v in r.headers.get("Vary", "").split(",")}, r.headers
        assert "x-request-id" in r.headers.get("Access-Control-Expose-Headers", "").lower()
        err = listed.get("/users/profile", headers={"Origin": origin})
        assert err.status_code == 401 and err.headers.get("Access-Control-Allow-Origin") == origin
        p = _preflight(listed, origin, "DELETE", "/users/profile")
        assert p.status_code == 204 and p.headers.get("Access-Control-Allow-Origin") == origin
        assert "DELETE" in p.headers.get("Access-Control-Allow-Methods", "")
        assert "origin" in p.headers.get("Vary", "").lower()

    for other in ("https://evil.example", "https://staging.ailifestyle.app.evil.example", "http://ailifestyle.app"):
        r = listed.get("/health", headers={"Origin": other})
        assert r.status_code == 200
        assert not [h for h in r.headers if h.lower().startswith("access-control-")], r.headers
        # a cache keyed without Origin must not hand this answer to a listed origin
        assert "origin" in r.headers.get("Vary", "").lower()
