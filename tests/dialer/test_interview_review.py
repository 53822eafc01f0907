"""Quality review of an interview: its questions as asked, every answer row (given, withdrawn,
corrected), the trace of its contact checked where it stands in the chain (and a tampered
event caught), which sites may review it, and corrections checked as during the call."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select, update

from dialer.db import transaction
from dialer.errors import DialerError, NotFound
from dialer.interview_review import Reviews, interview_sites, mask_numbers, site_interviews
from dialer.models import Agent, AnswerKind, TraceEvent
from dialer.outcomes import CallEnding
from dialer.trace import verify_events
from survey_engine.expressions import DONT_KNOW
from tests.dialer import factories
from tests.dialer.callflow import Centre, build
from tests.dialer.test_interviews import TURKISH, _connected


def _interviewed(engine: Engine) -> tuple[Centre, int]:
    """An interview ended by a break-off: consent, services given, withdrawn and given
    again, overall satisfaction don't know."""
    centre, attempt, now = _connected(engine)
    turn = centre.interviews.begin(attempt, now)
    for step in (True, [1, 2], "back", [1, 4], DONT_KNOW):
        if step == "back":
            centre.interviews.back(attempt, now)
        else:
            centre.interviews.answer(attempt, step, now)
    centre.desk.end(attempt, CallEnding.BREAK_OFF, now + dt.timedelta(minutes=1))
    return centre, turn.interview_id


def test_the_review_shows_the_questions_as_asked_and_every_row(
        committed: tuple[Engine, str]) -> None:
    centre, interview = _interviewed(committed[0])
    centre.interviews.correct(interview, "services", "1 3", "supervisor:QA", "recording",
                              typed=True)
    review = Reviews(centre.engine).review(interview)
    assert [q.prompt.question_id for q in review.questions] == [
        "consent", "services", "overall_satisfaction", "improvements"]
    consent, services, overall, current = review.questions
    assert consent.value is True and consent.prompt.number == 1
    assert services.value == [1, 3], "the latest correction stands"
    assert [row.kind for row in services.rows] == [
        AnswerKind.GIVEN, AnswerKind.WITHDRAWN, AnswerKind.GIVEN, AnswerKind.CORRECTED]
    assert overall.value == {"special": "dont_know"}
    assert not current.answered and current.rows == ()
    asked = [line.data for line in review.trace if line.kind == "question_asked"
             and line.data["question"] == "improvements"]
    assert [o.code for o in current.prompt.options] == asked[-1]["shown_order"], \
        "the options in the order this respondent heard them"
    assert [o.code for o in services.prompt.options] == [1, 2, 3, 4]
    assert services.prompt.text.startswith("Şu anda Lumen Telecom")  # Turkish, as read out
    kinds = [line.kind for line in review.trace]
    assert kinds[0] == "claimed" and "dial_requested" in kinds
    assert "answer_withdrawn" in kinds and kinds[-1] == "answer_corrected"
    assert review.intact and all(line.fault is None for line in review.trace)
    assert TURKISH not in repr(review) and TURKISH[3:] not in repr(review)
    assert review.line.masked_number == "+32 4•• •• •• 01"
    assert review.line.corrections == 1 and review.line.agents == ("TR1",)


def test_a_tampered_event_of_the_contact_is_caught_where_it_stands(
        committed: tuple[Engine, str]) -> None:
    centre, interview = _interviewed(committed[0])
    with transaction(centre.engine) as session:
        given = session.scalars(select(TraceEvent).where(
            TraceEvent.kind == "answer_given").order_by(TraceEvent.seq)).first()
        assert given is not None
        seq = given.seq
        session.execute(update(TraceEvent).where(TraceEvent.id == given.id)
                        .values(data={**given.data, "value": False}))
    review = Reviews(centre.engine).review(interview)
    assert not review.intact
    assert [line.seq for line in review.trace if line.fault is not None] == [seq]
    whole = Reviews(centre.engine).review(interview, whole_chain=True)
    assert whole.chain_checked and whole.chain_fault is not None
    assert whole.chain_fault.seq == seq


