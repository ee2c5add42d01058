"""backend/template.yaml (for `sam local start-api` with Docker): valid SAM per cfn-lint with the
SAM transform, and one catch-all HTTP API event: the route list lives in openapi.yaml only."""

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


def test_template_routes_everything_under_v1_to_the_function_and_repeats_no_route():
    template = yaml.load(TEMPLATE.read_text(), Loader=_Loader)
    fn = template["Resources"]["ApiHandler"]["Properties"]
    events = {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in fn["Events"].values()}
    # No OPTIONS route either: API Gateway answers preflights (CorsConfiguration).
    assert events == {("ANY", "/v1/{proxy+}")}
    # no route of the app's table is written here (adding an endpoint never touches this file)
    paths = set(yaml.safe_load((BACKEND / "openapi.yaml").read_text())["paths"])
    assert paths, "no paths in openapi.yaml"
    text = TEMPLATE.read_text()
    assert not [p for p in paths if p != "/health" and p in text]
    cors = template["Globals"]["HttpApi"]["CorsConfiguration"]
    assert cors["AllowHeaders"] == ["authorization", "content-type", "x-request-id", "x-api-key"]
    meta = template["Resources"]["ApiHandler"]["Metadata"]
    assert meta["Dockerfile"] == "Dockerfile.api-handler" and (BACKEND / meta["DockerContext"] / meta["Dockerfile"]).exists()
    assert fn["PackageType"] == "Image"
