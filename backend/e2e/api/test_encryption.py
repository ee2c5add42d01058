"""End-to-end encryption keys, as the web client makes them (RSA-OAEP 4096, the private key sealed
with AES-GCM under a PBKDF2-SHA256 key from the password): the server keeps what it cannot read,
gives other users the public key only and the owner everything a second device needs to unlock,
keeps the first keys on a second setup, refuses recovery material it could open, and forgets the
keys on a reset and with the account. No key material reaches the server's log."""

from __future__ import annotations

import base64
import os
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from api_support import assert_error, assert_validation, json_body

OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _master_key(password: str, salt: bytes) -> bytes:
    return PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=100_000).derive(password.encode())


def _client_keys(password: str, bits: int = 4096) -> tuple[dict, rsa.RSAPrivateKey]:
    """What the web client's setupNewUser sends, and the private key it keeps."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    salt = os.urandom(32)
    iv = os.urandom(12)
    pkcs8 = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    sealed = iv + AESGCM(_master_key(password, salt)).encrypt(iv, pkcs8, None)
    spki = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    body = {"salt": b64(salt), "encryptedPrivateKey": b64(sealed), "publicKey": b64(spki), "publicKeyId": "key-" + uuid.uuid4().hex}
    return body, private


def _unlock(info: dict, password: str):
    """A second device: the private key from what the server keeps and the password."""
    sealed = base64.b64decode(info["encryptedPrivateKey"])
    pkcs8 = AESGCM(_master_key(password, base64.b64decode(info["salt"]))).decrypt(sealed[:12], sealed[12:], None)
    return serialization.load_der_private_key(pkcs8, password=None)


def test_keys_are_kept_opaque_and_a_second_device_unlocks_them(api, driver):
    owner, other = api.new_user(tag="keys"), api.new_user(tag="sender")
    t_owner, t_other = api.access_token(owner), api.access_token(other)
    assert json_body(api.get(f"/encryption/check/{owner.user_id}", token=t_other)) == {"hasEncryption": False}
    assert_error(api.get(f"/encryption/user/{owner.user_id}", token=t_other), 404, "ENCRYPTION_NOT_SET_UP")

    body, _ = _client_keys(owner.password)
    r = api.post("/encryption/setup", body, token=t_owner)
    assert r.status_code == 201, r.text
    # a second setup (another device racing the first) keeps the first keys
    second, _ = _client_keys(owner.password, bits=2048)
    assert_error(api.post("/encryption/setup", second, token=t_owner), 409, "ENCRYPTION_ALREADY_SET_UP")

    assert json_body(api.get(f"/encryption/check/{owner.user_id.upper()}", token=t_other)) == {"hasEncryption": True}
    public = json_body(api.get(f"/encryption/user/{owner.user_id}", token=t_other))
    assert public == {"userId": owner.user_id, "publicKey": body["publicKey"], "publicKeyId": body["publicKeyId"]}, \
        "another user gets the public key only"
    # the other user seals a message to the owner's public key, as a share wraps an entry key
    entry_key = os.urandom(32)
    wrapped = serialization.load_der_public_key(base64.b64decode(public["publicKey"])).encrypt(entry_key, OAEP)

    own = json_body(api.get(f"/encryption/user/{owner.user_id}", token=t_owner))
    assert own == {"userId": owner.user_id, **body}, "the owner gets back exactly what the client stored"
    assert _unlock(own, owner.password).decrypt(wrapped, OAEP) == entry_key

    if hasattr(driver, "output_text"):
        log = driver.output_text()
        for secret in (body["encryptedPrivateKey"], body["salt"], second["encryptedPrivateKey"]):
            assert secret not in log and secret[:40] not in log, "key material in the server's log"


def test_bad_keys_are_named_and_nothing_is_stored(api):
    user = api.new_user(tag="badkeys")
    token = api.access_token(user)
    assert_validation(api.post("/encryption/setup", {}, token=token), ["salt", "encryptedPrivateKey", "publicKey", "publicKeyId"])
    body, _ = _client_keys(user.password, bits=2048)
    bad = {**body, "salt": b64(b"short"), "publicKey": "not base64!", "publicKeyId": "has spaces"}
    assert_validation(api.post("/encryption/setup", bad, token=token), ["salt", "publicKey", "publicKeyId"])
    too_big = {**body, "encryptedPrivateKey": b64(os.urandom(13_000))}
    assert_validation(api.post("/encryption/setup", too_big, token=token), ["encryptedPrivateKey"])
    assert json_body(api.get(f"/encryption/check/{user.user_id}", token=token)) == {"hasEncryption": False}
    assert_validation(api.get("/encryption/user/not-a-uuid", token=token), ["userId"])
    assert_error(api.post("/encryption/setup", body), 401)


def test_recovery_material_must_be_sealed_on_the_device(api):
    user = api.new_user(tag="recovery")
    token = api.access_token(user)
    material = {"method": "questions", "encryptedRecoveryKey": b64(os.urandom(60)),
                "securityQuestions": [{"question": "First pet?"}, {"question": "Street?"}, {"question": "Teacher?"}]}
    assert_error(api.post("/encryption/recovery", material, token=token), 404, "ENCRYPTION_NOT_SET_UP")
    body, _ = _client_keys(user.password, bits=2048)
    assert api.post("/encryption/setup", body, token=token).status_code == 201
    assert_validation(api.post("/encryption/recovery", {**material, "mnemonicPhrase": "abandon " * 24}, token=token),
                      ["mnemonicPhrase"])
    assert_validation(api.post("/encryption/recovery", {"method": "social", "encryptedRecoveryKey": b64(os.urandom(60)),
                                                        "socialGuardians": [str(uuid.uuid4())], "socialThreshold": 2},
                               token=token), ["socialThreshold"])
    r = api.post("/encryption/recovery", material, token=token)
    assert r.status_code == 200, r.text


def test_a_reset_forgets_the_keys_and_says_what_that_means(api):
    user = api.new_user(tag="reset")
    token = api.access_token(user)
    assert_error(api.delete("/encryption/keys", token=token), 404, "ENCRYPTION_NOT_SET_UP")
    body, _ = _client_keys(user.password, bits=2048)
    assert api.post("/encryption/setup", body, token=token).status_code == 201
    r = api.delete("/encryption/keys", token=token)
    assert r.status_code == 200, r.text
    assert "can no longer be decrypted" in json_body(r)["message"]
    assert json_body(api.get(f"/encryption/check/{user.user_id}", token=token)) == {"hasEncryption": False}
    fresh, _ = _client_keys(user.password, bits=2048)
    assert api.post("/encryption/setup", fresh, token=token).status_code == 201
    assert json_body(api.get(f"/encryption/user/{user.user_id}", token=token))["publicKeyId"] == fresh["publicKeyId"]


def test_account_deletion_removes_the_keys(api):
    user, other = api.new_user(tag="gone"), api.new_user(tag="watcher")
    token = api.access_token(user)
    body, _ = _client_keys(user.password, bits=2048)
    assert api.post("/encryption/setup", body, token=token).status_code == 201
    r = api.delete("/users/profile", {"password": user.password}, token=token)
    assert r.status_code == 204, r.text
    t_other = api.access_token(other)
    assert json_body(api.get(f"/encryption/check/{user.user_id}", token=t_other)) == {"hasEncryption": False}
    assert_error(api.get(f"/encryption/user/{user.user_id}", token=t_other), 404, "ENCRYPTION_NOT_SET_UP")
