"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

Chromium is never downloaded (`playwright install` cannot run here): we launch /usr/bin/chromium (override with
CHROMIUM_PATH). Without it the tests skip with a reason — unless REQUIRE_BROWSER=1 (CI), where they fail.
Playwright launches every browser with a fresh temporary profile (its own --user-data-dir) and removes it after.
Each xdist worker gets its own live server (ephemeral port) and its own browser process.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # only loopback names resolve: a request to any other host fails at once, before any traffic (see new_page)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    # and an address literal goes to a closed loopback port instead (loopback itself never uses a proxy)
    "--proxy-server=http://127.0.0.1:9",
]
DESKTOP = {"width": 1366, "height": 900}
MOBILE = {"width": 390, "height": 844}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO_PASSWORD = "Demo#Browser-2026"


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium per test process (per xdist worker)."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
        _unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # a broken Chromium install is "absent" too
        manager.stop()
        _unavailable(f"Chromium at {CHROMIUM} could not be launched: {exc}")
    yield browser
    browser.close()
    manager.stop()


@pytest.fixture(autouse=True)
def _browser_first(chromium):
    """Skip (or fail) before the database is set up when there is no browser."""


class PageProbe:
    """A page plus what went wrong on it: console errors (CSP violations, 404 assets) and off-host requests."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def url(self, path: str) -> str:
        return self.base_url + path

    def assert_clean(self):
        assert not self.foreign_requests, f"requests left the live server: {self.foreign_requests}"
        assert not self.console_errors, f"browser console errors: {self.console_errors}"

    def scroll_width(self) -> int:
        return self.page.evaluate("document.documentElement.scrollWidth")

    def too_wide(self) -> list[str]:
        """The innermost elements whose right edge passes the viewport (what to look at when scroll_width fails)."""
        return self.page.evaluate(
            """() => { const w = document.documentElement.clientWidth; const out = [];
            for (const el of document.querySelectorAll('body *')) {
              const r = el.getBoundingClientRect();
              if (r.right > w + 1 && r.width > 0 && ![...el.children].some(c => c.getBoundingClientRect().right > w + 1))
                out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
                  + ' ' + Math.round(r.right) + ' ' + (el.textContent || '').trim().slice(0, 40));
            } return out.slice(0, 8); }"""
        )


@pytest.fixture
def new_page(chromium, live_server):
    """Factory: a fresh browser context (own cookies) with a viewport; only the live server may be contacted."""
    contexts = []

    def make(viewport=DESKTOP) -> PageProbe:
        context = chromium.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        probe = PageProbe(page, live_server.url)

        # Off-host requests are recorded here and cannot reach anything: Chromium resolves no host name but the
        # loopback ones (--host-resolver-rules above). A listener instead of context.route("**/*"): a route makes
        # every request, asset by asset, wait for a round trip through this Python process, which also serves the
        # page (the live server's thread) — most of a browser test's time went there.
        def record(request):
            if not (request.url.startswith(live_server.url) or request.url.startswith(("data:", "blob:"))):
                probe.foreign_requests.append(request.url)

        context.on("request", record)
        return probe

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def demo_accounts(transactional_db, settings):
    """Reference data and one demo account per role, as `make run` creates them (known password)."""
    from apps.accounts.services import demo_accounts_create, reference_data_load, roles_sync

    settings.DEMO_MODE = True
    reference_data_load()
    roles_sync()
    return {row["username"]: row for row in demo_accounts_create(password=DEMO_PASSWORD)}


def login(probe: PageProbe, username: str, password: str = DEMO_PASSWORD):
    """The login page as a person uses it; city staff and the admin roles then type their authenticator's code
    (the demo device's current code, tests/helpers/otp.py)."""
    page = probe.page
    page.goto(probe.url("/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if "/accounts/login/verify/" in page.url:
        from apps.accounts.models import User
        from tests.helpers.otp import current_code, verified_device

        device = verified_device(User.objects.get(username=username))
        type(device).objects.filter(pk=device.pk).update(last_t=-1)  # a second login within 30 s: not a replay here
        page.fill("#id_code", current_code(device))
        with page.expect_navigation():
            page.click("button[type=submit]")


def save_screenshot(probe: PageProbe, name: str):
    """Only with SAVE_SCREENSHOTS=1, so ordinary runs (CI) never dirty the tree."""
    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        probe.page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=True)
