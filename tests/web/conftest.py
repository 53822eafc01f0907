"""Fixtures of the web tests: a committed centre per database backend (module scope), an
application on it, the served application (:mod:`tests.web.live_server`) and a headless
Chromium (:mod:`tests.web.browser`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from survey_engine.web import create_app
from tests.database_fixtures import require_backend
from tests.dialer.databases import BACKENDS, migrated_database
from tests.web.browser import browser, page  # noqa: F401  (fixtures)
from tests.web.centre import WebCentre, app_config, build_centre
from tests.web.redis_server import redis_url  # noqa: F401  (fixture)


@pytest.fixture(scope="module", params=BACKENDS)
def web_centre(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[WebCentre]:
    """A centre of its own for the module's tests, on SQLite and on PostgreSQL."""
    backend = str(request.param)
    require_backend(backend)
    with migrated_database(backend, tmp_path_factory.mktemp(f"web-{backend}")) as (engine,
                                                                                  url):
        yield build_centre(engine, url, portal=tmp_path_factory.mktemp(f"portal-{backend}"))


@pytest.fixture(scope="module")
def web_app(web_centre: WebCentre, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The application on the module's centre (sim telephony: every call answered)."""
    return create_app(app_config(web_centre, tmp_path_factory.mktemp("instance")))


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    """An instance folder of the test's own."""
    folder = tmp_path / "instance"
    folder.mkdir()
    return folder
