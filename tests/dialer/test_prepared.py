"""Prepared statements (dialer.prepared) read and write exactly what ``Connection.execute``
does, on SQLite and PostgreSQL, both on the driver's cursor and, when something watches the
connection's statements, through ``exec_driver_sql``: the same converted values, the same rows
stored, the same errors, in the connection's transaction; a lost connection is invalidated;
and a statement they cannot run as compiled is refused before it runs."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import (
    CursorResult,
    Engine,
    Table,
    bindparam,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from dialer.models import Contact, ContactState, DoNotCall, UTCDateTime
from dialer.prepared import Prepared
from tests.database_fixtures import require_backend
from tests.dialer.callflow import TUESDAY_NOON, Centre, build
from tests.dialer.databases import migrated_database

CONTACTS = cast(Table, Contact.__table__)
DO_NOT_CALL = cast(Table, DoNotCall.__table__)


def _centre(engine: Engine) -> Centre:
    return build(engine, agents={"NL1": ["nl"]},
                 contacts=[("+32470000001", "nl"), ("+32470000002", "nl")])


def _ignore(*_args: Any) -> None:
    """A cursor-event listener that only watches."""


@pytest.fixture(params=["on the cursor", "watched"])
def path(request: pytest.FixtureRequest, committed: tuple[Engine, str]) -> Iterator[str]:
    """Which way the statements run: on the driver's cursor, or (with a listener of the
    cursor events on the engine) through ``exec_driver_sql``."""
    engine = committed[0]
    if request.param == "watched":
        event.listen(engine, "before_cursor_execute", _ignore)
    yield str(request.param)
    if request.param == "watched":
        event.remove(engine, "before_cursor_execute", _ignore)


def _ran_as(result: object, path: str) -> None:
    """``result`` came from the way ``path`` names (a cursor result only when watched)."""
    assert isinstance(result, CursorResult) == (path == "watched")


def test_rows_come_back_converted_as_execute_gives_them(committed: tuple[Engine, str],
                                                        path: str) -> None:
    centre = _centre(committed[0])
    statement = (select(*CONTACTS.columns, CONTACTS.c.lease_until.is_(None))
                 .where(CONTACTS.c.campaign_id == bindparam("campaign"))
                 .order_by(CONTACTS.c.id))
    with centre.engine.connect() as connection:
        expected = [tuple(row) for row in connection.execute(
            statement, {"campaign": centre.campaign_id})]
        prepared = Prepared(statement)
        got = prepared.rows(connection, {"campaign": centre.campaign_id})
        raw = prepared.execute(connection, {"campaign": centre.campaign_id})
        _ran_as(raw, path)
        named = raw.all()
    assert got == expected and len(got) == 2
    assert [row.id for row in named] == [row[0] for row in expected]
    first = dict(zip([*CONTACTS.columns.keys(), "free"], got[0], strict=True))
    assert first["state"] is ContactState.WAITING
    assert isinstance(first["fields"], dict)
    assert first["due_at"].tzinfo is dt.UTC
    assert first["free"] is True


def test_writes_store_what_execute_stores(committed: tuple[Engine, str], path: str) -> None:
    centre = _centre(committed[0])
    first, second = centre.contacts
    write = (update(CONTACTS).where(CONTACTS.c.id == bindparam("row"))
             .values(fields=bindparam("fields", type_=CONTACTS.c.fields.type),
                     lease_until=bindparam("until", type_=UTCDateTime()),
                     state=ContactState.DONE, disposition=bindparam("code")))
    until = TUESDAY_NOON.astimezone(dt.timezone(dt.timedelta(hours=2)))
    values = {"fields": {"note": "ça va", "n": [1, None]}, "until": until, "code": None}
    with centre.engine.begin() as connection:
        connection.execute(write, {"row": first, **values})
        _ran_as(Prepared(write).execute(connection, {"row": second, **values}), path)
    with centre.engine.connect() as connection:
        raw = connection.execute(select(CONTACTS.c.fields, CONTACTS.c.lease_until,
                                        CONTACTS.c.state, CONTACTS.c.disposition)
                                 .where(CONTACTS.c.id.in_([first, second]))
                                 .order_by(CONTACTS.c.id)).all()
    assert raw[0] == raw[1]
    assert raw[1].lease_until == TUESDAY_NOON and raw[1].state is ContactState.DONE


def test_many_rows_are_inserted_in_one_run(committed: tuple[Engine, str], path: str) -> None:
    centre = _centre(committed[0])
    add = Prepared(insert(DO_NOT_CALL).values(
        phone_e164=bindparam("phone"), reason="asked", added_at=bindparam(
            "at", type_=UTCDateTime())))
    with centre.engine.begin() as connection:
        _ran_as(add.execute(connection, [{"phone": "+32470000001", "at": TUESDAY_NOON},
                                         {"phone": "+32470000002", "at": TUESDAY_NOON}]), path)
    with centre.engine.connect() as connection:
        rows = connection.execute(select(DO_NOT_CALL).order_by(DO_NOT_CALL.c.phone_e164)).all()
    assert [(row.phone_e164, row.reason, row.added_at) for row in rows] == [
        ("+32470000001", "asked", TUESDAY_NOON), ("+32470000002", "asked", TUESDAY_NOON)]


def test_a_failed_write_raises_as_execute_would_and_keeps_nothing(
        committed: tuple[Engine, str], path: str) -> None:
    centre = _centre(committed[0])
    add = Prepared(insert(DO_NOT_CALL).values(phone_e164=bindparam("phone"), reason="",
                                              added_at=bindparam("at", type_=UTCDateTime())))
    with pytest.raises(IntegrityError) as raised, centre.engine.begin() as connection:
        add.execute(connection, [{"phone": "+32470000009", "at": TUESDAY_NOON},
                                 {"phone": "+32470000009", "at": TUESDAY_NOON}])
    assert "INSERT INTO do_not_call" in str(raised.value)  # the statement is named
    assert not raised.value.connection_invalidated
    with pytest.raises(IntegrityError), centre.engine.begin() as connection:
        add.execute(connection, {"phone": "+32470000006", "at": TUESDAY_NOON})
        add.execute(connection, {"phone": "+32470000006", "at": TUESDAY_NOON})
    with pytest.raises(KeyError, match="at"), centre.engine.begin() as connection:
        add.execute(connection, {"phone": "+32470000008"})
    with pytest.raises(ValueError, match="aware"), centre.engine.begin() as connection:
        add.execute(connection, {"phone": "+32470000007", "at": dt.datetime(2026, 12, 1)})
    with centre.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(DO_NOT_CALL)) == 0


def test_statements_it_cannot_run_as_compiled_are_refused(committed: tuple[Engine, str],
                                                          path: str) -> None:
    centre = _centre(committed[0])
    listed = Prepared(select(CONTACTS.c.id).where(CONTACTS.c.id.in_(bindparam(
        "ids", expanding=True))))
    with centre.engine.connect() as connection, \
            pytest.raises(ValueError, match="rendered at execution"):
        listed.execute(connection, {"ids": centre.contacts})
    undated = Prepared(insert(DO_NOT_CALL).values(phone_e164=bindparam("phone")))
    with centre.engine.begin() as connection, \
            pytest.raises(ValueError, match=r"defaults are computed in Python: do_not_call\."):
        undated.execute(connection, {"phone": "+32470000003"})
    with centre.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(DO_NOT_CALL)) == 0


def test_the_connection_events_see_the_statement(committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(centre.engine, "before_cursor_execute", record)
    try:
        with centre.engine.connect() as connection:
            count = Prepared(select(func.count()).select_from(CONTACTS)).execute(connection, {})
            assert count.scalar() == 2
    finally:
        event.remove(centre.engine, "before_cursor_execute", record)
    assert any("count(*)" in statement and "contacts" in statement for statement in seen)


def test_a_write_joins_the_transaction_the_connection_begins(committed: tuple[Engine, str],
                                                             path: str) -> None:
    centre = _centre(committed[0])
    stop = Prepared(update(CONTACTS).values(state=ContactState.DONE))
    with centre.engine.connect() as connection:
        _ran_as(stop.execute(connection, {}), path)
        assert connection.in_transaction()
        connection.rollback()
        assert connection.scalar(select(func.count()).select_from(CONTACTS).where(
            CONTACTS.c.state == ContactState.DONE)) == 0


def test_the_engine_log_shows_the_statement(committed: tuple[Engine, str],
                                            caplog: pytest.LogCaptureFixture) -> None:
    centre = _centre(committed[0])
    count = Prepared(select(func.count()).select_from(CONTACTS))
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine.Engine"), \
            centre.engine.connect() as connection:
        result = count.execute(connection, {})
        _ran_as(result, "watched")
        assert result.scalar() == 2
    assert any("count(*)" in record.getMessage() for record in caplog.records)


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Engine]:
    """A migrated PostgreSQL database of the test's own."""
    require_backend("postgresql")
    with migrated_database("postgresql", tmp_path) as (engine, _url):
        yield engine


def test_a_lost_connection_is_invalidated_and_the_next_one_works(postgres: Engine) -> None:
    centre = _centre(postgres)
    count = Prepared(select(func.count()).select_from(CONTACTS))
    with centre.engine.connect() as victim:
        backend = victim.scalar(text("SELECT pg_backend_pid()"))
        victim.rollback()
        with centre.engine.connect() as other:
            assert other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        with pytest.raises(DBAPIError) as raised:
            count.execute(victim, {})
        assert raised.value.connection_invalidated
        assert victim.invalidated
        victim.rollback()
        assert count.execute(victim, {}).scalar() == 2  # a new connection from the pool
