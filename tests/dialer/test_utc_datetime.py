"""``UTCDateTime`` on SQLite writes in one step the very text SQLAlchemy's two steps write (to
naive UTC, then SQLite's ``DATETIME`` format), refuses what they refuse, and reads back the
instant it was given; other databases keep the two steps."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from dialer.models import UTCDateTime
from dialer.models.base import _sqlite_text

_SQLITE = sqlite.dialect()
#: Aware instants in any fixed offset, from year 1 on (whole seconds and not).
_INSTANTS = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                         timezones=st.integers(-23 * 60, 23 * 60).map(
                             lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))))


def _one_step() -> object:
    """The processor SQLite statements use: the shortcut, taken because it writes the same
    text on a probe value (were it not, the test below would compare SQLAlchemy with
    itself)."""
    process = UTCDateTime().dialect_impl(_SQLITE).bind_processor(_SQLITE)
    assert process is _sqlite_text
    return process


def _two_steps(value: dt.datetime | None) -> object:
    """What SQLAlchemy writes without the shortcut."""
    naive = UTCDateTime().process_bind_param(value, _SQLITE)
    processor = sqlite.DATETIME().bind_processor(_SQLITE)
    assert processor is not None
    return processor(naive)


@given(_INSTANTS | st.datetimes(timezones=st.just(dt.UTC)))
def test_sqlite_text_is_sqlalchemys_text(value: dt.datetime) -> None:
    process = _one_step()
    assert callable(process)
    assert process(value) == _two_steps(value)


def test_none_is_null_and_naive_times_are_refused() -> None:
    process = _one_step()
    assert callable(process)
    assert process(None) is None
    with pytest.raises(ValueError, match="aware datetime"):
        process(dt.datetime(2026, 12, 4, 9, 30))
    with pytest.raises(ValueError, match="aware datetime"):
        process("2026-12-04 09:30:00.000000")


def test_other_databases_keep_sqlalchemys_steps() -> None:
    """PostgreSQL's driver takes the naive UTC datetime itself."""
    dialect = postgresql.dialect()
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    moment = dt.datetime(2026, 12, 4, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert process is not None
    assert process(moment) == dt.datetime(2026, 12, 4, 9, 30)


@given(st.lists(_INSTANTS, min_size=1, max_size=5))
def test_sqlite_gives_back_the_same_instants_in_order(values: list[dt.datetime]) -> None:
    engine = create_engine("sqlite://")
    table = Table("moments", MetaData(), Column("id", Integer, primary_key=True),
                  Column("at", UTCDateTime()))
    table.create(engine)
    with engine.begin() as connection:
        connection.execute(insert(table), [{"at": value} for value in values])
        stored = list(connection.scalars(select(table.c.at).order_by(table.c.id)))
        by_time = list(connection.scalars(select(table.c.at).order_by(table.c.at, table.c.id)))
    assert stored == values
    assert all(value.tzinfo is dt.UTC for value in stored)
    assert by_time == sorted(values)
