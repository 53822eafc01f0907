"""The partner feed: settled interviews in the order the trace settled them, page by page
from a cursor; an interview still in the field waits, a contact without an interview never
comes, and pulling while interviews keep completing misses none and repeats none."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from dialer.models import Campaign, Interview
from dialer.outcomes import CallEnding
from results.errors import ResultsError
from results.feed import FeedPage, interviews_since
from results.records import snapshot
from tests.dialer.callflow import Centre
from tests.results.scenario import (
    BREAK_OFF,
    COMPLETE_NL,
    REFUSAL,
    centre_with,
    completing,
    interview,
    moment,
)


def _page(centre: Centre, after: int, limit: int = 100) -> FeedPage:
    with snapshot(centre.engine) as session:
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None
        return interviews_since(session, campaign, after, limit)


def _never_again(centre: Centre, agent: str) -> None:
    """A respondent who asks, before any question, never to be called: settled (2.112)
    without an interview."""
    case = centre.claim(agent, moment())
    dialed = centre.desk.dial(case.attempt_id, moment())
    assert dialed.answered_at is not None
    centre.desk.end(case.attempt_id, CallEnding.ASKED_NOT_TO_BE_CALLED,
                    dialed.answered_at + dt.timedelta(seconds=20))


def test_pages_follow_the_trace_and_wait_for_settled_cases(committed: tuple[Engine, str]
                                                           ) -> None:
    centre = centre_with(committed[0], ["nl"] * 6, max_attempts=2)
    interview(centre, "NL1", COMPLETE_NL)
    interview(centre, "NL1", BREAK_OFF)            # 2.12, an attempt left: in the field
    interview(centre, "NL1", REFUSAL)              # a soft refusal, to convert: in the field
    _never_again(centre, "NL1")                    # settled, no interview: never in the feed
    interview(centre, "NL1", COMPLETE_NL)
    page = _page(centre, 0, limit=1)
    assert [item.record.contact_id for item in page.items] == [centre.contacts[0]]
    assert page.items[0].seq == page.next_after
    rest = _page(centre, page.next_after)
    assert [item.record.contact_id for item in rest.items] == [centre.contacts[4]]
    assert rest.items[0].seq > page.next_after and rest.items[0].record.disposition == "1.1"
    done = _page(centre, rest.next_after)
    assert done.exhausted and done.next_after == rest.next_after
    with snapshot(centre.engine) as session:
        assert session.scalar(select(Interview.id).where(
            Interview.contact_id == centre.contacts[3])) is None


def test_a_settled_refusal_comes_with_its_code(committed: tuple[Engine, str]) -> None:
    centre = centre_with(committed[0], ["nl"])
    interview(centre, "NL1", REFUSAL)     # one attempt only: settled as 2.111
    (refused,) = _page(centre, 0).items
    assert refused.record.disposition == "2.111" and refused.record.final
    assert refused.record.answers == {"consent": False}


def test_bad_cursor_and_page_size_are_refused(committed: tuple[Engine, str]) -> None:
    centre = centre_with(committed[0], ["nl"])
    with pytest.raises(ResultsError) as bad_cursor:
        _page(centre, -1)
    with pytest.raises(ResultsError) as bad_limit:
        _page(centre, 0, limit=0)
    assert (bad_cursor.value.code, bad_limit.value.code) == ("bad_cursor", "bad_limit")


def test_pulling_while_interviews_complete_misses_and_repeats_nothing(
        committed: tuple[Engine, str]) -> None:
    per_agent = 12
    centre = centre_with(committed[0], ["nl"] * (2 * per_agent))
    pulled: list[tuple[int, int]] = []
    after = 0
    with completing(centre, ("NL1", "NL2"), per_agent) as working:
        while True:
            running = working()
            page = _page(centre, after, limit=3)
            pulled += [(item.seq, item.record.interview_id) for item in page.items]
            after = page.next_after
            if page.exhausted and not running:
                break
    with snapshot(centre.engine) as session:
        every = set(session.scalars(select(Interview.id)))
    ids = [interview_id for _seq, interview_id in pulled]
    assert len(every) == 2 * per_agent
    assert sorted(ids) == sorted(every)           # none missed, none repeated
    assert [seq for seq, _id in pulled] == sorted({seq for seq, _id in pulled})
