"""What a copy of the data store gives away: nothing about the second factor. TOTP secrets are
sealed with a key derived from the master key (which lives in the secret store, or in
``master.key`` beside the embedded database), and backup codes are HMACs under a derived key, so
a table dump can neither produce TOTP codes nor be searched for the 10^8 possible backup codes."""

from __future__ import annotations

import base64
import hashlib

from api_support import TotpDevice, json_body, mfa_setup


def test_a_table_dump_holds_no_totp_secret_and_no_searchable_backup_code(api, user):
    token = api.access_token(user)
    setup = mfa_setup(api, token)
    secret, codes = setup["secret"], setup["backupCodes"]
    raw = base64.b32decode(secret + "=" * (-len(secret) % 8))

    def assert_nothing_readable(stage: str) -> None:
        dump = api.driver.stored_text()
        assert user.user_id and user.user_id in dump, "the dump should hold the user's records"
        assert secret not in dump, f"{stage}: the Base32 TOTP secret is stored in the clear"
        assert secret.rstrip("=").lower() not in dump.lower(), stage
        assert raw.hex() not in dump and raw.decode("latin-1") not in dump, f"{stage}: the raw TOTP secret is stored"
        for code in codes:
            assert code not in dump, f"{stage}: a backup code is stored in the clear"
            unkeyed = hashlib.sha256(f"lifestyle-backup-code:{user.user_id}:{code}".encode()).hexdigest()
            assert unkeyed not in dump, f"{stage}: a backup code hash can be recomputed without the server key"
            plain = hashlib.sha256(code.encode()).hexdigest()
            assert plain not in dump, stage

    assert_nothing_readable("pending enrolment")
    r = api.post("/auth/mfa/verify-setup", {"code": TotpDevice(secret).next_code()}, token=token)
    assert r.status_code == 200, r.text
    assert json_body(r)["mfaEnabled"] is True
    assert_nothing_readable("enabled")
