"""State survives a restart with the same data dir: accounts, profile, signing key."""

from __future__ import annotations

from api_support import json_body


def test_restart_keeps_users_profiles_and_key(api_factory):
    api = api_factory()
    user = api.new_user(tag="restart")
    tokens = api.tokens(user)
    r = api.put("/users/profile", {"timezone": "Asia/Tokyo", "preferences": {"language": "ja"}}, token=tokens["accessToken"])
    assert r.status_code == 200, r.text
    profile = json_body(r)
    old_url = api.base_url

    api.driver.restart()
    assert api.get("/health").status_code == 200
    assert api.base_url  # may have moved to another port
    del old_url

    # a token issued before the restart is still valid (signing key persisted)
    r = api.get("/users/profile", token=tokens["accessToken"])
    assert r.status_code == 200, r.text
    assert r.json() == profile
    # login works and the profile is intact
    r = api.login(user.email, user.password)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["userId"] == user.user_id
    assert api.get("/users/profile", token=r.json()["accessToken"]).json() == profile
    # the refresh token from before the restart still works
    r = api.post("/auth/refresh", {"refreshToken": tokens["refreshToken"]})
    assert r.status_code == 200, r.text
    # duplicates are still detected
    assert api.register(user).status_code == 409
