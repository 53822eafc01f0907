"""Rows written past the unit of work (dialer.row_writes): stored at once, in the caller's
transaction, and seen by the session as already written; nothing is left to flush, a failed
transaction keeps none of it, a row changed behind the session's back is read again, and a
row a statement returned whole is held as stored without being read again. Values set to be
written later are the row's at once, and reach the database in one UPDATE before anything
can read them there (a Core or ORM statement, the commit), never across a savepoint rolled
back."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from sqlalchemy import Engine, Table, event, func, select, update
from sqlalchemy.orm import Session

from dialer.db import execute_core, transaction
from dialer.models import Attempt, Contact, DialingMode, DoNotCall
from dialer.row_writes import adopt_row, forget_row, insert_row, write_later, write_row
from tests.dialer.callflow import TUESDAY_NOON, Centre, build


def _centre(engine: Engine) -> Centre:
    return build(engine, agents={"NL1": ["nl"]}, contacts=[("+32470000001", "nl")])


def test_a_written_row_is_stored_and_left_clean(committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    contact_id = centre.contacts[0]
    with transaction(centre.engine) as session:
        contact = session.get_one(Contact, contact_id)
        write_row(session, contact, attempts=3, disposition="2.21")
        assert (contact.attempts, contact.disposition) == (3, "2.21")
        assert not session.dirty, "the session would write the row a second time"
        stored = session.execute(select(Contact.attempts, Contact.disposition)
                                 .where(Contact.id == contact_id)).one()
        assert tuple(stored) == (3, "2.21")
    with transaction(centre.engine) as session:
        assert session.get_one(Contact, contact_id).attempts == 3


def test_a_failed_transaction_keeps_no_written_row(committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    with pytest.raises(RuntimeError), transaction(centre.engine) as session:
        write_row(session, session.get_one(Contact, centre.contacts[0]), attempts=5)
        raise RuntimeError("the call failed")
    with transaction(centre.engine) as session:
        assert session.get_one(Contact, centre.contacts[0]).attempts == 0


def test_an_inserted_row_is_stored_with_its_defaults(committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    with transaction(centre.engine) as session:
        attempt = insert_row(session, Attempt, contact_id=centre.contacts[0],
                             campaign_id=centre.campaign_id, agent_id=centre.agents["NL1"],
                             ordinal=1, mode=DialingMode.PROGRESSIVE,
                             claimed_at=TUESDAY_NOON,
                             lease_until=TUESDAY_NOON + dt.timedelta(minutes=10))
        assert attempt.id is not None and not session.new and not session.dirty
        assert session.get(Attempt, attempt.id) is attempt
        assert attempt.dialed_at is None and attempt.disposition is None
        write_row(session, attempt, disposition="3.11")
    with transaction(centre.engine) as session:
        stored = session.get_one(Attempt, attempt.id)
        assert (stored.ordinal, stored.mode, stored.disposition) == \
            (1, DialingMode.PROGRESSIVE, "3.11")
        assert stored.lease_until == TUESDAY_NOON + dt.timedelta(minutes=10)


def test_unknown_columns_and_other_keys_are_refused(committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    with transaction(centre.engine) as session:
        with pytest.raises(TypeError, match="no columns"):
            insert_row(session, Attempt, contact_id=centre.contacts[0], number="+3247")
        assert session.scalar(select(func.count()).select_from(Attempt)) == 0
        with pytest.raises(TypeError, match="not keyed by an id"):
            insert_row(session, DoNotCall, phone_e164="+32470000001")


def test_a_row_changed_behind_the_session_is_read_again(committed: tuple[Engine, str]
                                                         ) -> None:
    centre = _centre(committed[0])
    contact_id = centre.contacts[0]
    with transaction(centre.engine) as session:
        contact = session.get_one(Contact, contact_id)
        session.execute(update(Contact.__table__).where(Contact.__table__.c.id == contact_id)
                        .values(attempts=4))
        assert contact.attempts == 0, "the session still holds its copy"
        forget_row(session, Contact, contact_id)
        assert contact.attempts == 4
        forget_row(session, Attempt, 12345)  # a row the session does not hold: nothing to do


def _returned_contact(session: Session, contact_id: int, attempts: int) -> dict[str, object]:
    """Change the contact past the session, returning the whole row as a claim does."""
    table = cast(Table, Contact.__table__)
    row = session.connection().execute(
        update(table).where(table.c.id == contact_id).values(attempts=attempts)
        .returning(*table.columns)).mappings().one()
    return dict(row)


def test_a_returned_row_joins_the_session_as_stored(committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    contact_id = centre.contacts[0]
    reads: list[str] = []
    with transaction(centre.engine) as session:
        values = _returned_contact(session, contact_id, attempts=2)

        def record(*args: object) -> None:
            reads.append(str(args[2]))

        event.listen(centre.engine, "before_cursor_execute", record)
        try:
            contact = adopt_row(session, Contact, values)
            assert session.get(Contact, contact_id) is contact
            assert (contact.attempts, contact.phone_e164) == (2, "+32470000001")
            assert contact.due_at.tzinfo is not None
        finally:
            event.remove(centre.engine, "before_cursor_execute", record)
        assert reads == [], "the adopted row was read again"
        assert not session.new and not session.dirty


def test_a_returned_row_refreshes_the_copy_held(committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    contact_id = centre.contacts[0]
    with transaction(centre.engine) as session:
        held = session.get_one(Contact, contact_id)
        assert held.attempts == 0
        assert adopt_row(session, Contact, _returned_contact(session, contact_id, 6)) is held
        assert held.attempts == 6 and not session.dirty
    with transaction(centre.engine) as session:
        assert session.get_one(Contact, contact_id).attempts == 6


def test_a_partly_returned_row_is_refused(committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    with transaction(centre.engine) as session:
        values = _returned_contact(session, centre.contacts[0], 1)
        del values["phone_e164"]
        with pytest.raises(TypeError, match=r"did not return.*phone_e164"):
            adopt_row(session, Contact, values)
        assert len(session.identity_map) == 0


class _Updates:
    """The UPDATE statements run on an engine while the block runs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[str] = []

    def _record(self, *args: object) -> None:
        if str(args[2]).lstrip().upper().startswith("UPDATE"):
            self.seen.append(str(args[2]))

    def __enter__(self) -> _Updates:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def _stored_contact(engine: Engine, contact_id: int) -> tuple[int, str | None]:
    with transaction(engine) as session:
        row = session.execute(select(Contact.attempts, Contact.disposition)
                              .where(Contact.id == contact_id)).one()
        return row.attempts, row.disposition


