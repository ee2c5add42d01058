"""Auth that fails closed: access tokens end at logout and at every account event (on every
instance), MFA survives a master-key rotation and never yields to an unreadable key, MFA
disable is no password oracle, an MFA session completes one sign-in, register is limited per
client network. Black-box, on every backend and transport the suite runs."""

from __future__ import annotations

import base64
import os
import secrets

import pytest

from api_support import (
    assert_error,
    assert_validation,
    enable_mfa,
    json_body,
    new_email,
    new_password,
    User,
)


# ------------------------------------------------------------------ helpers


def _challenge(api, user) -> str:
    body = json_body(api.login(user.email, user.password))
    assert body.get("mfaRequired") is True, body
    assert "accessToken" not in body and "refreshToken" not in body, body
    return body["sessionToken"]


def _verify(api, session: str, code: str):
    return api.post("/auth/mfa/verify", {"sessionToken": session, "code": code})


def _mfa_tokens(api, user, code: str) -> dict:
    r = _verify(api, _challenge(api, user), code)
    assert r.status_code == 200, r.text
    return json_body(r)


def _refused_everywhere(token: str, *apis) -> None:
    for a in apis:
        assert_error(a.get("/users/profile", token=token), 401)


def _works_everywhere(token: str, *apis) -> None:
    for a in apis:
        r = a.get("/users/profile", token=token)
        assert r.status_code == 200, r.text


# ------------------------------------------------- revocation of access tokens


def test_logout_ends_the_access_tokens_at_once_on_every_instance(api, twin, user):
    tokens = api.tokens(user)
    _works_everywhere(tokens["accessToken"], api, twin)  # both instances have seen (and cached) it
    assert api.post("/auth/logout", {"refreshToken": tokens["refreshToken"]}).status_code == 204
    _refused_everywhere(tokens["accessToken"], api, twin)
    # signing in again right away gives tokens that work
    _works_everywhere(api.access_token(user), api, twin)


def test_password_change_ends_the_access_tokens(api, twin, user):
    token = api.access_token(user)
    _works_everywhere(token, api, twin)
    new = new_password()
    r = api.post("/auth/password/change", {"currentPassword": user.password, "newPassword": new}, token=token)
    assert r.status_code == 200, r.text
    _refused_everywhere(token, api, twin)
    user.password = new
    _works_everywhere(api.access_token(user), api, twin)


def test_a_wrong_current_password_ends_nothing(api, user):
    token = api.access_token(user)
    r = api.post("/auth/password/change", {"currentPassword": user.password + "x", "newPassword": new_password()}, token=token)
    assert_error(r, 401)
    _works_everywhere(token, api)


def test_password_reset_ends_the_access_tokens(api, twin, user):
    token = api.access_token(user)
    _works_everywhere(token, api, twin)
    assert api.post("/auth/password/reset-request", {"email": user.email}).status_code == 200
    link = api.wait_mail_token(user.email, "reset-password")
    new = new_password()
    r = api.post("/auth/password/reset-confirm", {"token": link, "password": new})
    assert r.status_code == 200, r.text
    _refused_everywhere(token, api, twin)
    user.password = new
    _works_everywhere(api.access_token(user), api, twin)


def test_mfa_enable_and_disable_end_the_access_tokens(api, twin, user):
    token = api.access_token(user)
    _works_everywhere(token, api, twin)
    setup, device = enable_mfa(api, user)  # enables with `token`'s session
    _refused_everywhere(token, api, twin)
    mfa_token = _mfa_tokens(api, user, device.next_code())["accessToken"]
    _works_everywhere(mfa_token, api, twin)
    r = api.post("/auth/mfa/disable", {"password": user.password}, token=mfa_token)
    assert r.status_code == 200, r.text
    _refused_everywhere(mfa_token, api, twin)
    _works_everywhere(api.access_token(user), api, twin)


