"""Calling windows for respondents and shifts for agents, across time zones.

A respondent may be called only inside weekly windows expressed in the respondent's own
local time, and not on a public holiday of the respondent's country. An agent works
shifts expressed in the local time of the agent's site; a night shift may cross midnight.

Everything else in the dialer works with aware UTC datetimes: local time exists only here,
at the edge, and is computed with :mod:`zoneinfo` so daylight-saving changes are right.
Callability is defined on the local wall clock, so on a fall-back day a window boundary
inside the repeated hour is crossed twice (once per occurrence of that hour).
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

logger = logging.getLogger(__name__)

UTC = datetime.UTC
_HOUR = datetime.timedelta(hours=1)
_SECOND = datetime.timedelta(seconds=1)


class WindowError(ValueError):
    """A window or shift that cannot exist. ``code`` is a stable string (e.g. "weekday",
    "empty_window") so callers and tests can tell the cases apart without parsing text."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _check_weekday_and_times(weekday: int, start: datetime.time, end: datetime.time) -> None:
    """Refuse a weekday outside 0..6 and aware times (local wall-clock times have no zone)."""
    if not 0 <= weekday <= 6:
        raise WindowError("weekday", f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
    if start.tzinfo is not None or end.tzinfo is not None:
        raise WindowError("aware_time", "start and end are local wall-clock times, without tzinfo")


@dataclass(frozen=True)
class WeeklyWindow:
    """A calling window: on ``weekday`` (0 = Monday) from ``start`` (inclusive) to ``end``
    (exclusive), local time."""

    weekday: int
    start: datetime.time
    end: datetime.time

    def __post_init__(self) -> None:
        """Refuse impossible windows; a window never crosses midnight (use two windows)."""
        _check_weekday_and_times(self.weekday, self.start, self.end)
        if self.start >= self.end:
            raise WindowError(
                "empty_window",
                f"window start {self.start} must be before end {self.end} "
                "(a calling window never crosses midnight: use two windows)",
            )

    def contains(self, local: datetime.datetime) -> bool:
        """Whether the local wall-clock datetime ``local`` falls inside this window."""
        return local.weekday() == self.weekday and self.start <= local.time() < self.end


@dataclass(frozen=True)
class WeeklyShift:
    """An agent's shift starting on ``weekday`` at ``start``, site local time; ``end <= start``
    means it ends the next day."""

    weekday: int
    start: datetime.time
    end: datetime.time

    def __post_init__(self) -> None:
        """Refuse impossible shifts: a shift of zero length would be ambiguous (0 h or 24 h)."""
        _check_weekday_and_times(self.weekday, self.start, self.end)
        if self.start == self.end:
            raise WindowError("empty_shift", f"shift start and end are both {self.start}")

    def contains(self, local: datetime.datetime) -> bool:
        """Whether the site-local wall-clock datetime ``local`` falls inside this shift."""
        day, clock = local.weekday(), local.time()
        if self.start < self.end:
            return day == self.weekday and self.start <= clock < self.end
        return (day == self.weekday and clock >= self.start) or (
            day == (self.weekday + 1) % 7 and clock < self.end
        )


def _zone(time_zone: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, or WindowError("time_zone") if there is none."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise WindowError("time_zone", f"unknown time zone {time_zone!r}") from error


def _require_aware(instant: datetime.datetime) -> None:
    """Refuse naive datetimes: the program works in UTC and a naive value has no instant."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected an aware datetime (UTC), got naive {instant!r}")


def local_time(instant: datetime.datetime, time_zone: str) -> datetime.datetime:
    """The wall-clock time in ``time_zone`` at the aware ``instant``."""
    _require_aware(instant)
    return instant.astimezone(_zone(time_zone))


@functools.cache
def _warn_unknown_country(country: str) -> None:
    """Log, once per country code, that the holidays package has no calendar for it."""
    logger.warning("no public holiday calendar for country %r: holidays ignored", country)


@functools.lru_cache(maxsize=256)
def _holidays_for(country: str, year: int) -> holidays.HolidayBase | None:
    """The public holidays of ``country`` in ``year``, built once; None for unknown countries."""
    try:
        return holidays.country_holidays(country, years=year)
    except NotImplementedError:  # what holidays raises for a country it does not know
        _warn_unknown_country(country)
        return None


def is_public_holiday(country: str, day: datetime.date) -> bool:
    """Whether ``day`` is a public holiday in ``country`` (ISO 3166 alpha-2, any case).

    An unknown country is not an error (the calling window still applies): it is logged once
    at WARNING and has no holidays."""
    calendar = _holidays_for(country.upper(), day.year)
    return calendar is not None and day in calendar


def is_callable(
    windows: Sequence[WeeklyWindow],
    time_zone: str,
    country: str | None,
    instant: datetime.datetime,
    *,
    skip_public_holidays: bool = True,
) -> bool:
    """Whether a respondent may be called at ``instant``: the respondent's local wall-clock
    time is inside one of the windows of that local weekday, and (if ``skip_public_holidays``
    and ``country``) the local date is not a public holiday of the country."""
    local = local_time(instant, time_zone)
    if not any(window.contains(local) for window in windows):
        return False
    return not (skip_public_holidays and country and is_public_holiday(country, local.date()))


def _offset(instant: datetime.datetime, zone: ZoneInfo) -> datetime.timedelta | None:
    """The UTC offset of ``zone`` at ``instant``."""
    return instant.astimezone(zone).utcoffset()


def _transitions(
    zone: ZoneInfo, start: datetime.datetime, stop: datetime.datetime
) -> Iterator[datetime.datetime]:
    """The UTC instants in [start, stop] where the zone's offset changes (to the second).

    zoneinfo does not expose its transitions, so sample hourly and bisect each change."""
    here = start.replace(minute=0, second=0, microsecond=0)  # whole seconds for the bisection
    while here < stop:
        there = here + _HOUR
        if _offset(here, zone) != _offset(there, zone):
            low, high = here, there  # offset(low) is the old one, offset(high) the new one
            while high - low > _SECOND:
                middle = low + (high - low) / 2
                middle -= datetime.timedelta(microseconds=middle.microsecond)
                if _offset(middle, zone) == _offset(low, zone):
                    low = middle
                else:
                    high = middle
            yield high
        here = there


def next_opening(
    windows: Sequence[WeeklyWindow],
    time_zone: str,
    country: str | None,
    instant: datetime.datetime,
    *,
    skip_public_holidays: bool = True,
    horizon_days: int = 14,
) -> datetime.datetime | None:
    """The first UTC instant >= ``instant`` at which :func:`is_callable` is True (``instant``
    itself if already callable), or None if there is none within ``horizon_days``.

    Callability only switches on at a window start (either occurrence of it in a repeated
    hour) or at a daylight-saving transition: a start inside a spring-forward gap opens at
    the first existing local time after it (02:30 -> 03:00 in Europe/Brussels), which is the
    transition itself. So those candidates are gathered, sorted, and checked in order."""
    _require_aware(instant)
    if horizon_days < 0:
        raise ValueError(f"horizon_days must be >= 0, got {horizon_days}")
    zone = _zone(time_zone)
    instant = instant.astimezone(UTC)
    horizon = instant + datetime.timedelta(days=horizon_days)
    if not windows:
        return None

    def callable_at(moment: datetime.datetime) -> bool:
        return is_callable(
            windows, time_zone, country, moment, skip_public_holidays=skip_public_holidays
        )

    if callable_at(instant):
        return instant
    candidates = set(_transitions(zone, instant - _HOUR, horizon + _HOUR))
    first_day = instant.astimezone(zone).date() - datetime.timedelta(days=1)
    for offset in range(horizon_days + 3):
        day = first_day + datetime.timedelta(days=offset)
        for window in windows:
            if window.weekday == day.weekday():
                start = datetime.datetime.combine(day, window.start, tzinfo=zone)
                candidates.update(start.replace(fold=f).astimezone(UTC) for f in (0, 1))
    for candidate in sorted(c for c in candidates if instant <= c <= horizon):
        if callable_at(candidate):
            return candidate
    return None


def on_shift(
    shifts: Sequence[WeeklyShift], site_time_zone: str, instant: datetime.datetime
) -> bool:
    """Whether the site's local time at ``instant`` is inside one of the shifts; a shift that
    crosses midnight (end <= start) covers [start on its weekday, end on the next day)."""
    local = local_time(instant, site_time_zone)
    return any(shift.contains(local) for shift in shifts)


def from_local(wall_clock: datetime.datetime, time_zone: str) -> datetime.datetime:
    """The UTC instant of a wall-clock time in ``time_zone`` (what a respondent says: "call me
    back Thursday at 18:30").

    :raises WindowError: ``naive_expected`` for an aware value; ``nonexistent_time`` for a
        time the clocks skip (spring forward); ``ambiguous_time`` for one they pass twice
        (autumn back), so the agent asks which one rather than the program guessing.
    """
    if wall_clock.tzinfo is not None:
        raise WindowError("naive_expected", "give the respondent's wall-clock time, without an "
                                            "offset")
    zone = _zone(time_zone)
    early = wall_clock.replace(tzinfo=zone, fold=0)
    late = wall_clock.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset():
        round_trip = early.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != wall_clock:
            raise WindowError("nonexistent_time", f"{wall_clock:%Y-%m-%d %H:%M} does not exist "
                                                  f"in {time_zone} (the clocks skip it)")
        raise WindowError("ambiguous_time", f"{wall_clock:%Y-%m-%d %H:%M} happens twice in "
                                            f"{time_zone} (the clocks go back): choose another "
                                            "time")
    return early.astimezone(datetime.UTC)


def shift_end(
    shifts: Sequence[WeeklyShift], site_time_zone: str, instant: datetime.datetime,
    *, horizon_days: int = 8,
) -> datetime.datetime | None:
    """When the work that ``instant`` falls in ends: the end of its shift, or of the shifts
    that follow it without a break (``Mon-Sun 00:00-24:00`` runs on, and is given
    ``horizon_days`` from ``instant``); None when ``instant`` is off shift."""
    if not on_shift(shifts, site_time_zone, instant):
        return None
    zone = _zone(site_time_zone)
    first_day = local_time(instant, site_time_zone).date() - datetime.timedelta(days=1)
    ends: set[datetime.datetime] = set()
    for offset in range(horizon_days + 2):
        day = first_day + datetime.timedelta(days=offset)
        for shift in shifts:
            if shift.weekday == day.weekday():
                last = day if shift.start < shift.end else day + datetime.timedelta(days=1)
                end = datetime.datetime.combine(last, shift.end, tzinfo=zone)
                ends.update(end.replace(fold=f).astimezone(UTC) for f in (0, 1))
    after = datetime.timedelta(microseconds=1)
    for end in sorted(e for e in ends if e > instant):
        if not on_shift(shifts, site_time_zone, end) \
                and not on_shift(shifts, site_time_zone, end + after):
            return end
    return instant + datetime.timedelta(days=horizon_days)
