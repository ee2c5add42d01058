"""Register latency against the emulator, two api-handler builds side by side, and the AWS calls
each route makes (a benchmark command, not a test; Benchmarks/bench-aws.sh runs it).

    python backend/Benchmarks/bench_register.py NEW_BINARY [BASELINE_BINARY]

Each build serves ENVIRONMENT=dev against its own moto emulator (SigV4 checked). Rounds
alternate between the builds (this VM is noisy: only the ratio in one run means anything); each
round registers ROUNDS_USERS fresh accounts. Then, for the first build, through a counting proxy
(never while timing: it adds tens of milliseconds per call), one request of each route and the
AWS operations it made, in order.

Next to them, in the same alternating rounds, a Python floor in the seed's shape: a threaded
http.server whose register makes the same two calls with boto3 (SignUp, then one
TransactWriteItems of profile and email guard) against a third emulator, so "our p50 / Python's"
is the issue's register ratio. It validates nothing and writes a minimal item: a floor, not a
second implementation.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


def start(binary: str, counted: bool = False):
    """A build serving against its own emulator; `counted`: through the counting proxy (which
    adds tens of milliseconds per call, so latency is measured without it)."""
    os.environ["API_HANDLER_BIN"] = binary
    driver = drivers.AwsDriver()
    proxy = FaultProxy(driver.moto["endpoint"]) if counted else None
    if proxy:
        driver.extra_env["AWS_ENDPOINT_URL"] = proxy.url
    driver.start()
    return driver, proxy


class PythonFloor:
    """The seed-shaped register: SignUp, then one transaction (profile + email guard), boto3."""

    def __init__(self, driver):
        self.driver = driver
        cognito, dynamodb = driver._client("cognito-idp"), driver._client("dynamodb")

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                email = body["email"].strip().lower()
                sub = cognito.sign_up(
                    ClientId=driver.client_id, SecretHash=driver.secret_hash(email), Username=email,
                    Password=body["password"], UserAttributes=[{"Name": "email", "Value": email}])["UserSub"]
                now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                dynamodb.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "users-dev", "ConditionExpression": "attribute_not_exists(pk)", "Item": {
                        "pk": {"S": f"USER#{sub}"}, "sk": {"S": "PROFILE"}, "email": {"S": email},
                        "firstName": {"S": body["firstName"]}, "lastName": {"S": body["lastName"]},
                        "createdAt": {"S": now}}}},
                    {"Put": {"TableName": "users-dev", "ConditionExpression": "attribute_not_exists(pk)", "Item": {
                        "pk": {"S": f"EMAIL#{email}"}, "sk": {"S": "EMAIL"}, "userId": {"S": sub}}}},
                ])
                out = json.dumps({"userId": sub, "email": email}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def cleanup(self):
        self.server.shutdown()
        self.driver.cleanup()


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
    floor_driver = drivers.AwsDriver()  # its own emulator; only its boto3 clients are used
    floor = PythonFloor(floor_driver)
    subjects = [d for d, _ in started] + [floor]
    names = binaries + ["python floor (boto3, 2 calls)"]
    try:
        for d in subjects:
            for _ in range(3):
                register(d)  # warm connections and caches
        samples: list[list[float]] = [[] for _ in subjects]
        for _ in range(ROUNDS):
            for i, d in enumerate(subjects):
                samples[i].extend(register(d) for _ in range(USERS))
        print(f"register p50 / p90 (ms), {ROUNDS} alternating rounds of {USERS}:")
        p50s = []
        for b, s in zip(names, samples):
            s.sort()
            p50s.append(statistics.median(s))
            print(f"  {b}: p50 {p50s[-1]:.2f}  p90 {s[int(len(s) * 0.9)]:.2f}")
        if len(binaries) == 2:
            print(f"  ratio new/baseline p50: {p50s[0] / p50s[1]:.2f}")
        print(f"  ratio new/python floor p50: {p50s[0] / p50s[-1]:.2f}  (target <= 1.25)")
    finally:
        for d, _ in started:
            d.cleanup()
        floor.cleanup()
    counted = start(binaries[0], counted=True)
    try:
        route_calls(*counted)
    finally:
        counted[0].cleanup()
        counted[1].close()


if __name__ == "__main__":
    main()
