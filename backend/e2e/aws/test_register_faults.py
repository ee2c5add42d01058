"""Register and account deletion are all-or-nothing across Cognito and DynamoDB, under injected
AWS faults.

The real api-handler (ENVIRONMENT=dev) talks to the moto emulator through FaultProxy. After every
register under a fault, Cognito and DynamoDB agree (both have the user, or neither) and the client
got a contract answer with an ErrorResponse body, never a bare 500.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import driver_behind_proxy

PASSWORD = "SecureP@ss123"


@pytest.fixture(scope="module")
def env():
    with driver_behind_proxy() as pair:
        yield pair


def register(driver, email):
    return requests.post(
        driver.base_url + "/auth/register",
        json={"email": email, "password": PASSWORD, "firstName": "Fault", "lastName": "Test"},
        timeout=60,
    )


def state(driver, email):
    """(in Cognito, profile in DynamoDB, email guard in DynamoDB)"""
    try:
        driver.cognito.admin_get_user(UserPoolId=driver.pool_id, Username=email)
        in_cognito = True
    except driver.cognito.exceptions.UserNotFoundException:
        in_cognito = False
    ddb = driver._client("dynamodb")
    guard = ddb.get_item(TableName="users-dev", Key={"pk": {"S": f"EMAIL#{email}"}, "sk": {"S": "EMAIL"}}).get("Item")
    profile = None
    if guard:
        uid = guard["userId"]["S"]
        profile = ddb.get_item(TableName="users-dev", Key={"pk": {"S": f"USER#{uid}"}, "sk": {"S": "PROFILE"}}).get("Item")
    return in_cognito, profile is not None, guard is not None


def fresh_email():
    return f"fault-{uuid.uuid4().hex[:10]}@example.com"


FAULTS = [
    ("TransactWriteItems", "500"),
    ("TransactWriteItems", "throttle"),
    ("TransactWriteItems", "drop"),
    ("SignUp", "500"),
    ("SignUp", "drop"),
]


@pytest.mark.parametrize("operation,mode", FAULTS)
def test_register_under_fault_leaves_no_orphans(env, operation, mode):
    driver, proxy = env
    email = fresh_email()
    proxy.fail(operation, mode)
    try:
        r = register(driver, email)
    finally:
        proxy.clear()
    assert r.status_code in (429, 503), r.text
    body = r.json()
    assert body["error"] in ("SERVICE_UNAVAILABLE", "RATE_LIMITED") and body["request_id"] and body["message"]
    assert state(driver, email) == (False, False, False), "a failed register must leave nothing behind"
    # and the same email registers cleanly afterwards
    assert register(driver, email).status_code == 201
    assert state(driver, email) == (True, True, True)


def _calls(proxy) -> list[str]:
    with proxy.lock:
        return [t.rsplit(".", 1)[-1] for t in proxy.seen]


def _forget_calls(proxy) -> None:
    with proxy.lock:
        proxy.seen.clear()


def test_register_makes_two_sequential_aws_calls(env):
    """The happy path is the identity, then one write of profile and email guard: no pre-check
    (every sequential call is user-visible latency and billed duration on AWS)."""
    driver, proxy = env
    assert register(driver, fresh_email()).status_code == 201  # start-up reads are behind us
    _forget_calls(proxy)
    assert register(driver, fresh_email()).status_code == 201
    assert _calls(proxy) == ["SignUp", "TransactWriteItems"]


def _leftover(driver) -> tuple[str, str]:
    """A profile and email guard whose identity is gone (a deletion or compensation that stopped
    halfway): registered, then the Cognito user removed behind the API's back."""
    email = fresh_email()
    r = register(driver, email)
    assert r.status_code == 201, r.text
    driver.cognito.admin_delete_user(UserPoolId=driver.pool_id, Username=email)
    assert state(driver, email) == (False, True, True)
    return email, r.json()["userId"]


def _profile(driver, uid):
    return driver._client("dynamodb").get_item(
        TableName="users-dev", Key={"pk": {"S": f"USER#{uid}"}, "sk": {"S": "PROFILE"}}).get("Item")


def test_a_profile_left_without_its_identity_is_cleared_by_the_next_register(env):
    driver, proxy = env
    email, old_uid = _leftover(driver)
    r = register(driver, email)
    assert r.status_code == 201, r.text
    assert r.json()["userId"] != old_uid
    assert state(driver, email) == (True, True, True)
    assert _profile(driver, old_uid) is None


