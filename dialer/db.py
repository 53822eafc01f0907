"""Database engines and the one transaction boundary.

SQLite is the embedded default: one file, write-ahead log, foreign keys on, and transactions we
begin ourselves so that a dispatcher can ask for ``BEGIN IMMEDIATE`` (the write lock up front,
so two processes never both read a contact as free). PostgreSQL is used through psycopg 3.

Operations ``flush()``; only :func:`transaction` commits (STYLE 4).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Executable, Result, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dialer.prepared import Prepared
from dialer.row_writes import write_pending

logger = logging.getLogger(__name__)

#: Execution option naming how a SQLite transaction begins: "DEFERRED" or "IMMEDIATE".
SQLITE_BEGIN = "sqlite_begin"
#: How long a SQLite connection waits for another writer before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``, configured for this program's SQLite or PostgreSQL use.

    A ``postgresql://`` URL without a driver uses psycopg 3. The folder of a SQLite file is
    created if missing.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **options)
        _configure_sqlite(engine)
        return engine
    engine = create_engine(parsed, pool_pre_ping=True, **options)
    _configure_postgresql(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and transactions begun by us (the pysqlite driver
    would otherwise begin them late and never IMMEDIATE)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        mode = options.get(SQLITE_BEGIN, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE"):
            raise ValueError(f"unknown SQLite begin mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _configure_postgresql(engine: Engine) -> None:
    """Generic plans for the statements psycopg prepares (those run five times or more).

    The claiming statement compares ``due_at`` with a value near the end of its index; planning
    it afresh makes PostgreSQL read the live end of that index, which every claim moves, and
    planning then costs more than running: at a million contacts a claim took 1.2 ms from the
    client with a fresh plan, 0.65 ms with a generic one (the same at 10,000), of which the
    server's execution was 0.1 ms (docs/benchmarks.md).
    """

    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")
        dbapi_connection.autocommit = autocommit


def is_sqlite(engine: Engine) -> bool:
    """Whether ``engine`` talks to SQLite (claims then use an immediate transaction)."""
    return engine.dialect.name == "sqlite"


def locks_rows(session: Session) -> bool:
    """Whether ``SELECT ... FOR UPDATE`` locks rows for ``session`` (PostgreSQL). A SQLite
    transaction that writes holds the whole database's write lock from its start instead
    (:func:`writer`), so a row read in it cannot change before it ends."""
    return session.get_bind().dialect.name == "postgresql"


def writer(engine: Engine) -> Engine:
    """``engine`` set to take SQLite's write lock when a transaction begins; the same engine on
    PostgreSQL. Used by work that reads then writes the same rows (claims, imports)."""
    if is_sqlite(engine):
        return engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    return engine


#: Key in ``Session.info`` of the rows a unit of work keeps referenced until it ends.
_HELD_ROWS = "dialer.db.held_rows"


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: a session that commits once at the end and rolls back on any error.

    Every row the unit of work loads or adds stays referenced until it ends. A session holds
    its rows only weakly, so a row no local variable refers to any more would be read again
    by the next step that asks for it (a call's attempt, contact and campaign are asked for by
    id at every step); units of work are short, so holding them costs little.
    """
    with Session(engine, expire_on_commit=False, info={_HELD_ROWS: []}) as session, \
            session.begin():
        yield session


@event.listens_for(Session, "pending_to_persistent")
@event.listens_for(Session, "loaded_as_persistent")
@event.listens_for(Session, "detached_to_persistent")
def _hold_row(session: Session, instance: object) -> None:
    held: list[object] | None = session.info.get(_HELD_ROWS)
    if held is not None:
        held.append(instance)


def execute_core(session: Session, statement: Executable | Prepared,
                 parameters: Mapping[str, Any] | None = None
                 ) -> Result[*tuple[Any, ...]]:
    """Run a Core statement (one that names tables, not ORM entities) in ``session``'s
    transaction, straight on its connection, after writing what is pending (:func:`flush_all`).

    ``session.execute`` would do the same, plus the ORM's handling of the statement and its
    result, which costs more than many of the statements the calls run several times per
    attempt (claims, open attempts, the dial's list checks). A :class:`~dialer.prepared.
    Prepared` statement runs on the driver directly: its rows hold the driver's values (use
    :meth:`~dialer.prepared.Prepared.rows` for values converted by their types).
    """
    flush_all(session)
    if isinstance(statement, Prepared):
        return statement.execute(session.connection(), parameters or {})
    return session.connection().execute(statement, parameters)


def prepared_rows(session: Session, statement: Prepared, parameters: Mapping[str, Any]
                  ) -> list[tuple[Any, ...]]:
    """As :func:`execute_core`, for a prepared statement whose rows the caller needs as
    values converted by their columns' types (:meth:`~dialer.prepared.Prepared.rows`)."""
    flush_all(session)
    return statement.rows(session.connection(), parameters)


def flush_all(session: Session) -> None:
    """Write what is pending in ``session`` before a statement that may read it: the ORM's
    changes (as autoflush would) and the values :func:`dialer.row_writes.write_later` set."""
    session.flush()
    write_pending(session)


@contextmanager
def unit_of_work(engine: Engine, session: Session | None = None) -> Iterator[Session]:
    """``session`` when the caller gives one (the work joins the caller's transaction, which
    commits it), else a new :func:`transaction` on ``engine``."""
    if session is not None:
        yield session
        return
    with transaction(engine) as own:
        yield own
