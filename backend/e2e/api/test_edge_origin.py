"""The optional edge (issue 13): with ``enable_edge`` CloudFront and AWS WAF stand in front of
the HTTP API, and CloudFront sends every request on with ``X-Origin-Verify: <the environment's
edge secret>``. The function then refuses, 403 ``FORBIDDEN``, whatever lacks it: a request sent
to the API's own hostname went around the WAF. Only health answers there too (an uptime check
may ask the API itself; it says "healthy" and nothing else). Behind CloudFront, API Gateway's ``sourceIp`` is
an edge server shared by many users, so the per-address limits count ``CloudFront-Viewer-Address``
instead, believed only on a request that carried the secret. Without the edge that header is
client input like any other and changes nothing.

The secret is ``EDGE_SECRET`` locally (``new,old`` during a rotation) and a Secrets Manager secret
named by ``EDGE_SECRET_ID`` on AWS (its ``AWSCURRENT`` and ``AWSPREVIOUS`` values).
"""

from __future__ import annotations

import secrets

import pytest

import api_support
import drivers
from api_support import assert_error, new_email, refused_by_the_authorizer

OLD = secrets.token_urlsafe(36)
NEW = secrets.token_urlsafe(36)
WRONG = "Wrong-Passw0rd!"
EDGE_SERVER = "2001:db8:cf::1"  # the CloudFront edge API Gateway sees as sourceIp


def _viewer() -> str:
    """A viewer in a /64 of its own (IPv6 clients are keyed by their /64)."""
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::{secrets.token_hex(2)}"


@pytest.fixture(scope="module")
def edged(driver):
    """A second server of this mode behind the edge, mid-rotation: NEW is current, OLD previous."""
    d = driver.spawn()
    if isinstance(d, drivers.AwsDriver):
        sm = d._client("secretsmanager")
        name = f"api-handler-dev-edge-origin-{secrets.token_hex(4)}"
        arn = sm.create_secret(Name=name, SecretString=OLD)["ARN"]
        sm.put_secret_value(SecretId=arn, SecretString=NEW)  # OLD becomes AWSPREVIOUS
        d.extra_env["EDGE_SECRET_ID"] = arn
    else:
        d.extra_env["EDGE_SECRET"] = f"{NEW},{OLD}"
    d.start()
    try:
        yield api_support.Api(d)
    finally:
        d.cleanup()


def _through_edge(viewer: str | None = None, secret: str = NEW) -> dict:
    headers = {"X-Origin-Verify": secret, "X-Forwarded-For": EDGE_SERVER}
    if viewer:
        headers["CloudFront-Viewer-Address"] = f"{viewer}:{secrets.randbelow(60000) + 1024}"
    return {"headers": headers}


def test_a_request_around_the_edge_is_refused_on_every_route_but_health(edged):
    assert edged.get("/health").json()["status"] == "healthy"
    wrong = NEW[:-1] + ("A" if NEW[-1] != "A" else "B")
    answers = []
    for headers in ({}, {"X-Origin-Verify": ""}, {"X-Origin-Verify": wrong}, {"x-origin-verify": NEW.lower()}):
        for method, path, body in (("OPTIONS", "/auth/login", None),
                                   ("POST", "/auth/login", {"email": "a@example.com", "password": "x"}),
                                   ("POST", "/auth/register", {"email": "a@example.com"}), ("GET", "/users/profile", None),
                                   ("GET", "/no/such/route", None)):
            r = edged.request(method, path, json_body=body, headers=headers)
            if path == "/users/profile" and refused_by_the_authorizer(r):
                continue  # behind API Gateway the authorizer refuses it first (no token): refused too
            assert_error(r, 403, "FORBIDDEN")
            answers.append({k: v for k, v in r.json().items() if k not in ("request_id", "timestamp")})
    # one answer, whatever was missing or wrong; it names neither the header nor the edge
    assert all(a == answers[0] for a in answers), answers
    assert "origin" not in str(answers[0]).lower() and "edge" not in str(answers[0]).lower()


def test_through_the_edge_everything_works_with_either_value_of_a_rotation(edged):
    for secret in (NEW, OLD):
        assert_error(edged.post("/auth/login", {"email": new_email("edge"), "password": WRONG}, **_through_edge(secret=secret)),
                     401, "INVALID_CREDENTIALS")
    user = api_support.User(email=new_email("edge"), password=api_support.new_password())
    r = edged.post("/auth/register", {"email": user.email, "password": user.password, "firstName": user.first_name,
                                      "lastName": user.last_name}, **_through_edge(_viewer()))
    assert r.status_code == 201, r.text
    assert_error(edged.post("/auth/login", {"email": user.email, "password": WRONG}, **_through_edge(_viewer())), 401,
                 "INVALID_CREDENTIALS")


def test_the_secret_never_reaches_the_log(edged):
    edged.post("/auth/logout", {}, **_through_edge())
    edged.post("/auth/logout", {}, headers={"X-Origin-Verify": OLD + "x"})
    log = edged.driver.output_text()
    assert NEW not in log and OLD not in log


@pytest.fixture()
def edged_gateway(edged):
    if edged.driver.mode != "lambda":
        pytest.skip("per-address limits need API Gateway's sourceIp (the lambda front)")
    return edged


def test_behind_the_edge_limits_count_the_viewer_not_the_edge_server(edged_gateway, user):
    """Fifty failures from one viewer block that viewer; another viewer arriving through the same
    CloudFront edge server (the same sourceIp) is not blocked with it."""
    api = edged_gateway
    viewer, neighbour = _viewer(), _viewer()
    for _ in range(50):
        assert_error(api.post("/auth/login", {"email": new_email("spray"), "password": WRONG}, **_through_edge(viewer)), 401)
    assert_error(api.post("/auth/login", {"email": new_email("spray"), "password": WRONG}, **_through_edge(viewer)), 429)
    assert_error(api.post("/auth/login", {"email": new_email("spray"), "password": WRONG}, **_through_edge(neighbour)), 401,
                 "INVALID_CREDENTIALS")


def test_without_the_edge_a_forged_viewer_address_changes_nothing(behind_gateway):
    gateway = behind_gateway
    """An attacker spraying passwords from one address cannot reset its count by claiming a new
    CloudFront-Viewer-Address (or an origin secret) on each request: this API has no edge."""
    attacker = _viewer()
    for i in range(50):
        forged = {"X-Forwarded-For": attacker, "CloudFront-Viewer-Address": f"{_viewer()}:443", "X-Origin-Verify": NEW}
        assert_error(gateway.post("/auth/login", {"email": new_email("spray"), "password": WRONG}, headers=forged), 401)
    forged = {"X-Forwarded-For": attacker, "CloudFront-Viewer-Address": f"{_viewer()}:443"}
    assert_error(gateway.post("/auth/login", {"email": new_email("spray"), "password": WRONG}, headers=forged), 429)