def test_an_event_replaced_with_a_recomputed_hash_is_caught_by_the_next(
        committed: tuple[Engine, str]) -> None:
    from dialer.trace import Entry, canonical_form, chain_hash
    centre, _interview = _interviewed(committed[0])
    with transaction(centre.engine) as session:
        event = session.scalars(select(TraceEvent).where(
            TraceEvent.kind == "answer_given").order_by(TraceEvent.seq)).first()
        assert event is not None
        data = {**event.data, "value": False}
        forged = chain_hash(event.prev_hash, canonical_form(event.campaign_id, event.seq, Entry(
            event.kind, event.actor, event.at, event.contact_id, event.attempt_id,
            event.interview_id, data)))
        session.execute(update(TraceEvent).where(TraceEvent.id == event.id)
                        .values(data=data, hash=forged))
        seq, campaign = event.seq, event.campaign_id
    with transaction(centre.engine) as session:
        faults = verify_events(session, campaign, [seq, seq + 1])
    assert faults[seq] is not None and "after it" in faults[seq].problem
    assert faults[seq + 1] is not None  # it links to the hash that was replaced


def test_which_sites_review_an_interview(committed: tuple[Engine, str]) -> None:
    centre, interview = _interviewed(committed[0])
    with transaction(centre.engine) as session:
        agent = session.get(Agent, centre.agents["TR1"])
        assert agent is not None
        mine, elsewhere = agent.site_id, factories.site(session).id
        assert interview_sites(session, interview) == {mine}
        assert interview_sites(session, 987654) is None
        assert [line.id for line in site_interviews(session, mine)] == [interview]
        assert site_interviews(session, elsewhere) == []
        assert [line.id for line in site_interviews(session, None)] == [interview]


def test_corrections_are_checked_as_during_the_call(committed: tuple[Engine, str]) -> None:
    centre, interview = _interviewed(committed[0])
    desk = centre.interviews
    desk.correct(interview, "overall_satisfaction", "4", "supervisor:QA", "heard", typed=True)
    desk.correct(interview, "overall_satisfaction", DONT_KNOW, "supervisor:QA", "unsure")
    with transaction(centre.engine) as session:
        events = [event.data for event in session.scalars(select(TraceEvent).where(
            TraceEvent.kind == "answer_corrected").order_by(TraceEvent.seq))]
    assert [(e["was"], e["value"]) for e in events] == [
        ({"special": "dont_know"}, 4), (4, {"special": "dont_know"})], \
        "each correction names the value it replaces"
    for value, typed in [("9", True), ("abc", True)]:
        with pytest.raises(DialerError) as refused:
            desk.correct(interview, "overall_satisfaction", value, "supervisor:QA", "x",
                         typed=typed)
        assert refused.value.code == "answer_refused"
    with pytest.raises(DialerError) as refused:  # services does not take don't know
        desk.correct(interview, "services", DONT_KNOW, "supervisor:QA", "x")
    assert refused.value.code == "answer_refused"
    with pytest.raises(NotFound):
        Reviews(centre.engine).prompt(interview, "nps")  # not asked


def test_numbers_in_answers_are_masked() -> None:
    assert mask_numbers("call me on +32 470 55 51 01 or 0470 55 51 01") == \
        "call me on +32 4•• •• •• 01 or 0••• •• •• 01"
    assert mask_numbers("LT1234567, 54.5") == "LT1234567, 54.5"


def test_a_review_of_an_interview_that_does_not_exist(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[])
    with pytest.raises(NotFound):
        Reviews(centre.engine).review(987654)


def test_a_number_dictated_in_an_answer_is_masked_in_the_review(
        committed: tuple[Engine, str]) -> None:
    centre, interview = _interviewed(committed[0])
    centre.interviews.correct(interview, "services", [1, 4], "supervisor:QA",
                              "she said: call me on 0470 55 51 09 instead")
    review = Reviews(centre.engine).review(interview)
    [corrected] = [line for line in review.trace if line.kind == "answer_corrected"]
    assert corrected.data["reason"] == "she said: call me on 0••• •• •• 09 instead"
    hashes = [line.data["catalog_sha256"] for line in review.trace
              if "catalog_sha256" in line.data]
    assert hashes and all(len(value) == 64 and "•" not in value for value in hashes)
