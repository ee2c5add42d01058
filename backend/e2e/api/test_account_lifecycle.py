"""The account lifecycle the app stores require: logout, password change, verification resend,
account deletion. Black-box, on every backend and transport the suite runs."""

from __future__ import annotations

import pytest

from api_support import (
    User,
    assert_error,
    assert_login_body,
    assert_validation,
    enable_mfa,
    json_body,
    new_email,
    new_password,
)


# ---------------------------------------------------------------- logout


def test_logout_revokes_exactly_that_refresh_token(api, user):
    first = api.tokens(user)
    second = api.tokens(user)
    assert api.post("/auth/refresh", {"refreshToken": first["refreshToken"]}).status_code == 200

    r = api.post("/auth/logout", {"refreshToken": first["refreshToken"]})
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert r.headers.get("X-Request-ID")
    assert_error(api.post("/auth/refresh", {"refreshToken": first["refreshToken"]}), 401, "INVALID_REFRESH_TOKEN")
    # the other session goes on
    again = api.post("/auth/refresh", {"refreshToken": second["refreshToken"]})
    assert again.status_code == 200, again.text


def test_logout_is_idempotent_and_reveals_nothing(api, user):
    token = api.tokens(user)["refreshToken"]
    assert api.post("/auth/logout", {"refreshToken": token}).status_code == 204
    assert api.post("/auth/logout", {"refreshToken": token}).status_code == 204
    assert api.post("/auth/logout", {"refreshToken": "not-a-token-anyone-issued"}).status_code == 204


def test_logout_validates_its_body(api):
    assert_validation(api.post("/auth/logout", {}), ["refreshToken"])
    assert_validation(api.post("/auth/logout", {"refreshToken": 42}), ["refreshToken"])
    assert_error(api.post("/auth/logout", data="x", headers={"Content-Type": "text/plain"}), 415)


# ---------------------------------------------------------------- password change


def _change(api, token, current, new):
    return api.post("/auth/password/change", {"currentPassword": current, "newPassword": new}, token=token)


def test_password_change_replaces_the_password_and_revokes_refresh_tokens(api, user):
    other_session = api.tokens(user)
    session = api.tokens(user)
    new = new_password()
    r = _change(api, session["accessToken"], user.password, new)
    assert r.status_code == 200, r.text
    assert isinstance(json_body(r).get("message"), str) and r.json()["message"]

    assert_error(api.login(user.email, user.password), 401, "INVALID_CREDENTIALS")
    login = api.login(user.email, new)
    assert login.status_code == 200, login.text
    assert_login_body(login.json())
    for old in (session, other_session):
        assert_error(api.post("/auth/refresh", {"refreshToken": old["refreshToken"]}), 401, "INVALID_REFRESH_TOKEN")
    # the tokens of the new login work
    assert api.post("/auth/refresh", {"refreshToken": login.json()["refreshToken"]}).status_code == 200


def test_password_change_with_a_wrong_current_password_changes_nothing(api, user):
    token = api.access_token(user)
    assert_error(_change(api, token, "Wrong-Passw0rd!", new_password()), 401, "INVALID_CREDENTIALS")
    assert api.login(user.email, user.password).status_code == 200


def test_password_change_follows_the_register_rules(api, user):
    token = api.access_token(user)
    body = assert_validation(_change(api, token, user.password, "short"), ["newPassword"])
    assert any(e["field"] == "newPassword" and e["message"] for e in body["validation_errors"])
    assert_validation(api.post("/auth/password/change", {}, token=token), ["currentPassword", "newPassword"])
    assert_validation(_change(api, token, user.password, "alllowercase1!"), ["newPassword"])
    assert api.login(user.email, user.password).status_code == 200


def test_password_change_needs_a_bearer_token(api, user):
    assert_error(api.post("/auth/password/change", {"currentPassword": user.password, "newPassword": new_password()}), 401)
    assert_error(_change(api, "not.a.jwt", user.password, new_password()), 401)


