"""The journal and sharing, as the web client uses them: entries encrypted on the device with a
per-entry AES-GCM key wrapped with the owner's RSA-OAEP public key, stored and answered byte for
byte; a share re-wraps the entry key for the recipient, who decrypts from what the API returns;
revocation and expiry cut access at once; a third user sees 404 everywhere. Statistics kept on
write match hand-computed figures. Plaintext never reaches the store or the server's log, and an
account deletion leaves nothing of the user."""

from __future__ import annotations

import base64
import os
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from api_support import assert_error, assert_validation, json_body
from test_encryption import OAEP, _client_keys, _unlock, b64


class Writer:
    """A user as the web client acts for them: keys set up, a token, the private key unlocked."""

    def __init__(self, api, tag: str, keys: bool = True):
        self.api = api
        self.user = api.new_user(tag=tag)
        self.token = api.access_token(self.user)
        self.id = self.user.user_id
        if keys:
            body, _ = _client_keys(self.user.password, bits=2048)
            r = api.post("/encryption/setup", body, token=self.token)
            assert r.status_code == 201, r.text

    def private_key(self):
        """Unlocked as a second device would: from what the server keeps and the password."""
        info = json_body(self.api.get(f"/encryption/user/{self.id}", token=self.token))
        return _unlock(info, self.user.password)

    def public_key_of(self, user_id: str):
        info = json_body(self.api.get(f"/encryption/user/{user_id}", token=self.token))
        return serialization.load_der_public_key(base64.b64decode(info["publicKey"]))

    def write_encrypted(self, title: str, text: str, **extra) -> tuple[dict, bytes, dict]:
        entry_key, iv = os.urandom(32), os.urandom(12)
        body = {"title": title, "content": b64(AESGCM(entry_key).encrypt(iv, text.encode(), None)),
                "template": "daily_reflection", "isEncrypted": True, "wordCount": len(text.split()),
                "encryptedKey": b64(self.public_key_of(self.id).encrypt(entry_key, OAEP)), "encryptionIv": b64(iv), **extra}
        r = self.api.post("/journal", body, token=self.token)
        assert r.status_code == 201, r.text
        return json_body(r), entry_key, body

    def write(self, title: str, content: str, **extra) -> dict:
        r = self.api.post("/journal", {"title": title, "content": content, "template": "blank", **extra}, token=self.token)
        assert r.status_code == 201, r.text
        return json_body(r)

    def share(self, entry_id: str, recipient: "Writer", entry_key: bytes | None = None, **extra) -> dict:
        body = {"itemType": "journal", "itemId": entry_id, "recipientId": recipient.id, "permissions": ["read"], **extra}
        if entry_key is not None:
            body["encryptedKey"] = b64(self.public_key_of(recipient.id).encrypt(entry_key, OAEP))
        r = self.api.post("/shares", body, token=self.token)
        assert r.status_code == 201, r.text
        return json_body(r)


def _decrypt(reader: Writer, entry: dict) -> str:
    entry_key = reader.private_key().decrypt(base64.b64decode(entry["encryptedKey"]), OAEP)
    return AESGCM(entry_key).decrypt(base64.b64decode(entry["encryptionIv"]), base64.b64decode(entry["content"]), None).decode()


