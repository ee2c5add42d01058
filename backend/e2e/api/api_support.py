"""Helpers for the black-box API suite: HTTP client, assertions, TOTP, JWT.

Everything here is transport-agnostic; the backend specifics live in
``drivers.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import struct
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Optional

import requests

# ---------------------------------------------------------------------------
# test data
# ---------------------------------------------------------------------------

RUN_ID = uuid.uuid4().hex[:8]
EMAIL_DOMAIN = f"e2e-{RUN_ID}.example.com"

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def new_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@{EMAIL_DOMAIN}"


def new_password() -> str:
    """A fresh policy-compliant password (unique, so it can be searched in logs)."""
    return f"Pw1!{uuid.uuid4().hex[:14]}Z"


@dataclass
class User:
    email: str
    password: str
    first_name: str = "Jane"
    last_name: str = "Doe"
    user_id: Optional[str] = None
    secrets: list = field(default_factory=list)


# ---------------------------------------------------------------------------
# the client
# ---------------------------------------------------------------------------


class Api:
    """The ``api`` fixture: base URL + helpers bound to a backend driver."""

    def __init__(self, driver):
        self.driver = driver
        self.http = requests.Session()

    @property
    def base_url(self) -> str:
        return self.driver.base_url

    def url(self, path: str) -> str:
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        token: Optional[str] = None,
        headers: Optional[dict] = None,
        data: Any = None,
        session: Optional[requests.Session] = None,
        timeout: float = 30,
    ) -> requests.Response:
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            data = json.dumps(json_body)
            h.setdefault("Content-Type", "application/json")
        s = session or self.http
        return s.request(method, self.url(path), data=data, headers=h, timeout=timeout)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, json_body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, json_body=body, **kw)

    def delete(self, path, body=None, **kw):
        return self.request("DELETE", path, json_body=body, **kw)

    def mail_count(self, email: str, kind: str) -> int:
        return self.driver.mail_count(email, kind)

    # mail --------------------------------------------------------------------
    def mail_token(self, email: str, kind: str) -> Optional[str]:
        return self.driver.mail_token(email, kind)

    def wait_mail_token(self, email: str, kind: str, previous: Optional[str] = None, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while True:
            tok = self.mail_token(email, kind)
            if tok and tok != previous:
                return tok
            if time.monotonic() > deadline:
                raise AssertionError(f"no new {kind} mail for {email}")
            time.sleep(0.05)

    # flows ---------------------------------------------------------------------
    def register(self, user: User) -> requests.Response:
        return self.post(
            "/auth/register",
            {"email": user.email, "password": user.password, "firstName": user.first_name, "lastName": user.last_name},
        )

    def new_user(self, verified: bool = True, tag: str = "user") -> User:
        user = User(email=new_email(tag), password=new_password())
        r = self.register(user)
        assert r.status_code == 201, r.text
        user.user_id = r.json()["userId"]
        if verified:
            self.verify_email(user.email)
        return user

    def verify_email(self, email: str) -> None:
        token = self.wait_mail_token(email, "verify-email")
        r = self.post("/auth/email/verify", {"token": token})
        assert r.status_code == 200, r.text

    def login(self, email: str, password: str, **kw) -> requests.Response:
        return self.post("/auth/login", {"email": email, "password": password}, **kw)

    def tokens(self, user: User) -> dict:
        r = self.login(user.email, user.password)
        assert r.status_code == 200, r.text
        body = r.json()
        assert "mfaRequired" not in body, body  # the web client tests for the key's presence
        return body

    def access_token(self, user: User) -> str:
        return self.tokens(user)["accessToken"]


# ---------------------------------------------------------------------------
# assertions
# ---------------------------------------------------------------------------


def parse_ts(value: str) -> datetime:
    assert isinstance(value, str) and value, f"timestamp must be a non-empty string, got {value!r}"
    v = value.replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(v)
    except ValueError:  # pragma: no cover
        raise AssertionError(f"not an ISO-8601 timestamp: {value!r}")


def json_body(r: requests.Response) -> Any:
    ctype = r.headers.get("Content-Type", "")
    assert "application/json" in ctype, f"expected JSON, got Content-Type {ctype!r}: {r.text[:300]!r}"
    try:
        return r.json()
    except ValueError:
        raise AssertionError(f"body is not JSON: {r.text[:300]!r}")


# What API Gateway's JWT authorizer answers for a protected route without a valid token, before
# the function sees the request (in AWS, and in the lambda mode, whose front applies it).
GATEWAY_UNAUTHORIZED = {"message": "Unauthorized"}


def behind_api_gateway() -> bool:
    return os.environ.get("LIFESTYLE_E2E_MODE", "embedded").strip() == "lambda"


def refused_by_the_authorizer(r: requests.Response) -> bool:
    """Behind API Gateway, whether the JWT authorizer itself refused the request (a protected
    route without a valid token): its 401, its own request id, CORS from the gateway."""
    if not behind_api_gateway() or r.status_code != 401:
        return False
    try:
        body = r.json()
    except ValueError:
        return False
    return body == GATEWAY_UNAUTHORIZED and bool(r.headers.get("apigw-requestid"))


def assert_error(r: requests.Response, status: int, code: Optional[str] = None) -> dict:
    """The response is ``status`` with an ErrorResponse body; returns the body. Behind API
    Gateway a 401 UNAUTHORIZED may be the authorizer's own answer instead (checked as such)."""
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:500]}"
    body = json_body(r)
    if status == 401 and code in (None, "UNAUTHORIZED") and refused_by_the_authorizer(r):
        return {"error": "UNAUTHORIZED", "message": body["message"], "from": "api-gateway"}
    assert isinstance(body, dict), body
    assert isinstance(body.get("error"), str) and body["error"], body
    assert isinstance(body.get("message"), str) and body["message"], body
    rid = r.headers.get("X-Request-ID")
    assert rid, "X-Request-ID header missing on error response"
    assert body.get("request_id") == rid, (body.get("request_id"), rid)
    parse_ts(body.get("timestamp"))
    if "details" in body and body["details"] is not None:
        assert isinstance(body["details"], dict), body
    if code is not None:
        assert body["error"] == code, f"expected error {code!r}, got {body['error']!r}: {body}"
    if status == 429:
        # Every limit answers the same way: RATE_LIMITED and how long to wait.
        assert body["error"] == "RATE_LIMITED", body
        assert int(r.headers.get("Retry-After", "0")) >= 1, dict(r.headers)
    return body