def test_wrong_current_passwords_are_limited_per_account(api, user):
    token = api.access_token(user)
    for _ in range(5):
        assert_error(_change(api, token, "Wrong-Passw0rd!", new_password()), 401, "INVALID_CREDENTIALS")
    r = _change(api, token, user.password, new_password())
    assert_error(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    # account deletion shares the limit: a stolen token is no password oracle
    assert_error(api.delete("/users/profile", {"password": user.password}, token=token), 429)
    assert api.login(user.email, user.password).status_code == 200


# ---------------------------------------------------------------- verification resend

RESEND = "/auth/email/resend"


def test_resend_answers_the_same_for_unknown_confirmed_and_unconfirmed(api):
    confirmed = api.new_user()
    unconfirmed = api.new_user(verified=False)
    unknown = new_email("nobody")
    answers = [api.post(RESEND, {"email": e}) for e in (unknown, confirmed.email, unconfirmed.email)]
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    messages = {json_body(a)["message"] for a in answers}
    assert len(messages) == 1, messages


def test_only_an_unconfirmed_account_gets_a_new_email_and_the_new_token_verifies(api):
    confirmed = api.new_user()
    unconfirmed = api.new_user(verified=False)
    first = api.wait_mail_token(unconfirmed.email, "verify-email")
    before = {u.email: api.mail_count(u.email, "verify-email") for u in (confirmed, unconfirmed)}
    assert before == {confirmed.email: 1, unconfirmed.email: 1}, before

    assert api.post(RESEND, {"email": confirmed.email}).status_code == 200
    assert api.post(RESEND, {"email": unconfirmed.email.upper()}).status_code == 200
    assert api.mail_count(confirmed.email, "verify-email") == 1, "a confirmed account gets no email"
    assert api.mail_count(unconfirmed.email, "verify-email") == 2, "an unconfirmed account gets one more email"

    if "any-signup-code" in api.driver.emulator_limits:
        second = api.wait_mail_token(unconfirmed.email, "verify-email")
    else:
        second = api.wait_mail_token(unconfirmed.email, "verify-email", previous=first)
        # the earlier link stops working, as with Cognito's resent code
        assert_error(api.post("/auth/email/verify", {"token": first}), 400)
    assert_error(api.login(unconfirmed.email, unconfirmed.password), 403, "USER_NOT_CONFIRMED")
    r = api.post("/auth/email/verify", {"token": second})
    assert r.status_code == 200, r.text
    assert api.login(unconfirmed.email, unconfirmed.password).status_code == 200


def test_resend_is_limited_to_five_per_email_in_fifteen_minutes(api):
    pending = api.new_user(verified=False)
    for i in range(5):
        r = api.post(RESEND, {"email": pending.email})
        assert r.status_code == 200, (i, r.text)
    r = api.post(RESEND, {"email": pending.email})
    assert_error(r, 429)
    assert int(r.headers["Retry-After"]) > 0
    assert api.mail_count(pending.email, "verify-email") == 6  # sign-up + 5 resends, not the 6th
    # unknown emails are limited the same way (no difference to tell accounts apart)
    nobody = new_email("nobody")
    for _ in range(5):
        assert api.post(RESEND, {"email": nobody}).status_code == 200
    assert_error(api.post(RESEND, {"email": nobody}), 429)
    # other emails are not affected
    assert api.post(RESEND, {"email": new_email("other")}).status_code == 200


def test_resend_validates_the_email(api):
    assert_validation(api.post(RESEND, {}), ["email"])
    assert_validation(api.post(RESEND, {"email": "not-an-email"}), ["email"])


# ---------------------------------------------------------------- account deletion


def test_delete_account_removes_everything_and_the_email_can_register_again(api, user):
    session = api.tokens(user)
    token = session["accessToken"]
    assert api.put("/users/profile", {"preferences": {"units": "imperial"}}, token=token).status_code == 200

    r = api.delete("/users/profile", {"password": user.password}, token=token)
    assert r.status_code == 204, r.text
    assert r.content == b""

    assert_error(api.login(user.email, user.password), 401, "INVALID_CREDENTIALS")
    assert_error(api.get("/users/profile", token=token), 401)
    assert_error(api.put("/users/profile", {"firstName": "Ghost"}, token=token), 401)
    assert_error(api.post("/auth/mfa/setup", token=token), 401)
    assert_error(api.post("/auth/refresh", {"refreshToken": session["refreshToken"]}), 401, "INVALID_REFRESH_TOKEN")
    assert_error(api.delete("/users/profile", {"password": user.password}, token=token), 401)

    again = User(email=user.email, password=new_password(), first_name="Janet")
    r = api.register(again)
    assert r.status_code == 201, r.text
    assert r.json()["userId"] != user.user_id
    api.verify_email(again.email)
    login = api.login(again.email, again.password)
    assert login.status_code == 200, login.text
    profile = login.json()["user"]
    assert profile["firstName"] == "Janet" and profile["mfaEnabled"] is False
    assert profile["preferences"]["units"] == "metric", "nothing of the deleted account comes back"


def test_delete_with_a_wrong_password_deletes_nothing(api, user):
    token = api.access_token(user)
    assert_error(api.delete("/users/profile", {"password": "Wrong-Passw0rd!"}, token=token), 401, "INVALID_CREDENTIALS")
    assert api.get("/users/profile", token=token).status_code == 200
    assert api.login(user.email, user.password).status_code == 200


def test_delete_needs_a_token_and_a_password(api, user):
    assert_error(api.delete("/users/profile", {"password": user.password}), 401)
    token = api.access_token(user)
    assert_validation(api.delete("/users/profile", {}, token=token), ["password"])
    r = api.request("DELETE", "/users/profile", token=token)
    assert_error(r, 400)
    assert api.get("/users/profile", token=token).status_code == 200


def test_delete_an_mfa_account_takes_its_mfa_data_along(api, user):
    setup, _ = enable_mfa(api, user)
    challenge = api.login(user.email, user.password).json()
    assert challenge.get("mfaRequired") is True
    verified = api.post("/auth/mfa/verify", {"sessionToken": challenge["sessionToken"], "code": setup["backupCodes"][0]})
    assert verified.status_code == 200, verified.text
    token = verified.json()["accessToken"]
    assert api.delete("/users/profile", {"password": user.password}, token=token).status_code == 204

    again = User(email=user.email, password=new_password())
    assert api.register(again).status_code == 201
    api.verify_email(again.email)
    body = api.login(again.email, again.password).json()
    assert "mfaRequired" not in body and body["user"]["mfaEnabled"] is False, body
