"""MFA session tokens cannot be forged: a token this service did not issue answers one 401
INVALID_SESSION, the same whether or not the email belongs to an account, and nothing (a backup
code above all) is looked up or spent for it."""

from __future__ import annotations

import base64
import json

from api_support import assert_error, b64url, enable_mfa, json_body, new_email


def _verify(api, session, code):
    return api.post("/auth/mfa/verify", {"sessionToken": session, "code": code})


def _forgeries(email):
    """Tokens an attacker can make without any credential: the old unsealed format, and noise."""
    old = b64url(json.dumps({"s": "AYABeForgedCognitoSession", "u": email}).encode())
    return [old, "v1." + old, "v1." + b64url(b"\x00" * 80), base64.b64encode(b"garbage" * 10).decode()]


def _answer(r):
    body = assert_error(r, 401, "INVALID_SESSION")
    return (r.status_code, body["error"], body["message"], sorted(k for k in body if k not in ("request_id", "timestamp")))


def test_forged_sessions_answer_the_same_for_known_and_unknown_emails(api, user):
    setup, _ = enable_mfa(api, user)
    stranger = new_email("nobody")
    for known, unknown in zip(_forgeries(user.email), _forgeries(stranger)):
        for code in ("123456", "12345678", setup["backupCodes"][0]):
            a, b = _answer(_verify(api, known, code)), _answer(_verify(api, unknown, code))
            assert a == b, (a, b)


def test_a_forged_session_with_a_correct_backup_code_does_not_spend_it(api, user):
    setup, _ = enable_mfa(api, user)
    code = setup["backupCodes"][0]
    for forged in _forgeries(user.email):
        _answer(_verify(api, forged, code))
    # the owner's real login still accepts that code
    challenge = json_body(api.login(user.email, user.password))
    assert challenge.get("mfaRequired") is True
    r = _verify(api, challenge["sessionToken"], code)
    assert r.status_code == 200, r.text


def test_a_changed_real_session_is_refused(api, user):
    setup, _ = enable_mfa(api, user)
    session = json_body(api.login(user.email, user.password))["sessionToken"]
    i = len(session) // 2
    changed = session[:i] + ("A" if session[i] != "A" else "B") + session[i + 1:]
    _answer(_verify(api, changed, setup["backupCodes"][1]))
    # the untouched session still works
    assert _verify(api, session, setup["backupCodes"][1]).status_code == 200


def test_sixth_wrong_code_on_a_session_and_eleventh_on_an_account_answer_429(api, user):
    enable_mfa(api, user)
    wrong = "00000000"  # an 8-digit backup code this account does not have

    def session():
        body = json_body(api.login(user.email, user.password))
        assert body.get("mfaRequired") is True, body
        return body["sessionToken"]

    first = session()
    for _ in range(5):
        r = _verify(api, first, wrong)
        assert r.status_code in (400, 401), r.text
    r = _verify(api, first, wrong)
    assert_error(r, 429)
    assert int(r.headers["Retry-After"]) > 0

    second = session()
    for _ in range(5):  # the account's attempts 6 to 10
        r = _verify(api, second, wrong)
        assert r.status_code in (400, 401), r.text
    assert_error(_verify(api, session(), wrong), 429)  # the 11th on the account, on a fresh session
