"""Fixtures for the black-box HTTP API suite (backend/e2e/api).

* ``api`` (session): one server started by the driver chosen with
  ``LIFESTYLE_E2E_MODE`` (default ``embedded``; see drivers.py), wrapped in
  :class:`api_support.Api` (base URL + helpers).  Stopped (by pid) at the end.
* ``api_factory`` (function): ``api_factory(extra_env)`` starts an extra,
  independent server of the same kind (own data dir) and stops it after the
  test -- for CORS_ORIGIN variants and restart tests.
* ``user``: a fresh registered + verified user on ``api``.
* ``signing_key``: the server's private signing key (cryptography object);
  skips when the backend does not expose it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import api_support  # noqa: E402
import drivers  # noqa: E402


@pytest.fixture(scope="session")
def driver():
    d = drivers.make_driver()
    try:
        d.start()
        yield d
    finally:
        d.cleanup()


@pytest.fixture(scope="session")
def api(driver):
    return api_support.Api(driver)


@pytest.fixture()
def api_factory(driver):
    started = []

    def make(extra_env=None) -> api_support.Api:
        d = driver.spawn(extra_env or {})
        started.append(d)
        d.start()
        return api_support.Api(d)

    try:
        yield make
    finally:
        for d in started:
            d.cleanup()


@pytest.fixture()
def twin(api):
    """A second server process of the session's kind on the same backing state (another
    instance of the service: another Lambda container, another local server on one data dir)."""
    d = api.driver.twin()
    try:
        d.start()
        yield api_support.Api(d)
    finally:
        d.cleanup()


@pytest.fixture()
def behind_gateway(api):
    """The session's server, when it stands behind API Gateway (the ``lambda`` mode: the front
    takes the client's address from ``X-Forwarded-For`` as ``sourceIp``); per-address limits
    need it."""
    if api.driver.mode != "lambda":
        pytest.skip("per-address limits need API Gateway's sourceIp (the lambda front)")
    return api


@pytest.fixture()
def user(api):
    return api.new_user()


@pytest.fixture()
def signing_key(api):
    pem = api.driver.signing_key_pem()
    if pem is None:
        pytest.skip(f"{api.driver.mode} backend does not expose its signing key")
    return api_support.load_private_key(pem)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of the session server's output to the report."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        d = item.funcargs.get("driver") or getattr(item.funcargs.get("api"), "driver", None)
        if d is not None:
            try:
                tail = d.output_text()[-3000:]
            except Exception:  # pragma: no cover
                tail = "<unavailable>"
            rep.sections.append(("server output (tail)", tail))
