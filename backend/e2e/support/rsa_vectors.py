"""RS256 (RSASSA-PKCS1-v1_5 with SHA-256) test vectors for the token verifier, made with
Python ``cryptography`` keys: the signatures a correct verifier accepts, and the malformed
encodings and forgeries it must refuse (wrong DigestInfo, DigestInfo without its NULL, trailing
garbage, short or broken padding, a signature not below the modulus, and Bleichenbacher's e=3
forgery against verifiers that parse the block instead of rebuilding it).

Prints one JSON object: ``{"vectors": [{"name", "n", "e", "message", "signature", "valid"}]}``
with byte strings in hex. Run by ``Tests/AWSBackendTests/RSAPublicKeyTests.swift``."""

from __future__ import annotations

import hashlib
import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
SHA256_NO_NULL = bytes.fromhex("302f300b0609608648016503040201" "0420")
SHA1_OID_INFO = bytes.fromhex("3021300906052b0e03021a05000414")
SHA512_DIGEST_INFO = bytes.fromhex("3051300d060960864801650304020305000440")


def i2b(x: int, k: int) -> bytes:
    return x.to_bytes(k, "big")


def raw_sign(key: rsa.RSAPrivateKey, em: bytes) -> bytes:
    """Signs an arbitrary encoded block with the private exponent (no padding checks)."""
    nums = key.private_numbers()
    n = nums.public_numbers.n
    k = (n.bit_length() + 7) // 8
    assert len(em) == k
    return i2b(pow(int.from_bytes(em, "big"), nums.d, n), k)


def emsa(k: int, t: bytes, pad_byte: int = 0xFF, pad_len: int | None = None, tail: bytes = b"") -> bytes:
    ps_len = k - len(t) - len(tail) - 3 if pad_len is None else pad_len
    em = b"\x00\x01" + bytes([pad_byte]) * ps_len + b"\x00" + t + tail
    return em + b"\x00" * (k - len(em)) if len(em) < k else em


def icbrt(x: int) -> int:
    """Integer cube root (floor)."""
    lo, hi = 0, 1 << ((x.bit_length() + 2) // 3 + 1)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid**3 <= x:
            lo = mid
        else:
            hi = mid - 1
    return lo


def vectors() -> list[dict]:
    out: list[dict] = []

    def add(name, key_pub, message, signature, valid):
        nums = key_pub.public_numbers()
        k = (nums.n.bit_length() + 7) // 8
        out.append({
            "name": name, "n": i2b(nums.n, k).hex(), "e": nums.e.to_bytes((nums.e.bit_length() + 7) // 8, "big").hex(),
            "message": message.hex(), "signature": signature.hex(), "valid": valid,
        })

    message = b'{"alg":"RS256","kid":"k1"}.{"sub":"u1","token_use":"access"}'
    h = hashlib.sha256(message).digest()

    for bits in (2048, 3072, 4096):
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        pub = key.public_key()
        k = bits // 8
        good = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        add(f"good {bits}", pub, message, good, True)
        if bits != 2048:
            continue
        n = pub.public_numbers().n
        add("good, message changed", pub, message + b" ", good, False)
        add("empty message, good", pub, b"", key.sign(b"", padding.PKCS1v15(), hashes.SHA256()), True)
        add("PSS signature", pub, message, key.sign(message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()), False)
        add("SHA-1 DigestInfo", pub, message, raw_sign(key, emsa(k, SHA1_OID_INFO + hashlib.sha1(message).digest())), False)
        add("SHA-1 OID with the SHA-256 hash", pub, message,
            raw_sign(key, emsa(k, bytes.fromhex("3031300906052b0e03021a05000420") + h)), False)
        add("SHA-512 DigestInfo", pub, message, raw_sign(key, emsa(k, SHA512_DIGEST_INFO + hashlib.sha512(message).digest())), False)
        add("DigestInfo without NULL parameters", pub, message, raw_sign(key, emsa(k, SHA256_NO_NULL + h)), False)
        add("trailing garbage after the hash", pub, message, raw_sign(key, emsa(k, SHA256_DIGEST_INFO + h, tail=os.urandom(16))), False)
        add("padding byte not FF", pub, message, raw_sign(key, emsa(k, SHA256_DIGEST_INFO + h, pad_byte=0xFE)), False)
        add("block type 2", pub, message, raw_sign(key, b"\x00\x02" + emsa(k, SHA256_DIGEST_INFO + h)[2:]), False)
        add("padding shorter than 8 bytes (hash left-justified, zero filled)", pub, message,
            raw_sign(key, emsa(k, SHA256_DIGEST_INFO + h, pad_len=4)), False)
        add("bare hash without DigestInfo", pub, message, raw_sign(key, emsa(k, h)), False)
        add("signature equal to n", pub, message, i2b(n, k), False)
        add("signature n + 1 (not below n)", pub, message, i2b(n + 1, k), False)
        add("good signature + n (the same value mod n, not below n)", pub, message,
            i2b(int.from_bytes(good, "big") + n, k) if int.from_bytes(good, "big") + n < 1 << (8 * k) else i2b(n + 1, k), False)
        add("signature of all FF bytes", pub, message, b"\xff" * k, False)
        add("signature one byte short", pub, message, good[1:], False)
        add("signature one byte long", pub, message, b"\x00" + good, False)
        add("signature zero", pub, message, b"\x00" * k, False)
        add("signature one", pub, message, b"\x00" * (k - 1) + b"\x01", False)

    # e = 3: a correct signature verifies; Bleichenbacher's forgery (a cube whose top bytes look
    # like a short padding, DigestInfo and hash, with garbage below) does not.
    key3 = rsa.generate_private_key(public_exponent=3, key_size=2048)
    pub3 = key3.public_key()
    k = 256
    add("good e=3", pub3, message, key3.sign(message, padding.PKCS1v15(), hashes.SHA256()), True)
    prefix = b"\x00\x01\xff\xff\xff\xff\xff\xff\xff\xff\x00" + SHA256_DIGEST_INFO + h
    target = int.from_bytes(prefix + b"\xff" * (k - len(prefix)), "big")
    forged = icbrt(target)
    while (forged**3).to_bytes(k, "big")[: len(prefix)] != prefix:
        forged += 1
    assert forged**3 < pub3.public_numbers().n
    add("Bleichenbacher e=3 forgery (garbage after the hash)", pub3, message, i2b(forged, k), False)
    return out


if __name__ == "__main__":
    print(json.dumps({"vectors": vectors()}))
