"""The browser harness: the real app on loopback, Debian's Chromium driven by Playwright, axe-core on every page.

* The app runs in a background thread (werkzeug, threaded) against the test PostgreSQL database.
* Chromium is ``/usr/bin/chromium`` (``make chromium`` installs it). If it is missing the suite FAILS: it never skips.
* Every page a journey visits goes through :func:`tests.browser.pages.Browser.check`, which runs axe-core with the
  WCAG 2.0, 2.1 and 2.2 A and AA rules and fails on any violation, printing them readably.
* Screenshots of key pages go to ``artifacts/screenshots/`` (kept by CI as an artefact).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser as PlaywrightBrowser
from playwright.sync_api import Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from conference import create_app
from tests.browser.pages import Browser, InputMode
from tests.browser.seed import Seed
from tests.conftest import _empty_tables, make_settings

CHROMIUM = Path(os.environ.get("CONVENE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests share one server and one browser: keep them on one xdist worker, marked ``browser``."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def live_app(database_url: str) -> Iterator[Flask]:
    app = create_app(make_settings(database_url))
    yield app
    with app.app_context():
        _empty_tables(app)


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    server: BaseWSGIServer = make_server("127.0.0.1", 0, live_app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    settings = live_app.config["SETTINGS"]
    live_app.config["SETTINGS"] = settings.with_overrides(external_url=base_url)
    thread = threading.Thread(target=server.serve_forever, name="convene-live-server", daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `make chromium` (apt-get install chromium). "
            "The browser tests never skip.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_instance: Playwright) -> Iterator[PlaywrightBrowser]:
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture()
def seed(live_app: Flask) -> Iterator[Seed]:
    """Rows for a journey, committed so that the server thread sees them; emptied after the test."""
    with live_app.app_context():
        yield Seed(live_app)
        from conference.extensions import db, limiter

        db.session.remove()
        _empty_tables(live_app)
        limiter.reset()


@pytest.fixture(params=[InputMode.POINTER, InputMode.KEYBOARD], ids=["pointer", "keyboard"])
def mode(request: pytest.FixtureRequest) -> InputMode:
    return InputMode(request.param)


class BrowserFactory:
    """Opens a fresh browser profile (no cookies) per person in the journey, all in the same input mode."""

    def __init__(self, chromium: PlaywrightBrowser, base_url: str, mode: InputMode, test_name: str) -> None:
        self.chromium, self.base_url, self.mode, self.test_name = chromium, base_url, mode, test_name
        self.opened: list[Browser] = []

    def __call__(self) -> Browser:
        context = self.chromium.new_context(
            base_url=self.base_url, viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London"
        )
        context.set_default_timeout(10_000)
        instance = Browser(context, self.mode, screenshots=ARTIFACTS / "screenshots", test_name=self.test_name)
        self.opened.append(instance)
        return instance

    def close(self) -> None:
        for instance in self.opened:
            instance.context.close()


@pytest.fixture()
def browsers(
    chromium: PlaywrightBrowser, live_server: str, mode: InputMode, request: pytest.FixtureRequest
) -> Iterator[BrowserFactory]:
    factory = BrowserFactory(chromium, live_server, mode, request.node.name)
    yield factory
    factory.close()


@pytest.fixture()
def browser(browsers: BrowserFactory) -> Browser:
    """The first person's browser."""
    return browsers()


class MailCatcher:
    """The app's own mail catcher (``conference.mailcatcher``: aiosmtpd keeping .eml files) on a free port."""

    def __init__(self, directory: Path) -> None:
        import socket

        from conference import mailcatcher

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.directory = directory
        self.controller = mailcatcher.make_controller("127.0.0.1", self.port, directory)

    def messages(self) -> list[Any]:
        """What arrived, oldest first (``conference.mailcatcher.CaughtMessage``)."""
        from conference import mailcatcher

        return list(reversed(mailcatcher.list_messages(self.directory)))

    def methods_by_recipient(self) -> list[tuple[str, str]]:
        """(address, iTIP METHOD) for each message, in arrival order."""
        found = []
        for message in self.messages():
            method = next(
                (line.split(":", 1)[1].strip() for line in message.calendar.splitlines() if line.startswith("METHOD:")),
                "",
            )
            found.append((message.to.split("<")[-1].rstrip(">").strip(), method))
        return found


@pytest.fixture()
def mail_catcher(tmp_path: Path) -> Iterator[MailCatcher]:
    catcher = MailCatcher(tmp_path / "mail")
    catcher.controller.start()
    yield catcher
    catcher.controller.stop()