def test_two_users_share_an_encrypted_entry_and_a_third_sees_nothing(api, driver):
    alice, bob, carol = Writer(api, "alice"), Writer(api, "bob"), Writer(api, "carol")
    secret = f"I finally told my sister the truth {uuid.uuid4()}"
    entry, entry_key, sent = alice.write_encrypted("A hard day", secret, tags=["family"], mood="relieved")
    assert entry["content"] == sent["content"] and entry["encryptedKey"] == sent["encryptedKey"], "stored byte for byte"
    assert entry["isEncrypted"] is True and entry["wordCount"] == len(secret.split()) and entry["template"] == "daily_reflection"
    assert entry["isShared"] is False and entry["sharedWith"] == []
    assert _decrypt(alice, json_body(api.get(f"/journal/{entry['entryId']}", token=alice.token))) == secret

    # alice finds bob by email, wraps the entry key with his public key and shares
    found = json_body(api.get(f"/users/by-email/{bob.user.email}", token=alice.token))
    assert found["userId"] == bob.id
    share = alice.share(entry["entryId"], bob, entry_key, expiresInHours=48)
    assert share["isEncrypted"] is True and share["shareId"]

    # bob reads it with the key wrapped for him, and decrypts it
    r = api.get(f"/journal/{entry['entryId']}", token=bob.token)
    assert r.status_code == 200, r.text
    seen = json_body(r)
    assert seen["encryptedKey"] != sent["encryptedKey"], "the recipient gets the key wrapped for them"
    assert seen["shareAccess"]["shareId"] == share["shareId"] and seen["shareAccess"]["permissions"] == ["read"]
    assert seen["sharedWith"] == [bob.id] and seen["content"] == sent["content"]
    assert _decrypt(bob, seen) == secret
    incoming = json_body(api.get("/journal?filter=shared-with-me", token=bob.token))
    assert incoming["total"] == 1 and incoming["entries"][0]["isIncoming"] is True
    assert incoming["entries"][0]["shareInfo"]["sharedBy"] == alice.user.email
    assert _decrypt(bob, incoming["entries"][0]["entry"]) == secret
    assert json_body(api.get("/journal", token=bob.token))["total"] == 0, "bob's own journal is his"
    assert json_body(api.get("/journal?filter=all", token=bob.token))["total"] == 1

    # the owner sees whom it is shared with, and how often it was read
    owned = json_body(api.get(f"/journal/{entry['entryId']}", token=alice.token))
    assert owned["isShared"] is True and owned["sharedWith"] == [bob.id]
    given = json_body(api.get("/shares?direction=created", token=alice.token))["shares"]
    # one read of the entry (listing shared entries is not a read of one)
    assert [(s["shareId"], s["recipientId"], s["accessCount"], s["active"]) for s in given] == \
        [(share["shareId"], bob.id, 1, True)], given
    assert given[0]["lastAccessed"]
    assert given[0]["id"] == share["shareId"], "the web client's share list reads `id` and revokes by it"
    received = json_body(api.get("/shares?direction=received", token=bob.token))["shares"]
    assert [s["shareId"] for s in received] == [share["shareId"]]
    by_me = json_body(api.get("/journal?filter=shared-by-me", token=alice.token))
    assert by_me["entries"][0]["shareInfo"]["sharedWith"] == bob.user.email

    # the recipient can never change or delete it; carol sees nothing anywhere
    eid = entry["entryId"]
    assert_error(api.put(f"/journal/{eid}", {"title": "mine now"}, token=bob.token), 404, "ENTRY_NOT_FOUND")
    assert_error(api.delete(f"/journal/{eid}", token=bob.token), 404, "ENTRY_NOT_FOUND")
    assert_error(api.delete(f"/shares/{share['shareId']}", token=bob.token), 404, "SHARE_NOT_FOUND")
    for call in (lambda: api.get(f"/journal/{eid}", token=carol.token),
                 lambda: api.put(f"/journal/{eid}", {"title": "x"}, token=carol.token),
                 lambda: api.delete(f"/journal/{eid}", token=carol.token),
                 lambda: api.delete(f"/shares/{share['shareId']}", token=carol.token),
                 lambda: api.post("/shares", {"itemType": "journal", "itemId": eid, "recipientId": bob.id}, token=carol.token)):
        assert call().status_code == 404
    assert json_body(api.get("/journal?filter=all", token=carol.token))["total"] == 0
    assert json_body(api.get("/shares", token=carol.token))["shares"] == []

    # revocation cuts access at once
    r = api.delete(f"/shares/{share['shareId']}", token=alice.token)
    assert r.status_code == 200, r.text
    assert_error(api.get(f"/journal/{eid}", token=bob.token), 404, "ENTRY_NOT_FOUND")
    assert json_body(api.get("/journal?filter=shared-with-me", token=bob.token))["total"] == 0
    assert json_body(api.get(f"/journal/{eid}", token=alice.token))["sharedWith"] == []
    assert_error(api.delete(f"/shares/{share['shareId']}", token=alice.token), 404, "SHARE_NOT_FOUND")

    # the plaintext is nowhere the server keeps or writes
    assert secret not in driver.stored_text() and sent["content"] in driver.stored_text()
    if hasattr(driver, "output_text"):
        log = driver.output_text()
        assert secret not in log and sent["content"][:40] not in log and sent["encryptedKey"][:40] not in log


