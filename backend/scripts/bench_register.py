"""Register latency against the emulator, two api-handler builds side by side, and the AWS calls
each route makes (a benchmark command, not a test; scripts/bench-aws.sh runs it).

    python backend/scripts/bench_register.py NEW_BINARY [BASELINE_BINARY]

Each build serves ENVIRONMENT=dev against its own moto emulator (SigV4 checked) through a
counting proxy. Rounds alternate between the builds (this VM is noisy: only the ratio in one run
means anything); each round registers ROUNDS_USERS fresh accounts. Then, for the first build, one
request of each route and the AWS operations it made, in order.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
for p in (HERE.parent / "e2e" / "api", HERE.parent / "e2e" / "aws"):
    sys.path.insert(0, str(p))

import requests  # noqa: E402

import drivers  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "6"))
USERS = int(os.environ.get("ROUNDS_USERS", "20"))
PASSWORD = "SecureP@ss123"


def start(binary: str):
    os.environ["API_HANDLER_BIN"] = binary
    driver = drivers.AwsDriver()
    proxy = FaultProxy(driver.moto["endpoint"])
    driver.extra_env["AWS_ENDPOINT_URL"] = proxy.url
    driver.start()
    return driver, proxy


def register(driver) -> float:
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    t0 = time.perf_counter()
    r = requests.post(driver.base_url + "/auth/register", timeout=30,
                      json={"email": email, "password": PASSWORD, "firstName": "Bench", "lastName": "Mark"})
    elapsed = time.perf_counter() - t0
    assert r.status_code == 201, r.text
    return elapsed * 1000


def calls(proxy) -> list[str]:
    with proxy.lock:
        out = [t.rsplit(".", 1)[-1] for t in proxy.seen]
        proxy.seen.clear()
    return out


def route_calls(driver, proxy) -> None:
    base = driver.base_url
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    register(driver)  # start-up reads behind us
    calls(proxy)
    steps = []

    def step(name, fn):
        r = fn()
        steps.append((name, r.status_code, calls(proxy)))
        return r

    step("POST /auth/register", lambda: requests.post(base + "/auth/register", timeout=30, json={
        "email": email, "password": PASSWORD, "firstName": "Bench", "lastName": "Mark"}))
    token = driver.mail_token(email, "verify-email")
    calls(proxy)
    step("POST /auth/email/verify", lambda: requests.post(base + "/auth/email/verify", json={"token": token}, timeout=30))
    login = step("POST /auth/login", lambda: requests.post(base + "/auth/login", timeout=30,
                                                            json={"email": email, "password": PASSWORD})).json()
    auth = {"Authorization": f"Bearer {login['accessToken']}"}
    step("GET /users/profile", lambda: requests.get(base + "/users/profile", headers=auth, timeout=30))
    step("PUT /users/profile", lambda: requests.put(base + "/users/profile", headers=auth, timeout=30,
                                                     json={"firstName": "Benched"}))
    step("POST /auth/refresh", lambda: requests.post(base + "/auth/refresh", timeout=30,
                                                      json={"refreshToken": login["refreshToken"]}))
    step("POST /auth/login (wrong password)", lambda: requests.post(base + "/auth/login", timeout=30,
                                                                     json={"email": email, "password": "Wrong-pass1!"}))
    print("\nAWS calls per route (in order; each arrow is a sequential round trip):")
    for name, status, ops in steps:
        print(f"  {name:34s} {status}  {len(ops)}: {' -> '.join(ops) or '-'}")


def main() -> None:
    binaries = sys.argv[1:3]
    if not binaries:
        sys.exit(__doc__)
    started = [start(b) for b in binaries]
    try:
        for d, _ in started:
            for _ in range(3):
                register(d)  # warm connections and caches
        samples: list[list[float]] = [[] for _ in started]
        for _ in range(ROUNDS):
            for i, (d, _) in enumerate(started):
                samples[i].extend(register(d) for _ in range(USERS))
        print(f"register p50 / p90 (ms), {ROUNDS} alternating rounds of {USERS}:")
        p50s = []
        for b, s in zip(binaries, samples):
            s.sort()
            p50s.append(statistics.median(s))
            print(f"  {b}: p50 {p50s[-1]:.2f}  p90 {s[int(len(s) * 0.9)]:.2f}")
        if len(p50s) == 2:
            print(f"  ratio new/baseline p50: {p50s[0] / p50s[1]:.2f}")
        route_calls(*started[0])
    finally:
        for d, p in started:
            d.cleanup()
            p.close()


if __name__ == "__main__":
    main()
