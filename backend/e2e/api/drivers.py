"""Backend drivers for the black-box API suite.

A *driver* owns one running API server and everything the tests need to know
about it that is not visible over HTTP:

* ``base_url``             -- e.g. ``http://127.0.0.1:53127/v1``
* ``start()`` / ``stop()``  -- start (wait for ``GET /v1/health``) / kill by pid
* ``restart()``            -- stop and start again with the same state (data dir)
* ``mail_token(email, kind)`` -- the latest token mailed to ``email`` for
  ``kind`` (``"verify-email"`` or ``"reset-password"``), or ``None``
* ``output_text()``        -- everything the server wrote (stdout + stderr)
* ``signing_key_pem()``    -- the PEM of the token signing key, or ``None`` when
  the backend does not expose it (tests that forge tokens then skip)
* ``spawn(extra_env)``     -- a NEW, independent driver of the same kind with
  extra environment (used for CORS_ORIGIN tests, restart tests, ...)
* ``binary`` / ``run_cli(args, env)`` -- run the api-handler executable directly

Which driver is used is chosen by ``LIFESTYLE_E2E_MODE``:

* ``embedded`` (default, implemented): ``api-handler serve`` with
  ``ENVIRONMENT=local``; SQLite + local identity provider in a temp data dir,
  mails read from ``DATA_DIR/outbox.jsonl``.
* ``aws`` (extension point): same binary with ``ENVIRONMENT=dev`` against the
  moto emulator; subclass :class:`ServerProcessDriver`, override
  :meth:`server_env` (AWS_* variables from ``support/motoctl.py``),
  :meth:`mail_token` (read codes from the emulator) and
  :meth:`signing_key_pem` (``None`` or the emulator's key).
* ``lambda`` (extension point): ``api-handler serve --lambda``; subclass
  :class:`EmbeddedDriver` and override :meth:`serve_args`.

Register new drivers in :data:`DRIVERS`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Mapping, Optional

REPO_BACKEND = Path(__file__).resolve().parents[2]  # .../backend

DEFAULT_BINARIES = (
    REPO_BACKEND / ".build" / "release" / "api-handler",
    REPO_BACKEND / ".build" / "debug" / "api-handler",
)

START_TIMEOUT_S = float(os.environ.get("LIFESTYLE_E2E_START_TIMEOUT", "60"))


class DriverError(RuntimeError):
    pass


def find_binary() -> Path:
    explicit = os.environ.get("API_HANDLER_BIN")
    if explicit:
        p = Path(explicit)
        if not p.exists():
            raise DriverError(f"API_HANDLER_BIN={explicit} does not exist")
        return p
    for p in DEFAULT_BINARIES:
        if p.exists():
            return p
    raise DriverError(
        "no api-handler binary: set API_HANDLER_BIN or build backend (swift build)"
    )


def free_port() -> int:
    """A port the OS considers free right now (bind to port 0, read, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BackendDriver:
    """Interface every backend/transport driver implements."""

    mode: str = "abstract"
    base_url: str
    # Behaviours a backend's emulator does not reproduce; tests skip exactly those assertions.
    emulator_limits: frozenset[str] = frozenset()

    # lifecycle -------------------------------------------------------------
    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        """Stop and remove any temporary state."""
        self.stop()

    # out-of-band knowledge -------------------------------------------------
    def mail_token(self, email: str, kind: str) -> Optional[str]:
        raise NotImplementedError

    def output_text(self) -> str:
        raise NotImplementedError

    def mail_count(self, email: str, kind: str) -> int:
        """How many ``kind`` emails ``email`` was sent so far."""
        raise NotImplementedError

    def signing_key_pem(self) -> Optional[bytes]:
        return None

    def spawn(self, extra_env: Optional[Mapping[str, str]] = None) -> "BackendDriver":
        raise NotImplementedError

    # the executable ----------------------------------------------------------
    @property
    def binary(self) -> Path:
        return find_binary()

    def run_cli(
        self, args: list[str], env: Optional[Mapping[str, str]] = None, timeout: float = 30
    ) -> subprocess.CompletedProcess:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run(
            [str(self.binary), *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


class ServerProcessDriver(BackendDriver):
    """A driver that runs ``api-handler`` as a child process on a free port.

    Subclasses customise :meth:`server_env` and :meth:`serve_args`.
    """

    mode = "process"

    def __init__(self, extra_env: Optional[Mapping[str, str]] = None, data_dir: Optional[Path] = None):
        self.extra_env = dict(extra_env or {})
        self._own_dir = data_dir is None
        self.work_dir = Path(tempfile.mkdtemp(prefix=f"lifestyle-e2e-{self.mode}-"))
        self.data_dir = data_dir or (self.work_dir / "data")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.work_dir / "server-output.log"
        self.proc: Optional[subprocess.Popen] = None
        self.port: Optional[int] = None
        self.base_url = ""
        self._starts = 0

    # customisation points --------------------------------------------------
    def server_env(self) -> dict[str, str]:
        env = dict(os.environ)
        for k in ("ENVIRONMENT", "LOG_LEVEL", "CORS_ORIGIN"):
            env.pop(k, None)
        env.update(self.extra_env)
        return env

    def serve_args(self, port: int) -> list[str]:
        return ["serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(self.data_dir)]

    def health_url(self) -> str:
        return f"{self.base_url}/health"

    # lifecycle -------------------------------------------------------------
    def start(self) -> None:
        if self.proc is not None:
            return
        last_err: Exception | None = None
        for _attempt in range(3):  # the port may be taken between probe and bind
            port = free_port()
            self.port = port
            self.base_url = f"http://127.0.0.1:{port}/v1"
            self._starts += 1
            log = open(self.log_path, "ab")
            log.write(f"\n# --- start #{self._starts} on port {port}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [str(self.binary), *self.serve_args(port)],
                env=self.server_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log.close()
            try:
                self._wait_healthy()
                return
            except DriverError as e:
                last_err = e
                self.stop()
        raise DriverError(f"server did not become healthy: {last_err}\n{self.output_text()[-4000:]}")

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise DriverError(f"server exited early with {self.proc.returncode if self.proc else '?'}")
            try:
                with urllib.request.urlopen(self.health_url(), timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.1)
        raise DriverError("timed out waiting for GET /v1/health")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            except ProcessLookupError:
                pass

    def cleanup(self) -> None:
        self.stop()
        if os.environ.get("LIFESTYLE_E2E_KEEP") != "1":
            shutil.rmtree(self.work_dir, ignore_errors=True)

    # out-of-band -----------------------------------------------------------
    def output_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def spawn(self, extra_env: Optional[Mapping[str, str]] = None) -> "ServerProcessDriver":
        return type(self)(extra_env={**self.extra_env, **(extra_env or {})})

    def twin(self) -> "ServerProcessDriver":
        """A second server process on the SAME state (data directory), as a second instance of
        the service would be; its cleanup leaves that state alone."""
        return type(self)(extra_env=dict(self.extra_env), data_dir=self.data_dir)


class EmbeddedDriver(ServerProcessDriver):
    """``ENVIRONMENT=local``: SQLite store, local identity provider, file outbox."""

    mode = "embedded"

    def server_env(self) -> dict[str, str]:
        env = super().server_env()
        env.setdefault("ENVIRONMENT", "local")
        env.setdefault("LOG_LEVEL", "trace")  # most verbose level: strongest secret-leak check
        return env

    @property
    def outbox_path(self) -> Path:
        return self.data_dir / "outbox.jsonl"

    def outbox(self) -> list[dict]:
        try:
            lines = self.outbox_path.read_text().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            line = line.strip()
            if line:
                out.append(json.loads(line))
        return out

    def mail_token(self, email: str, kind: str) -> Optional[str]:
        want = email.lower()
        token = None
        for m in self.outbox():
            if str(m.get("to", "")).lower() == want and m.get("kind") == kind:
                token = m.get("token")
        return token

    def mail_count(self, email: str, kind: str) -> int:
        want = email.lower()
        return sum(1 for m in self.outbox() if str(m.get("to", "")).lower() == want and m.get("kind") == kind)

    def signing_key_pem(self) -> Optional[bytes]:
        p = self.data_dir / "signing-key.pem"
        return p.read_bytes() if p.exists() else None

    def stored_text(self) -> str:
        """Everything the database holds at rest, as text (the SQLite file and its journal)."""
        return "".join(p.read_bytes().decode("latin-1") for p in sorted(self.data_dir.glob("lifestyle.db*")))

    def expire_share(self, share_id: str, entry_id: str, recipient_id: str) -> None:
        """Moves a share's expiry into the past, as time would (the service has no test clock)."""
        import sqlite3
        import time
        with sqlite3.connect(self.data_dir / "lifestyle.db", timeout=10) as db:
            db.execute("UPDATE journal_shares SET expires_at = ? WHERE share_id = ?", (time.time() - 1, share_id))
            # the entry's own list of its shares says until when, too
            db.execute("UPDATE journal_entries SET meta = json_set(meta, ?, '2000-01-01T00:00:00.000Z') "
                       "WHERE entry_id = ?", (f'$.shares."{recipient_id}".expiresAt', entry_id))


class AwsDriver(ServerProcessDriver):
    """``ENVIRONMENT=dev`` against the moto AWS emulator (SigV4 checked): Cognito user pool and
    DynamoDB table made like Terraform makes them, one emulator per driver.

    Emails: Cognito sends them through our custom-message trigger. moto does not invoke
    triggers, so ``mail_token`` runs the real trigger (``api-handler cognito-trigger``) on the
    event Cognito would send, and fills Cognito's ``{####}`` code placeholder the way Cognito
    would (moto accepts any sign-up code and any non-moto reset code).
    """

    mode = "aws"
    token_alg = "RS256"
    # moto: any non-moto reset code is accepted (so a used link works twice), id tokens without
    # email_verified. AWS does both. moto also accepts any sign-up confirmation code, so a resent
    # verification link carries the same token as the first (AWS mails a new code and the old
    # one stops working). TOTP is the API's own (Cognito's MFA is off), so no TOTP limits apply.
    emulator_limits = frozenset({"reset-code-reuse", "no-email-verified-claim", "any-signup-code"})
    CODE = "482913"

    def __init__(self, extra_env: Optional[Mapping[str, str]] = None, data_dir: Optional[Path] = None):
        super().__init__(extra_env=extra_env, data_dir=data_dir)
        import sys

        support = REPO_BACKEND / "e2e" / "support"
        if str(support) not in sys.path:
            sys.path.insert(0, str(support))
        import motoctl  # noqa: PLC0415

        self._motoctl = motoctl
        self.moto = motoctl.start(self.work_dir / "moto")
        self.aws_env = motoctl.env_for(self.moto)
        self.cognito = self._client("cognito-idp")
        dynamodb = self._client("dynamodb")
        pool = self.cognito.create_user_pool(
            PoolName="ai-lifestyle-users-dev",
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            MfaConfiguration="OFF",  # as Terraform makes it: TOTP is the API's
            Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                          "RequireNumbers": True, "RequireSymbols": True}},
            Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
        )["UserPool"]
        client = self.cognito.create_user_pool_client(
            UserPoolId=pool["Id"], ClientName="api-dev", GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            PreventUserExistenceErrors="ENABLED",
        )["UserPoolClient"]
        dynamodb.create_table(
            TableName="users-dev", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"}
                                  for name in ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            # the two indexes Terraform's modules/dynamodb gives the table (shares given / received)
            GlobalSecondaryIndexes=[
                {"IndexName": f"gsi{n}", "Projection": {"ProjectionType": "ALL"},
                 "KeySchema": [{"AttributeName": f"gsi{n}pk", "KeyType": "HASH"}, {"AttributeName": f"gsi{n}sk", "KeyType": "RANGE"}]}
                for n in (1, 2)],
        )
        self.pool_id = pool["Id"]
        self.client_id = client["ClientId"]
        # A confidential client, as Terraform makes it; the server reads the secret from Cognito.
        self.client_secret = client["ClientSecret"]
        # The master key, as Terraform makes it: a random secret in Secrets Manager (APP_SECRET_ID).
        master = base64.b64encode(os.urandom(32)).decode()
        self.app_secret_arn = self._client("secretsmanager").create_secret(
            Name="api-handler-dev-master-key", SecretString=master)["ARN"]

    def _client(self, service: str):
        import boto3  # noqa: PLC0415

        return boto3.client(
            service, endpoint_url=self.moto["endpoint"], region_name=self.moto["region"],
            aws_access_key_id=self.moto["access_key_id"], aws_secret_access_key=self.moto["secret_access_key"],
        )

    def server_env(self) -> dict[str, str]:
        env = super().server_env()
        env.update(self.aws_env)
        env.update({
            "ENVIRONMENT": "dev", "USERS_TABLE": "users-dev", "USER_POOL_ID": self.pool_id,
            "USER_POOL_CLIENT_ID": self.client_id, "APP_SECRET_ID": self.app_secret_arn,
        })
        env.setdefault("LOG_LEVEL", "trace")
        env.update(self.extra_env)
        return env

    def mail_token(self, email: str, kind: str) -> Optional[str]:
        try:
            user = self.cognito.admin_get_user(UserPoolId=self.pool_id, Username=email.strip().lower())
        except self.cognito.exceptions.UserNotFoundException:
            return None
        source = {"verify-email": "CustomMessage_SignUp", "reset-password": "CustomMessage_ForgotPassword"}[kind]
        event = {
            "version": "1", "region": self.moto["region"], "userPoolId": self.pool_id, "userName": user["Username"],
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown", "clientId": self.client_id},
            "triggerSource": source,
            "request": {"userAttributes": {a["Name"]: a["Value"] for a in user["UserAttributes"]},
                        "codeParameter": "{####}", "usernameParameter": None},
            "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
        }
        out = subprocess.run([str(self.binary), "cognito-trigger"], input=json.dumps(event), capture_output=True,
                             text=True, env=self.server_env(), timeout=30, check=True)
        message = json.loads(out.stdout)["response"]["emailMessage"]
        assert "{####}" in message, "the trigger must keep Cognito's code placeholder"
        token = message.split("token=", 1)[1].split('"', 1)[0]
        return token.replace("{####}", self.CODE)

    def mail_count(self, email: str, kind: str) -> int:
        sources = {"verify-email": {"CustomMessage_SignUp", "CustomMessage_ResendCode"},
                   "reset-password": {"CustomMessage_ForgotPassword"}}[kind]
        want = email.strip().lower()
        return sum(1 for d in self._motoctl.deliveries(self.moto)
                   if d["email"].lower() == want and d["triggerSource"] in sources)

    def secret_hash(self, username: str) -> str:
        """SECRET_HASH for a direct Cognito call as the app client (what only the API can make)."""
        import hashlib  # noqa: PLC0415
        import hmac  # noqa: PLC0415

        digest = hmac.new(self.client_secret.encode(), (username + self.client_id).encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def expire_share(self, share_id: str, entry_id: str, recipient_id: str) -> None:
        """Moves a share's expiry into the past, as time would (the service has no test clock)."""
        import time
        dynamodb = self._client("dynamodb")
        dynamodb.update_item(
            TableName="users-dev", Key={"pk": {"S": f"SHARE#{entry_id}"}, "sk": {"S": f"TO#{recipient_id}"}},
            UpdateExpression="SET expiresAt = :t", ExpressionAttributeValues={":t": {"N": str(time.time() - 1)}})
        owner = dynamodb.get_item(TableName="users-dev", Key={"pk": {"S": f"ENTRY#{entry_id}"}, "sk": {"S": "OWNER"}},
                                  ConsistentRead=True)["Item"]["userId"]["S"]
        key = {"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"JOURNAL#{entry_id}"}}
        meta = json.loads(dynamodb.get_item(TableName="users-dev", Key=key, ConsistentRead=True)["Item"]["meta"]["S"])
        meta["shares"][recipient_id]["expiresAt"] = "2000-01-01T00:00:00.000Z"
        dynamodb.update_item(TableName="users-dev", Key=key, UpdateExpression="SET meta = :m",
                             ExpressionAttributeValues={":m": {"S": json.dumps(meta, separators=(",", ":"))}})

    def stored_text(self) -> str:
        """Everything the users table holds (a full scan), as text."""
        dynamodb = self._client("dynamodb")
        items, start = [], None
        while True:
            page = dynamodb.scan(TableName="users-dev", **({"ExclusiveStartKey": start} if start else {}))
            items += page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return json.dumps(items)

    def signing_key_pem(self) -> Optional[bytes]:
        return None  # Cognito's keys are the emulator's

    def stop(self) -> None:
        super().stop()

    def twin(self) -> "AwsDriver":
        """A second api-handler process against the SAME emulator, pool, table and secret."""
        t = object.__new__(AwsDriver)
        ServerProcessDriver.__init__(t, extra_env=dict(self.extra_env))
        for attr in ("_motoctl", "moto", "aws_env", "cognito", "pool_id", "client_id", "client_secret", "app_secret_arn"):
            setattr(t, attr, getattr(self, attr))
        t._twin = True
        return t

    def cleanup(self) -> None:
        super().cleanup()
        if not getattr(self, "_twin", False):
            self._motoctl.stop(self.moto)


class LambdaDriver(EmbeddedDriver):
    """``api-handler serve --lambda``: the same embedded backend, but every request goes through
    an API Gateway v2 front (payload 2.0 events) and a Runtime API emulator to the real Lambda
    runtime loop, which runs as a child process of the server (``AWS_LAMBDA_RUNTIME_API`` set)."""

    mode = "lambda"

    def serve_args(self, port: int) -> list[str]:
        return [*super().serve_args(port), "--lambda"]


DRIVERS: dict[str, Callable[..., BackendDriver]] = {
    "embedded": EmbeddedDriver,
    "aws": AwsDriver,
    "lambda": LambdaDriver,
}


def mode_from_env() -> str:
    return os.environ.get("LIFESTYLE_E2E_MODE", "embedded").strip() or "embedded"


def make_driver(mode: Optional[str] = None, extra_env: Optional[Mapping[str, str]] = None) -> BackendDriver:
    mode = mode or mode_from_env()
    try:
        factory = DRIVERS[mode]
    except KeyError:
        raise DriverError(f"unknown LIFESTYLE_E2E_MODE={mode!r}; known: {sorted(DRIVERS)}") from None
    return factory(extra_env=extra_env)
