#!/usr/bin/env python3
"""Launch and stop a local AWS emulator (moto server) with SigV4 checking ON.

The emulator listens on a free port of 127.0.0.1 only.  Moto's request
authentication is enabled through ``INITIAL_NO_AUTH_ACTION_COUNT``: the first
three requests are unauthenticated and are used here to create an IAM user
with an admin inline policy and an access key.  From then on every request
must be SigV4-signed with that key (moto recomputes the signature and answers
``SignatureDoesNotMatch`` / ``InvalidClientTokenId`` otherwise).  ``start``
proves this before it returns: it calls STS GetCallerIdentity with the real
key (must pass) and with a wrong secret (must be rejected).

Python API::

    from motoctl import start, stop, env_for
    info = start("/tmp/moto-state")   # dict, also written to <dir>/moto.json
    os.environ.update(env_for(info))  # AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...
    ...
    stop(info)                         # kills the server by its pid

CLI::

    python backend/e2e/support/motoctl.py start --state-dir DIR   # prints one JSON line
    python backend/e2e/support/motoctl.py env   --state-dir DIR   # prints `export ...` lines
    python backend/e2e/support/motoctl.py stop  --state-dir DIR

Notes for users:
  * Never POST to /moto-api/reset on an instance started here: it wipes the
    bootstrap IAM user and every later request fails authentication.  Start a
    fresh instance instead (it takes about two seconds).
  * Lambda functions of PackageType Image are validated against moto's ECR on
    update (MOTO_LAMBDA_STUB_ECR=false), so push (put_image) before deploying.
    Moto would run an invoked image with docker; with ``MOTO_LAMBDA_IMAGE_RUNNER``
    in ``extra_env`` an Invoke runs that command instead (lambda_image_runner.py:
    the image's bootstrap against a one-event Runtime API), so no docker is needed.
  * Published versions are immutable, as in AWS (moto shared the code and
    variables of $LATEST with every version it had published).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account; the bootstrap user lives there
ADMIN_USER = "motoctl-admin"
# create_user + put_user_policy + create_access_key
BOOTSTRAP_REQUESTS = 3
STATE_FILE = "moto.json"
LOG_FILE = "moto.log"

ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


class MotoError(RuntimeError):
    """The emulator could not be started or did not behave as required."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours still answers kill(0); reap it if it is ours
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _client(service: str, endpoint: str, key: str, secret: str):
    import boto3  # imported lazily so `stop` works without boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def _server_env(extra_env: dict[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    # Do not let the caller's real credentials or endpoints leak into moto.
    for var in list(env):
        if var.startswith("AWS_") and var not in ("AWS_CA_BUNDLE",):
            del env[var]
    env.update(
        {
            "INITIAL_NO_AUTH_ACTION_COUNT": str(BOOTSTRAP_REQUESTS),
            "MOTO_LAMBDA_STUB_ECR": "false",
            "AWS_DEFAULT_REGION": REGION,
            "PYTHONUNBUFFERED": "1",
        }
    )
    if extra_env:
        env.update(extra_env)
    return env


def _launch(state_dir: Path, port: int, extra_env: dict[str, str] | None) -> subprocess.Popen:
    log = open(state_dir / LOG_FILE, "ab")  # noqa: SIM115 - handed to the child
    cmd = [sys.executable, str(Path(__file__).resolve()), "_serve", "--port", str(port)]
    try:
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_server_env(extra_env),
            cwd=str(state_dir),
            start_new_session=True,  # not killed by the caller's Ctrl-C / process group
        )
    finally:
        log.close()


