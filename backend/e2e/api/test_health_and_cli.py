"""GET /v1/health, the CLI's help, and refusal of invalid configuration."""

from __future__ import annotations

import subprocess

import pytest

from api_support import json_body, parse_ts


def test_health_answers_healthy(api):
    r = api.get("/health")
    assert r.status_code == 200
    body = json_body(r)
    assert body["status"] == "healthy"
    parse_ts(body["timestamp"])
    assert isinstance(body["version"], str) and body["version"]
    assert r.headers.get("X-Request-ID")


def test_health_timestamp_is_current(api):
    from datetime import datetime, timezone

    body = api.get("/health").json()
    ts = parse_ts(body["timestamp"])
    assert ts.tzinfo is not None, "health timestamp must carry a timezone"
    assert abs((datetime.now(timezone.utc) - ts).total_seconds()) < 120


def test_top_level_help(api):
    r = api.driver.run_cli(["--help"])
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    assert "serve" in out
    assert "USAGE" in out.upper()


def test_serve_help_lists_options(api):
    r = api.driver.run_cli(["serve", "--help"])
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    for opt in ("--host", "--port", "--data-dir"):
        assert opt in out, f"{opt} missing from serve --help"


@pytest.mark.parametrize(
    "setting,value",
    [("ENVIRONMENT", "staging"), ("LOG_LEVEL", "loud")],
)
def test_invalid_configuration_exits_with_one_clear_line(api, tmp_path, setting, value):
    env = {"ENVIRONMENT": "local", "LOG_LEVEL": "info", setting: value}
    try:
        r = api.driver.run_cli(
            ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(tmp_path / "data")], env=env, timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{setting}={value}: server kept running instead of refusing the configuration")
    assert r.returncode != 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected exactly one line on stderr, got {lines!r}"
    assert setting in lines[0], lines[0]
    assert value in lines[0], lines[0]
