"""The declarative base, naming conventions for constraints, and a UTC timestamp type.

Timestamps are stored as UTC without zone (SQLite has none) and always come back aware, in UTC,
so no naive datetime ever leaks into the dialer's logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import DateTime, MetaData, Time
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: A value with microseconds, to compare the SQLite shortcut with SQLAlchemy's own writing.
_PROBE = dt.datetime(2026, 1, 2, 3, 4, 5, 60708, tzinfo=dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime, stored without zone. Naive values are refused on the way in."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"expected an aware datetime, got {value!r}")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, the stored text in one step (:func:`_sqlite_text`) when it is the text
        SQLAlchemy's own two steps write (this method, then SQLite's ``DATETIME`` formatting
        its fields one by one: twice the time, for the two dozen timestamps a simulated call
        writes); elsewhere those two steps."""
        chained = super().bind_processor(dialect)
        if dialect.name == "sqlite" and chained is not None \
                and chained(_PROBE) == _sqlite_text(_PROBE):
            return _sqlite_text
        return chained

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


def _sqlite_text(value: Any) -> str | None:
    """An aware datetime as SQLite stores it: UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``; naive values
    refused as :meth:`UTCDateTime.process_bind_param` refuses them."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError(f"expected an aware datetime, got {value!r}")
    moment: dt.datetime = value if value.tzinfo is dt.UTC else value.astimezone(dt.UTC)
    return moment.isoformat(" ", "microseconds")[:26]  # without the "+00:00"


class Base(DeclarativeBase):
    """Every dialer table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class WeeklyTimes:
    """Columns of a weekly time range: weekday (0 = Monday), start and end, local times.
    Calling windows and shifts share them; each table adds its own constraints."""

    weekday: Mapped[int] = mapped_column()
    start: Mapped[dt.time] = mapped_column(Time)
    end: Mapped[dt.time] = mapped_column(Time)


def utc_now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return dt.datetime.now(dt.UTC)