def _wait_ready(proc: subprocess.Popen, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if _port_open(port):
            return True
        time.sleep(0.1)
    return False


def _bootstrap(endpoint: str) -> tuple[str, str]:
    # These three requests are the unauthenticated ones.
    iam = _client("iam", endpoint, "AKIAMOTOBOOTSTRAP000", "bootstrap-not-checked")
    iam.create_user(UserName=ADMIN_USER)
    iam.put_user_policy(
        UserName=ADMIN_USER, PolicyName="admin", PolicyDocument=json.dumps(ADMIN_POLICY)
    )
    key = iam.create_access_key(UserName=ADMIN_USER)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _verify_auth(endpoint: str, key: str, secret: str) -> str:
    from botocore.exceptions import ClientError

    ident = _client("sts", endpoint, key, secret).get_caller_identity()
    wrong = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    try:
        _client("sts", endpoint, key, wrong).get_caller_identity()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code not in ("SignatureDoesNotMatch", "InvalidClientTokenId", "AccessDenied"):
            raise MotoError(f"wrong secret rejected with unexpected code {code!r}") from exc
    else:
        raise MotoError("moto accepted a request signed with a wrong secret: auth is OFF")
    # a non-STS call with a wrong secret must fail too (STS is special-cased for permissions)
    try:
        _client("iam", endpoint, key, wrong).list_users()
    except ClientError:
        pass
    else:
        raise MotoError("moto accepted an IAM request signed with a wrong secret")
    return str(ident["Account"])


def start(
    state_dir: str | os.PathLike[str],
    *,
    timeout: float = 60.0,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Start moto on a free 127.0.0.1 port with SigV4 auth on; return its info.

    The info dict (also written to ``<state_dir>/moto.json``) has the keys
    endpoint, pid, region, access_key_id, secret_access_key, account_id,
    state_dir and log.
    """
    sdir = Path(state_dir).resolve()
    sdir.mkdir(parents=True, exist_ok=True)
    last_error = "unknown"
    for _attempt in range(3):  # the free port can be taken between probe and bind
        port = _free_port()
        proc = _launch(sdir, port, extra_env)
        if not _wait_ready(proc, port, timeout):
            last_error = f"moto exited or did not listen on port {port} (see {sdir / LOG_FILE})"
            _terminate(proc.pid)
            continue
        endpoint = f"http://127.0.0.1:{port}"
        try:
            key, secret = _bootstrap(endpoint)
            account = _verify_auth(endpoint, key, secret)
        except Exception as exc:  # noqa: BLE001 - reported below, server stopped
            _terminate(proc.pid)
            raise MotoError(f"moto bootstrap failed: {exc}") from exc
        info = {
            "endpoint": endpoint,
            "pid": proc.pid,
            "region": REGION,
            "access_key_id": key,
            "secret_access_key": secret,
            "account_id": account,
            "state_dir": str(sdir),
            "log": str(sdir / LOG_FILE),
        }
        (sdir / STATE_FILE).write_text(json.dumps(info) + "\n", encoding="utf-8")
        return info
    raise MotoError(last_error)


def _terminate(pid: int, grace: float = 5.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    _pid_alive(pid)


def stop(info: dict[str, Any] | str | os.PathLike[str]) -> None:
    """Stop the server by its pid.  Accepts the info dict or the state dir."""
    if not isinstance(info, dict):
        path = Path(info) / STATE_FILE
        if not path.exists():
            return
        info = json.loads(path.read_text(encoding="utf-8"))
    pid = int(info["pid"])
    _terminate(pid)
    state_dir = info.get("state_dir")
    if state_dir:
        marker = Path(state_dir) / STATE_FILE
        if marker.exists():
            try:
                if json.loads(marker.read_text(encoding="utf-8")).get("pid") == pid:
                    marker.unlink()
            except (OSError, ValueError):
                pass


def env_for(info: dict[str, Any]) -> dict[str, str]:
    """Environment variables that point AWS SDKs, the AWS CLI and Terraform at moto."""
    return {
        "AWS_ENDPOINT_URL": info["endpoint"],
        "AWS_ACCESS_KEY_ID": info["access_key_id"],
        "AWS_SECRET_ACCESS_KEY": info["secret_access_key"],
        "AWS_REGION": info["region"],
        "AWS_DEFAULT_REGION": info["region"],
        "AWS_ACCOUNT_ID": info["account_id"],
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def _patch_moto_signature_check() -> None:
    """Fix moto's SigV4 re-computation for requests with an empty body.

    moto (5.x) signs ``raw_body or data``; for a GET/DELETE with an empty body
    (e.g. Lambda ListFunctions, GET /2015-03-31/functions/NAME) ``data`` is the
    header dict, so it hashes the wrong payload and rejects correctly signed
    requests.  The fallback to ``data`` is only right for form-encoded bodies
    that the web framework already parsed away, so keep it just for those.
    """
    from botocore.awsrequest import AWSRequest
    from moto.iam import access_control

    base = access_control.IAMRequestBase
    original = base._create_aws_request

    def _create_aws_request(self):  # type: ignore[no-untyped-def]
        ctype = ""
        for key, value in self._headers.items():
            if key.lower() == "content-type":
                ctype = str(value).lower()
        if self._body or ctype.startswith("application/x-www-form-urlencoded"):
            return original(self)
        signed = self._get_string_between(
            "SignedHeaders=", ",", self._headers["Authorization"]).split(";")
        headers = self._create_headers_for_aws_request(signed, self._headers)
        request = AWSRequest(method=self._method, url=self._path, data=b"", headers=headers)
        request.context["timestamp"] = headers["X-Amz-Date"]
        return request

    base._create_aws_request = _create_aws_request


def _patch_moto_cognito_update() -> None:
    """Keep a user pool's create-only settings across UpdateUserPool.

    moto (5.x) rebuilds the pool config from defaults plus the update request,
    dropping UsernameAttributes / UsernameConfiguration / AliasAttributes /
    schema (never changed by UpdateUserPool in AWS) and tags not in the request.
    Terraform then sees drift and
    plans a pool replacement after every trigger change.

    Also the feature plan: a new pool is on the Essentials tier unless the request names
    another, as AWS documents it, and an update without ``UserPoolTier`` keeps the pool's tier
    (moto has no tier unless one is sent; the AWS provider sends none at create).
    """
    from moto.cognitoidp import models

    create_only = ("UsernameAttributes", "UsernameConfiguration", "AliasAttributes",
                   "SchemaAttributes", "Schema", "UserPoolTags", "UserPoolTier")
    original = models.CognitoIdpUserPool.update_extended_config

    def update_extended_config(self, extended_config):  # type: ignore[no-untyped-def]
        current = getattr(self, "extended_config", None) or {}
        kept = {k: current[k] for k in create_only if k in current}
        original(self, extended_config)
        for key, value in kept.items():
            self.extended_config.setdefault(key, value)
        self.extended_config.setdefault("UserPoolTier", "ESSENTIALS")

    models.CognitoIdpUserPool.update_extended_config = update_extended_config


DELIVERY_LOG = "cognito-deliveries.jsonl"


def _patch_moto_cognito_lifecycle() -> None:
    """Cognito operations moto (5.x) lacks, as AWS documents them, plus a record of the emails
    Cognito would send.

    * ``ResendConfirmationCode``: a new code for an UNCONFIRMED user; a confirmed user gets
      ``InvalidParameterException`` ("User is already confirmed."), an unknown one
      ``UserNotFoundException`` (or a simulated success when the client has
      ``PreventUserExistenceErrors=ENABLED``), as in AWS.
    * ``RevokeToken``: the refresh token (issued to that client) stops refreshing; an unknown
      token is accepted (RFC 7009), a token of another client is ``UnauthorizedException``.
    * ``AdminDeleteUser`` also ends the user's sessions, as in AWS: a refresh token of a deleted
      user answers ``NotAuthorizedException`` (moto answers a 500 from a missing user).
    * ``AdminUserGlobalSignOut`` signs the user out whichever name the call uses (moto matched
      only the name the user signed in with, the email alias, not the sub).
    * ``ConfirmForgotPassword`` for a username the pool does not have answers
      ``CodeMismatchException`` when the client has ``PreventUserExistenceErrors=ENABLED`` and
      ``UserNotFoundException`` otherwise, as AWS documents (moto raised ``ResourceNotFound``
      for the client id).
    * Every email Cognito would send (SignUp, ResendConfirmationCode, ForgotPassword to an
      existing user) is appended to ``cognito-deliveries.jsonl`` in the server's working
      directory (the state dir) as ``{"username", "email", "triggerSource"}``, so tests can
      count what a user was sent. AWS sends these through the custom-message trigger.
    """
    from moto.cognitoidp import exceptions, models, responses
    from moto.core.responses import ActionResult, EmptyResult

    def record(pool, username: str, source: str) -> None:
        user = pool._get_user(username)
        if user is None:
            return
        email = models.flatten_attrs(user.attributes).get("email", "")
        with open(DELIVERY_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps({"username": user.username, "email": email, "triggerSource": source}) + "\n")

    def pool_of(backend, client_id: str):
        for pool in backend.user_pools.values():
            if client_id in pool.clients:
                return pool
        raise exceptions.ResourceNotFoundError(client_id)

    original_sign_up = models.CognitoIdpBackend.sign_up

    def sign_up(self, client_id, username, password, attributes):  # type: ignore[no-untyped-def]
        user, details = original_sign_up(self, client_id, username, password, attributes)
        record(pool_of(self, client_id), username, "CustomMessage_SignUp")
        return user, details

    original_forgot = models.CognitoIdpBackend.forgot_password

    def forgot_password(self, client_id, username):  # type: ignore[no-untyped-def]
        out = original_forgot(self, client_id, username)
        record(pool_of(self, client_id), username, "CustomMessage_ForgotPassword")
        return out

    def resend_confirmation_code(self):  # type: ignore[no-untyped-def]
        client_id = self._get_param("ClientId")
        username = self._get_param("Username")
        backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
        pool = pool_of(backend, client_id)
        user = pool._get_user(username)
        details = {"Destination": "e***@***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
        if user is None:
            if pool.clients[client_id].extended_config.get("PreventUserExistenceErrors") == "ENABLED":
                return ActionResult({"CodeDeliveryDetails": details})
            raise exceptions.UserNotFoundError("Username/client id combination not found.")
        if user.status != models.UserStatus.UNCONFIRMED:
            raise exceptions.InvalidParameterException("User is already confirmed.")
        record(pool, username, "CustomMessage_ResendCode")
        return ActionResult({"CodeDeliveryDetails": details})

    def revoke_token(self):  # type: ignore[no-untyped-def]
        token = self._get_param("Token")
        client_id = self._get_param("ClientId")
        backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
        pool = pool_of(backend, client_id)
        entry = pool.refresh_tokens.get(token)
        if entry is not None:
            if entry[0] != client_id:
                raise exceptions.JsonRESTError("UnauthorizedException", "Token was not issued to this client")
            pool.refresh_tokens[token] = None
        return EmptyResult()

    original_delete = models.CognitoIdpBackend.admin_delete_user

    def admin_delete_user(self, user_pool_id, username):  # type: ignore[no-untyped-def]
        pool = self.describe_user_pool(user_pool_id)
        user = self.admin_get_user(user_pool_id, username)
        # moto files tokens under the name the user logged in with (here the email alias).
        for token, entry in list(pool.refresh_tokens.items()):
            if entry is not None and pool._get_user(entry[1]) is user:
                pool.refresh_tokens[token] = None
        for token, (_, name) in list(pool.access_tokens.items()):
            if pool._get_user(name) is user:
                pool.access_tokens.pop(token)
        original_delete(self, user_pool_id, username)

    def sign_out(self, username):  # type: ignore[no-untyped-def]
        # moto files tokens under the name the user signed in with (the email alias) and signs
        # out only that name; AWS signs out the user, whichever name the call uses (the sub too).
        user = self._get_user(username)
        for token, entry in list(self.refresh_tokens.items()):
            if entry is not None and (entry[1] == username or (user is not None and self._get_user(entry[1]) is user)):
                self.refresh_tokens[token] = None
        for token, (_, name) in list(self.access_tokens.items()):
            if name == username or (user is not None and self._get_user(name) is user):
                self.access_tokens.pop(token)

    original_confirm_forgot = models.CognitoIdpBackend.confirm_forgot_password

    def confirm_forgot_password(self, client_id, username, password, confirmation_code):  # type: ignore[no-untyped-def]
        pool = pool_of(self, client_id)
        if pool._get_user(username) is None:
            if pool.clients[client_id].extended_config.get("PreventUserExistenceErrors") == "ENABLED":
                raise exceptions.CodeMismatchException("Invalid verification code provided, please try again.")
            raise exceptions.UserNotFoundError("Username/client id combination not found.")
        return original_confirm_forgot(self, client_id, username, password, confirmation_code)

    models.CognitoIdpBackend.confirm_forgot_password = confirm_forgot_password
    models.CognitoIdpUserPool.sign_out = sign_out
    models.CognitoIdpBackend.admin_delete_user = admin_delete_user
    models.CognitoIdpBackend.sign_up = sign_up
    models.CognitoIdpBackend.forgot_password = forgot_password
    responses.CognitoIdpResponse.resend_confirmation_code = resend_confirmation_code
    responses.CognitoIdpResponse.revoke_token = revoke_token


def _patch_moto_cognito_client_secret() -> None:
    """App clients with a secret, as AWS documents them: every user-flow call must carry
    SECRET_HASH = Base64(HMAC-SHA256(secret, username + client id)), where the username is the
    one the call names. moto (5.x) checks it only for SRP, MFA challenges and refresh, and for a
    refresh it hashes the name the user signed in with (the email alias) where AWS wants the
    user's Cognito username (its sub in an email-as-username pool). Patched here:

    * SignUp, ConfirmSignUp, ForgotPassword, ConfirmForgotPassword, ResendConfirmationCode and
      InitiateAuth USER_PASSWORD_AUTH without a valid SECRET_HASH: ``NotAuthorizedException``;
    * REFRESH_TOKEN_AUTH checks SECRET_HASH over the Cognito username;
    * RevokeToken without the client's ``ClientSecret``: ``NotAuthorizedException``.
    """
    from moto.cognitoidp import exceptions, models, responses, utils

    def client_of(backend, client_id: str):
        for pool in backend.user_pools.values():
            if client_id in pool.clients:
                return pool, pool.clients[client_id]
        raise exceptions.ResourceNotFoundError(client_id)

    def secret_hash(client, username: str) -> str:  # type: ignore[no-untyped-def]
        digest = hmac.new(str(client.secret).encode("latin-1"), (username + client.id).encode("latin-1"), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def refuse(client_id: str):
        return exceptions.NotAuthorizedError(f"Client {client_id} is configured with secret but SECRET_HASH was not received")

    def requiring_hash(name: str):
        original = getattr(responses.CognitoIdpResponse, name)

        def wrapped(self):  # type: ignore[no-untyped-def]
            client_id = self._get_param("ClientId")
            backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
            _, client = client_of(backend, client_id)
            if client.generate_secret and not utils.check_secret_hash(
                    client.secret, client.id, self._get_param("Username") or "", self._get_param("SecretHash")):
                raise refuse(client_id)
            return original(self)

        setattr(responses.CognitoIdpResponse, name, wrapped)

    for name in ("sign_up", "confirm_sign_up", "forgot_password", "confirm_forgot_password", "resend_confirmation_code"):
        requiring_hash(name)

    original_initiate = models.CognitoIdpBackend.initiate_auth

    def initiate_auth(self, client_id, auth_flow, auth_parameters):  # type: ignore[no-untyped-def]
        pool, client = client_of(self, client_id)
        if client.generate_secret:
            given = (auth_parameters or {}).get("SECRET_HASH")
            if auth_flow == "USER_PASSWORD_AUTH":
                if not utils.check_secret_hash(client.secret, client.id, auth_parameters.get("USERNAME", ""), given):
                    raise refuse(client_id)
            elif auth_flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
                entry = pool.refresh_tokens.get(auth_parameters.get("REFRESH_TOKEN", ""))
                user = pool._get_user(entry[1]) if entry else None
                if user is not None:
                    if not utils.check_secret_hash(client.secret, client.id, user.username, given):
                        raise refuse(client_id)
                    # what moto's own check expects (the sign-in name), now that AWS's rule passed
                    auth_parameters = {**auth_parameters, "SECRET_HASH": secret_hash(client, entry[1])}
        return original_initiate(self, client_id, auth_flow, auth_parameters)

    models.CognitoIdpBackend.initiate_auth = initiate_auth

    original_revoke = responses.CognitoIdpResponse.revoke_token

    def revoke_token(self):  # type: ignore[no-untyped-def]
        client_id = self._get_param("ClientId")
        backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
        _, client = client_of(backend, client_id)
        if client.generate_secret and self._get_param("ClientSecret") != client.secret:
            raise exceptions.NotAuthorizedError(f"Client {client_id} is configured with secret but ClientSecret was not received")
        return original_revoke(self)

    responses.CognitoIdpResponse.revoke_token = revoke_token


def _patch_moto_dynamodb_atomic_writes() -> None:
    """Make DynamoDB's writes atomic, as AWS documents them.

    In AWS a conditional write evaluates its condition and applies the change as one step per
    item, so concurrent ``UpdateItem`` calls with ``count < :limit`` can never push the count
    past the limit. moto (5.x) serves requests on several threads and checks the condition
    before it writes without a lock, so two concurrent writers can both pass. One lock around
    each write (and each transaction) restores the documented behaviour.
    """
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def locked(self, *args, __original=original, **kwargs):  # type: ignore[no-untyped-def]
            with lock:
                return __original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, locked)


def _patch_moto_dynamodb_transaction_snapshots() -> None:
    """Roll a failed TransactWriteItems back from the items it touches, not a copy of the table.

    moto keeps a deep copy of the whole table for every item of every transaction (three copies
    for a three-item transaction), to put back if one fails. With a few thousand items a
    transaction then takes hundreds of milliseconds, and the garbage the copies leave makes
    Python pause for seconds now and then, past the client's 5 s attempt timeout: the journal
    benchmark's 2,000 entries could not be written. AWS's behaviour is unchanged here (all or
    nothing, every condition checked against the state before the transaction, one reason per
    item): the conditions are checked first, and only then are the writes applied, with the
    touched items' previous versions kept to put back should an apply fail. Transactions are
    serialized by the atomic-writes patch, so nothing changes between the check and the writes.
    """
    import copy as _copy
    import types

    from moto.dynamodb import models
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    original = models.DynamoDBBackend.transact_write_items
    # the original's whole-table copies: the same table object instead (nothing to copy, as
    # nothing it is handed can fail any more); every other copy as before
    no_copy = types.SimpleNamespace(
        deepcopy=lambda value: value if isinstance(value, models.Table) else _copy.deepcopy(value))

    def transact_write_items(self, transact_items):  # type: ignore[no-untyped-def]
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        seen, before, errors = set(), [], []
        for item in transact_items:
            if len(item) > 1:
                raise TransactWriteSingleOpException
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                return original(self, transact_items)
            table = self.get_table(op["TableName"])
            if op_type == "Put":
                key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = op["Item"][table.range_key_attr]
            else:
                key = op["Key"]
            ident = (op["TableName"], str(dict(sorted(key.items()))))
            if ident in seen:
                raise MultipleTransactionsException()
            seen.add(ident)
            current = self.get_item(op["TableName"], key)
            before.append((op["TableName"], key, _copy.deepcopy(current)))
            condition = op.get("ConditionExpression")
            if condition is not None and not get_filter_expression(
                    condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")).expr(current):
                old = None
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    old = current.to_json()["Attributes"]
                errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
            else:
                errors.append((None, None, None))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)
        saved = models.copy
        models.copy = no_copy
        try:
            original(self, transact_items)
        except Exception:
            for table_name, key, item in before:
                table = self.get_table(table_name)
                hash_key, range_key = self.get_keys_value(table, key)
                table.delete_item(hash_key, range_key)
                if item is not None:
                    table.put_item(item.to_json()["Attributes"])
            raise
        finally:
            models.copy = saved

    models.DynamoDBBackend.transact_write_items = transact_write_items


def _patch_moto_dynamodb_transaction_tokens() -> None:
    """Honour TransactWriteItems' ClientRequestToken, as AWS documents it.

    In AWS a TransactWriteItems call repeated with the same ClientRequestToken within 10 minutes
    is idempotent: the repeat returns success without applying the writes again. The service's
    client sends a token with every transaction and repeats it after a timeout. moto ignores the
    token and applies the repeat again, so a transaction whose first attempt landed late (moto
    deep-copies the whole table for every transaction item; with a few thousand items, and a
    garbage collection, one call passes the client's 5 s attempt timeout) fails its own repeat
    on its conditions: a false conflict AWS would never answer. Tokens are remembered for 10
    minutes; the check and the call are one step, so a repeat waits for a first attempt still
    running.
    """
    import threading
    import time

    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.transact_write_items
    applied: dict[str, float] = {}
    lock = threading.RLock()

    def transact_write_items(self):  # type: ignore[no-untyped-def]
        token = self.body.get("ClientRequestToken")
        if not token:
            return original(self)
        with lock:
            now = time.monotonic()
            for old in [t for t, at in applied.items() if now - at > 600]:
                del applied[old]
            if token in applied:
                return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
            result = original(self)
            applied[token] = now
            return result

    DynamoHandler.transact_write_items = transact_write_items


def _patch_moto_lambda_images() -> None:
    """Versions that do not change afterwards, and image functions invoked without docker.

    * AWS: a published version's code and configuration never change. Moto published a
      shallow copy of $LATEST, so a later UpdateFunctionCode changed the ImageUri (and
      variables) of every version already published; a rollback to version N then ran the
      newest image. Each version now gets its own copy.
    * Invoke of a PackageType Image function runs ``$MOTO_LAMBDA_IMAGE_RUNNER`` (when set)
      with the event on stdin and the version's configuration in the environment, instead of
      moto's docker path.
    """
    import copy
    import shlex

    from moto.awslambda import models as lm

    original_publish = lm.LambdaStorage.publish_version

    def publish_version(self, name_or_arn, description=""):  # type: ignore[no-untyped-def]
        fn = original_publish(self, name_or_arn, description)
        if fn is not None and not getattr(fn, "_motoctl_own_copy", False):
            fn.code = copy.deepcopy(fn.code)
            fn.environment_vars = copy.deepcopy(fn.environment_vars)
            fn._motoctl_own_copy = True
        return fn

    lm.LambdaStorage.publish_version = publish_version

    runner = os.environ.get("MOTO_LAMBDA_IMAGE_RUNNER")
    if not runner:
        return
    original_invoke = lm.LambdaFunction._invoke_lambda

    def _invoke_lambda(self, event=None):  # type: ignore[no-untyped-def]
        if getattr(self, "package_type", None) != "Image":
            return original_invoke(self, event)
        env = {**os.environ, **{k: str(v) for k, v in (self.environment_vars or {}).items()},
               "IMAGE_URI": self.code.get("ImageUri", ""),
               "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
               "AWS_LAMBDA_FUNCTION_VERSION": str(self.version),
               "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_size),
               "AWS_LAMBDA_FUNCTION_TIMEOUT": str(self.timeout),
               "AWS_REGION": self.region}
        proc = subprocess.run(shlex.split(runner), input=json.dumps(event if event is not None else {}),
                              env=env, capture_output=True, text=True, timeout=int(self.timeout) + 30)
        try:
            result = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return json.dumps({"errorType": "Runtime.Unknown", "errorMessage": proc.stderr[-500:]}), True, ""
        return result["payload"], bool(result["errored"]), result.get("logs", "")

    lm.LambdaFunction._invoke_lambda = _invoke_lambda


def _patch_moto_kms_tag_propagation() -> None:
    """With ``MOTO_TAG_PROPAGATION_SECONDS`` set: what AWS does to a permission keyed on the tags
    of a key just created. IAM and KMS see a new key's tags only after a propagation delay, so a
    deploy role allowed on ``aws:ResourceTag/Environment`` is denied (AccessDeniedException) for
    a while after CreateKey on the calls that follow (DescribeKey, key policy, rotation, tags).
    The emulator answers so for that many seconds after each CreateKey."""
    import time as _time

    delay = float(os.environ.get("MOTO_TAG_PROPAGATION_SECONDS", "0") or 0)
    if delay <= 0:
        return
    from moto.kms import models as km
    from moto.kms import responses as kr
    from moto.kms.exceptions import AccessDeniedException

    created: dict[str, float] = {}
    original_create = km.KmsBackend.create_key

    def create_key(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        key = original_create(self, *args, **kwargs)
        created[key.id] = _time.monotonic()
        return key

    km.KmsBackend.create_key = create_key

    def guarded(name: str):
        original = getattr(kr.KmsResponse, name)

        def call(self):  # type: ignore[no-untyped-def]
            key_id = str(self._get_param("KeyId") or "").rsplit("/", 1)[-1]
            born = created.get(key_id)
            if born is not None and _time.monotonic() - born < delay:
                raise AccessDeniedException(
                    f"User is not authorized to perform: kms:{name} on this resource "
                    "(its tags have not propagated yet)")
            return original(self)

        return call

    for name in ("describe_key", "get_key_policy", "put_key_policy", "enable_key_rotation",
                 "get_key_rotation_status", "list_resource_tags"):
        setattr(kr.KmsResponse, name, guarded(name))


def _patch_moto_lambda_account_settings() -> None:
    """GetAccountSettings (``GET /2016-08-19/account-settings/``), which moto lacks, as AWS
    documents it, answered in front of moto's own routing (which refuses the path for some
    botocore versions). ``MOTO_LAMBDA_CONCURRENCY`` is the account's concurrency quota (default
    1000; a new account's can be 10). Recorded in ``MOTO_CALL_LOG`` like every other call."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__
    log_path = os.environ.get("MOTO_CALL_LOG")

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        path = environ.get("PATH_INFO", "")
        if (environ.get("REQUEST_METHOD") == "GET" and path.rstrip("/").endswith("/account-settings")
                and "/lambda/aws4_request" in environ.get("HTTP_AUTHORIZATION", "")):
            limit = int(os.environ.get("MOTO_LAMBDA_CONCURRENCY", "1000") or 1000)
            body = json.dumps({
                "AccountLimit": {"TotalCodeSize": 80530636800, "CodeSizeUnzipped": 262144000,
                                 "CodeSizeZipped": 52428800, "ConcurrentExecutions": limit,
                                 "UnreservedConcurrentExecutions": limit},
                "AccountUsage": {"TotalCodeSize": 0, "FunctionCount": 0}}).encode()
            if log_path:
                with open(log_path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"service": "lambda", "action": "GetAccountSettings", "method": "GET",
                                         "path": path, "query": {}, "params": None, "body": "",
                                         "agent": environ.get("HTTP_USER_AGENT", ""), "status": 200,
                                         "region": "us-east-1"}) + "\n")
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return original(self, environ, start_response)

    DomainDispatcherApplication.__call__ = __call__


