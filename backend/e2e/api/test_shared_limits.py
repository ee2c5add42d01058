"""Attempt limits hold across concurrency and across instances: every attempt takes a slot
atomically in the shared store (SQLite embedded, DynamoDB in AWS), so neither 20 wrong passwords
at once nor failures split over two server processes get past the limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from api_support import assert_error, new_email


def _wrong_login(api, email):
    return requests.post(api.url("/auth/login"), json={"email": email, "password": "Wrong-Passw0rd!"}, timeout=60)


def test_twenty_concurrent_wrong_logins_let_at_most_five_through(api, user):
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: _wrong_login(api, user.email), range(20)))
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 5, f"{statuses.count(401)} wrong passwords reached the identity provider: {statuses}"
    assert statuses.count(429) >= 15, statuses
    for r in answers:
        if r.status_code == 429:
            assert int(r.headers["Retry-After"]) > 0
    # and the right password is held back too until the window ends
    assert_error(api.login(user.email, user.password), 429)


def test_two_instances_share_the_failed_login_limit(api, twin, user):
    for i in range(5):
        target = api if i % 2 == 0 else twin  # 3 failures on one instance, 2 on the other
        assert_error(target.login(user.email, "Wrong-Passw0rd!"), 401, "INVALID_CREDENTIALS")
    assert_error(api.login(user.email, user.password), 429)
    assert_error(twin.login(user.email, user.password), 429)


def test_two_instances_share_the_resend_limit(api, twin):
    email = new_email("pending")
    for i in range(5):
        assert (api if i < 3 else twin).post("/auth/email/resend", {"email": email}).status_code == 200
    assert_error(twin.post("/auth/email/resend", {"email": email}), 429)
    assert_error(api.post("/auth/email/resend", {"email": email}), 429)
