"""Interviews during and after calls: going back withdraws an answer (a new row, never an
overwrite), quality-control corrections are new rows and events, a changed catalog cannot
silently change a resumed interview; and appointments are taken in the respondent's time."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select, update

from dialer.db import transaction
from dialer.errors import DialerError
from dialer.interviews import InterviewDesk
from dialer.models import AnswerKind, AnswerRecord, Interview, TraceEvent
from dialer.outcomes import CallEnding
from dialer.trace import verify_chain
from dialer.windows import WindowError, from_local
from tests.dialer.callflow import TUESDAY_NOON, Centre, build

TURKISH = "+32470000001"


def _connected(engine: Engine, **options: object) -> tuple[Centre, int, dt.datetime]:
    centre = build(engine, agents={"TR1": ["tr"]}, contacts=[(TURKISH, "tr")],
                   **options)  # type: ignore[arg-type]
    case = centre.claim("TR1")
    result = centre.desk.dial(case.attempt_id, TUESDAY_NOON)
    assert result.answered_at is not None
    return centre, case.attempt_id, result.answered_at


def _records(engine: Engine) -> list[tuple[str, AnswerKind, object]]:
    with transaction(engine) as session:
        return [(record.question_id, record.kind, record.value) for record in session.scalars(
            select(AnswerRecord).order_by(AnswerRecord.id))]


def _kinds(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        return list(session.scalars(select(TraceEvent.kind).order_by(TraceEvent.seq)))


def test_going_back_withdraws_the_answer_and_asks_again(committed: tuple[Engine, str]) -> None:
    centre, attempt, now = _connected(committed[0])
    centre.interviews.begin(attempt, now)
    centre.interviews.answer(attempt, True, now)
    turn = centre.interviews.answer(attempt, [1, 2], now)
    assert turn.prompt is not None and turn.prompt.question_id == "overall_satisfaction"
    back = centre.interviews.back(attempt, now)
    assert back.prompt is not None and back.prompt.question_id == "services"
    turn = centre.interviews.answer(attempt, [3], now)
    assert _records(centre.engine) == [
        ("consent", AnswerKind.GIVEN, True), ("services", AnswerKind.GIVEN, [1, 2]),
        ("services", AnswerKind.WITHDRAWN, None), ("services", AnswerKind.GIVEN, [3])]
    assert _kinds(centre.engine)[-4:] == ["answer_withdrawn", "question_asked",
                                          "answer_given", "question_asked"]
    with transaction(centre.engine) as session:
        interview = session.scalars(select(Interview)).one()
        assert '"services": [3]' in interview.state and interview.answered == 2


def test_a_refused_answer_changes_nothing(committed: tuple[Engine, str]) -> None:
    centre, attempt, now = _connected(committed[0])
    centre.interviews.begin(attempt, now)
    events = len(_kinds(centre.engine))
    turn = centre.interviews.answer(attempt, [], now)
    assert not turn.accepted and turn.message
    turn = centre.interviews.answer(attempt, "ja", now)
    assert not turn.accepted
    assert _records(centre.engine) == [] and len(_kinds(centre.engine)) == events


def test_a_correction_is_a_new_row_and_event(committed: tuple[Engine, str]) -> None:
    centre, attempt, now = _connected(committed[0])
    turn = centre.interviews.begin(attempt, now)
    centre.interviews.answer(attempt, True, now)
    centre.interviews.answer(attempt, [1], now)
    centre.desk.end(attempt, CallEnding.BREAK_OFF, now + dt.timedelta(minutes=1))
    record = centre.interviews.correct(turn.interview_id, "services", [1, 4], "supervisor:QA1",
                                       "the respondent also named the landline")
    assert record.kind is AnswerKind.CORRECTED
    assert _records(centre.engine)[-2:] == [("services", AnswerKind.GIVEN, [1]),
                                            ("services", AnswerKind.CORRECTED, [1, 4])]
    with transaction(centre.engine) as session:
        event = session.scalars(select(TraceEvent).order_by(TraceEvent.seq.desc())).first()
        assert event is not None and event.kind == "answer_corrected"
        assert (event.actor, event.data["was"], event.data["value"]) == (
            "supervisor:QA1", [1], [1, 4])
        assert verify_chain(session, centre.campaign_id).fault is None
    for question, value, reason, code in [
            ("services", [9], "typo", "answer_refused"),
            ("nps", 7, "typo", "not_answered"),
            ("services", [2], "  ", "bad_correction")]:
        with pytest.raises(DialerError) as refused:
            centre.interviews.correct(turn.interview_id, question, value, "supervisor:QA1",
                                      reason)
        assert refused.value.code == code
    assert len(_records(centre.engine)) == 3


def test_a_changed_catalog_cannot_resume_an_interview(committed: tuple[Engine, str]) -> None:
    centre, attempt, now = _connected(committed[0])
    turn = centre.interviews.begin(attempt, now)
    centre.interviews.answer(attempt, True, now)
    with transaction(centre.engine) as session:
        row = session.get(Interview, turn.interview_id)
        assert row is not None and row.catalog_sha256
        session.execute(update(Interview).values(
            state=row.state.replace(row.catalog_sha256, "0" * 64)))
    fresh = type(centre.interviews)(centre.engine)
    with pytest.raises(DialerError) as refused:
        fresh.answer(attempt, [1], now)
    assert refused.value.code == "catalog_changed"


def test_an_appointment_is_taken_in_the_respondents_time(committed: tuple[Engine, str]) -> None:
    centre, attempt, now = _connected(
        committed[0], windows=[(day, dt.time(9), dt.time(21)) for day in range(5)])
    thursday_evening = from_local(dt.datetime(2026, 11, 26, 22, 0), "Europe/Brussels")
    with pytest.raises(DialerError) as outside:
        centre.desk.end(attempt, CallEnding.APPOINTMENT, now, appointment_at=thursday_evening)
    assert outside.value.code == "appointment_outside_window"
    assert "22:00" in outside.value.message
    proposed = centre.desk.nearest_appointment(attempt, thursday_evening)
    assert proposed == from_local(dt.datetime(2026, 11, 27, 9, 0), "Europe/Brussels")
    decision = centre.desk.end(attempt, CallEnding.APPOINTMENT, now, appointment_at=proposed,
                               promise=True)
    assert decision.due_at == proposed == dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)


def test_wall_clock_times_that_do_not_exist_or_repeat_are_refused() -> None:
    assert from_local(dt.datetime(2026, 7, 1, 18, 30), "Europe/Istanbul") == \
        dt.datetime(2026, 7, 1, 15, 30, tzinfo=dt.UTC)
    with pytest.raises(WindowError) as skipped:
        from_local(dt.datetime(2026, 3, 29, 2, 30), "Europe/Brussels")
    assert skipped.value.code == "nonexistent_time"
    with pytest.raises(WindowError) as repeated:
        from_local(dt.datetime(2026, 10, 25, 2, 30), "Europe/Brussels")
    assert repeated.value.code == "ambiguous_time"
    with pytest.raises(WindowError) as aware:
        from_local(dt.datetime(2026, 7, 1, 18, 30, tzinfo=dt.UTC), "Europe/Brussels")
    assert aware.value.code == "naive_expected"


def test_a_correction_after_going_back_during_the_call(committed: tuple[Engine, str]) -> None:
    """The agent went back from a question already shown, then the call ended there: the
    interview is still read, resumed and corrected (the order of the options of the
    question left behind is no longer part of it)."""
    centre, attempt, now = _connected(committed[0])
    turn = centre.interviews.begin(attempt, now)
    centre.interviews.answer(attempt, True, now)
    shown = centre.interviews.answer(attempt, [1, 2], now)
    assert shown.prompt is not None and shown.prompt.question_id == "overall_satisfaction"
    centre.interviews.back(attempt, now)
    centre.desk.end(attempt, CallEnding.BREAK_OFF, now + dt.timedelta(minutes=1))
    record = centre.interviews.correct(turn.interview_id, "consent", True, "supervisor:QA1",
                                       "checked with the recording")
    assert record.kind is AnswerKind.CORRECTED and record.value is True
    fresh = InterviewDesk(centre.engine)  # another process, which keeps no live engine
    again = fresh.correct(turn.interview_id, "consent", True, "supervisor:QA2", "second look")
    assert again.kind is AnswerKind.CORRECTED


def test_a_correction_after_going_back_onto_another_branch(
        committed: tuple[Engine, str]) -> None:
    """Back over a question whose answer decided what followed, then on along another
    branch to the end of the call: the question shown on the first branch is no longer in
    the interview, and it can be corrected."""
    centre, attempt, now = _connected(committed[0])
    turn = centre.interviews.begin(attempt, now)
    centre.interviews.answer(attempt, True, now)
    centre.interviews.answer(attempt, [2], now)          # home internet: asked about it
    shown = centre.interviews.answer(attempt, 4, now)
    assert shown.prompt is not None and shown.prompt.question_id == "internet_reliability"
    centre.interviews.back(attempt, now)
    centre.interviews.back(attempt, now)
    centre.interviews.answer(attempt, [1], now)          # no internet this time
    skipped = centre.interviews.answer(attempt, 4, now)
    assert skipped.prompt is not None and skipped.prompt.question_id == "improvements"
    centre.desk.end(attempt, CallEnding.BREAK_OFF, now + dt.timedelta(minutes=1))
    record = centre.interviews.correct(turn.interview_id, "services", [1, 3],
                                       "supervisor:QA1", "the respondent has television too")
    assert record.value == [1, 3]
