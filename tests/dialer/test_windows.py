"""Calling windows and agent shifts: edges, daylight-saving changes, night shifts, holidays.

Every instant is an explicit aware UTC datetime; the expected local times are in comments.
Brussels: CET (UTC+1) in winter, CEST (UTC+2) from 2026-03-29 01:00Z to 2026-10-25 01:00Z.
New York: EST (UTC-5) in winter, EDT (UTC-4) from 2026-03-08 07:00Z to 2026-11-01 06:00Z.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from dialer.windows import (
    WeeklyShift,
    WeeklyWindow,
    WindowError,
    is_callable,
    is_public_holiday,
    local_time,
    next_opening,
    on_shift,
)

BRUSSELS = "Europe/Brussels"
NEW_YORK = "America/New_York"
TORONTO = "America/Toronto"
AMSTERDAM = "Europe/Amsterdam"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware UTC instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def windows(days: range, start: int = 9, end: int = 21) -> list[WeeklyWindow]:
    """The same window, start:00 to end:00, on each of ``days``."""
    return [WeeklyWindow(day, time(start), time(end)) for day in days]


MON_SAT = windows(range(6))
MON_FRI = windows(range(5))
EVERY_DAY = windows(range(7))
SECOND = timedelta(seconds=1)


# --- window edges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2026, 11, 23, 8), True),  # Monday 09:00 CET: start is inclusive
        (utc(2026, 11, 23, 8) - SECOND, False),  # 08:59:59
        (utc(2026, 11, 23, 20), False),  # 21:00: end is exclusive
        (utc(2026, 11, 23, 20) - SECOND, True),  # 20:59:59
    ],
)
def test_window_edges(instant: datetime, expected: bool) -> None:
    assert is_callable(MON_FRI, BRUSSELS, "BE", instant) is expected


def test_no_window_that_weekday() -> None:
    sunday_noon = utc(2026, 11, 22, 11)  # Sunday 12:00 CET
    assert not is_callable(MON_SAT, BRUSSELS, "BE", sunday_noon)
    assert not is_callable([], BRUSSELS, "BE", sunday_noon)


def test_local_time() -> None:
    local = local_time(utc(2026, 11, 24, 1), NEW_YORK)
    assert (local.year, local.month, local.day, local.hour) == (2026, 11, 23, 20)
    assert local.utcoffset() == timedelta(hours=-5)
    assert local == utc(2026, 11, 24, 1)  # same instant, other wall clock


# --- daylight saving ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "opening_hour_utc"),
    [
        (BRUSSELS, date(2026, 3, 28), 8),  # Saturday before spring forward: CET
        (BRUSSELS, date(2026, 3, 29), 7),  # the change day itself: CEST by 09:00
        (BRUSSELS, date(2026, 7, 15), 7),  # summer
        (BRUSSELS, date(2026, 10, 24), 7),  # Saturday before fall back: CEST
        (BRUSSELS, date(2026, 10, 25), 8),  # the change day itself: CET by 09:00
        (BRUSSELS, date(2026, 12, 15), 8),  # winter
        (NEW_YORK, date(2026, 3, 7), 14),  # EST
        (NEW_YORK, date(2026, 3, 8), 13),  # spring-forward day: EDT
        (NEW_YORK, date(2026, 7, 15), 13),
        (NEW_YORK, date(2026, 10, 31), 13),
        (NEW_YORK, date(2026, 11, 1), 14),  # fall-back day: EST
        (NEW_YORK, date(2026, 12, 15), 14),
    ],
)
def test_nine_o_clock_follows_daylight_saving(zone: str, day: date, opening_hour_utc: int) -> None:
    opening = utc(day.year, day.month, day.day, opening_hour_utc)
    assert is_callable(EVERY_DAY, zone, None, opening)
    assert not is_callable(EVERY_DAY, zone, None, opening - SECOND)
    # from the evening before, the next opening is that very instant
    assert next_opening(EVERY_DAY, zone, None, opening - timedelta(hours=10)) == opening


def test_window_starting_in_the_spring_forward_gap_opens_at_three() -> None:
    # 2026-03-29 in Brussels: 02:00 CET jumps to 03:00 CEST at 01:00Z; 02:30 never exists.
    gap = [WeeklyWindow(6, time(2, 30), time(5))]
    assert not is_callable(gap, BRUSSELS, None, utc(2026, 3, 29, 1) - SECOND)  # 01:59:59 CET
    assert is_callable(gap, BRUSSELS, None, utc(2026, 3, 29, 1))  # 03:00 CEST
    assert next_opening(gap, BRUSSELS, None, utc(2026, 3, 28, 22)) == utc(2026, 3, 29, 1)
    after_midnight = utc(2026, 3, 29, 0, 0) + timedelta(microseconds=500_000)
    assert next_opening(gap, BRUSSELS, None, after_midnight) == utc(2026, 3, 29, 1)
    # New York: 02:00 EST jumps to 03:00 EDT at 07:00Z on 2026-03-08
    assert next_opening(gap, NEW_YORK, None, utc(2026, 3, 8, 0)) == utc(2026, 3, 8, 7)


def test_window_entirely_inside_the_gap_does_not_open_that_day() -> None:
    lost = [WeeklyWindow(6, time(2, 10), time(2, 50))]
    # not on 2026-03-29 (the hour does not exist), but on the next Sunday, 02:10 CEST
    assert next_opening(lost, BRUSSELS, None, utc(2026, 3, 28, 22)) == utc(2026, 4, 5, 0, 10)


def test_window_end_in_the_repeated_hour_is_crossed_twice() -> None:
    # 2026-10-25 in Brussels: 03:00 CEST goes back to 02:00 CET at 01:00Z; 02:00-03:00 repeats.
    late = [WeeklyWindow(6, time(0), time(2, 30))]
    assert is_callable(late, BRUSSELS, None, utc(2026, 10, 25, 0, 15))  # 02:15 CEST
    assert not is_callable(late, BRUSSELS, None, utc(2026, 10, 25, 0, 30))  # 02:30 CEST
    assert is_callable(late, BRUSSELS, None, utc(2026, 10, 25, 1))  # 02:00 CET, again
    assert is_callable(late, BRUSSELS, None, utc(2026, 10, 25, 1, 30) - SECOND)  # 02:29:59 CET
    assert not is_callable(late, BRUSSELS, None, utc(2026, 10, 25, 1, 30))  # 02:30 CET
    # the wall clock going back re-opens the window exactly at the transition
    assert next_opening(late, BRUSSELS, None, utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 25, 1)


def test_window_start_in_the_repeated_hour_uses_the_first_occurrence() -> None:
    early = [WeeklyWindow(6, time(2, 30), time(4))]
    assert not is_callable(early, BRUSSELS, None, utc(2026, 10, 25, 0, 30) - SECOND)
    assert is_callable(early, BRUSSELS, None, utc(2026, 10, 25, 0, 30))  # 02:30 CEST, fold=0
    assert next_opening(early, BRUSSELS, None, utc(2026, 10, 24, 20)) == utc(2026, 10, 25, 0, 30)
    # between the transition and the second 02:30 the wall clock reads 02:00-02:29 again
    assert not is_callable(early, BRUSSELS, None, utc(2026, 10, 25, 1, 5))  # 02:05 CET
    assert next_opening(early, BRUSSELS, None, utc(2026, 10, 25, 1, 5)) == utc(2026, 10, 25, 1, 30)


# --- the night shift ------------------------------------------------------------------------

NIGHT = utc(2026, 11, 24, 1)  # Tuesday 02:00 in Brussels, Monday 20:00 in New York / Toronto


@pytest.mark.parametrize(
    ("zone", "expected"),
    [(TORONTO, True), (NEW_YORK, True), (BRUSSELS, False)],
)
def test_night_shift_reaches_respondents_where_it_is_evening(zone: str, expected: bool) -> None:
    assert is_callable(MON_SAT, zone, None, NIGHT) is expected


def test_shift_crossing_midnight() -> None:
    night = [WeeklyShift(0, time(22), time(6))]  # Monday 22:00 to Tuesday 06:00, Brussels
    assert on_shift(night, BRUSSELS, NIGHT)
    assert on_shift(night, BRUSSELS, utc(2026, 11, 23, 21))  # Monday 22:00 CET
    assert not on_shift(night, BRUSSELS, utc(2026, 11, 23, 21) - SECOND)
    assert on_shift(night, BRUSSELS, utc(2026, 11, 24, 5) - SECOND)  # Tuesday 05:59:59
    assert not on_shift(night, BRUSSELS, utc(2026, 11, 24, 5))  # Tuesday 06:00
    assert not on_shift(night, BRUSSELS, utc(2026, 11, 24, 6))  # Tuesday 07:00
    assert not on_shift(night, BRUSSELS, utc(2026, 11, 25, 1))  # Wednesday 02:00


def test_sunday_night_shift_wraps_to_monday_and_day_shifts() -> None:
    sunday_night = [WeeklyShift(6, time(22), time(6))]
    assert on_shift(sunday_night, BRUSSELS, utc(2026, 11, 23, 2))  # Monday 03:00
    assert not on_shift(sunday_night, BRUSSELS, utc(2026, 11, 24, 2))  # Tuesday 03:00
    until_midnight = [WeeklyShift(0, time(16), time(0))]
    assert on_shift(until_midnight, BRUSSELS, utc(2026, 11, 23, 23) - SECOND)  # 23:59:59
    assert not on_shift(until_midnight, BRUSSELS, utc(2026, 11, 23, 23))  # Tuesday 00:00
    day = [WeeklyShift(1, time(8), time(16))]
    assert on_shift(day, BRUSSELS, utc(2026, 11, 24, 7))  # Tuesday 08:00
    assert not on_shift(day, BRUSSELS, utc(2026, 11, 24, 15))  # Tuesday 16:00
    assert not on_shift([], BRUSSELS, NIGHT)


def test_frozen_clock() -> None:
    with time_machine.travel(NIGHT, tick=False):
        now = datetime.now(UTC)
        assert now == NIGHT
        assert is_callable(MON_SAT, NEW_YORK, "US", now)
        assert not is_callable(MON_SAT, BRUSSELS, "BE", now)
        assert on_shift([WeeklyShift(0, time(22), time(6))], BRUSSELS, now)


# --- public holidays ------------------------------------------------------------------------

NATIONAL_DAY = utc(2026, 7, 21, 10)  # Tuesday 12:00 CEST in Brussels and Amsterdam


def test_belgian_national_day() -> None:
    assert is_public_holiday("BE", date(2026, 7, 21))
    assert is_public_holiday("be", date(2026, 7, 21))
    assert not is_public_holiday("BE", date(2026, 7, 22))
    assert not is_callable(MON_FRI, BRUSSELS, "BE", NATIONAL_DAY)
    assert is_callable(MON_FRI, AMSTERDAM, "NL", NATIONAL_DAY)
    assert is_callable(MON_FRI, BRUSSELS, "BE", NATIONAL_DAY, skip_public_holidays=False)
    assert is_callable(MON_FRI, BRUSSELS, None, NATIONAL_DAY)


def test_thanksgiving() -> None:
    thanksgiving_noon = utc(2026, 11, 26, 17)  # Thursday 12:00 EST
    assert is_public_holiday("US", date(2026, 11, 26))
    assert not is_callable(MON_FRI, NEW_YORK, "US", thanksgiving_noon)
    assert next_opening(MON_FRI, NEW_YORK, "US", thanksgiving_noon) == utc(2026, 11, 27, 14)


def test_holiday_is_the_respondents_local_date() -> None:
    # 2026-07-21T22:30Z is already Wednesday 00:30 in Brussels: no longer National Day
    midnight = [WeeklyWindow(2, time(0), time(1))]
    assert is_callable(midnight, BRUSSELS, "BE", utc(2026, 7, 21, 22, 30))


def test_unknown_country_is_no_holiday_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="dialer.windows"):
        assert not is_public_holiday("XQ", date(2026, 1, 1))
        assert not is_public_holiday("XQ", date(2027, 1, 1))
    assert [r.levelno for r in caplog.records if "XQ" in r.getMessage()] == [logging.WARNING]
    assert not is_public_holiday("XX", date(2026, 12, 25))
    assert is_callable(MON_FRI, BRUSSELS, "XX", utc(2026, 12, 25, 10))  # Christmas, Friday


# --- next_opening ---------------------------------------------------------------------------


def test_friday_night_opens_monday_morning() -> None:
    friday_22 = utc(2026, 11, 20, 21)  # Friday 22:00 CET
    assert next_opening(MON_FRI, BRUSSELS, "BE", friday_22) == utc(2026, 11, 23, 8)
    friday_22_new_york = utc(2026, 11, 21, 3)  # Friday 22:00 EST
    assert next_opening(MON_FRI, NEW_YORK, "US", friday_22_new_york) == utc(2026, 11, 23, 14)


def test_next_opening_skips_a_holiday() -> None:
    monday_22 = utc(2026, 7, 20, 20)  # Monday 22:00 CEST, the eve of National Day
    assert next_opening(MON_FRI, BRUSSELS, "BE", monday_22) == utc(2026, 7, 22, 7)
    assert next_opening(MON_FRI, AMSTERDAM, "NL", monday_22) == utc(2026, 7, 21, 7)
    free = next_opening(MON_FRI, BRUSSELS, "BE", monday_22, skip_public_holidays=False)
    assert free == utc(2026, 7, 21, 7)


def test_next_opening_across_daylight_saving_changes() -> None:
    # Friday 22:00 CET before spring forward -> Monday 09:00 CEST = 07:00Z
    assert next_opening(MON_FRI, BRUSSELS, None, utc(2026, 3, 27, 21)) == utc(2026, 3, 30, 7)
    # Friday 22:00 CEST before fall back -> Monday 09:00 CET = 08:00Z
    assert next_opening(MON_FRI, BRUSSELS, None, utc(2026, 10, 23, 20)) == utc(2026, 10, 26, 8)
    # Friday 22:00 EDT before fall back -> Monday 09:00 EST = 14:00Z
    assert next_opening(MON_FRI, NEW_YORK, None, utc(2026, 10, 31, 2)) == utc(2026, 11, 2, 14)
    # Friday 22:00 EST before spring forward -> Monday 09:00 EDT = 13:00Z
    assert next_opening(MON_FRI, NEW_YORK, None, utc(2026, 3, 7, 3)) == utc(2026, 3, 9, 13)


def test_next_opening_when_already_callable_is_now_in_utc() -> None:
    now = utc(2026, 11, 23, 10, 17, 3)
    assert next_opening(MON_FRI, BRUSSELS, "BE", now) == now
    in_brussels = local_time(now, BRUSSELS)
    opening = next_opening(MON_FRI, BRUSSELS, "BE", in_brussels)
    assert opening == now
    assert opening is not None and opening.tzinfo is UTC


def test_next_opening_none() -> None:
    friday_22 = utc(2026, 11, 20, 21)
    assert next_opening([], BRUSSELS, "BE", friday_22) is None
    assert next_opening(MON_FRI, BRUSSELS, "BE", friday_22, horizon_days=1) is None
    assert next_opening(MON_FRI, BRUSSELS, "BE", friday_22, horizon_days=3) == utc(2026, 11, 23, 8)


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("weekday", [-1, 7])
def test_bad_weekday(weekday: int) -> None:
    with pytest.raises(WindowError) as window_error:
        WeeklyWindow(weekday, time(9), time(21))
    assert window_error.value.code == "weekday"
    with pytest.raises(WindowError) as shift_error:
        WeeklyShift(weekday, time(22), time(6))
    assert shift_error.value.code == "weekday"


@pytest.mark.parametrize(("start", "end"), [(time(9), time(9)), (time(22), time(6))])
def test_window_start_not_before_end(start: time, end: time) -> None:
    with pytest.raises(WindowError) as error:
        WeeklyWindow(0, start, end)
    assert error.value.code == "empty_window"
    assert isinstance(error.value, ValueError)


def test_shift_with_equal_start_and_end() -> None:
    with pytest.raises(WindowError) as error:
        WeeklyShift(0, time(8), time(8))
    assert error.value.code == "empty_shift"


def test_aware_times_refused() -> None:
    with pytest.raises(WindowError) as error:
        WeeklyWindow(0, time(9, tzinfo=UTC), time(21, tzinfo=UTC))
    assert error.value.code == "aware_time"


@pytest.mark.parametrize("zone", ["Europe/Atlantis", "europe/brussels", "", "/etc/localtime"])
def test_unknown_time_zone(zone: str) -> None:
    instant = utc(2026, 11, 24, 1)
    for call in (
        lambda: local_time(instant, zone),
        lambda: is_callable(MON_FRI, zone, None, instant),
        lambda: next_opening(MON_FRI, zone, None, instant),
        lambda: on_shift([WeeklyShift(0, time(22), time(6))], zone, instant),
    ):
        with pytest.raises(WindowError) as error:
            call()
        assert error.value.code == "time_zone"


def test_naive_datetime_refused() -> None:
    naive = datetime(2026, 11, 24, 1)
    with pytest.raises(ValueError, match="naive"):
        local_time(naive, BRUSSELS)
    with pytest.raises(ValueError, match="naive"):
        is_callable(MON_FRI, BRUSSELS, "BE", naive)
    with pytest.raises(ValueError, match="naive"):
        next_opening(MON_FRI, BRUSSELS, "BE", naive)
    with pytest.raises(ValueError, match="naive"):
        on_shift([WeeklyShift(0, time(22), time(6))], BRUSSELS, naive)
