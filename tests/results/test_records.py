"""Interview records read what the dialer stored: answers as last given or corrected, the case's
disposition and attempts, the agent's code, contact fields only when the campaign allows them,
and a trace digest that the verified chain vouches for."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from dialer.db import transaction
from dialer.models import Campaign, Interview, TraceEvent
from dialer.trace import verify_chain
from results.records import Selection, count_interviews, iter_records, snapshot
from tests.dialer.callflow import Centre
from tests.results.scenario import (
    BREAK_OFF,
    COMPLETE_NL,
    COMPLETE_RU,
    REFUSAL,
    RUSSIAN_DETAILS,
    centre_with,
    interview,
    moment,
)


def test_records_carry_answers_outcome_agent_and_digest(committed: tuple[Engine, str]) -> None:
    engine = committed[0]
    centre = centre_with(engine, ["ru", "nl", "nl"], export_fields=["customer_number"])
    interview(centre, "RU1", COMPLETE_RU)
    interview(centre, "NL1", COMPLETE_NL)
    interview(centre, "NL1", REFUSAL)
    with snapshot(engine) as session:
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None
        records = list(iter_records(session, campaign, batch=2))
        assert count_interviews(session, campaign.id) == 3
        report = verify_chain(session, campaign.id)
        assert report.fault is None
        last_seq = {contact: seq for contact, seq in session.execute(
            select(TraceEvent.contact_id, TraceEvent.seq).order_by(TraceEvent.seq))}
    russian, dutch, refusal = records
    assert [r.disposition for r in records] == ["1.1", "1.1", "2.111"]
    assert all(r.final and r.attempts == 1 for r in records)
    assert (russian.agent, russian.language, dutch.agent) == ("RU1", "ru", "NL1")
    assert russian.answers["improvements"] == [3, {"code": 8, "specify": RUSSIAN_DETAILS}]
    assert russian.answers["internet_reliability"] == {"special": "dont_know"}
    assert russian.answers["monthly_bill"] == "45.5"
    assert dutch.answers["monthly_bill"] == {"special": "refused"}
    assert refusal.answers == {"consent": False} and refusal.outcome == "refusal"
    assert russian.contact == {"customer_number": "LT1234567"}
    # The digest is the contact's last event in the chain that verifies.
    assert russian.trace_seq == last_seq[russian.contact_id]
    with transaction(engine) as session:
        event = session.scalars(select(TraceEvent).where(
            TraceEvent.campaign_id == centre.campaign_id,
            TraceEvent.seq == russian.trace_seq)).one()
    assert event.hash == russian.trace_hash and event.contact_id == russian.contact_id


def _break_off(centre: Centre, back: bool) -> int:
    """Consent, services [1, 2], overall 3 (withdrawn when ``back``), broken off."""
    case = centre.claim("NL1", moment())
    now = centre.desk.dial(case.attempt_id, moment()).answered_at
    assert now is not None
    turn = centre.interviews.begin(case.attempt_id, now)
    centre.interviews.answer(case.attempt_id, True, now)
    centre.interviews.answer(case.attempt_id, [1, 2], now)
    centre.interviews.answer(case.attempt_id, 3, now)
    if back:
        centre.interviews.back(case.attempt_id, now)
    centre.desk.end(case.attempt_id, BREAK_OFF[1], now + dt.timedelta(minutes=1))
    return turn.interview_id


def test_withdrawn_answers_go_and_corrections_count(committed: tuple[Engine, str]) -> None:
    engine = committed[0]
    centre = centre_with(engine, ["nl", "nl"])
    _break_off(centre, back=True)
    corrected = _break_off(centre, back=False)
    centre.interviews.correct(corrected, "services", [1, 4], "supervisor:QA1",
                              "the respondent also named the landline")
    with snapshot(engine) as session:
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None
        withdrawn, correction = iter_records(session, campaign)
        corrected_at = session.scalar(select(TraceEvent.seq).where(
            TraceEvent.kind == "answer_corrected"))
    assert withdrawn.answers == {"consent": True, "services": [1, 2]}
    assert correction.answers == {"consent": True, "services": [1, 4],
                                  "overall_satisfaction": 3}
    assert withdrawn.disposition == correction.disposition == "2.12"
    assert correction.contact == {}
    assert correction.trace_seq == corrected_at   # the correction is vouched for too


def test_open_cases_are_left_out_unless_asked(committed: tuple[Engine, str]) -> None:
    engine = committed[0]
    centre = centre_with(engine, ["nl", "nl"], max_attempts=3)
    interview(centre, "NL1", BREAK_OFF)              # 2.12: called again, not settled
    interview(centre, "NL1", COMPLETE_NL)
    with snapshot(engine) as session:
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None
        final = list(iter_records(session, campaign))
        every = list(iter_records(session, campaign, Selection.ALL))
        assert count_interviews(session, campaign.id, Selection.ALL) == 2
        assert session.scalar(select(Interview.id).where(Interview.outcome.is_(None)))
    assert [r.disposition for r in final] == ["1.1"]
    assert sorted((r.disposition, r.final) for r in every) == [("1.1", True), ("2.12", False)]
