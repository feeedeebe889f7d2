"""Photographing the dashboard: Debian's Chromium, headless, driven by Playwright.

The browser is the system's ``/usr/bin/chromium`` (the Makefile installs it); Playwright's own
browser downloads are never used. Pages are captured once their live stream is open
(``body[data-live="open"]``), so what the picture shows is what an operator would see.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from axis.errors import AxisError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT = {"width": 1440, "height": 900}
LIVE_SELECTOR = 'body[data-live="open"]'

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "BrowserUnavailable",
    "CaptureFailed",
    "capture_dashboard_screenshot",
    "launch_chromium",
    "log_in",
]


class BrowserUnavailable(AxisError, RuntimeError):
    """Headless Chromium (or the Playwright package that drives it) is not installed."""


class CaptureFailed(AxisError, RuntimeError):
    """The page to photograph could not be loaded, or never went live."""


def _missing(executable: Path) -> str | None:
    if not executable.exists():
        return f"no Chromium at {str(executable)!r}: install Debian's chromium (make chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: pip install -e '.[dev]'"
    return None


@contextlib.contextmanager
def launch_chromium(executable: Path = CHROMIUM) -> Iterator[Browser]:
    """A headless Chromium from ``executable``, closed on exit; raises ``BrowserUnavailable``
    when it or Playwright is missing."""
    problem = _missing(executable)
    if problem is not None:
        raise BrowserUnavailable(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def log_in(page: Page, url: str, token: str, *, timeout_s: float = 30.0) -> None:
    """Log ``page`` in to the dashboard that serves ``url`` (its login form is at the first
    path segment's ``/login``, e.g. ``/ui/login``) with the admin ``token``."""
    parts = urlsplit(url)
    prefix = "/" + parts.path.strip("/").split("/", 1)[0] if parts.path.strip("/") else ""
    page.goto(f"{parts.scheme}://{parts.netloc}{prefix}/login", timeout=timeout_s * 1000)
    page.fill("#token", token)
    with page.expect_navigation(timeout=timeout_s * 1000):
        page.click(".login-form button[type=submit]")
    if page.url.rstrip("/").endswith("/login"):
        raise CaptureFailed(f"the dashboard at {url!r} refused the admin token")


def capture_dashboard_screenshot(
    url: str,
    path: Path | str,
    *,
    token: str,
    executable: Path = CHROMIUM,
    timeout_s: float = 30.0,
) -> Path:
    """Log in with the admin ``token``, open ``url`` (a dashboard page, e.g.
    ``http://127.0.0.1:8080/ui/``), wait until it is live, and save a full-page PNG at ``path``
    (folders created); returns the path."""
    if timeout_s <= 0:
        raise ValueError(f"timeout_s={timeout_s!r} must be > 0")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with launch_chromium(executable) as browser:
        from playwright.sync_api import Error as PlaywrightError

        page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        try:
            log_in(page, url, token, timeout_s=timeout_s)
            response = page.goto(url, timeout=timeout_s * 1000)
            if response is None or not response.ok:
                status = response.status if response is not None else "no answer"
                raise CaptureFailed(f"url={url!r} answered {status}, not a dashboard page")
            page.wait_for_selector(LIVE_SELECTOR, timeout=timeout_s * 1000)
            page.screenshot(path=str(target), full_page=True)
        except PlaywrightError as exc:
            raise CaptureFailed(f"url={url!r} could not be captured: {exc.message}") from exc
        finally:
            # Close the page first: its event stream must end before the server stops.
            page.close()
    return target
