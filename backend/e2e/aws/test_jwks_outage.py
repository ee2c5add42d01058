"""A JWKS outage: while the user pool's keys cannot be fetched, bearer routes answer 503 (never
401, which clients treat as "log the user out"), and the first request after the keys are back
succeeds. The real api-handler (ENVIRONMENT=dev) fetches the JWKS through a proxy the test
switches off and on."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from conftest import driver_behind_proxy

PASSWORD = "SecureP@ss123"
JWKS = "/.well-known/jwks.json"
RETRY_BACKOFF_CAP_S = 2  # KeyStore.maximumRetryBackoff


@pytest.fixture(scope="module")
def outage():
    # JWKS down from the very start (the start-up prefetch fails too).
    with driver_behind_proxy(lambda proxy: proxy.fail(JWKS, "500", times=10**6)) as pair:
        yield pair


def test_jwks_outage_is_503_and_heals_on_the_next_request(outage):
    driver, proxy = outage
    email = f"jwks-{uuid.uuid4().hex[:10]}@example.com"
    base = driver.base_url
    r = requests.post(base + "/auth/register", json={"email": email, "password": PASSWORD, "firstName": "Key", "lastName": "Less"},
                      timeout=60)
    assert r.status_code == 201, r.text
    token = driver.mail_token(email, "verify-email")
    assert requests.post(base + "/auth/email/verify", json={"token": token}, timeout=60).status_code == 200
    # a token Cognito issued (straight from the emulator, as the app client with its secret)
    auth = driver.cognito.initiate_auth(ClientId=driver.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD,
                                                        "SECRET_HASH": driver.secret_hash(email)})
    bearer = {"Authorization": "Bearer " + auth["AuthenticationResult"]["AccessToken"]}

    for _ in range(3):
        r = requests.get(base + "/users/profile", headers=bearer, timeout=60)
        assert r.status_code == 503, r.text
        assert r.json()["error"] == "SERVICE_UNAVAILABLE"
    login = requests.post(base + "/auth/login", json={"email": email, "password": PASSWORD}, timeout=60)
    assert login.status_code == 503, login.text
    fetches = sum(1 for t in proxy.seen if t.endswith(JWKS))
    assert fetches <= 4, f"the outage must not turn every request into a JWKS fetch ({fetches})"

    proxy.clear()
    time.sleep(RETRY_BACKOFF_CAP_S + 0.5)
    r = requests.get(base + "/users/profile", headers=bearer, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["email"] == email
