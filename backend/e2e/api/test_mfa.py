"""MFA: setup, verify-setup, login challenge, TOTP and backup codes, disable."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from api_support import (
    TotpDevice,
    assert_error,
    assert_login_body,
    assert_validation,
    b32decode_lenient,
    current_step,
    decode_qr_data_uri,
    enable_mfa,
    json_body,
    mfa_setup,
    totp_at_step,
)


def _challenge(api, user) -> str:
    r = api.login(user.email, user.password)
    assert r.status_code == 200, r.text
    body = json_body(r)
    assert body.get("mfaRequired") is True, body
    assert body.get("tokenType") == "Bearer", body
    for k in ("accessToken", "idToken", "refreshToken"):
        assert k not in body, f"MFA challenge must not contain {k}"
    assert isinstance(body.get("sessionToken"), str) and body["sessionToken"]
    return body["sessionToken"]


def test_setup_returns_secret_qr_uri_and_backup_codes(api, user, tmp_path):
    setup = mfa_setup(api, api.access_token(user))
    secret = setup["secret"]
    assert re.fullmatch(r"[A-Z2-7]+=*", secret), secret
    if "fixed-short-totp-secret" not in api.driver.emulator_limits:
        assert len(b32decode_lenient(secret)) >= 10, "TOTP secret must be at least 80 bits"
    uri = setup["otpauthUri"]
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp", uri
    q = parse_qs(parsed.query)
    assert q.get("secret") == [secret], uri
    assert f"secret={secret}" in uri
    for k, v in (("algorithm", "SHA1"), ("digits", "6"), ("period", "30")):
        if k in q:
            assert q[k] == [v], uri
    assert user.email.lower() in unquote(parsed.path).lower() or user.email.lower() in unquote(uri).lower()
    codes = setup["backupCodes"]
    assert isinstance(codes, list) and len(codes) == 8, codes
    assert all(isinstance(c, str) and re.fullmatch(r"\d{8}", c) for c in codes), codes
    assert len(set(codes)) == 8, "backup codes must be distinct"
    assert decode_qr_data_uri(setup["qrCode"], tmp_path) == uri
    # not enabled until verified
    assert api.get("/users/profile", token=api.access_token(user)).json()["mfaEnabled"] is False


def test_verify_setup_enables_mfa(api, user):
    token = api.access_token(user)
    setup = mfa_setup(api, token)
    device = TotpDevice(setup["secret"])
    r = api.post("/auth/mfa/verify-setup", {"code": device.next_code()}, token=token)
    assert r.status_code == 200, r.text
    body = json_body(r)
    assert body["mfaEnabled"] is True
    assert body["backupCodesRemaining"] == 8
    assert isinstance(body["message"], str)
    _challenge(api, user)


def test_verify_setup_with_wrong_code_keeps_mfa_off(api, user):
    token = api.access_token(user)
    setup = mfa_setup(api, token)
    good = totp_at_step(setup["secret"], current_step())
    wrong = f"{(int(good) + 1) % 1000000:06d}"
    assert_error(api.post("/auth/mfa/verify-setup", {"code": wrong}, token=token), 400)
    assert api.get("/users/profile", token=token).json()["mfaEnabled"] is False
    assert "mfaRequired" not in api.login(user.email, user.password).json()


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", ""])
def test_verify_setup_code_format(api, user, code):
    token = api.access_token(user)
    mfa_setup(api, token)
    assert_validation(api.post("/auth/mfa/verify-setup", {"code": code}, token=token), ["code"])


def test_mfa_login_with_totp_and_replay_refused(api, user):
    setup, device = enable_mfa(api, user)
    session = _challenge(api, user)
    code = device.next_code()
    r = api.post("/auth/mfa/verify", {"sessionToken": session, "code": code})
    assert r.status_code == 200, r.text
    body = json_body(r)
    assert_login_body(body, user)
    assert body["user"]["mfaEnabled"] is True
    assert api.get("/users/profile", token=body["accessToken"]).status_code == 200
    # the same code (same time step) cannot be used again
    session2 = _challenge(api, user)
    if "totp-replay" not in api.driver.emulator_limits:
        assert_error(api.post("/auth/mfa/verify", {"sessionToken": session2, "code": code}), 400)


def test_totp_window_is_plus_minus_one_step(api, user):
    setup, device = enable_mfa(api, user)
    secret = setup["secret"]
    session = _challenge(api, user)
    far = totp_at_step(secret, current_step() + 3)
    assert_error(api.post("/auth/mfa/verify", {"sessionToken": session, "code": far}), 400)
    session = _challenge(api, user)
    old = totp_at_step(secret, current_step() - 3)
    assert_error(api.post("/auth/mfa/verify", {"sessionToken": session, "code": old}), 400)
    # next step (+1) is accepted
    session = _challenge(api, user)
    r = api.post("/auth/mfa/verify", {"sessionToken": session, "code": device.next_code()})
    assert r.status_code == 200, r.text


def test_backup_code_is_single_use(api, user):
    setup, _ = enable_mfa(api, user)
    backup = setup["backupCodes"][3]
    r = api.post("/auth/mfa/verify", {"sessionToken": _challenge(api, user), "code": backup})
    assert r.status_code == 200, r.text
    assert_login_body(r.json(), user)
    assert_error(api.post("/auth/mfa/verify", {"sessionToken": _challenge(api, user), "code": backup}), 400)
    # another backup code still works
    r = api.post("/auth/mfa/verify", {"sessionToken": _challenge(api, user), "code": setup["backupCodes"][4]})
    assert r.status_code == 200, r.text


def test_mfa_verify_with_invalid_session_token(api, user):
    setup, device = enable_mfa(api, user)
    r = api.post("/auth/mfa/verify", {"sessionToken": "not-a-session", "code": device.next_code()})
    assert r.status_code in (400, 401), r.text
    assert_error(r, r.status_code)


def test_mfa_session_token_is_not_an_access_token(api, user):
    enable_mfa(api, user)
    session = _challenge(api, user)
    assert_error(api.get("/users/profile", token=session), 401)


def test_mfa_verify_validation(api):
    assert_validation(api.post("/auth/mfa/verify", {}), ["sessionToken", "code"])
    assert_validation(api.post("/auth/mfa/verify", {"sessionToken": "x", "code": "12ab"}), ["code"])


def test_disable_needs_the_right_password(api, user):
    _, device = enable_mfa(api, user)
    session = _challenge(api, user)
    r = api.post("/auth/mfa/verify", {"sessionToken": session, "code": device.next_code()})
    assert r.status_code == 200, r.text
    token = r.json()["accessToken"]
    assert_error(api.post("/auth/mfa/disable", {"password": user.password + "x"}, token=token), 400)
    assert api.get("/users/profile", token=token).json()["mfaEnabled"] is True
    _challenge(api, user)  # still on
    r = api.post("/auth/mfa/disable", {"password": user.password}, token=token)
    assert r.status_code == 200, r.text
    assert json_body(r)["mfaEnabled"] is False
    body = api.login(user.email, user.password).json()
    assert "mfaRequired" not in body and body["accessToken"]
    assert body["user"]["mfaEnabled"] is False


def test_disable_validation(api, user):
    assert_validation(api.post("/auth/mfa/disable", {}, token=api.access_token(user)), ["password"])


def test_setup_requires_authentication(api):
    assert_error(api.post("/auth/mfa/setup"), 401)
    assert_error(api.post("/auth/mfa/verify-setup", {"code": "123456"}), 401)
    assert_error(api.post("/auth/mfa/disable", {"password": "Aa1!aaaa"}), 401)
