"""A loopback HTTP proxy between api-handler and the AWS emulator that fails chosen operations.

Rules match the ``X-Amz-Target`` operation (e.g. ``DynamoDB_20120810.TransactWriteItems``,
``AWSCognitoIdentityProviderService.SignUp``), or for a rule starting with ``/`` the end of a GET's
path (``/.well-known/jwks.json``), and fail the next ``times`` matching requests with
``"500"`` (InternalServerError), ``"throttle"`` (the service's throttling error, HTTP 400) or
``"drop"`` (connection closed without an answer). Everything else is forwarded byte for byte,
Host header included, so the emulator still checks the SigV4 signature.
"""

from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class FaultProxy:
    def __init__(self, upstream: str):
        u = urlsplit(upstream)
        self.upstream = (u.hostname, u.port)
        self.rules: list[dict] = []
        self.seen: list[str] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                self._forward()

            def do_GET(self):
                self._forward()

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = self.headers.get("X-Amz-Target", "") or self.path
                action = proxy._take(target)
                if action == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if action in ("500", "throttle"):
                    code = 500 if action == "500" else 400
                    kind = "InternalServerError"
                    if action == "throttle":
                        kind = "ThrottlingException" if target.startswith("DynamoDB") else "TooManyRequestsException"
                    payload = json.dumps({"__type": kind, "message": f"injected {action}"}).encode()
                    self.send_response(code)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def fail(self, operation: str, mode: str, times: int = 100) -> None:
        with self.lock:
            self.rules.append({"op": operation, "mode": mode, "times": times})

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def _take(self, target: str) -> str | None:
        with self.lock:
            self.seen.append(target)
            for rule in self.rules:
                op = rule["op"]
                matches = target.endswith(op) if op.startswith("/") else target.endswith("." + op)
                if matches and rule["times"] > 0:
                    rule["times"] -= 1
                    return rule["mode"]
        return None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
