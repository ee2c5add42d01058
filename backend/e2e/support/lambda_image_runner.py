#!/usr/bin/env python3
"""Runs one invocation of a container-image Lambda function the way Lambda does, without docker.

The emulator (motoctl's ``_patch_moto_lambda_images``) calls this for every Invoke of a
PackageType Image function: the event arrives on stdin, the function's configuration in the
environment (its variables plus ``IMAGE_URI`` and ``AWS_LAMBDA_FUNCTION_*``).  The image's
bootstrap is the binary the deploy rehearsal's ``docker`` stand-in recorded when it built that
image (``fake_docker.py``: ``$FAKE_IMAGE_BOOTSTRAP``, by default the locally built
``api-handler``).  Like Lambda, this serves the Runtime API on a local port (one event), starts
the bootstrap with ``AWS_LAMBDA_RUNTIME_API`` and the caller's credentials and endpoint, and
returns what the bootstrap posts: a response, an invocation error, an init error, or its exit.

Prints one JSON line: ``{"payload": str, "errored": bool, "logs": str}``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PREFIX = "/2018-06-01/runtime"


def bootstrap_for(image_uri: str) -> str | None:
    log = os.environ.get("FAKE_DOCKER_LOG")
    if not log:
        return None
    images = Path(log).with_suffix(".images.json")
    if not images.exists():
        return None
    return json.loads(images.read_text()).get(image_uri)


def main() -> int:
    event = sys.stdin.read() or "{}"
    image = os.environ.get("IMAGE_URI", "")
    timeout = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "15"))
    request_id = str(uuid.uuid4())
    state: dict[str, object] = {}
    done = threading.Event()
    served = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _reply(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            if self.path != f"{PREFIX}/invocation/next":
                return self._reply(404)
            if served.is_set():
                done.wait(timeout + 5)  # the next event never comes; the process is stopped
                return self._reply(500)
            served.set()
            deadline = int((time.time() + timeout) * 1000)
            arn = (f"arn:aws:lambda:{os.environ.get('AWS_REGION', 'us-east-1')}:123456789012:function:"
                   f"{os.environ.get('AWS_LAMBDA_FUNCTION_NAME', 'fn')}")
            self._reply(200, event.encode(), {
                "Lambda-Runtime-Aws-Request-Id": request_id,
                "Lambda-Runtime-Deadline-Ms": str(deadline),
                "Lambda-Runtime-Invoked-Function-Arn": arn,
                "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                "Content-Type": "application/json",
            })

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.path == f"{PREFIX}/invocation/{request_id}/response":
                state.update(payload=body, errored=False)
            elif self.path == f"{PREFIX}/invocation/{request_id}/error":
                state.update(payload=body, errored=True)
            elif self.path == f"{PREFIX}/init/error":
                state.update(payload=body, errored=True)
            else:
                return self._reply(404)
            self._reply(202, b'{"status":"OK"}')
            done.set()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    bootstrap = bootstrap_for(image)
    logs = ""
    if not bootstrap or not os.access(bootstrap, os.X_OK):
        state.update(payload=json.dumps({"errorType": "Runtime.InvalidEntrypoint",
                                         "errorMessage": f"no bootstrap in image {image}"}), errored=True)
    else:
        info = json.loads(Path("moto.json").read_text())  # the emulator's cwd is its state dir
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ACCESS", "AWS_SECRET", "AWS_SESSION"))}
        env.update({
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
            "AWS_ENDPOINT_URL": info["endpoint"],
            "AWS_ACCESS_KEY_ID": info["access_key_id"],
            "AWS_SECRET_ACCESS_KEY": info["secret_access_key"],
            "AWS_REGION": info["region"],
            "AWS_DEFAULT_REGION": info["region"],
        })
        proc = subprocess.Popen([bootstrap], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + timeout + 10  # init plus the invocation
        while not done.is_set() and proc.poll() is None and time.monotonic() < deadline:
            done.wait(0.05)
        exited = proc.poll()
        if proc.poll() is None:
            proc.kill()
        logs = proc.communicate()[0] or ""
        if not done.is_set():
            reason = (f"Runtime exited with error: exit status {exited}" if exited is not None
                      else "Task timed out")
            state.update(payload=json.dumps({"errorType": "Runtime.ExitError" if exited is not None
                                             else "Sandbox.Timedout", "errorMessage": reason}), errored=True)
    done.set()
    server.shutdown()
    print(json.dumps({"payload": state.get("payload", ""), "errored": bool(state.get("errored")),
                      "logs": logs[-4000:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