def _leaf(name: str) -> str:
    return re.split(r"[.\[\]/]", name.strip("."))[-1] if name else name


def field_names(body: dict) -> list[str]:
    errs = body.get("validation_errors")
    assert isinstance(errs, list) and errs, f"validation_errors must be a non-empty list: {body}"
    out = []
    for e in errs:
        assert isinstance(e, dict), e
        assert isinstance(e.get("field"), str) and e["field"], e
        assert isinstance(e.get("message"), str) and e["message"], e
        out.append(e["field"])
    return out


def _field_matches(expected: str, listed: str) -> bool:
    """``preferences.units`` matches ``preferences.units`` or ``units``;
    ``preferences.notifications.email`` also matches ``preferences.notifications``."""
    e = expected.replace("[", ".").replace("]", "").strip(".")
    l = listed.replace("[", ".").replace("]", "").strip(".")
    if e == l:
        return True
    if ("." not in e or "." not in l) and ("." in e or "." in l) and _leaf(e) == _leaf(l):
        return True
    if "." in l and (e.startswith(l + ".") or l.startswith(e + ".")):
        return True
    return False


def assert_validation(r: requests.Response, fields: Iterable[str], exact: bool = True) -> dict:
    """400 VALIDATION_ERROR listing every field in ``fields``.

    Nested fields may be named by dotted path (``preferences.units``), by leaf
    (``units``) or by their parent object. With ``exact`` no other field may
    be listed.
    """
    fields = list(fields)
    body = assert_error(r, 400, "VALIDATION_ERROR")
    listed = field_names(body)
    missing = [f for f in fields if not any(_field_matches(f, l) for l in listed)]
    assert not missing, f"validation_errors does not list {missing}; listed {listed}"
    if exact:
        extra = [l for l in listed if not any(_field_matches(f, l) for f in fields)]
        assert not extra, f"validation_errors lists unexpected fields {extra} (expected {fields})"
    return body


def assert_profile(p: dict, user: Optional[User] = None) -> None:
    for k in ("userId", "email", "firstName", "lastName", "emailVerified", "mfaEnabled", "preferences", "createdAt", "updatedAt"):
        assert k in p, f"profile lacks {k}: {p}"
    assert UUID_RE.match(p["userId"]), p["userId"]
    assert isinstance(p["emailVerified"], bool) and isinstance(p["mfaEnabled"], bool)
    parse_ts(p["createdAt"])
    parse_ts(p["updatedAt"])
    for opt in ("phoneNumber", "dateOfBirth", "timezone"):
        if opt in p:
            assert p[opt] is None or isinstance(p[opt], str), (opt, p[opt])
    prefs = p["preferences"]
    assert prefs.get("units") in ("metric", "imperial"), prefs
    assert isinstance(prefs.get("language"), str) and re.match(r"^[a-z]{2}(-[A-Z]{2})?$", prefs["language"]), prefs
    notif = prefs.get("notifications")
    assert isinstance(notif, dict) and all(isinstance(notif.get(k), bool) for k in ("email", "push", "sms")), prefs
    assert isinstance(prefs.get("dietaryRestrictions"), list), prefs
    assert isinstance(prefs.get("fitnessGoals"), list), prefs
    if user is not None:
        assert p["email"].lower() == user.email.lower()
        assert p["firstName"] == user.first_name
        assert p["lastName"] == user.last_name
        if user.user_id:
            assert p["userId"] == user.user_id


