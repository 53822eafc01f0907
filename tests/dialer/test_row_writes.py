"""Rows written past the unit of work (dialer.row_writes): stored at once, in the caller's
transaction, and seen by the session as already written; nothing is left to flush, a failed
transaction keeps none of it, and a row changed behind the session's back is read again."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select, update

from dialer.db import transaction
from dialer.models import Attempt, Contact, DialingMode, DoNotCall
from dialer.row_writes import forget_row, insert_row, write_row
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
