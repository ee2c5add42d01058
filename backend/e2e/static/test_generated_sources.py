"""Generated sources are what their committed generators produce."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BACKEND = Path(__file__).resolve().parents[2]
GENERATOR = BACKEND / "scripts" / "gen-timezones.py"
TIME_ZONES = BACKEND / "Sources" / "LifestyleCore" / "Validation" / "TimeZones.swift"


def _machine_tzdata_version() -> str:
    out = subprocess.run([sys.executable, "-c",
                          "import importlib.util, sys; sys.path.insert(0, sys.argv[1]);"
                          "spec = importlib.util.spec_from_file_location('g', sys.argv[2]);"
                          "g = importlib.util.module_from_spec(spec); spec.loader.exec_module(g);"
                          "print(g.tzdata_version())", str(GENERATOR.parent), str(GENERATOR)],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_time_zone_list_is_generated_by_the_committed_script():
    header = re.search(r"version (\S+)\), each with", TIME_ZONES.read_text(encoding="utf-8"))
    assert header, "TimeZones.swift does not name the tzdata version it was generated from"
    machine = _machine_tzdata_version()
    if machine != header.group(1):
        pytest.skip(f"this machine has tzdata {machine}, the file was generated from {header.group(1)}; "
                    "run backend/scripts/gen-timezones.py to move to it")
    out = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_generated_list_keeps_area_names_and_drops_legacy_ones():
    rules = dict(re.findall(r'^\s+"([^"]+)": "([^"]+)",$', TIME_ZONES.read_text(encoding="utf-8"), re.M))
    names = set(rules)
    assert {"Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "GMT"} <= names
    assert not names & {"EST5EDT", "Japan", "Factory", "localtime", "Etc/GMT+5"}
    # each with its current rule, as the TZif footer says
    assert rules["Europe/Berlin"] == "CET-1CEST,M3.5.0,M10.5.0/3"
    assert rules["Asia/Kolkata"] == "IST-5:30"
    assert rules["UTC"] == "UTC0"


API_GENERATOR = BACKEND / "scripts" / "gen-api.py"


def _gen_api():
    spec = importlib.util.spec_from_file_location("gen_api", API_GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_operations_and_parameters_are_what_the_spec_generates():
    """Sources/LifestyleCore/Generated/Operations.swift (the operations, the handler protocol, the
    route table, the parameter structs) and the fixture's parameter structs are what gen-api.py
    writes from the committed specs: nobody edited them, and nobody changed a spec without them."""
    out = subprocess.run([sys.executable, str(API_GENERATOR), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_route_table_comes_from_the_spec_only():
    generated = (BACKEND / "Sources" / "LifestyleCore" / "Generated" / "Operations.swift").read_text()
    spec = yaml.safe_load((BACKEND / "openapi.yaml").read_text())
    ids = [op["operationId"] for item in spec["paths"].values() for m, op in item.items()
           if m in ("get", "put", "post", "delete", "patch")]
    assert re.findall(r"^    case (\w+)$", generated, re.M) == ids
    assert "public static let all: [Route] = APIOperation.allCases.map(route)" in generated
    # outside the generated table, only tests make routes: the method/path initialisers are `package`
    sources = BACKEND / "Sources"
    for path in sources.rglob("*.swift"):
        text = path.read_text()
        if path.name == "Operations.swift":
            continue
        assert not re.search(r"\bRoute\(\s*\"", text), f"{path.relative_to(BACKEND)} makes a route outside the spec"
    router = (sources / "LifestyleCore" / "Routing" / "Router.swift").read_text()
    assert "package init(_ method: String, _ path: String" in router


@pytest.mark.parametrize("mutation, message", [
    (lambda s: s["paths"]["/auth/login"]["post"].update(operationId="registerUser"), "used twice"),
    (lambda s: s["paths"]["/auth/login"]["post"].pop("operationId"), "operationId must be"),
    (lambda s: s["paths"].update({"/goals/{goalId}": {"get": {"operationId": "getGoal", "responses": {}}}}),
     "do not match the path"),
    (lambda s: s["paths"].update({"/goals": {"get": {"operationId": "listGoals", "responses": {}, "parameters": [
        {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}}]}}}),
     "format 'date-time' is not supported"),
])
def test_the_generator_refuses_what_it_cannot_serve(mutation, message):
    gen = _gen_api()
    spec = yaml.safe_load((BACKEND / "openapi.yaml").read_text())
    mutation(spec)
    with pytest.raises(gen.SpecError, match=message):
        gen.render_api(spec)
