"""Shared fixture maker for the AWS fault suites: the real api-handler (ENVIRONMENT=dev) on a
fresh emulator, reaching it through a FaultProxy."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for p in (HERE, HERE.parent / "api"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import drivers  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402


@contextlib.contextmanager
def driver_behind_proxy(before_start=None):
    """Yields (driver, proxy); `before_start(proxy)` can set faults the start-up should meet."""
    driver = drivers.AwsDriver()
    proxy = FaultProxy(driver.moto["endpoint"])
    if before_start:
        before_start(proxy)
    driver.extra_env["AWS_ENDPOINT_URL"] = proxy.url
    driver.start()
    try:
        yield driver, proxy
    finally:
        proxy.clear()
        driver.cleanup()
        proxy.close()
