"""Per-address attempt limits. Behind API Gateway (the ``lambda`` mode: the ``serve --lambda``
front stands in for API Gateway's edge and takes the address a client calls from from
``X-Forwarded-For``, which becomes ``requestContext.http.sourceIp``) failures are also counted per
client address: 50 failed logins, 20 failed reset confirmations, 20 failed email verifications in
15 minutes. The local server, where every client is on loopback, keys per account only."""

from __future__ import annotations

import secrets

import pytest

from api_support import assert_error, new_email

WRONG = "Wrong-Passw0rd!"


def _address() -> str:
    """A fresh client address in a /64 of its own (IPv6 documentation range, so no two tests ever
    share one: IPv6 clients are keyed by their /64)."""
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::{secrets.token_hex(2)}"


def _from(address: str) -> dict:
    return {"headers": {"X-Forwarded-For": address}}


def test_fifty_failed_logins_from_one_address_then_429_there_only(behind_gateway, user):
    api = behind_gateway
    address, other = _address(), _address()
    for _ in range(50):  # fifty different emails: no per-email limit is reached
        assert_error(api.post("/auth/login", {"email": new_email("spray"), "password": WRONG}, **_from(address)), 401)
    assert_error(api.post("/auth/login", {"email": new_email("spray"), "password": WRONG}, **_from(address)), 429)
    # the right password from that address waits too; from another address it works
    assert_error(api.post("/auth/login", {"email": user.email, "password": user.password}, **_from(address)), 429)
    r = api.post("/auth/login", {"email": user.email, "password": user.password}, **_from(other))
    assert r.status_code == 200, r.text


def test_successful_logins_do_not_use_up_the_address_limit(behind_gateway, user):
    api = behind_gateway
    address = _address()
    for _ in range(55):
        r = api.post("/auth/login", {"email": user.email, "password": user.password}, **_from(address))
        assert r.status_code == 200, r.text


def test_twenty_failed_reset_confirmations_from_one_address_then_429(behind_gateway):
    api = behind_gateway
    address = _address()
    body = {"password": "N3w-Passw0rd!x"}
    for i in range(20):
        assert_error(api.post("/auth/password/reset-confirm", {**body, "token": f"forged-reset-token-{i:04d}"}, **_from(address)), 400)
    assert_error(api.post("/auth/password/reset-confirm", {**body, "token": "forged-reset-token-last"}, **_from(address)), 429)
    assert_error(api.post("/auth/password/reset-confirm", {**body, "token": "forged-reset-token-last"}, **_from(_address())), 400)


def test_twenty_failed_verifications_from_one_address_then_429_and_a_real_token_elsewhere_works(behind_gateway):
    api = behind_gateway
    address = _address()
    user = api.new_user(verified=False, tag="addr")
    for i in range(20):
        assert_error(api.post("/auth/email/verify", {"token": f"forged-verify-token-{i:04d}"}, **_from(address)), 400)
    token = api.wait_mail_token(user.email, "verify-email")
    assert_error(api.post("/auth/email/verify", {"token": token}, **_from(address)), 429)
    r = api.post("/auth/email/verify", {"token": token}, **_from(_address()))
    assert r.status_code == 200, r.text


def test_the_local_server_keys_per_account_only(api):
    if api.driver.mode == "lambda":
        pytest.skip("the local server (embedded and aws modes) has no client address")
    # A client cannot invent an address: X-Forwarded-For means nothing without API Gateway.
    for _ in range(51):
        assert_error(api.post("/auth/login", {"email": new_email("local"), "password": WRONG}, **_from("192.0.2.1")), 401)
