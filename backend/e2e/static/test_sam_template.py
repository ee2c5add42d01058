"""backend/template.yaml (for `sam local start-api` with Docker): valid SAM per cfn-lint with the
SAM transform, and its HTTP API events are exactly the app's route table."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

BACKEND = Path(__file__).resolve().parents[2]
TEMPLATE = BACKEND / "template.yaml"


class _Loader(yaml.SafeLoader):
    pass


# CloudFormation's short-form intrinsics (!Ref, !Sub, ...) as plain values.
_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _cfn_lint() -> str:
    exe = Path(sys.executable).parent / "cfn-lint"
    return str(exe) if exe.exists() else (shutil.which("cfn-lint") or "cfn-lint")


def test_template_passes_cfn_lint_with_the_sam_transform():
    proc = subprocess.run([_cfn_lint(), "--format", "parseable", str(TEMPLATE)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_template_events_are_the_route_table():
    template = yaml.load(TEMPLATE.read_text(), Loader=_Loader)
    fn = template["Resources"]["ApiHandler"]["Properties"]
    events = {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in fn["Events"].values() if e["Type"] == "HttpApi"}
    routes = {(m, "/v1" + p) for m, p in re.findall(
        r'Route\(\s*"([A-Z]+)"\s*,\s*"([^"]+)"', (BACKEND / "Sources" / "LifestyleCore" / "Routes.swift").read_text())}
    assert routes, "no routes parsed from Routes.swift"
    assert events == routes  # no OPTIONS route: API Gateway answers preflights (CorsConfiguration)
    cors = template["Globals"]["HttpApi"]["CorsConfiguration"]
    assert cors["AllowHeaders"] == ["authorization", "content-type", "x-request-id", "x-api-key"]
    meta = template["Resources"]["ApiHandler"]["Metadata"]
    assert meta["Dockerfile"] == "Dockerfile.api-handler" and (BACKEND / meta["DockerContext"] / meta["Dockerfile"]).exists()
    assert fn["PackageType"] == "Image"
