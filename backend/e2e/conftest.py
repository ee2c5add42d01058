"""Shared pytest fixtures for backend/e2e.

`moto_env` (session scope) starts one moto server on a free 127.0.0.1 port with
SigV4 authentication ON (see support/motoctl.py) and stops it by pid at the end
of the session.  It yields the motoctl info dict plus an ``env`` entry holding
AWS_ENDPOINT_URL / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION ...
to merge into a subprocess environment, e.g.::

    def test_x(moto_env):
        subprocess.run(cmd, env={**os.environ, **moto_env["env"]}, check=True)

Tests that need an emulator of their own (for example to prove isolation or to
mutate global state) call ``motoctl.start(dir)`` / ``motoctl.stop(info)``
directly, or use the function-scoped `fresh_moto_env` fixture.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SUPPORT_DIR = Path(__file__).resolve().parent / "support"
if str(SUPPORT_DIR) not in sys.path:
    sys.path.insert(0, str(SUPPORT_DIR))

import motoctl  # noqa: E402


def _started(state_dir: Path):
    info = motoctl.start(state_dir)
    info = dict(info)
    info["env"] = motoctl.env_for(info)
    return info


@pytest.fixture(scope="session")
def moto_env(tmp_path_factory):
    info = _started(tmp_path_factory.mktemp("moto"))
    try:
        yield info
    finally:
        motoctl.stop(info)


@pytest.fixture()
def fresh_moto_env(tmp_path_factory):
    info = _started(tmp_path_factory.mktemp("moto-fresh"))
    try:
        yield info
    finally:
        motoctl.stop(info)
