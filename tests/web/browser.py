"""A real browser for the web tests: Playwright driving Debian's Chromium, headless. Never a
downloaded browser (no ``playwright install``): when ``/usr/bin/chromium`` is missing it is
installed with apt-get where we can (root on Debian); otherwise the browser tests are skipped
with the reason, except under ``CI=true``, where they fail. Screenshots go to
``test-artifacts/`` (kept out of git)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.system_packages import debian_package, unavailable

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts"


def chromium_problem() -> str | None:
    """Why Debian's Chromium cannot be used, or None once it is there."""
    return debian_package("chromium", CHROMIUM.exists, f"Chromium at {CHROMIUM}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium, for the session."""
    problem = chromium_problem()
    if problem:
        unavailable(problem)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"playwright is not installed: {error}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (its own cookies), 1280x900."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Keep what the page shows as ``test-artifacts/NAME.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