def test_an_expired_share_is_refused_and_can_be_given_again(api, driver):
    alice, bob = Writer(api, "owner", keys=False), Writer(api, "reader", keys=False)
    entry = alice.write("Plain notes", "shared without a key")
    share = alice.share(entry["entryId"], bob, expiresInHours=1)
    assert share["isEncrypted"] is False
    seen = json_body(api.get(f"/journal/{entry['entryId']}", token=bob.token))
    assert seen["content"] == "shared without a key" and "encryptedKey" not in seen
    assert_error(api.post("/shares", {"itemType": "journal", "itemId": entry["entryId"], "recipientId": bob.id},
                          token=alice.token), 409, "ALREADY_SHARED")
    driver.expire_share(share["shareId"], entry["entryId"], bob.id)
    assert_error(api.get(f"/journal/{entry['entryId']}", token=bob.token), 404, "ENTRY_NOT_FOUND")
    assert json_body(api.get("/journal?filter=shared-with-me", token=bob.token))["total"] == 0
    assert json_body(api.get(f"/journal/{entry['entryId']}", token=alice.token))["isShared"] is False
    listed = json_body(api.get("/shares", token=bob.token))["shares"]
    assert [(s["shareId"], s["active"]) for s in listed] == [(share["shareId"], False)]
    again = alice.share(entry["entryId"], bob)  # an expired share is replaced
    assert again["shareId"] != share["shareId"]
    assert api.get(f"/journal/{entry['entryId']}", token=bob.token).status_code == 200
    assert [s["shareId"] for s in json_body(api.get("/shares", token=bob.token))["shares"]] == [again["shareId"]]


def test_statistics_kept_on_write_match_hand_computed_figures(api):
    w = Writer(api, "stats", keys=False)
    assert json_body(api.get("/journal/stats", token=w.token))["totalEntries"] == 0
    a = w.write("Morning", "one two three four", mood="happy", tags=["work", "focus"], template="gratitude")
    b = w.write("Noon", "five six", mood="happy", tags=["work"], template="daily_reflection")
    c = w.write("Night", "seven eight nine ten eleven twelve", mood="tired", tags=["home"], template="daily-reflection")
    assert (a["wordCount"], b["wordCount"], c["wordCount"]) == (4, 2, 6), "the server counts a plain entry's words"
    s = json_body(api.get("/journal/stats", token=w.token))
    assert (s["totalEntries"], s["totalWords"], s["averageWordCount"]) == (3, 12, 4)
    assert s["moodDistribution"] == {"happy": 2, "tired": 1}
    assert s["topTags"] == [{"tag": "work", "count": 2}, {"tag": "focus", "count": 1}, {"tag": "home", "count": 1}]
    assert (s["currentStreak"], s["longestStreak"], s["entriesThisWeek"], s["entriesThisMonth"]) == (1, 1, 3, 3)
    assert s["entriesByMonth"][0]["entries"] == 3 and s["entriesByMonth"][0]["words"] == 12
    assert {t["template"]: t["count"] for t in s["templateUsage"]} == \
        {"gratitude": 1, "daily_reflection": 1, "daily-reflection": 1}

    r = api.put(f"/journal/{b['entryId']}", {"content": "five six seven", "mood": "calm", "tags": ["home"]}, token=w.token)
    assert r.status_code == 200, r.text
    assert json_body(r)["wordCount"] == 3 and json_body(r)["mood"] == "calm"
    assert "one two three four" in api.driver.stored_text()
    assert api.delete(f"/journal/{a['entryId']}", token=w.token).status_code == 200
    assert "one two three four" not in api.driver.stored_text(), "a deleted entry's text stayed on disk"
    s = json_body(api.get("/journal/stats", token=w.token))
    assert (s["totalEntries"], s["totalWords"], s["averageWordCount"]) == (2, 9, 5)  # 4.5 rounds to 5 (half away from zero)
    assert s["moodDistribution"] == {"calm": 1, "tired": 1}
    assert s["topTags"] == [{"tag": "home", "count": 2}]
    assert_error(api.get(f"/journal/{a['entryId']}", token=w.token), 404, "ENTRY_NOT_FOUND")

    # newest first, paged
    listed = json_body(api.get("/journal?limit=1", token=w.token))
    assert (listed["total"], listed["hasMore"], listed["filter"]) == (2, True, "owned")
    assert [e["entryId"] for e in listed["entries"]] == [c["entryId"]]
    second = json_body(api.get("/journal?limit=1&page=2", token=w.token))
    assert [e["entryId"] for e in second["entries"]] == [b["entryId"]] and second["hasMore"] is False
    assert json_body(api.get("/journal?limit=1&page=3", token=w.token))["entries"] == []