def test_account_deletion_ends_the_access_tokens(api, twin, user):
    token = api.access_token(user)
    _works_everywhere(token, api, twin)
    assert api.delete("/users/profile", {"password": user.password}, token=token).status_code == 204
    _refused_everywhere(token, api, twin)
    # the email registers again, and the new account's tokens work
    again = User(email=user.email, password=new_password())
    assert api.register(again).status_code == 201
    api.verify_email(again.email)
    _works_everywhere(api.access_token(again), api, twin)


# ------------------------------------------------------------- MFA disable


def test_mfa_disable_wrong_passwords_reach_429_and_then_the_right_one_waits_too(api, user):
    _, device = enable_mfa(api, user)
    token = _mfa_tokens(api, user, device.next_code())["accessToken"]
    for _ in range(5):
        assert_error(api.post("/auth/mfa/disable", {"password": "Wrong-Passw0rd!"}, token=token), 400, "INVALID_PASSWORD")
    r = api.post("/auth/mfa/disable", {"password": "Wrong-Passw0rd!"}, token=token)
    assert_error(r, 429, "RATE_LIMITED")
    assert int(r.headers["Retry-After"]) > 0
    # no more guesses: the right password waits as well, and MFA stays on
    assert_error(api.post("/auth/mfa/disable", {"password": user.password}, token=token), 429)
    _challenge(api, user)


def test_mfa_disable_checks_a_code_when_one_is_sent(api, user):
    setup, device = enable_mfa(api, user)
    token = _mfa_tokens(api, user, setup["backupCodes"][0])["accessToken"]
    assert_error(api.post("/auth/mfa/disable", {"password": user.password, "code": "00000000"}, token=token), 400, "INVALID_CODE")
    _challenge(api, user)  # still on
    assert_validation(api.post("/auth/mfa/disable", {"password": user.password, "code": "12ab"}, token=token), ["code"])
    r = api.post("/auth/mfa/disable", {"password": user.password, "code": device.next_code()}, token=token)
    assert r.status_code == 200, r.text
    assert "mfaRequired" not in json_body(api.login(user.email, user.password))


# ------------------------------------------------------------ MFA sessions


def test_an_mfa_session_completes_one_sign_in_only(api, user):
    setup, _ = enable_mfa(api, user)
    session = _challenge(api, user)
    assert _verify(api, session, setup["backupCodes"][0]).status_code == 200
    assert_error(_verify(api, session, setup["backupCodes"][1]), 401, "INVALID_SESSION")
    # the replay spent nothing: that backup code still signs in on a fresh session
    assert _verify(api, _challenge(api, user), setup["backupCodes"][1]).status_code == 200


def test_a_wrong_code_does_not_use_up_the_session(api, user):
    setup, _ = enable_mfa(api, user)
    session = _challenge(api, user)
    assert_error(_verify(api, session, "00000000"), 400, "INVALID_CODE")
    assert _verify(api, session, setup["backupCodes"][2]).status_code == 200


# ------------------------------------------------------- master-key rotation


def _rotate(api) -> None:
    """Rotates the master key the way the runbook says, and restarts the service."""
    d = api.driver
    if d.mode == "aws":
        sm = d._client("secretsmanager")
        sm.put_secret_value(SecretId=d.app_secret_arn, SecretString=base64.b64encode(os.urandom(32)).decode())
        d.restart()
    else:
        d.stop()
        out = d.run_cli(["rotate-master-key", "--data-dir", str(d.data_dir)])
        assert out.returncode == 0, out.stderr
        assert "rotated" in out.stdout
        d.start()


def test_rotating_the_master_key_keeps_every_mfa_user_needing_and_passing_totp(api_factory):
    api = api_factory()
    user = api.new_user(tag="rotate")
    setup, device = enable_mfa(api, user)
    plain = api.new_user(tag="rotate-plain")

    _rotate(api)
    # a backup code made before the rotation still signs in (after the password: never without)
    _mfa_tokens(api, user, setup["backupCodes"][0])
    assert api.access_token(plain)
    refresh = api.tokens(plain)["refreshToken"]

    _rotate(api)  # the key before the first rotation retires now
    tokens = _mfa_tokens(api, user, device.next_code())  # the secret was sealed again under the second key
    assert api.get("/users/profile", token=tokens["accessToken"]).status_code == 200
    # a refresh token handed out under the previous key still refreshes
    assert api.post("/auth/refresh", {"refreshToken": refresh}).status_code == 200