def test_a_store_outage_while_clearing_a_leftover_half_deletes_nothing(env):
    """DynamoDB reads fail while the leftover is cleared (and so the compensation, which reads the
    MFA item first, cannot run either): 503, the leftover whole, the new identity left for repair.
    Verifying the email then clears the leftover and writes the new profile."""
    driver, proxy = env
    email, old_uid = _leftover(driver)
    proxy.fail("GetItem", "500")
    try:
        r = register(driver, email)
    finally:
        proxy.clear()
    assert r.status_code == 503, r.text
    assert r.json()["error"] == "SERVICE_UNAVAILABLE"
    assert state(driver, email) == (True, True, True)  # the new identity, the old profile and guard
    assert _profile(driver, old_uid) is not None
    token = driver.mail_token(email, "verify-email")
    assert requests.post(driver.base_url + "/auth/email/verify", json={"token": token}, timeout=60).status_code == 200
    assert _profile(driver, old_uid) is None
    login = requests.post(driver.base_url + "/auth/login", json={"email": email, "password": PASSWORD}, timeout=60)
    assert login.status_code == 200, login.text
    assert login.json()["user"]["userId"] != old_uid


def test_cognito_throttling_answers_429_with_retry_after(env):
    driver, proxy = env
    email = fresh_email()
    proxy.fail("SignUp", "throttle")
    try:
        r = register(driver, email)
    finally:
        proxy.clear()
    assert r.status_code == 429, r.text
    assert int(r.headers["Retry-After"]) > 0
    assert state(driver, email) == (False, False, False)


def test_transient_dynamodb_failure_is_retried(env):
    driver, proxy = env
    email = fresh_email()
    proxy.fail("TransactWriteItems", "500", times=1)
    try:
        r = register(driver, email)
    finally:
        proxy.clear()
    assert r.status_code == 201, r.text
    assert state(driver, email) == (True, True, True)


def test_failed_compensation_is_repaired_by_email_verification(env):
    """DynamoDB fails and so does the compensating AdminDeleteUser: the identity is left behind.
    Verifying the email later recreates the missing profile from Cognito's attributes."""
    driver, proxy = env
    email = fresh_email()
    proxy.fail("TransactWriteItems", "500")
    proxy.fail("AdminDeleteUser", "500")
    try:
        r = register(driver, email)
    finally:
        proxy.clear()
    assert r.status_code == 503, r.text
    assert state(driver, email)[0] is True  # the identity survived the failed compensation
    token = driver.mail_token(email, "verify-email")
    assert requests.post(driver.base_url + "/auth/email/verify", json={"token": token}, timeout=60).status_code == 200
    assert state(driver, email) == (True, True, True)
    login = requests.post(driver.base_url + "/auth/login", json={"email": email, "password": PASSWORD}, timeout=60)
    assert login.status_code == 200, login.text
    assert login.json()["user"]["firstName"] == "Fault"


def test_fifty_concurrent_registrations_of_one_email_give_one_201(env):
    driver, _ = env
    email = fresh_email()
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda _: register(driver, email).status_code, range(50)))
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {201, 409}, statuses
    assert state(driver, email) == (True, True, True)


# ---------------------------------------------------------------- account deletion

def _verified_login(driver, email):
    assert register(driver, email).status_code == 201
    token = driver.mail_token(email, "verify-email")
    assert requests.post(driver.base_url + "/auth/email/verify", json={"token": token}, timeout=60).status_code == 200
    login = requests.post(driver.base_url + "/auth/login", json={"email": email, "password": PASSWORD}, timeout=60)
    assert login.status_code == 200, login.text
    return login.json()["accessToken"]


def _delete(driver, access):
    return requests.delete(driver.base_url + "/users/profile", json={"password": PASSWORD},
                           headers={"Authorization": f"Bearer {access}"}, timeout=60)


DELETE_FAULTS = [
    ("AdminDeleteUser", "500"),
    ("AdminDeleteUser", "drop"),
    ("TransactWriteItems", "500"),
    ("GetItem", "500"),
    ("InitiateAuth", "500"),
]


@pytest.mark.parametrize("operation,mode", DELETE_FAULTS)
def test_delete_under_fault_leaves_the_account_whole(env, operation, mode):
    driver, proxy = env
    email = fresh_email()
    access = _verified_login(driver, email)
    auth = {"Authorization": f"Bearer {access}"}
    r = requests.put(driver.base_url + "/users/profile", json={"preferences": {"units": "imperial"}}, headers=auth, timeout=60)
    assert r.status_code == 200, r.text

    proxy.fail(operation, mode)
    try:
        r = _delete(driver, access)
    finally:
        proxy.clear()
    assert r.status_code == 503, r.text
    assert r.json()["error"] == "SERVICE_UNAVAILABLE"
    assert state(driver, email) == (True, True, True), "a failed delete must leave the account as it was"
    profile = requests.get(driver.base_url + "/users/profile", headers=auth, timeout=60)
    assert profile.status_code == 200 and profile.json()["preferences"]["units"] == "imperial", profile.text

    # and the delete goes through once AWS answers again
    assert _delete(driver, access).status_code == 204
    assert state(driver, email) == (False, False, False)
