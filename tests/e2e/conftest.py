"""Real-browser fixtures: Debian's Chromium, driven by Playwright, against live_server.

No browser is downloaded: Playwright launches /usr/bin/chromium through
``executable_path``. Screenshots, and a screenshot of every failing page, go to
$GRIDSCHOOL_VAR_DIR/e2e/.

A test that uses ``live_server`` runs with transactional database semantics (the
server thread must see committed rows); ``pytest_collection_modifyitems`` in
tests/conftest.py adds ``serialized_rollback`` so that it starts with the role
groups and Wagtail's root page that the data migrations created.

Playwright is started for each test, after the test database is ready, and stopped
before it is flushed. While Playwright runs, an asyncio loop counts as running in
the main thread, and Django then keeps its database connections in a separate,
context-local store (asgiref's ``Local``): a Playwright that outlived one test
would leave the next tests, and pytest-django's own set-up and tear-down, on other
connection objects than the ones the test database was prepared on.
"""

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connections

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# The machine has no internet: without these, Chromium keeps trying to reach Google's
# services and floods the log with refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000


_call_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Remember whether the test body failed, so the page fixture can photograph it.
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where screenshots go: $GRIDSCHOOL_VAR_DIR/e2e."""
    path = Path(settings.VAR_DIR) / "e2e"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser(transactional_db, monkeypatch) -> Iterator[Browser]:
    """Headless Chromium for one test (about a second to start)."""
    if not Path(CHROMIUM).exists():
        # make test installs it; a missing browser is a failure, never a skip.
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        )
    # Playwright's sync API keeps an asyncio loop running in the main thread, and
    # Django refuses ORM calls from a thread with a running loop. The tests touch
    # the ORM only between browser steps, never concurrently with them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            # The connections the test opened while the loop ran are out of reach
            # once it stops; close them now.
            connections.close_all()
            browser.close()


def _open_page(browser: Browser, viewport: dict, request, artifacts_dir: Path):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    if request.node.stash.get(_call_failed, False):
        page.screenshot(
            path=artifacts_dir / f"{request.node.name}-failure.png", full_page=True
        )
    context.close()


@pytest.fixture
def page(browser: Browser, request, artifacts_dir: Path) -> Iterator[Page]:
    """A desktop-sized tab in a fresh context (no cookies)."""
    yield from _open_page(browser, DESKTOP_VIEWPORT, request, artifacts_dir)


@pytest.fixture
def phone_page(browser: Browser, request, artifacts_dir: Path) -> Iterator[Page]:
    """A phone-sized tab (390×844, an iPhone 12–14) in a fresh context."""
    yield from _open_page(browser, PHONE_VIEWPORT, request, artifacts_dir)