def test_an_mfa_secret_no_key_opens_gives_503_never_tokens(api_factory):
    api = api_factory()
    user = api.new_user(tag="unreadable")
    setup, device = enable_mfa(api, user)
    _rotate(api)
    _rotate(api)  # nothing was used in between: the secret is sealed under a retired key
    session = _challenge(api, user)  # MFA is on: the stored state says so
    assert_error(_verify(api, session, device.next_code()), 503, "SERVICE_UNAVAILABLE")
    r = _verify(api, _challenge(api, user), setup["backupCodes"][0])
    assert r.status_code in (400, 503), r.text
    assert "accessToken" not in r.text
    log = api.driver.output_text()
    assert "stored MFA secret cannot be opened" in log
    assert setup["secret"] not in log


def test_without_the_master_key_mfa_users_get_503_not_tokens(api_factory):
    api = api_factory()
    if api.driver.mode != "aws":
        pytest.skip("the embedded master key is a file the server makes; AWS reads it from Secrets Manager")
    user = api.new_user(tag="nokey")
    _, device = enable_mfa(api, user)
    d = api.driver
    d._client("secretsmanager").delete_secret(SecretId=d.app_secret_arn, ForceDeleteWithoutRecovery=True)
    d.restart()
    r = api.login(user.email, user.password)
    assert_error(r, 503, "SERVICE_UNAVAILABLE")
    assert "accessToken" not in r.text


# ------------------------------------------------------ register per network


def test_register_is_limited_per_client_network_taken_emails_counting_too(behind_gateway, user):
    api = behind_gateway
    net = f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}"

    def from_net():  # a new address in the same /64 each time
        host = ":".join(secrets.token_hex(2) for _ in range(4))
        return {"headers": {"X-Forwarded-For": f"{net}:{host}"}}

    def body(email):
        return {"email": email, "password": new_password(), "firstName": "Net", "lastName": "Limit"}

    for i in range(20):
        email = user.email if i % 4 == 0 else new_email("net")  # a taken email counts as well
        r = api.post("/auth/register", body(email), **from_net())
        assert r.status_code in (201, 409), r.text
    assert_error(api.post("/auth/register", body(new_email("net")), **from_net()), 429, "RATE_LIMITED")
    assert_error(api.post("/auth/register", body(user.email), **from_net()), 429, "RATE_LIMITED")
    other = {"headers": {"X-Forwarded-For": f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"}}
    r = api.post("/auth/register", body(new_email("net")), **other)
    assert r.status_code == 201, r.text
    ipv4 = {"headers": {"X-Forwarded-For": f"198.51.100.{secrets.randbelow(250) + 1}"}}
    assert api.post("/auth/register", body(new_email("net")), **ipv4).status_code == 201


# ------------------------------------------- emailed 6-digit codes per account


def test_cognito_codes_are_limited_per_account_from_any_address(api):
    """Cognito's emailed tokens carry the username and a 6-digit code: failures are counted per
    account too, so guessing from many addresses gets 10 tries, not 20 per address. (moto takes
    any reset code of an existing user, so the guesses name an account moto does not have; the
    count is per username either way.)"""
    if api.driver.mode != "aws":
        pytest.skip("the embedded provider's emailed tokens are 256 random bits: nothing to count per account")
    name = base64.urlsafe_b64encode(new_email("guessed").encode()).rstrip(b"=").decode()
    body = {"password": new_password()}
    for i in range(10):
        r = api.post("/auth/password/reset-confirm", {**body, "token": f"{name}.{100000 + i}"})
        assert r.status_code == 400, r.text
    r = api.post("/auth/password/reset-confirm", {**body, "token": f"{name}.999999"})
    assert_error(r, 429, "RATE_LIMITED")
    # another account's codes are not held up
    other = base64.urlsafe_b64encode(new_email("other").encode()).rstrip(b"=").decode()
    assert_error(api.post("/auth/password/reset-confirm", {**body, "token": f"{other}.123456"}), 400)
