"""Prepared statements (dialer.prepared) read and write exactly what ``Connection.execute``
does, on SQLite and PostgreSQL: the same converted values, the same rows stored, the same
errors; and a statement they cannot run as compiled is refused before it runs."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from sqlalchemy import Engine, Table, bindparam, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from dialer.models import Contact, ContactState, DoNotCall, UTCDateTime
from dialer.prepared import Prepared
from tests.dialer.callflow import TUESDAY_NOON, Centre, build

CONTACTS = cast(Table, Contact.__table__)
DO_NOT_CALL = cast(Table, DoNotCall.__table__)


def _centre(engine: Engine) -> Centre:
    return build(engine, agents={"NL1": ["nl"]},
                 contacts=[("+32470000001", "nl"), ("+32470000002", "nl")])


def test_rows_come_back_converted_as_execute_gives_them(committed: tuple[Engine, str]
                                                        ) -> None:
    centre = _centre(committed[0])
    statement = (select(*CONTACTS.columns, CONTACTS.c.lease_until.is_(None))
                 .where(CONTACTS.c.campaign_id == bindparam("campaign"))
                 .order_by(CONTACTS.c.id))
    with centre.engine.connect() as connection:
        expected = [tuple(row) for row in connection.execute(
            statement, {"campaign": centre.campaign_id})]
        got = Prepared(statement).rows(connection, {"campaign": centre.campaign_id})
    assert got == expected and len(got) == 2
    first = dict(zip([*CONTACTS.columns.keys(), "free"], got[0], strict=True))
    assert first["state"] is ContactState.WAITING
    assert isinstance(first["fields"], dict)
    assert first["due_at"].tzinfo is dt.UTC
    assert first["free"] is True


def test_writes_store_what_execute_stores(committed: tuple[Engine, str]) -> None:
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
        Prepared(write).execute(connection, {"row": second, **values})
    with centre.engine.connect() as connection:
        raw = connection.execute(select(CONTACTS.c.fields, CONTACTS.c.lease_until,
                                        CONTACTS.c.state, CONTACTS.c.disposition)
                                 .where(CONTACTS.c.id.in_([first, second]))
                                 .order_by(CONTACTS.c.id)).all()
    assert raw[0] == raw[1]
    assert raw[1].lease_until == TUESDAY_NOON and raw[1].state is ContactState.DONE


def test_many_rows_are_inserted_in_one_run(committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    add = Prepared(insert(DO_NOT_CALL).values(
        phone_e164=bindparam("phone"), reason="asked", added_at=bindparam(
            "at", type_=UTCDateTime())))
    with centre.engine.begin() as connection:
        add.execute(connection, [{"phone": "+32470000001", "at": TUESDAY_NOON},
                                 {"phone": "+32470000002", "at": TUESDAY_NOON}])
    with centre.engine.connect() as connection:
        rows = connection.execute(select(DO_NOT_CALL).order_by(DO_NOT_CALL.c.phone_e164)).all()
    assert [(row.phone_e164, row.reason, row.added_at) for row in rows] == [
        ("+32470000001", "asked", TUESDAY_NOON), ("+32470000002", "asked", TUESDAY_NOON)]


def test_a_failed_write_raises_as_execute_would_and_keeps_nothing(
        committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    add = Prepared(insert(DO_NOT_CALL).values(phone_e164=bindparam("phone"), reason="",
                                              added_at=bindparam("at", type_=UTCDateTime())))
    with pytest.raises(IntegrityError), centre.engine.begin() as connection:
        add.execute(connection, [{"phone": "+32470000009", "at": TUESDAY_NOON},
                                 {"phone": "+32470000009", "at": TUESDAY_NOON}])
    with pytest.raises(KeyError, match="at"), centre.engine.begin() as connection:
        add.execute(connection, {"phone": "+32470000008"})
    with pytest.raises(ValueError, match="aware"), centre.engine.begin() as connection:
        add.execute(connection, {"phone": "+32470000007", "at": dt.datetime(2026, 12, 1)})
    with centre.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(DO_NOT_CALL)) == 0


def test_statements_it_cannot_run_as_compiled_are_refused(committed: tuple[Engine, str]) -> None:
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