def test_values_set_later_are_written_once_before_a_statement(
        committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    contact_id = centre.contacts[0]
    table = cast(Table, Contact.__table__)
    with transaction(centre.engine) as session, _Updates(centre.engine) as updates:
        contact = session.get_one(Contact, contact_id)
        write_later(session, contact, attempts=1)
        write_later(session, contact, attempts=2, disposition="2.21")
        assert (contact.attempts, contact.disposition) == (2, "2.21")
        assert not session.dirty and updates.seen == []
        core = execute_core(session, select(table.c.attempts, table.c.disposition)
                            .where(table.c.id == contact_id)).one()
        assert tuple(core) == (2, "2.21")
        assert len(updates.seen) == 1, updates.seen
        write_later(session, contact, attempts=3)
        assert session.scalar(select(Contact.attempts).where(Contact.id == contact_id)) == 3
        assert len(updates.seen) == 2
    assert _stored_contact(centre.engine, contact_id) == (3, "2.21")


def test_values_set_later_are_written_at_the_commit_or_not_at_all(
        committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    first, = centre.contacts
    with transaction(centre.engine) as session:
        write_later(session, session.get_one(Contact, first), attempts=7)
    assert _stored_contact(centre.engine, first) == (7, None)
    with pytest.raises(RuntimeError), transaction(centre.engine) as session:
        write_later(session, session.get_one(Contact, first), attempts=8)
        raise RuntimeError("the call failed")
    assert _stored_contact(centre.engine, first) == (7, None)
    with transaction(centre.engine) as session:
        contact = session.get_one(Contact, first)
        assert contact.attempts == 7, "the failed transaction's values left nothing behind"


def test_a_savepoint_rolled_back_keeps_the_values_set_before_it(
        committed: tuple[Engine, str]) -> None:
    """Values waiting when a savepoint begins are written in the transaction around it; values
    set inside it are written inside it, and rolled back with it."""
    centre = _centre(committed[0])
    contact_id = centre.contacts[0]
    with transaction(centre.engine) as session:
        contact = session.get_one(Contact, contact_id)
        write_later(session, contact, attempts=5)
        savepoint = session.begin_nested()
        write_later(session, contact, disposition="2.112")
        assert session.scalar(select(Contact.disposition)
                              .where(Contact.id == contact_id)) == "2.112"
        savepoint.rollback()
    assert _stored_contact(centre.engine, contact_id) == (5, None)


def test_values_set_later_must_be_columns_of_a_row_keyed_by_id(
        committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    with transaction(centre.engine) as session:
        contact = session.get_one(Contact, centre.contacts[0])
        with pytest.raises(TypeError, match="no columns"):
            write_later(session, contact, number="+3247")
        session.add(DoNotCall(phone_e164="+32470000009", reason="asked"))
        session.flush()
        listed = session.scalars(select(DoNotCall)).one()
        with pytest.raises(TypeError, match="not keyed by an id"):
            write_later(session, listed, reason="asked twice")
    assert _stored_contact(centre.engine, centre.contacts[0]) == (0, None)
