"""Throwaway databases for tests: a SQLite file, or a PostgreSQL schema of its own.

PostgreSQL is found at ``SURVEY_ENGINE_TEST_POSTGRES`` or 127.0.0.1:5432, database ``test``. If
it does not answer, the local cluster is started when we can (root on Debian); otherwise the
PostgreSQL half is skipped with the reason, except under ``CI=true`` where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from dialer.db import make_engine
from dialer.schema import upgrade

POSTGRES_URL = os.environ.get("SURVEY_ENGINE_TEST_POSTGRES",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used for tests, or None when it answers."""
    if _answers():
        return None
    if os.geteuid() == 0 and shutil.which("pg_ctlcluster") and Path("/etc/postgresql").is_dir():
        for version in sorted(os.listdir("/etc/postgresql")):
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                            "start"], check=False, capture_output=True, timeout=60)
        if _answers():
            return None
    return f"PostgreSQL does not answer at {POSTGRES_URL} and could not be started here"


def _answers() -> bool:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def database_url(backend: str, folder: Path) -> tuple[str, str | None]:
    """A URL for a new empty database of ``backend``, and the PostgreSQL schema made for it."""
    if backend == "sqlite":
        return f"sqlite:///{folder / f'test-{uuid.uuid4().hex[:8]}.sqlite3'}", None
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str) -> None:
    """Remove a test schema and everything in it."""
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@contextmanager
def migrated_database(backend: str, folder: Path) -> Iterator[tuple[Engine, str]]:
    """An engine on a new database brought to the newest schema, and its URL; dropped after."""
    url, schema = database_url(backend, folder)
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine, url
    finally:
        engine.dispose()
        if schema is not None:
            drop_schema(schema)
