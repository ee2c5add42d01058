"""scripts/check-bootstrap.sh, the image check the Dockerfile runs without a daemon: the binary's
architecture, its dynamic libraries and its newest glibc symbol, read from the ELF file."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2]
CHECK = BACKEND / "scripts" / "check-bootstrap.sh"
HOST_ARCH = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine())
OTHER_ARCH = "arm64" if HOST_ARCH == "x86_64" else "x86_64"

pytestmark = pytest.mark.skipif(not shutil.which("readelf") or not (shutil.which("cc") or shutil.which("clang")),
                                reason="needs readelf and a C compiler")


def _check(binary: Path, arch: str, max_glibc: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if max_glibc:
        env["MAX_GLIBC"] = max_glibc
    return subprocess.run(["bash", str(CHECK), str(binary), arch], capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def c_binary(tmp_path_factory) -> Path:
    """A small program linked against glibc only, using a symbol versioned at glibc 2.34+
    (`__libc_start_main@GLIBC_2.34`, which every program built on glibc >= 2.34 needs)."""
    d = tmp_path_factory.mktemp("elf")
    (d / "main.c").write_text('#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n')
    cc = shutil.which("cc") or shutil.which("clang")
    subprocess.run([cc, "-O1", "-o", str(d / "bootstrap"), str(d / "main.c")], check=True)
    return d / "bootstrap"


def _host_glibc() -> str:
    out = subprocess.run(["ldd", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return out.split()[-1]


def test_a_glibc_only_binary_for_the_functions_architecture_passes(c_binary):
    proc = _check(c_binary, HOST_ARCH, max_glibc=_host_glibc())
    assert proc.returncode == 0, proc.stderr
    assert "Swift runtime static" in proc.stdout


def test_a_binary_needing_a_newer_glibc_than_the_runtime_image_is_refused(c_binary):
    proc = _check(c_binary, HOST_ARCH, max_glibc="2.17")
    assert proc.returncode != 0 and "needs glibc 2." in proc.stderr and "the runtime image has 2.17" in proc.stderr


def test_a_binary_for_the_other_architecture_is_refused(c_binary):
    proc = _check(c_binary, OTHER_ARCH, max_glibc=_host_glibc())
    assert proc.returncode != 0 and "the function runs on" in proc.stderr


def test_a_swift_binary_with_the_runtime_linked_dynamically_is_refused():
    binary = Path(os.environ.get("API_HANDLER_BIN", ""))
    if not binary.is_file():
        pytest.skip("no api-handler build (API_HANDLER_BIN)")
    proc = _check(binary, HOST_ARCH, max_glibc="9.99")
    assert proc.returncode != 0 and "links the Swift runtime dynamically" in proc.stderr


def test_the_dockerfile_runs_the_check_on_what_it_built():
    docker = (BACKEND / "Dockerfile.api-handler").read_text()
    assert "COPY scripts/check-bootstrap.sh /usr/local/bin/check-bootstrap" in docker
    assert 'RUN check-bootstrap /out/bootstrap' in docker
    assert "!scripts/check-bootstrap.sh" in (BACKEND / "Dockerfile.api-handler.dockerignore").read_text()
    # the build image's glibc is the runtime's (UBI 9 and Amazon Linux 2023: 2.34)
    assert "ARG SWIFT_IMAGE=swift:6.3.1-rhel-ubi9" in docker and "provided:al2023" in docker