def assert_login_body(body: dict, user: Optional[User] = None) -> None:
    for k in ("accessToken", "idToken", "refreshToken"):
        assert isinstance(body.get(k), str) and body[k], f"login body lacks {k}: {body}"
    assert body.get("expiresIn") == 3600, body
    assert body.get("tokenType") == "Bearer", body
    assert "mfaRequired" not in body, f"a login without MFA carries no mfaRequired key: {body}"
    assert_profile(body.get("user") or {}, user)


# ---------------------------------------------------------------------------
# TOTP (RFC 6238, SHA-1, 6 digits, 30 s)
# ---------------------------------------------------------------------------


def b32decode_lenient(secret: str) -> bytes:
    s = secret.strip().replace(" ", "").upper()
    s += "=" * (-len(s) % 8)
    return base64.b32decode(s)


def hotp(key: bytes, counter: int, digits: int = 6) -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    val = struct.unpack(">I", mac[off : off + 4])[0] & 0x7FFFFFFF
    return str(val % (10**digits)).zfill(digits)


def totp_at_step(secret: str, step: int) -> str:
    return hotp(b32decode_lenient(secret), step)


def current_step(now: Optional[float] = None) -> int:
    return int((time.time() if now is None else now) // 30)


class TotpDevice:
    """An authenticator app that never reuses a time step (the server refuses replays)."""

    def __init__(self, secret: str):
        self.secret = secret
        self.last_step: Optional[int] = None

    def next_code(self) -> str:
        step = current_step()
        if self.last_step is not None and self.last_step >= step:
            step = self.last_step + 1
            # the server accepts +/-1 step: wait if we are more than one step ahead (an emulator
            # that accepts only the current step sets LIFESTYLE_E2E_TOTP_AHEAD=0)
            ahead = int(os.environ.get("LIFESTYLE_E2E_TOTP_AHEAD", "1"))
            while step > current_step() + ahead:
                time.sleep(0.5)
        self.last_step = step
        return totp_at_step(self.secret, step)


# ---------------------------------------------------------------------------
# JWT
# ---------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jwt_parts(token: str) -> tuple[dict, dict, bytes]:
    parts = token.split(".")
    assert len(parts) == 3, f"not a JWS compact token: {token[:40]}..."
    return json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1])), b64url_decode(parts[2])


def _segments(header: dict, claims: dict) -> bytes:
    return (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(claims, separators=(",", ":")).encode())
    ).encode()


def sign_es256(header: dict, claims: dict, private_key) -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    signing_input = _segments(header, claims)
    der = private_key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return signing_input.decode() + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def verify_es256(token: str, public_key) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    head, payload, sig = token.split(".")
    raw = b64url_decode(sig)
    if len(raw) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(der, f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def sign_hs256(header: dict, claims: dict, secret: bytes) -> str:
    signing_input = _segments(header, claims)
    mac = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return signing_input.decode() + "." + b64url(mac)


def unsigned_none(header: dict, claims: dict) -> str:
    return _segments(header, claims).decode() + "."


def load_private_key(pem: bytes):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem, password=None)


# ---------------------------------------------------------------------------
# MFA helpers
# ---------------------------------------------------------------------------


def decode_qr_data_uri(data_uri: str, workdir) -> str:
    """Decode a ``data:image/png;base64,...`` QR code with zbarimg (must be installed)."""
    import shutil
    import subprocess
    from pathlib import Path

    prefix = "data:image/png;base64,"
    assert data_uri.startswith(prefix), f"qrCode must start with {prefix!r}: {data_uri[:40]!r}"
    png = base64.b64decode(data_uri[len(prefix) :], validate=True)
    assert png.startswith(b"\x89PNG\r\n\x1a\n"), "qrCode is not a PNG"
    zbar = shutil.which("zbarimg")
    assert zbar, "zbarimg not found: apt-get install -y zbar-tools"
    path = Path(workdir) / f"qr-{uuid.uuid4().hex[:8]}.png"
    path.write_bytes(png)
    # QR codes only, as an authenticator app reads them: zbar's 1-D decoders (EAN, I25...) now and
    # then "find" a short number inside a QR code's modules and print it as a second symbol.
    r = subprocess.run([zbar, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(path)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, f"zbarimg could not decode the QR code (rc={r.returncode}): {r.stderr}"
    return r.stdout.rstrip("\n")


def mfa_setup(api: Api, token: str) -> dict:
    r = api.post("/auth/mfa/setup", token=token)
    assert r.status_code == 200, r.text
    return json_body(r)


def enable_mfa(api: Api, user: User) -> tuple[dict, TotpDevice]:
    """Set up and confirm MFA for ``user``; returns (setup body, authenticator)."""
    token = api.access_token(user)
    setup = mfa_setup(api, token)
    device = TotpDevice(setup["secret"])
    r = api.post("/auth/mfa/verify-setup", {"code": device.next_code()}, token=token)
    assert r.status_code == 200, r.text
    return setup, device
