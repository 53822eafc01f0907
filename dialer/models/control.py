"""Centre-wide controls every dialer process reads at the moment it acts: the stop-all-dialing
switch (see :mod:`dialer.dialing_switch`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from dialer.models.base import Base, UTCDateTime

#: The id of the switch's single row.
SWITCH_ROW = 1


class DialingSwitch(Base):
    """Whether all dialing is stopped, since when, by whom and why. One row (id 1); no row
    means dialing was never stopped."""

    __tablename__ = "dialing_switch"

    id: Mapped[int] = mapped_column(primary_key=True)
    stopped: Mapped[bool] = mapped_column(default=False)
    #: Whether the calls going on when dialing stopped are to be hung up too.
    end_live_calls: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    changed_by: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (CheckConstraint(f"id = {SWITCH_ROW}", name="single_row"),)
