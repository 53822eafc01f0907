"""Calls from claim to disposition, through the sim backend, on a committed database: sealed
dialing re-checks at the moment of dialing, AAPOR dispositions and retries, appointments,
language problems, soft-refusal conversion, and the trace of it all."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from dialer.contacts import add_do_not_call, add_exclusion
from dialer.db import transaction
from dialer.errors import DialerError
from dialer.models import (
    Agent,
    AnswerRecord,
    Attempt,
    CallingWindow,
    Campaign,
    Contact,
    ContactPhase,
    ContactState,
    DoNotCall,
    Interview,
    TraceEvent,
)
from dialer.outcomes import CallEnding
from dialer.trace import verify_chain
from tests.dialer.callflow import ALL_ANSWER, ALL_BUSY, TUESDAY_NOON, Centre, build

TURKISH = "+32470000001"
#: Answers that take the customer-satisfaction questionnaire to its end.
ANSWERS: dict[str, Any] = {
    "consent": True, "services": [1], "overall_satisfaction": 4, "improvements": [2],
    "contacted_support": False, "monthly_bill": 45, "nps": 9, "nps_why": "Goed netwerk",
    "switch_intent": 1}


def _contact(engine: Engine, contact_id: int) -> Contact:
    with transaction(engine) as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        return contact


def _events(engine: Engine, attempt_id: int) -> list[str]:
    with transaction(engine) as session:
        return list(session.scalars(select(TraceEvent.kind)
                                    .where(TraceEvent.attempt_id == attempt_id)
                                    .order_by(TraceEvent.seq)))


def _answered(centre: Centre, attempt_id: int, moment: dt.datetime = TUESDAY_NOON
              ) -> dt.datetime:
    """Dial an attempt the sim answers; the instant it was answered."""
    result = centre.desk.dial(attempt_id, moment)
    assert result.answered and result.answered_at is not None
    return result.answered_at


def _interview_to_the_end(centre: Centre, attempt_id: int, moment: dt.datetime) -> None:
    turn = centre.interviews.begin(attempt_id, moment)
    while turn.prompt is not None:
        moment += dt.timedelta(seconds=20)
        question = turn.prompt.question_id
        value = ANSWERS.get(question) if question in ANSWERS else None
        turn = centre.interviews.answer(attempt_id, value, moment)
        assert turn.accepted, (question, turn.message)
    assert turn.outcome == "complete"


def _verified(centre: Centre) -> int:
    with transaction(centre.engine) as session:
        report = verify_chain(session, centre.campaign_id)
    assert report.fault is None, str(report.fault)
    return report.events


def test_a_complete_interview_is_stored_and_traced(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")])
    case = centre.claim("TR1")
    assert case.masked_number != TURKISH and TURKISH not in repr(case)
    answered = _answered(centre, case.attempt_id)
    _interview_to_the_end(centre, case.attempt_id, answered)
    decision = centre.desk.end(case.attempt_id, CallEnding.COMPLETE, answered
                               + dt.timedelta(minutes=5))
    assert (decision.code, decision.final) == ("1.1", True)
    contact = _contact(centre.engine, case.contact_id)
    assert (contact.state, contact.disposition, contact.held_by_agent_id) == (
        ContactState.DONE, "1.1", None)
    with transaction(centre.engine) as session:
        interview = session.scalars(select(Interview)).one()
        assert (interview.language, interview.outcome) == ("tr", "complete")
        assert interview.catalog_sha256 and len(interview.catalog_sha256) == 64
        given = list(session.scalars(select(AnswerRecord).order_by(AnswerRecord.id)))
        assert {record.question_id: record.value for record in given}["nps"] == 9
        improvements = next(r for r in given if r.question_id == "improvements")
        assert improvements.shown_order is not None and sorted(improvements.shown_order) == \
            list(range(1, 9))
    kinds = _events(centre.engine, case.attempt_id)
    assert kinds[:3] == ["claimed", "dial_requested", "ringing"]
    assert {"answered", "connected", "interview_started", "question_asked", "answer_given",
            "interview_ended", "hangup", "outcome"} <= set(kinds)
    assert kinds[-2:] == ["hangup", "outcome"]
    assert _verified(centre) == len(kinds)


def test_an_unanswered_call_is_retried_by_its_rule(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")],
                   rates=ALL_BUSY)
    case = centre.claim("TR1")
    result = centre.desk.dial(case.attempt_id, TUESDAY_NOON)
    assert not result.answered and result.decision is not None
    assert (result.decision.code, result.decision.final) == ("3.12", False)
    contact = _contact(centre.engine, case.contact_id)
    assert contact.phase == ContactPhase.RETRY and contact.attempts == 1
    assert contact.due_at > TUESDAY_NOON + dt.timedelta(minutes=14)
    assert contact.held_by_agent_id is None
    assert centre.dispatcher.next_call(centre.agents["TR1"], TUESDAY_NOON) is None


def test_busy_every_time_ends_as_always_busy(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")],
                   rates=ALL_BUSY, max_attempts=3)
    moment = TUESDAY_NOON
    for _ in range(3):
        case = centre.claim("TR1", moment)
        result = centre.desk.dial(case.attempt_id, moment)
        moment += dt.timedelta(hours=1)
    assert result.decision is not None and result.decision.final
    assert _contact(centre.engine, case.contact_id).disposition == "3.12"
    assert _verified(centre) > 0


@pytest.mark.parametrize("listing", ["do_not_call", "excluded"])
def test_a_number_listed_after_the_claim_is_never_dialed(committed: tuple[Engine, str],
                                                         listing: str) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")])
    case = centre.claim("TR1")
    with transaction(centre.engine) as session:
        if listing == "do_not_call":
            add_do_not_call(session, "+32 470 00 00 01", "asked on another campaign")
        else:
            agent = session.get(Agent, centre.agents["TR1"])
            assert agent is not None
            add_exclusion(session, agent, "+3247000", "relative of a victim")
    result = centre.desk.dial(case.attempt_id, TUESDAY_NOON)
    assert result.refused == listing
    assert centre.desk.backend.live_calls() == []  # type: ignore[attr-defined]
    kinds = _events(centre.engine, case.attempt_id)
    assert kinds == ["claimed", "dial_refused"]
    with transaction(centre.engine) as session:
        attempt = session.get(Attempt, case.attempt_id)
        assert attempt is not None
        assert (attempt.dialed_at, attempt.refusal, attempt.disposition) == (None, listing,
                                                                             "3.11")
    contact = _contact(centre.engine, case.contact_id)
    assert contact.attempts == 0 and contact.held_by_agent_id is None
    expected = ContactState.DO_NOT_CALL if listing == "do_not_call" else ContactState.WAITING
    assert contact.state is expected
    _verified(centre)


def test_a_window_that_closed_since_the_claim_refuses_the_dial(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")],
                   windows=[(1, dt.time(9), dt.time(11, 5))])
    case = centre.claim("TR1")  # 11:00 in Brussels
    result = centre.desk.dial(case.attempt_id, TUESDAY_NOON + dt.timedelta(minutes=6))
    assert result.refused == "outside_window"
    with transaction(centre.engine) as session:
        session.execute(CallingWindow.__table__.delete())
    assert _events(centre.engine, case.attempt_id)[-1] == "dial_refused"


def test_an_attempt_is_dialed_once_and_answers_need_a_connected_call(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")],
                   rates=ALL_BUSY)
    case = centre.claim("TR1")
    with pytest.raises(DialerError) as unconnected:
        centre.interviews.begin(case.attempt_id, TUESDAY_NOON)
    assert unconnected.value.code == "no_connected_call"
    centre.desk.dial(case.attempt_id, TUESDAY_NOON)
    again = centre.desk.dial(case.attempt_id, TUESDAY_NOON)
    assert again.refused == "already_dialed"
    with pytest.raises(DialerError) as ended:
        centre.interviews.answer(case.attempt_id, True, TUESDAY_NOON)
    assert ended.value.code == "no_connected_call"


def test_only_the_questionnaire_decides_a_complete(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")])
    case = centre.claim("TR1")
    answered = _answered(centre, case.attempt_id)
    centre.interviews.begin(case.attempt_id, answered)
    with pytest.raises(DialerError) as refused:
        centre.desk.end(case.attempt_id, CallEnding.COMPLETE, answered)
    assert refused.value.code == "bad_ending"


def test_a_break_off_is_resumed_on_the_callback(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")])
    case = centre.claim("TR1")
    answered = _answered(centre, case.attempt_id)
    turn = centre.interviews.begin(case.attempt_id, answered)
    for _ in range(2):
        assert turn.prompt is not None
        turn = centre.interviews.answer(case.attempt_id, ANSWERS[turn.prompt.question_id],
                                        answered)
    decision = centre.desk.end(case.attempt_id, CallEnding.BREAK_OFF, answered,
                               by="respondent")
    assert (decision.code, decision.final) == ("2.12", False)
    later = TUESDAY_NOON + dt.timedelta(days=1, minutes=1)
    callback = centre.claim("TR1", later)
    resumed = centre.interviews.begin(callback.attempt_id,
                                      _answered(centre, callback.attempt_id, later))
    assert resumed.prompt is not None and resumed.prompt.question_id == "overall_satisfaction"
    assert _events(centre.engine, callback.attempt_id)[-2:] == ["interview_resumed",
                                                                "question_asked"]


def test_a_promised_appointment_goes_to_the_same_agent_at_that_time(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"], "TR2": ["tr"]},
                   contacts=[(TURKISH, "tr"), ("+32470000002", "tr")])
    case = centre.claim("TR1")
    answered = _answered(centre, case.attempt_id)
    at = TUESDAY_NOON + dt.timedelta(hours=3)
    decision = centre.desk.end(case.attempt_id, CallEnding.APPOINTMENT, answered,
                               appointment_at=at, promise=True)
    assert (decision.phase, decision.due_at, decision.final) == (ContactPhase.APPOINTMENT,
                                                                 at, False)
    other = centre.dispatcher.next_call(centre.agents["TR2"], at)
    assert other is not None and other.contact_id != case.contact_id
    mine = centre.dispatcher.next_call(centre.agents["TR1"], at)
    assert mine is not None and mine.contact_id == case.contact_id


def test_a_language_problem_reroutes_to_a_speaker(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"NL1": ["nl"], "TR1": ["tr"]},
                   contacts=[(TURKISH, "nl")])
    case = centre.claim("NL1")
    answered = _answered(centre, case.attempt_id)
    decision = centre.desk.end(case.attempt_id, CallEnding.LANGUAGE_PROBLEM, answered,
                               spoken_language="tr")
    assert not decision.final
    assert centre.dispatcher.next_call(centre.agents["NL1"], answered) is None
    claim = centre.dispatcher.next_call(centre.agents["TR1"], answered)
    assert claim is not None and (claim.contact_id, claim.language) == (case.contact_id, "tr")


@pytest.mark.parametrize(("spoken", "code"), [("ru", "2.333"), ("de", "2.332")])
def test_a_language_nobody_can_interview_in_is_final(committed: tuple[Engine, str],
                                                     spoken: str, code: str) -> None:
    centre = build(committed[0], agents={"NL1": ["nl"]}, contacts=[(TURKISH, "nl")])
    case = centre.claim("NL1")
    decision = centre.desk.end(case.attempt_id, CallEnding.LANGUAGE_PROBLEM,
                               _answered(centre, case.attempt_id), spoken_language=spoken)
    assert (decision.code, decision.final) == (code, True)
    assert _contact(centre.engine, case.contact_id).disposition == code


def test_a_soft_refusal_waits_for_a_converter(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"], "TR2": ["tr"]},
                   contacts=[(TURKISH, "tr")], skills={"TR2": ["refusal_conversion"]})
    case = centre.claim("TR1")
    decision = centre.desk.end(case.attempt_id, CallEnding.REFUSAL,
                               _answered(centre, case.attempt_id))
    assert (decision.code, decision.phase) == ("2.111", ContactPhase.CONVERSION)
    later = TUESDAY_NOON + dt.timedelta(days=4)
    assert centre.dispatcher.next_call(centre.agents["TR1"], later) is None
    second = centre.claim("TR2", later)
    assert second.contact_id == case.contact_id
    final = centre.desk.end(second.attempt_id, CallEnding.REFUSAL,
                            _answered(centre, second.attempt_id, later))
    assert (final.code, final.final) == ("2.112", True)


def test_an_agent_has_one_call_at_a_time(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]},
                   contacts=[(TURKISH, "tr"), ("+32470000002", "tr")], rates=ALL_ANSWER)
    centre.claim("TR1")
    claim = centre.dispatcher.next_call(centre.agents["TR1"], TUESDAY_NOON)
    assert claim is not None
    with pytest.raises(DialerError) as busy:
        centre.desk.open_attempt(claim, TUESDAY_NOON)
    assert busy.value.code == "agent_busy"


def test_a_call_past_its_maximum_duration_is_hung_up(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")])
    case = centre.claim("TR1")
    answered = _answered(centre, case.attempt_id)
    assert centre.desk.hang_up_overdue(answered + dt.timedelta(minutes=29)) == []
    assert centre.desk.hang_up_overdue(answered + dt.timedelta(minutes=30)) == [case.attempt_id]
    with transaction(centre.engine) as session:
        outcome = session.scalars(select(TraceEvent).where(
            TraceEvent.attempt_id == case.attempt_id).order_by(TraceEvent.seq.desc())).first()
        assert outcome is not None and outcome.kind == "outcome"
        assert (outcome.actor, outcome.data["by"], outcome.data["reason"]) == (
            "dialer", "system", "max_duration")
    with pytest.raises(DialerError) as ended:
        centre.desk.end(case.attempt_id, CallEnding.BREAK_OFF, answered)
    assert ended.value.code == "attempt_ended"


# --- what a second look found -----------------------------------------------------------------
def test_a_second_dial_of_a_live_call_keeps_the_contact_held(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"], "TR2": ["tr"]},
                   contacts=[(TURKISH, "tr")])
    case = centre.claim("TR1")
    answered = _answered(centre, case.attempt_id)
    assert centre.desk.dial(case.attempt_id, answered).refused == "already_dialed"
    contact = _contact(centre.engine, case.contact_id)
    assert contact.held_by_agent_id == centre.agents["TR1"]
    # The hold lasts as long as the call may, not just the claim's ten minutes.
    later = answered + dt.timedelta(minutes=20)
    assert centre.dispatcher.next_call(centre.agents["TR2"], later) is None
    with transaction(centre.engine) as session:
        attempt = session.get(Attempt, case.attempt_id)
        assert attempt is not None and attempt.ended_at is None


def test_a_respondent_who_asks_never_to_be_called_goes_on_the_list(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")])
    case = centre.claim("TR1")
    decision = centre.desk.end(case.attempt_id, CallEnding.ASKED_NOT_TO_BE_CALLED,
                               _answered(centre, case.attempt_id))
    assert (decision.code, decision.final) == ("2.112", True)
    with transaction(centre.engine) as session:
        assert session.get(DoNotCall, TURKISH) is not None
    assert _contact(centre.engine, case.contact_id).state is ContactState.DO_NOT_CALL


def test_a_refused_ending_leaves_the_call_up(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")])
    case = centre.claim("TR1")
    answered = _answered(centre, case.attempt_id)
    for ending, options in [(CallEnding.APPOINTMENT, {"appointment_at": answered}),
                            (CallEnding.LANGUAGE_PROBLEM, {"spoken_language": "tr"}),
                            (CallEnding.LANGUAGE_PROBLEM, {})]:
        with pytest.raises(DialerError) as refused:
            centre.desk.end(case.attempt_id, ending, answered, **options)  # type: ignore[arg-type]
        assert refused.value.code == "bad_ending"
        assert centre.desk.backend.live_calls() == [case.attempt_id]  # type: ignore[attr-defined]
    assert _events(centre.engine, case.attempt_id)[-1] == "connected"


def test_a_refusal_at_consent_can_be_converted_later(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"], "TR2": ["tr"]},
                   contacts=[(TURKISH, "tr")], skills={"TR2": ["refusal_conversion"]})
    case = centre.claim("TR1")
    answered = _answered(centre, case.attempt_id)
    centre.interviews.begin(case.attempt_id, answered)
    turn = centre.interviews.answer(case.attempt_id, False, answered)
    assert turn.outcome == "refusal"
    with pytest.raises(DialerError):
        centre.desk.end(case.attempt_id, CallEnding.APPOINTMENT, answered,
                        appointment_at=answered + dt.timedelta(hours=2))
    assert centre.desk.end(case.attempt_id, CallEnding.REFUSAL, answered).code == "2.111"
    later = TUESDAY_NOON + dt.timedelta(days=4)
    second = centre.claim("TR2", later)
    again = _answered(centre, second.attempt_id, later)
    resumed = centre.interviews.begin(second.attempt_id, again)
    assert (resumed.prompt, resumed.outcome) == (None, "refusal")
    asked = centre.interviews.back(second.attempt_id, again)
    assert asked.prompt is not None and asked.prompt.question_id == "consent"
    decision = centre.desk.end(second.attempt_id, CallEnding.APPOINTMENT, again,
                               appointment_at=again + dt.timedelta(hours=2), promise=True)
    assert (decision.code, decision.final) == ("2.21", False)


def test_an_attempt_left_behind_does_not_block_its_agent(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]},
                   contacts=[(TURKISH, "tr"), ("+32470000002", "tr")])
    stale = centre.claim("TR1")  # the workstation crashed before pressing call
    later = TUESDAY_NOON + dt.timedelta(minutes=11)
    fresh = centre.claim("TR1", later)
    assert fresh.attempt_id != stale.attempt_id
    assert _events(centre.engine, stale.attempt_id)[-1] == "attempt_abandoned"


def test_a_number_the_campaign_no_longer_calls_is_settled(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")])
    case = centre.claim("TR1")
    with transaction(centre.engine) as session:
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None
        campaign.allowed_countries = ["NL"]
    assert centre.desk.dial(case.attempt_id, TUESDAY_NOON).refused == "country"
    contact = _contact(centre.engine, case.contact_id)
    assert (contact.state, contact.disposition) == (ContactState.DONE, "4.10")


def test_a_rerouted_interview_starts_again_in_the_spoken_language(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"NL1": ["nl"], "TR1": ["tr"]},
                   contacts=[(TURKISH, "nl")])
    case = centre.claim("NL1")
    answered = _answered(centre, case.attempt_id)
    centre.interviews.begin(case.attempt_id, answered)
    centre.desk.end(case.attempt_id, CallEnding.LANGUAGE_PROBLEM, answered,
                    spoken_language="tr")
    second = centre.claim("TR1", answered)
    turn = centre.interviews.begin(second.attempt_id, _answered(centre, second.attempt_id,
                                                                answered))
    assert turn.prompt is not None and turn.prompt.question_id == "consent"
    with transaction(centre.engine) as session:
        assert session.scalars(select(Interview)).one().language == "tr"
    assert "interview_restarted" in _events(centre.engine, second.attempt_id)
