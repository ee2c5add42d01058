"""The project's OpenAPI document: valid OpenAPI 3.x, and in step with the served route table."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml
from openapi_spec_validator import validate

BACKEND = Path(__file__).resolve().parents[2]
SPEC = BACKEND / "openapi.yaml"


def _binary() -> str:
    explicit = os.environ.get("API_HANDLER_BIN")
    if explicit:
        return explicit
    for candidate in (BACKEND / ".build/release/api-handler", BACKEND / ".build/debug/api-handler"):
        if candidate.exists():
            return str(candidate)
    raise AssertionError("api-handler is not built; run backend/scripts/test.sh or set API_HANDLER_BIN")


def _spec() -> dict:
    return yaml.safe_load(SPEC.read_text())


def test_document_is_valid_openapi_3():
    spec = _spec()
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_every_served_route_is_documented_and_nothing_else():
    out = subprocess.run([_binary(), "routes"], check=True, capture_output=True, text=True).stdout
    served = {}
    for line in out.splitlines():
        method, path, access = line.split()
        assert path.startswith("/v1/"), line
        served[(method.lower(), path[len("/v1"):])] = access
    spec = _spec()
    documented = {
        (method, path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"get", "put", "post", "delete", "patch"}
    }
    assert set(served) == set(documented)
    for key, access in served.items():
        op = documented[key]
        # Open routes say `security: []`; protected ones inherit the global bearer requirement.
        is_open = op.get("security", spec["security"]) == []
        assert is_open == (access == "open"), key
        if access == "bearer":
            assert "401" in op["responses"], key


def test_servers_use_the_v1_base_path():
    assert all(s["url"].endswith("/v1") for s in _spec()["servers"])


def test_no_access_log_line_holds_a_request_path():
    """A path can carry an email (`GET /users/by-email/{email}`); API Gateway's access log names
    the route's template (`$context.routeKey`) and never the request's path."""
    spec = _spec()
    assert any("{email}" in path for path in spec["paths"]), "the case this guards is gone; revisit the test"
    gateway = (BACKEND / "terraform/modules/api_gateway/main.tf").read_text()
    fmt = gateway[gateway.index("access_log_settings"):]
    fmt = fmt[: fmt.index("\n    })")]
    assert "$context.routeKey" in fmt
    assert "$context.path" not in fmt and "$context.resourcePath" not in fmt