def test_linked_goals_must_be_the_users_own(api):
    w, other = Writer(api, "goals", keys=False), Writer(api, "stranger", keys=False)
    goal = {"title": "Read", "category": "learning", "goalPattern": "milestone",
            "target": {"metric": "count", "value": 12, "unit": "books", "direction": "increase", "targetType": "minimum"}}
    mine = json_body(api.post("/goals", goal, token=w.token))["goalId"]
    theirs = json_body(api.post("/goals", goal, token=other.token))["goalId"]
    assert_validation(api.post("/journal", {"title": "t", "content": "c", "linkedGoalIds": [mine, theirs, str(uuid.uuid4())]},
                               token=w.token), ["linkedGoalIds[1]", "linkedGoalIds[2]"])
    e = w.write("Read a book", "chapter one", linkedGoalIds=[mine],
                goalProgress=[{"goalId": mine, "progressValue": 1, "completed": True}])
    w.write("Unlinked", "nothing")
    assert e["linkedGoalIds"] == [mine] and e["goalProgress"][0]["completed"] is True
    listed = json_body(api.get(f"/journal?goalId={mine}", token=w.token))
    assert [x["entryId"] for x in listed["entries"]] == [e["entryId"]] and listed["total"] == 1
    assert json_body(api.get("/journal/stats", token=w.token))["goalsTracked"] == 1


def test_bad_entries_and_shares_are_refused_with_every_field_named(api):
    w, other = Writer(api, "strict"), Writer(api, "plainuser", keys=False)
    token = w.token
    assert_validation(api.post("/journal", {}, token=token), ["title", "content"])
    assert_validation(api.post("/journal", {"title": "", "content": "x", "template": "novel", "tags": ["a"] * 11, "mood": 5},
                               token=token), ["title", "template", "tags", "mood"])
    assert_validation(api.post("/journal", {"title": "t", "content": "x", "isEncrypted": True}, token=token),
                      ["encryptedKey", "encryptionIv"])
    assert_validation(api.post("/journal", {"title": "t", "content": "x", "encryptedKey": b64(os.urandom(32))}, token=token),
                      ["encryptedKey"])
    assert_error(api.post("/journal", {"title": "t", "content": "x" * 50_001}, token=token), 413, "ENTRY_TOO_LARGE")
    key, iv = b64(os.urandom(256)), b64(os.urandom(12))
    big = {"title": "t", "isEncrypted": True, "encryptedKey": key, "encryptionIv": iv}
    assert_error(api.post("/journal", {**big, "content": b64(os.urandom(200_000))}, token=token), 413, "ENTRY_TOO_LARGE")
    r = api.post("/journal", {**big, "content": b64(os.urandom(190_000)), "wordCount": 30_000}, token=token)
    assert r.status_code == 201, "256 KiB of ciphertext is accepted"
    sealed = json_body(r)
    assert_validation(api.put(f"/journal/{sealed['entryId']}", {"content": b64(os.urandom(64))}, token=token), ["encryptionIv"])
    assert_validation(api.put(f"/journal/{sealed['entryId']}", {"content": b64(os.urandom(64)), "encryptionIv": iv},
                              token=token), ["encryptionIv"])
    r = api.put(f"/journal/{sealed['entryId']}", {"content": b64(os.urandom(64)), "encryptionIv": b64(os.urandom(12)),
                                                  "wordCount": 12}, token=token)
    assert r.status_code == 200 and json_body(r)["wordCount"] == 12
    assert_validation(api.get("/journal/not-a-uuid", token=token), ["entryId"])
    assert_error(api.get(f"/journal/{uuid.uuid4()}", token=token), 404, "ENTRY_NOT_FOUND")

    plain = w.write("Plain", "hello")
    share = {"itemType": "journal", "itemId": plain["entryId"], "recipientId": other.id}
    assert_validation(api.post("/shares", {}, token=token), ["itemType", "itemId", "recipientId"])
    assert_validation(api.post("/shares", {**share, "itemType": "goal", "permissions": ["read", "write"],
                                           "expiresInHours": 721}, token=token), ["itemType", "permissions", "expiresInHours"])
    assert_validation(api.post("/shares", {**share, "recipientId": w.id}, token=token), ["recipientId"])
    assert_validation(api.post("/shares", {**share, "encryptedKey": b64(os.urandom(256))}, token=token), ["encryptedKey"])
    assert_error(api.post("/shares", {**share, "recipientId": str(uuid.uuid4())}, token=token), 404, "USER_NOT_FOUND")
    assert_error(api.post("/shares", {**share, "itemId": str(uuid.uuid4())}, token=token), 404, "ENTRY_NOT_FOUND")
    assert_validation(api.post("/shares", {**share, "itemId": sealed["entryId"]}, token=token), ["encryptedKey"])
    assert_error(api.post("/shares", {**share, "itemId": sealed["entryId"], "encryptedKey": b64(os.urandom(256))}, token=token),
                 422, "RECIPIENT_ENCRYPTION_NOT_SET_UP")
    assert_error(api.post("/ai-shares", {"itemType": "journal", "itemIds": [plain["entryId"]], "analysisType": "themes"},
                          token=token), 501, "NOT_IMPLEMENTED")


