"""Alembic environment: migrates the connection :mod:`dialer.schema` hands over, or the URL in
the Alembic configuration when run by the ``alembic`` command itself."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from dialer.db import make_engine
from dialer.models import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()
