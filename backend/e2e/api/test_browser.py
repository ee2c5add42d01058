"""A real browser (Debian's chromium, headless, through chromium-driver) runs the web client's
journey from a second local origin: register -> verify -> login -> GET/PUT profile -> refresh ->
logout, with fetch, an Authorization header (so the browser's own CORS preflight runs) and a read
of X-Request-ID. With an allow-list that does not name the page's origin, the browser refuses.

The final page is kept as a screenshot and its DOM in backend/e2e/.artifacts/ (CI artefacts).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from api_support import new_email, new_password

HERE = Path(__file__).resolve().parent
PAGE = (HERE / "browser" / "client.html").read_bytes()
ARTIFACTS = Path(os.environ.get("LIFESTYLE_ARTIFACTS", HERE.parent / ".artifacts"))

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)


def _require_browser():
    missing = [n for n, p in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if not p]
    try:
        import selenium  # noqa: F401, PLC0415
    except ImportError:
        missing.append("selenium")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser test needs {missing} (backend/scripts/test.sh installs them)")
        pytest.skip(f"browser test needs {missing}")


class PageServer:
    """The web client's own origin (http://localhost:PORT): the page, and /mail, which hands the
    page the verification token the way the user's mailbox would."""

    def __init__(self):
        self.mail_source = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                url = urlsplit(self.path)
                if url.path == "/mail":
                    email = parse_qs(url.query)["email"][0]
                    token = None
                    deadline = time.monotonic() + 20
                    while token is None and time.monotonic() < deadline:
                        token = server.mail_source(email, "verify-email")
                        if token is None:
                            time.sleep(0.1)
                    self._send(200, "application/json", json.dumps({"token": token}).encode())
                elif url.path == "/":
                    self._send(200, "text/html; charset=utf-8", PAGE)
                else:
                    self._send(404, "text/plain", b"not found")

            def _send(self, status, ctype, body):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.origin = f"http://localhost:{self.port}"  # another host and port than the API's 127.0.0.1
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def page_server():
    s = PageServer()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture()
def browser():
    _require_browser()
    from selenium import webdriver  # noqa: PLC0415
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1000,900", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _run_page(browser, page_server, api, scenario, name, **params) -> dict:
    from selenium.webdriver.common.by import By  # noqa: PLC0415
    from selenium.webdriver.support.ui import WebDriverWait  # noqa: PLC0415

    query = urlencode({"api": api.base_url, "scenario": scenario, **params})
    browser.get(f"{page_server.origin}/?{query}")
    WebDriverWait(browser, 90).until(lambda d: d.find_element(By.ID, "result").get_attribute("data-done") == "1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = f"browser-{api.driver.mode}-{name}"
    browser.save_screenshot(str(ARTIFACTS / f"{stem}.png"))
    (ARTIFACTS / f"{stem}.html").write_text(browser.page_source)
    return json.loads(browser.find_element(By.ID, "result").text)


def test_browser_runs_the_web_client_journey_from_an_allowed_origin(browser, page_server, api_factory):
    api = api_factory({"CORS_ORIGIN": f"https://ailifestyle.app,{page_server.origin}"})
    page_server.mail_source = api.mail_token
    out = _run_page(browser, page_server, api, "journey", "journey", email=new_email("browser"), password=new_password())
    assert "failed" not in out, out
    assert out["register"] == 201 and out["verify"] == 200 and out["login"] == 200, out
    assert out["mfaKeyPresent"] is False, "the client would think MFA is required"
    assert out["profile"] == 200 and out["profileEmail"].startswith("browser-"), out
    assert out["put"] == 200 and out["putFirstName"] == "Updated" and out["putUnits"] == "imperial", out
    assert out["refresh"] == 200 and out["expiresIn"] > 0 and out["profileAfterRefresh"] == 200, out
    assert out["againFirstName"] == "Updated"
    assert out["logout"] == 204 and out["refreshAfterLogout"] == 401, out
    assert out["refreshAfterLogoutError"] == "INVALID_REFRESH_TOKEN"
    # the page could read X-Request-ID on every answer (exposed header), and it is the page's own id
    for step in out["steps"]:
        assert step["requestId"] == "browser-" + step["name"], step


def test_browser_reads_what_api_gateway_answers_itself_and_refreshes_on_401(browser, page_server, api_factory):
    """Behind API Gateway (the lambda front, configured as terraform/modules/api_gateway), the JWT
    authorizer refuses a stale token with its own 401 and the throttle answers 429 without the
    function. The browser can read both (CORS headers from the gateway's configuration), so the
    web client refreshes on the 401 and carries on."""
    api = api_factory({"CORS_ORIGIN": f"https://ailifestyle.app,{page_server.origin}", "GATEWAY_THROTTLE": "1,5"})
    if api.driver.mode != "lambda":
        pytest.skip("API Gateway's own answers come from the lambda mode's front")
    page_server.mail_source = api.mail_token
    out = _run_page(browser, page_server, api, "gateway", "gateway", email=new_email("gateway"), password=new_password())
    assert "failed" not in out, out
    assert out["login"] == 200, out
    assert out["refused"] == 401 and out["refusedMessage"] == "Unauthorized", out  # the authorizer's, not the app's
    assert out["refresh"] == 200 and out["retried"] == 200 and out["retriedEmail"].startswith("gateway-"), out
    # five in a burst per route (the test harness's own readiness checks of /health took some),
    # then about one a second: the twelve quick calls meet the throttle, and the page reads it
    assert out["health"][0] == 200 and 429 in out["health"] and out["throttledRead"], out


def test_browser_runs_the_goal_screens_calls(browser, page_server, api_factory):
    """The goal wizard, list, detail (update, log, activity history, progress) and archive, with
    the web client's bodies and query strings, from the page's origin: every call passes the
    browser's CORS checks (PUT and DELETE preflights included) and answers what the screens read."""
    api = api_factory({"CORS_ORIGIN": f"https://ailifestyle.app,{page_server.origin}"})
    page_server.mail_source = api.mail_token
    out = _run_page(browser, page_server, api, "goals", "goals", email=new_email("goals"), password=new_password())
    assert "failed" not in out, out
    assert out["created"] == [201, 201, 201] and out["streakPeriod"] is None, out
    assert out["listed"] == ["Read 12 books", "Walk 10,000 steps"] and out["total"] == 2, out
    assert out["updated"] == 200 and out["updatedTarget"]["value"] == 12000 and out["updatedTarget"]["period"] == "day", out
    assert out["logged"] == 201 and out["loggedDate"] == out["today"], out
    assert out["history"] == [4000], "axios' activityType[]= filters the history"
    assert out["progress"] == 200 and out["current"] == 4001 and out["remaining"] == 7999, out
    assert isinstance(out["insights"]["successPatterns"], list), out
    assert out["archived"] == 200 and out["after"] == ["Meditate daily", "Walk more"], out
    for step in out["steps"]:
        assert step["requestId"] == "browser-" + step["name"], step


def test_browser_refuses_an_api_whose_allow_list_omits_the_page(browser, page_server, api_factory):
    api = api_factory({"CORS_ORIGIN": "https://ailifestyle.app,https://staging.ailifestyle.app"})
    page_server.mail_source = api.mail_token
    out = _run_page(browser, page_server, api, "blocked", "blocked")
    assert out["blocked"] is True, out
    assert "fetch" in out["error"].lower(), out  # TypeError: Failed to fetch
