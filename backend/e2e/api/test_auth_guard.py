"""Protected routes refuse every kind of bad credential with 401 ErrorResponse."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from api_support import (
    assert_error,
    b64url,
    b64url_decode,
    jwt_parts,
    sign_es256,
    sign_hs256,
    unsigned_none,
)

PROTECTED = [
    ("GET", "/users/profile", None),
    ("PUT", "/users/profile", {"firstName": "Eve"}),
    ("POST", "/auth/mfa/setup", None),
    ("POST", "/auth/mfa/verify-setup", {"code": "123456"}),
    ("POST", "/auth/mfa/disable", {"password": "Aa1!aaaa"}),
]


def _call(api, method, path, body, headers):
    return api.request(method, path, json_body=body if body is not None else None, headers=headers)


@pytest.fixture(scope="module")
def session_tokens(api):
    u = api.new_user(tag="guard")
    return u, api.tokens(u)


def _assert_401(r):
    body = assert_error(r, 401)
    assert "accessToken" not in body
    return body


@pytest.mark.parametrize("method,path,body", PROTECTED, ids=[f"{m} {p}" for m, p, _ in PROTECTED])
@pytest.mark.parametrize(
    "auth",
    ["<none>", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer not.a.jwt", "bearer-token-without-scheme"],
)
def test_missing_or_malformed_header(api, method, path, body, auth):
    headers = {} if auth == "<none>" else {"Authorization": auth}
    _assert_401(_call(api, method, path, body, headers))


def test_valid_token_is_accepted_control(api, session_tokens):
    user, tokens = session_tokens
    r = api.get("/users/profile", token=tokens["accessToken"])
    assert r.status_code == 200, r.text
    # scheme is case-insensitive per RFC 7235
    r = api.get("/users/profile", headers={"Authorization": f"bearer {tokens['accessToken']}"})
    assert r.status_code == 200, r.text


def _with_sig_flipped(token: str) -> str:
    head, payload, sig = token.split(".")
    raw = bytearray(b64url_decode(sig))
    raw[10] ^= 0x01
    return f"{head}.{payload}.{b64url(bytes(raw))}"


def _with_claims(token: str, **changes) -> str:
    head, _, sig = token.split(".")
    _, claims, _ = jwt_parts(token)
    claims.update(changes)
    import json

    return f"{head}.{b64url(json.dumps(claims).encode())}.{sig}"


def test_tampered_signature(api, session_tokens):
    _, tokens = session_tokens
    _assert_401(api.get("/users/profile", token=_with_sig_flipped(tokens["accessToken"])))


def test_tampered_payload(api, session_tokens):
    _, tokens = session_tokens
    other = api.new_user(tag="victim")
    forged = _with_claims(tokens["accessToken"], sub=other.user_id, username=other.user_id)
    _assert_401(api.get("/users/profile", token=forged))


def test_id_token_is_not_an_access_token(api, session_tokens):
    _, tokens = session_tokens
    for method, path, body in PROTECTED:
        _assert_401(_call(api, method, path, body, {"Authorization": f"Bearer {tokens['idToken']}"}))


def test_refresh_token_is_not_an_access_token(api, session_tokens):
    _, tokens = session_tokens
    _assert_401(api.get("/users/profile", token=tokens["refreshToken"]))


def test_resigned_token_control(api, session_tokens, signing_key):
    """Our forging machinery is right: real key + valid claims is accepted."""
    _, tokens = session_tokens
    header, claims, _ = jwt_parts(tokens["accessToken"])
    now = int(time.time())
    claims.update(iat=now - 10, exp=now + 600)
    r = api.get("/users/profile", token=sign_es256(header, claims, signing_key))
    assert r.status_code == 200, r.text


def test_expired_token(api, session_tokens, signing_key):
    _, tokens = session_tokens
    header, claims, _ = jwt_parts(tokens["accessToken"])
    now = int(time.time())
    claims.update(iat=now - 7200, auth_time=now - 7200, exp=now - 3600)
    _assert_401(api.get("/users/profile", token=sign_es256(header, claims, signing_key)))


def test_token_signed_by_another_key(api, session_tokens):
    _, tokens = session_tokens
    header, claims, _ = jwt_parts(tokens["accessToken"])
    foreign = ec.generate_private_key(ec.SECP256R1())
    _assert_401(api.get("/users/profile", token=sign_es256(header, claims, foreign)))


def test_wrong_token_use_signed_with_real_key(api, session_tokens, signing_key):
    _, tokens = session_tokens
    header, claims, _ = jwt_parts(tokens["accessToken"])
    claims["token_use"] = "id"
    _assert_401(api.get("/users/profile", token=sign_es256(header, claims, signing_key)))


def test_wrong_issuer_signed_with_real_key(api, session_tokens, signing_key):
    _, tokens = session_tokens
    header, claims, _ = jwt_parts(tokens["accessToken"])
    claims["iss"] = "https://evil.example.com"
    _assert_401(api.get("/users/profile", token=sign_es256(header, claims, signing_key)))


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none(api, session_tokens, alg):
    _, tokens = session_tokens
    header, claims, _ = jwt_parts(tokens["accessToken"])
    header = dict(header, alg=alg)
    token = unsigned_none(header, claims)
    _assert_401(api.get("/users/profile", token=token))
    # ... also with the original signature left attached
    sig = tokens["accessToken"].split(".")[2]
    _assert_401(api.get("/users/profile", token=token + sig))


@pytest.mark.parametrize("encoding", ["pem", "pem-stripped", "der"])
def test_hs256_with_public_key_as_secret(api, session_tokens, signing_key, encoding):
    _, tokens = session_tokens
    header, claims, _ = jwt_parts(tokens["accessToken"])
    pub = signing_key.public_key()
    if encoding == "der":
        secret = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    else:
        secret = pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        if encoding == "pem-stripped":
            secret = secret.strip()
    token = sign_hs256(dict(header, alg="HS256"), claims, secret)
    _assert_401(api.get("/users/profile", token=token))
