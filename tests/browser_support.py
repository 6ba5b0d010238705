"""Browser helpers shared by the engine, serve and publishing tests: Debian chromium driven by
Playwright, a folder served on localhost, and a record of what went wrong on a page."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_browser() -> None:
    """Skip without chromium or Playwright on a workstation; under CI a missing browser fails."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright Python package is not installed")
    if problems:
        reason = "browser tests need " + "; ".join(problems)
        if IN_CI:
            pytest.fail(reason + " -- CI must run them", pytrace=False)
        pytest.skip(reason)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@contextlib.contextmanager
def served_folder(directory: Path) -> Iterator[str]:
    """Serve a folder on a free localhost port; yield its URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextlib.contextmanager
def launched_chromium() -> Iterator:
    """Debian's chromium driven by Playwright, closed afterwards.

    Open it after any build: Playwright's sync API runs an asyncio loop in this thread while it
    is open, and the engine's build() calls asyncio.run().
    """
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


class PageProblems:
    """Everything that went wrong while a page was open: console errors, failed requests."""

    def __init__(self, page, site_url: str):
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", self._request_failed)
        page.on(
            "response",
            lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"),
        )
        page.on("request", lambda r: self.requests.append(r.url))
        self.site_url = site_url

    def _request_failed(self, request) -> None:
        # A request the browser cancelled because the page navigated away (clicking a link
        # while the favicon still loads) is not the site's failure; 404s are caught as responses.
        if "ERR_ABORTED" in (request.failure or "") and request.url.startswith(self.site_url):
            return
        self.errors.append(f"request failed: {request.url} {request.failure}")

    def external_requests(self) -> list[str]:
        return [
            u
            for u in self.requests
            if not u.startswith(self.site_url) and not u.startswith(("data:", "about:"))
        ]


def offline_context(browser, site_url: str, width: int, height: int = 900):
    """A fresh browser context of the given size in which only `site_url` is reachable: any
    other request is blocked, so a page that needs a CDN or the internet fails."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(site_url) else route.abort()
        ),
    )
    return context