def _patch_moto_call_log() -> None:
    """With ``MOTO_CALL_LOG`` set, every request the emulator answers is appended there as one
    JSON line (service, operation, method, path, parameters, user agent, status), so a test can
    check each call against an IAM policy (e2e/infra/iam_eval.py)."""
    path = os.environ.get("MOTO_CALL_LOG")
    if not path:
        return
    import threading

    from moto.core.responses import BaseResponse

    lock = threading.Lock()
    original = BaseResponse.call_action

    def call_action(self):  # type: ignore[no-untyped-def]
        result = original(self)
        try:
            body = self.body
            if isinstance(body, bytes):
                body = body.decode("utf-8", "replace")
            entry = {
                "service": self.boto3_service_name,
                "action": self._get_action(),
                "method": self.method,
                "path": self.path,
                "query": {k: v for k, v in (self.querystring or {}).items()},
                "params": getattr(self, "params", None),
                "body": (body or "")[:20000],
                "agent": self.headers.get("User-Agent", ""),
                "status": result[0] if isinstance(result, tuple) else None,
                "region": self.region,
            }
            with lock, open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, default=str) + "\n")
        except Exception:  # noqa: BLE001 - the log never changes an answer
            pass
        return result

    BaseResponse.call_action = call_action


def deliveries(info: dict[str, Any]) -> list[dict[str, str]]:
    """The emails the emulator's Cognito would have sent (see _patch_moto_cognito_lifecycle)."""
    path = Path(info["state_dir"]) / DELIVERY_LOG
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    except FileNotFoundError:
        return []


