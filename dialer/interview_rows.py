"""A contact's interview row, found by its id first.

A contact has at most one interview (``interviews.contact_id`` is unique). Every call that is
answered looks it up by contact two or three times (at its start, at each answer when the
desk no longer holds it, at the end), most often in a session that already holds the row.
An ORM query by contact would read and map the whole row every time; a plain
``SELECT id`` costs a fraction of that, and ``Session.get`` then takes the row the session
holds, loading it only when it does not.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from dialer.db import execute_core
from dialer.models import Interview
from dialer.prepared import Prepared

_INTERVIEWS = cast(Table, Interview.__table__)
_ID_OF_CONTACT = select(_INTERVIEWS.c.id).where(_INTERVIEWS.c.contact_id == bindparam("contact"))
#: The same, locking the interview's row until the transaction ends (PostgreSQL).
_ID_OF_CONTACT_LOCKED = Prepared(_ID_OF_CONTACT.with_for_update())
_ID_OF_CONTACT_PREPARED = Prepared(_ID_OF_CONTACT)


def contact_interview(session: Session, contact_id: int, *, lock: bool = False
                      ) -> Interview | None:
    """The contact's interview, or None if it has none yet; with ``lock``, its row is locked
    for the rest of the transaction (``SELECT ... FOR UPDATE`` on PostgreSQL)."""
    statement = _ID_OF_CONTACT_LOCKED if lock else _ID_OF_CONTACT_PREPARED
    interview_id = execute_core(session, statement, {"contact": contact_id}).scalar_one_or_none()
    return None if interview_id is None else session.get_one(Interview, interview_id)
