"""POST /v1/auth/password/reset-request and /reset-confirm."""

from __future__ import annotations

from api_support import assert_error, assert_validation, json_body, new_email, new_password


def _request(api, email):
    return api.post("/auth/password/reset-request", {"email": email})


def test_reset_request_same_answer_for_known_and_unknown(api, user):
    known = _request(api, user.email)
    unknown = _request(api, new_email("nobody"))
    assert known.status_code == 200, known.text
    assert unknown.status_code == 200, unknown.text
    assert json_body(known)["message"] == json_body(unknown)["message"]
    assert set(known.json()) == set(unknown.json())


def test_reset_mail_only_for_existing_accounts(api, user):
    ghost = new_email("ghost")
    assert _request(api, ghost).status_code == 200
    assert _request(api, user.email).status_code == 200
    assert api.wait_mail_token(user.email, "reset-password")
    assert api.mail_token(ghost, "reset-password") is None


def test_reset_confirm_changes_password_and_token_is_single_use(api, user):
    old_refresh = api.tokens(user)["refreshToken"]
    assert _request(api, user.email).status_code == 200
    token = api.wait_mail_token(user.email, "reset-password")
    new_pw = new_password()
    r = api.post("/auth/password/reset-confirm", {"token": token, "password": new_pw})
    assert r.status_code == 200, r.text
    assert_error(api.login(user.email, user.password), 401)
    assert api.login(user.email, new_pw).status_code == 200
    # the old session is revoked
    assert_error(api.post("/auth/refresh", {"refreshToken": old_refresh}), 401)
    # the token cannot be used again
    if "reset-code-reuse" in api.driver.emulator_limits:
        return
    assert_error(api.post("/auth/password/reset-confirm", {"token": token, "password": new_password()}), 400)
    assert api.login(user.email, new_pw).status_code == 200


def test_reset_confirm_with_garbage_token_is_400(api):
    assert_error(api.post("/auth/password/reset-confirm", {"token": "not-a-token", "password": new_password()}), 400)


def test_reset_confirm_enforces_password_policy(api, user):
    assert _request(api, user.email).status_code == 200
    token = api.wait_mail_token(user.email, "reset-password")
    assert_validation(api.post("/auth/password/reset-confirm", {"token": token, "password": "weak"}), ["password"])
    # old password still works after the refused attempt
    assert api.login(user.email, user.password).status_code == 200


def test_reset_confirm_missing_fields(api):
    assert_validation(api.post("/auth/password/reset-confirm", {}), ["token", "password"])


def test_reset_request_validation(api):
    assert_validation(api.post("/auth/password/reset-request", {}), ["email"])
    assert_validation(api.post("/auth/password/reset-request", {"email": "nope"}), ["email"])


def test_sixth_reset_request_is_429(api, user):
    for _ in range(5):
        assert _request(api, user.email).status_code == 200
    r = _request(api, user.email)
    assert_error(r, 429)
    ra = r.headers.get("Retry-After")
    assert ra is not None and ra.isdigit(), ra
    assert 1 <= int(ra) <= 15 * 60
    # per email: another address is not limited
    assert _request(api, new_email("other")).status_code == 200


def test_sixth_reset_request_for_unknown_email_is_429(api):
    email = new_email("ghost")
    for _ in range(5):
        assert _request(api, email).status_code == 200
    assert_error(_request(api, email), 429)
