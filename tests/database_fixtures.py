"""Database fixtures, a pytest plugin of tests/conftest.py: every test that takes ``session``,
``engine`` or ``committed`` runs on SQLite and on PostgreSQL.

``session`` rolls back after the test (fast, isolated); ``committed`` gives a database of the
test's own where work really commits, for tests with several processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.conftest import IN_CI
from tests.dialer.databases import BACKENDS, migrated_database, postgres_problem


def require_backend(backend: str) -> None:
    """Skip the test when ``backend`` cannot run here, with the reason; under CI, fail."""
    if backend == "postgresql":
        problem = postgres_problem()
        if problem:
            if IN_CI:
                pytest.fail(problem)
            pytest.skip(problem)


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Engine]:
    """A migrated database shared by the session's tests of one backend."""
    backend = str(request.param)
    require_backend(backend)
    with migrated_database(backend, tmp_path_factory.mktemp(backend)) as (engine, _url):
        yield engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, whatever it commits."""
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(connection, join_transaction_mode="create_savepoint",
                     expire_on_commit=False) as session:
            yield session
        outer.rollback()


@pytest.fixture(params=BACKENDS)
def committed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    """A new migrated database of the test's own (engine and URL), dropped afterwards."""
    backend = str(request.param)
    require_backend(backend)
    with migrated_database(backend, tmp_path) as pair:
        yield pair
