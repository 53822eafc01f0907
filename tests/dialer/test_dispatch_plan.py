"""A roster's callable groups, remembered by the minute, are exactly those worked out afresh
at every instant: across daylight-saving changes, on window edges, on holidays, and with
windows that do not start on a whole minute (never remembered)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.dispatch_plan import CampaignRules, Group, Roster
from dialer.models import LanguageLevel
from dialer.windows import WeeklyWindow

#: Instants around the 2026 changes of Europe/Brussels (29 March, 25 October), Christmas and
#: the half-hour zone of Adelaide.
_AROUND = [dt.datetime(2026, 3, 29, 0, 55, tzinfo=dt.UTC),
           dt.datetime(2026, 10, 25, 0, 55, tzinfo=dt.UTC),
           dt.datetime(2026, 12, 24, 19, 55, tzinfo=dt.UTC),
           dt.datetime(2026, 4, 4, 16, 25, tzinfo=dt.UTC)]
_GROUPS = (Group(1, 1, "nl", "Europe/Brussels", "BE"), Group(2, 1, "fr", "Europe/Paris", "FR"),
           Group(3, 2, "en", "Australia/Adelaide", "AU"), Group(4, 2, "tr", "UTC", ""))


def _roster(edge_seconds: int) -> Roster:
    whole = tuple(WeeklyWindow(day, dt.time(1, 0), dt.time(21, 0)) for day in range(7))
    odd = tuple(WeeklyWindow(day, dt.time(2, 59, edge_seconds), dt.time(20, 30))
                for day in range(7))
    campaigns = {1: CampaignRules(1, "A", 5, LanguageLevel.FLUENT, True, whole),
                 2: CampaignRules(2, "B", 3, LanguageLevel.FLUENT, False, odd)}
    return Roster(campaigns, _GROUPS, {}, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_AROUND), st.lists(st.integers(0, 3_600_000_000), min_size=1,
                                          max_size=40),
       st.sampled_from([0, 0, 30]))
def test_remembered_callable_groups_are_the_ones_worked_out_afresh(
        around: dt.datetime, offsets: list[int], edge_seconds: int) -> None:
    roster = _roster(edge_seconds)
    for offset in sorted(offsets):
        instant = around + dt.timedelta(microseconds=offset)
        assert roster.callable_groups(instant) == roster._callable_groups(instant)


def test_a_minute_is_remembered_only_when_nothing_changes_in_it() -> None:
    roster = _roster(0)
    minute = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    roster.callable_groups(minute + dt.timedelta(seconds=7))
    assert list(roster._callable_by_minute) == [minute]
    odd = _roster(30)
    odd.callable_groups(minute)
    assert odd._callable_by_minute == {}