def test_an_entry_has_at_most_ten_active_shares(api):
    owner = Writer(api, "popular", keys=False)
    readers = [Writer(api, f"reader{n}", keys=False) for n in range(11)]
    entry = owner.write("For everyone", "hello all")
    made = [owner.share(entry["entryId"], r)["shareId"] for r in readers[:10]]
    body = {"itemType": "journal", "itemId": entry["entryId"], "recipientId": readers[10].id}
    assert_error(api.post("/shares", body, token=owner.token), 422, "SHARE_LIMIT_REACHED")
    assert api.delete(f"/shares/{made[0]}", token=owner.token).status_code == 200
    assert api.post("/shares", body, token=owner.token).status_code == 201
    assert len(json_body(api.get(f"/journal/{entry['entryId']}", token=owner.token))["sharedWith"]) == 10
    # deleting the entry deletes its shares: no reader reaches it any more
    assert api.delete(f"/journal/{entry['entryId']}", token=owner.token).status_code == 200
    assert json_body(api.get("/shares?direction=created", token=owner.token))["shares"] == []
    assert api.get(f"/journal/{entry['entryId']}", token=readers[10].token).status_code == 404


def test_account_deletion_leaves_nothing_of_the_user(api, driver):
    leaving, friend, other = Writer(api, "leaving"), Writer(api, "friend"), Writer(api, "other", keys=False)
    marker = f"diary-{uuid.uuid4()}"
    mine, key, sent = leaving.write_encrypted("Mine", marker)
    given = leaving.share(mine["entryId"], friend, key)
    theirs = other.write("Theirs", "for the leaving user")
    received = other.share(theirs["entryId"], leaving)
    dump = driver.stored_text()
    for trace in (mine["entryId"], given["shareId"], received["shareId"], sent["content"][:64], sent["encryptedKey"][:64]):
        assert trace in dump
    r = api.delete("/users/profile", {"password": leaving.user.password}, token=leaving.token)
    assert r.status_code == 204, r.text
    dump = driver.stored_text()
    # (the user id itself stays in the token revocations, which keep the deleted user's tokens refused)
    for trace in (mine["entryId"], given["shareId"], received["shareId"], sent["content"][:64], sent["encryptedKey"][:64]):
        assert trace not in dump, "something of the deleted user outlived the account"
    assert json_body(api.get("/shares", token=friend.token))["shares"] == []
    assert api.get(f"/journal/{mine['entryId']}", token=friend.token).status_code == 404
    kept = json_body(api.get(f"/journal/{theirs['entryId']}", token=other.token))
    assert kept["sharedWith"] == [] and kept["content"] == "for the leaving user", "the other user's entry stays theirs"


def test_every_template_id_of_the_contract_and_the_web_client_is_accepted(api):
    w = Writer(api, "templates", keys=False)
    for template in ("daily_reflection", "goal_progress", "mood_tracker", "habit_tracker", "creative_writing", "gratitude",
                     "blank", "daily-reflection", "goals-progress", "emotional-checkin", "dream-journal", "creative-writing"):
        assert w.write("t", "c", template=template)["template"] == template


def test_entries_written_at_once_are_all_counted(api):
    """Every write of an entry also writes the statistics, conditioned on the version read: writes
    at the same moment retry, and none is lost from the figures."""
    import concurrent.futures
    w = Writer(api, "busy", keys=False)

    def write(n):
        return api.post("/journal", {"title": f"Note {n}", "content": "one two three", "tags": ["rush"]},
                        token=w.token).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(write, range(16)))
    assert codes == [201] * 16, codes
    s = json_body(api.get("/journal/stats", token=w.token))
    assert (s["totalEntries"], s["totalWords"], s["topTags"]) == (16, 48, [{"tag": "rush", "count": 16}])
    assert json_body(api.get("/journal?limit=100", token=w.token))["total"] == 16