def _serve(port: int) -> int:
    """Run moto's server on 127.0.0.1:port (internal; used by start())."""
    _patch_moto_signature_check()
    _patch_moto_cognito_update()
    _patch_moto_cognito_lifecycle()
    _patch_moto_cognito_client_secret()
    _patch_moto_dynamodb_transaction_snapshots()
    _patch_moto_dynamodb_atomic_writes()
    _patch_moto_dynamodb_transaction_tokens()
    _patch_moto_lambda_images()
    _patch_moto_kms_tag_propagation()
    _patch_moto_lambda_account_settings()
    _patch_moto_call_log()
    from moto.server import main as moto_main

    moto_main(["-H", "127.0.0.1", "-p", str(port)])
    return 0


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in ("start", "stop", "env"):
        p = sub.add_parser(name)
        p.add_argument("--state-dir", required=True)
    serve = sub.add_parser("_serve", help=argparse.SUPPRESS)
    serve.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if args.cmd == "_serve":
        return _serve(args.port)
    if args.cmd == "start":
        try:
            info = start(args.state_dir)
        except MotoError as exc:
            print(f"motoctl: {exc}", file=sys.stderr)
            return 1
        print(json.dumps({k: info[k] for k in (
            "endpoint", "pid", "region", "access_key_id", "secret_access_key", "account_id")}))
        return 0
    if args.cmd == "stop":
        stop(args.state_dir)
        return 0
    path = Path(args.state_dir) / STATE_FILE
    if not path.exists():
        print(f"motoctl: no {path}", file=sys.stderr)
        return 1
    for k, v in env_for(json.loads(path.read_text(encoding="utf-8"))).items():
        print(f"export {k}={v}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
