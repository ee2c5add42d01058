"""The end-to-end user journey, then: the server output leaks none of its secrets."""

from __future__ import annotations

import re
import uuid

import pytest

from api_support import (
    EMAIL_DOMAIN,
    TotpDevice,
    User,
    assert_error,
    assert_login_body,
    assert_profile,
    decode_qr_data_uri,
    json_body,
    new_password,
)


@pytest.fixture(scope="module")
def journey_record():
    """Secrets seen during the journey, shared with the leak check below."""
    return {"secrets": set(), "emails": set(), "completed": False}


def run_journey(api, record, workdir):
    secrets = record["secrets"]

    def keep(*values):
        for v in values:
            if isinstance(v, str) and v:
                secrets.add(v)
        return values[0] if len(values) == 1 else values

    email = f"Journey.{uuid.uuid4().hex[:10]}@{EMAIL_DOMAIN}"
    record["emails"].add(email)
    user = User(email=email, password=keep(new_password()), first_name="Jane", last_name="Doe")

    # register -> verify
    r = api.register(user)
    assert r.status_code == 201, r.text
    user.user_id = r.json()["userId"]
    assert_error(api.login(user.email, user.password), 403, "USER_NOT_CONFIRMED")
    verify_token = keep(api.wait_mail_token(user.email, "verify-email"))
    r = api.post("/auth/email/verify", {"token": verify_token})
    assert r.status_code == 200, r.text

    # login
    r = api.login(user.email, user.password)
    assert r.status_code == 200, r.text
    login = json_body(r)
    assert_login_body(login, user)
    keep(login["accessToken"], login["idToken"], login["refreshToken"])
    access = login["accessToken"]
    first_refresh = login["refreshToken"]

    # profile get / put
    r = api.get("/users/profile", token=access)
    assert r.status_code == 200, r.text
    assert_profile(r.json(), user)
    phone = "+14155550199"
    r = api.put(
        "/users/profile",
        {"lastName": "Doe-Smith", "phoneNumber": phone, "timezone": "Europe/Paris", "preferences": {"units": "imperial"}},
        token=access,
    )
    assert r.status_code == 200, r.text
    user.last_name = "Doe-Smith"
    p = r.json()
    assert p["lastName"] == "Doe-Smith" and p["phoneNumber"] == phone and p["preferences"]["units"] == "imperial"
    assert api.get("/users/profile", token=access).json() == p

    # MFA setup (QR decoded) -> verify-setup
    r = api.post("/auth/mfa/setup", token=access)
    assert r.status_code == 200, r.text
    setup = r.json()
    keep(setup["secret"], setup["otpauthUri"], *setup["backupCodes"])
    assert decode_qr_data_uri(setup["qrCode"], workdir) == setup["otpauthUri"]
    assert f"secret={setup['secret']}" in setup["otpauthUri"]
    device = TotpDevice(setup["secret"])
    r = api.post("/auth/mfa/verify-setup", {"code": keep(device.next_code())}, token=access)
    assert r.status_code == 200, r.text
    assert r.json()["mfaEnabled"] is True and r.json()["backupCodesRemaining"] == 8

    # login -> mfaRequired -> TOTP
    r = api.login(user.email, user.password)
    assert r.status_code == 200, r.text
    challenge = r.json()
    assert challenge["mfaRequired"] is True and "accessToken" not in challenge
    session = keep(challenge["sessionToken"])
    r = api.post("/auth/mfa/verify", {"sessionToken": session, "code": keep(device.next_code())})
    assert r.status_code == 200, r.text
    mfa_login = r.json()
    assert_login_body(mfa_login, user)
    keep(mfa_login["accessToken"], mfa_login["idToken"], mfa_login["refreshToken"])
    assert mfa_login["user"]["mfaEnabled"] is True

    # login again -> backup code (single use)
    backup = setup["backupCodes"][0]
    session = keep(api.login(user.email, user.password).json()["sessionToken"])
    r = api.post("/auth/mfa/verify", {"sessionToken": session, "code": backup})
    assert r.status_code == 200, r.text
    backup_login = r.json()
    keep(backup_login["accessToken"], backup_login["idToken"], backup_login["refreshToken"])
    access = backup_login["accessToken"]
    session = keep(api.login(user.email, user.password).json()["sessionToken"])
    assert_error(api.post("/auth/mfa/verify", {"sessionToken": session, "code": backup}), 400)

    # disable: wrong password 400, right password 200
    wrong = keep(new_password())
    assert_error(api.post("/auth/mfa/disable", {"password": wrong}, token=access), 400)
    r = api.post("/auth/mfa/disable", {"password": user.password}, token=access)
    assert r.status_code == 200, r.text
    assert r.json()["mfaEnabled"] is False
    r = api.login(user.email, user.password)
    assert r.status_code == 200 and "mfaRequired" not in r.json(), r.text
    keep(r.json()["accessToken"], r.json()["idToken"], r.json()["refreshToken"])

    # password reset
    r = api.post("/auth/password/reset-request", {"email": user.email})
    assert r.status_code == 200, r.text
    reset_token = keep(api.wait_mail_token(user.email, "reset-password"))
    new_pw = keep(new_password())
    r = api.post("/auth/password/reset-confirm", {"token": reset_token, "password": new_pw})
    assert r.status_code == 200, r.text
    assert_error(api.login(user.email, user.password), 401)
    r = api.login(user.email, new_pw)
    assert r.status_code == 200, r.text
    final = r.json()
    assert_login_body(final, user)
    keep(final["accessToken"], final["idToken"], final["refreshToken"])
    assert_error(api.post("/auth/refresh", {"refreshToken": first_refresh}), 401)
    record["completed"] = True


def test_user_journey(api, journey_record, tmp_path):
    run_journey(api, journey_record, tmp_path)


def _appears(secret: str, text: str) -> bool:
    """A long secret anywhere; a short numeric one (a 6-digit MFA or backup code) as a word of its
    own: a 6-digit run occurs by chance inside the log's hex request ids and timestamps, while a
    code that leaked would stand alone ("code":"123456")."""
    if secret.isdigit() and len(secret) <= 10:
        return re.search(rf"(?<![0-9A-Za-z]){secret}(?![0-9A-Za-z])", text) is not None
    return secret in text


def test_server_output_contains_no_secrets(api, journey_record, tmp_path):
    if not journey_record["completed"]:
        run_journey(api, journey_record, tmp_path)
    out = api.driver.output_text()
    assert out.strip(), "server output was not captured"
    leaked = sorted(s for s in journey_record["secrets"] if _appears(s, out))
    assert not leaked, f"server output contains secrets: {[s[:12] + '...' for s in leaked]}"
    for email in journey_record["emails"]:
        for form in (email, email.lower(), email.split("@")[0] + "@", email.split("@")[0].lower() + "@"):
            assert form not in out, f"server output contains the test email ({form})"
    # no test address at all (every test in this session uses this domain)
    assert "@" + EMAIL_DOMAIN not in out.lower(), "server output contains a test email address"
