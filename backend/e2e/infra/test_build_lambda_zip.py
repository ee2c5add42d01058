"""scripts/build-lambda-zip.sh with the docker stand-in: the zip holds one executable `bootstrap`."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent


@pytest.mark.skipif(shutil.which("zip") is None, reason="zip not installed")
@pytest.mark.parametrize("arch,platform", [("arm64", "linux/arm64"), ("x86_64", "linux/amd64")])
def test_zip_contains_executable_bootstrap(tmp_path, arch, platform):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    docker = bindir / "docker"
    docker.write_text(f"#!/bin/sh\nexec {sys.executable} {HERE / 'fake_docker.py'} \"$@\"\n")
    docker.chmod(0o755)
    log = tmp_path / "docker.log"
    out_zip = tmp_path / "out" / "api-handler.zip"
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
           "FAKE_DOCKER_LOG": str(log), "LAMBDA_ARCH": arch}
    proc = subprocess.run(["bash", str(REPO / "backend" / "scripts" / "build-lambda-zip.sh"), str(out_zip)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(out_zip)
    with zipfile.ZipFile(out_zip) as zf:
        assert zf.namelist() == ["bootstrap"]
        mode = zf.getinfo("bootstrap").external_attr >> 16
        assert mode & stat.S_IXUSR
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    build = [c for c in calls if c["cmd"] == "build"][0]
    assert build["platform"] == platform
    assert build["dockerfile"].endswith("backend/Dockerfile.api-handler")
    assert [c["src"] for c in calls if c["cmd"] == "cp"] == ["fakecontainer0001:/var/runtime/bootstrap"]


def test_zip_rejects_unknown_arch(tmp_path):
    proc = subprocess.run(["bash", str(REPO / "backend" / "scripts" / "build-lambda-zip.sh"), str(tmp_path / "x.zip")],
                          env={**os.environ, "LAMBDA_ARCH": "mips"}, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "build-lambda-zip: ERROR: LAMBDA_ARCH must be arm64 or x86_64" in proc.stderr
