"""A scratch database for a benchmark: a migrated SQLite file in a folder, or a schema of its own
in a PostgreSQL database, dropped when the benchmark ends."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dialer.db import make_engine
from dialer.schema import upgrade


@contextmanager
def scratch_database(url: str | None, folder: Path, name: str = "bench") -> Iterator[str]:
    """The URL of a new migrated database: ``folder/NAME.sqlite3`` when ``url`` is None, else
    a new schema at the PostgreSQL ``url`` (``postgresql://`` is taken as psycopg 3), dropped
    at the end with everything in it."""
    admin = None
    schema = f"{name}_{uuid.uuid4().hex[:12]}"
    if url is None:
        scratch = f"sqlite:///{folder / f'{name}.sqlite3'}"
    else:
        admin_url = make_url(url)
        if admin_url.drivername == "postgresql":
            admin_url = admin_url.set(drivername="postgresql+psycopg")
        admin = create_engine(admin_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        scratch = admin_url.update_query_dict({"options": f"-csearch_path={schema}"}) \
            .render_as_string(hide_password=False)
    try:
        engine = make_engine(scratch)
        upgrade(engine)
        engine.dispose()
        yield scratch
    finally:
        if admin is not None:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
