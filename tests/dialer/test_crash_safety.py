"""Killing the process in the middle of an interview loses no submitted answer, and the trace
still verifies (DESIGN: "An answer the agent submitted is lost, whatever crashes").

The call is claimed, opened and answered in the test process; an interviewing process
(:mod:`tests.dialer.interview_worker`) begins the interview in live mode and answers question
after question, saying ``ACK`` after each answer has committed. After a few ACKs the test
kills it with SIGKILL: inside the next answer's transaction once it has written everything,
as it sends the next answer, or a random moment after the ACK (in its pause or in the next
answer's call). Three processes are killed so, one after the other, each resuming the
interview where the last one stopped; the test process then resumes it and takes it to its
end. After each kill, exactly what was submitted is stored, nothing half-written is, and the
chain verifies.

The precise invariant after a kill: the interview's stored state (its ``history`` and
``answers``), its ``answered`` count, the ``answer_given`` rows and the ``answer_given`` trace
events are the same list of answers, in the same order. Of the answers given by the killed
process, all those it acknowledged are in that list, followed by at most one more: an answer
whose transaction committed just before the kill, before its ACK could be printed. An answer
whose transaction was cut off left nothing at all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from dialer.db import transaction
from dialer.interviews import InterviewDesk, Turn
from dialer.models import AnswerKind, AnswerRecord, Interview, TraceEvent
from dialer.outcomes import CallEnding
from dialer.trace import verify_chain
from survey_engine.questionnaire.model import Questionnaire
from tests.conftest import REPO
from tests.dialer.callflow import ALL_ANSWER, TUESDAY_NOON, Centre, build
from tests.dialer.interview_worker import going_on_answer

NUMBER = "+32470123456"
ROUNDS = 3
#: Where the processes of a round are killed, one after the other, each resuming where the last
#: one stopped: inside an answer's transaction once it has written everything (the worker
#: holds it open before committing), as it is sending an answer, and a random moment after an
#: acknowledgement (in its pause, or in the next answer's call).
KILLS = ("written", "sending", "anywhere")
#: How long the first worker holds each answer's transaction open before committing.
HOLD_SECONDS = 0.5
#: How long to wait for a worker's next line before giving up on it (not an assertion on time).
LINE_TIMEOUT = 120


@dataclass
class Worker:
    """A running interview worker and the lines it printed, read as they come."""

    process: subprocess.Popen[str]
    errors: Path
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def next_line(self) -> str | None:
        """The next line printed, or None once the worker's output has ended."""
        try:
            line = self.lines.get(timeout=LINE_TIMEOUT)
        except queue.Empty:
            pytest.fail(f"the worker printed nothing for {LINE_TIMEOUT} s; stderr: "
                        f"{self.stderr()}")
        if line is not None:
            self.seen.append(line)
        return line

    def until_acks(self, wanted: int) -> None:
        """Read until ``wanted`` answers were acknowledged (or the interview ended)."""
        while sum(line.startswith("ACK ") for line in self.seen) < wanted:
            line = self.next_line()
            assert line is not None, f"the worker stopped early: {self.seen}; {self.stderr()}"
            if line.startswith("END "):
                return

    def until(self, word: str) -> None:
        """Read until the worker prints a line starting with ``word`` (or the interview
        ended)."""
        while not self.seen[-1].startswith((f"{word} ", "END ")):
            line = self.next_line()
            assert line is not None, f"the worker stopped early: {self.seen}; {self.stderr()}"

    def kill(self) -> None:
        """SIGKILL now (unless it ended already), then read what it printed before dying."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=LINE_TIMEOUT)
        while self.next_line() is not None:
            pass

    def acked(self) -> list[str]:
        return [line.split()[1] for line in self.seen if line.startswith("ACK ")]

    def in_flight(self) -> str | None:
        """The question whose answer was being given, unacknowledged, when the worker died."""
        answering = [line.split()[1] for line in self.seen if line.startswith("SENDING ")]
        return answering[-1] if len(answering) > len(self.acked()) else None

    def stderr(self) -> str:
        return self.errors.read_text(encoding="utf-8")[-3000:] if self.errors.exists() else ""


def _start(url: str, attempt_id: int, moment: dt.datetime, seed: str, errors: Path,
           hold: float | None = None) -> Worker:
    command = [sys.executable, "-m", "tests.dialer.interview_worker", url, str(attempt_id),
               moment.isoformat(), seed, *([] if hold is None else [str(hold)])]
    with errors.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=stderr,
                                   text=True)
    return Worker(process, errors)


@dataclass(frozen=True)
class Stored:
    """What the database holds of one interview."""

    interview_id: int
    history: list[str]
    answers: dict[str, Any]
    current: str | None
    outcome: str | None
    answered: int
    given: list[tuple[str, Any]]
    other_rows: list[AnswerKind]
    #: (kind, question) of the interview's trace events, in chain order.
    events: list[tuple[str, str | None]]
    given_events: list[tuple[str, Any]]


def _stored(engine: Engine, contact_id: int) -> Stored:
    with transaction(engine) as session:
        row = session.scalars(select(Interview).where(Interview.contact_id == contact_id)).one()
        state = json.loads(row.state)
        rows = list(session.scalars(select(AnswerRecord).where(
            AnswerRecord.interview_id == row.id).order_by(AnswerRecord.id)))
        events = list(session.scalars(select(TraceEvent).where(
            TraceEvent.interview_id == row.id).order_by(TraceEvent.seq)))
        return Stored(
            row.id, state["history"], state["answers"], state["current"], row.outcome,
            row.answered,
            [(r.question_id, r.value) for r in rows if r.kind is AnswerKind.GIVEN],
            [r.kind for r in rows if r.kind is not AnswerKind.GIVEN],
            [(event.kind, (event.data or {}).get("question")) for event in events],
            [(event.data["question"], event.data["value"]) for event in events
             if event.kind == "answer_given"])


def _check_consistent(engine: Engine, campaign_id: int, contact_id: int) -> Stored:
    """Everything stored of the interview agrees, with nothing half-written; the chain
    verifies."""
    stored = _stored(engine, contact_id)
    assert stored.other_rows == []
    assert [question for question, _ in stored.given] == stored.history, \
        "every answer row is an answer of the stored state, in order, and the reverse"
    assert dict(stored.given) == stored.answers
    assert stored.answered == len(stored.given)
    assert stored.given_events == stored.given, "one answer_given event per answer row"
    kinds = [kind for kind, _ in stored.events]
    for position, kind in enumerate(kinds):
        if kind == "answer_given":  # written with the next question, in the same transaction
            assert kinds[position + 1:position + 2] in (["question_asked"],
                                                        ["interview_ended"]), kinds
    asked = [question for kind, question in stored.events if kind == "question_asked"]
    if stored.outcome is None:
        assert stored.current is not None and asked[-1] == stored.current
        assert stored.current not in stored.history
    with transaction(engine) as session:
        report = verify_chain(session, campaign_id)
    assert report.fault is None, str(report.fault)
    assert report.events >= len(stored.events)
    return stored


def _check_after_kill(before: Stored, after: Stored, worker: Worker) -> None:
    """No acknowledged answer is lost; at most one answer the killed worker had not
    acknowledged yet was stored: the one it was sending (its commit came just before the
    kill)."""
    kept = [question for question, _ in after.given]
    assert kept[:len(before.given)] == [question for question, _ in before.given], \
        "answers stored before the worker started are all still there"
    new, acked = kept[len(before.given):], worker.acked()
    assert new[:len(acked)] == acked, (new, worker.seen)
    assert new[len(acked):] in ([], [worker.in_flight()]), (new, worker.seen)


def _resumes_where_it_stopped(centre: Centre, attempt_id: int, stored: Stored,
                              moment: dt.datetime
                              ) -> tuple[InterviewDesk, Questionnaire, Turn]:
    """A new desk resumes at the question after the last stored answer."""
    desk = InterviewDesk(centre.engine)
    turn = desk.begin(attempt_id, moment)
    questionnaire = desk.questionnaire_of(turn.interview_id)
    assert turn.interview_id == stored.interview_id
    if stored.outcome is not None:
        assert turn.prompt is None and turn.outcome == stored.outcome
        return desk, questionnaire, turn
    assert turn.prompt is not None and turn.prompt.question_id == stored.current
    assert turn.prompt.number == len(stored.history) + 1
    if stored.history:
        assert questionnaire.position(stored.current) > \
            questionnaire.position(stored.history[-1])
    return desk, questionnaire, turn


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_killed_interviewer_loses_no_submitted_answer(committed: tuple[Engine, str],
                                                        tmp_path: Path, round_: int) -> None:
    engine, url = committed
    draw = random.Random(f"crash-safety/{round_}")
    centre = build(engine, agents={"NL1": ["nl"]}, contacts=[(NUMBER, "nl")], rates=ALL_ANSWER)
    case = centre.claim("NL1")
    result = centre.desk.dial(case.attempt_id, TUESDAY_NOON)
    assert result.answered and result.answered_at is not None
    moment = result.answered_at
    before = _stored_or_none(engine, case.contact_id)

    for kill in KILLS:
        worker = _start(url, case.attempt_id, moment, f"{round_}/{kill}",
                        tmp_path / f"worker-{kill}.err",
                        hold=HOLD_SECONDS if kill == "written" else None)
        try:
            worker.until_acks(draw.randint(1, 2))
            if kill == "written":
                worker.until("WRITTEN")
            elif kill == "sending":
                worker.until("SENDING")
                time.sleep(draw.uniform(0, 0.01))
            else:
                time.sleep(draw.uniform(0, 0.08))
            worker.kill()
        finally:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait(timeout=LINE_TIMEOUT)
        ended = any(line.startswith("END ") for line in worker.seen)
        assert worker.process.returncode == (0 if ended else -signal.SIGKILL), worker.stderr()
        assert worker.seen[0].startswith("BEGUN ") and worker.acked(), worker.seen
        after = _check_consistent(engine, centre.campaign_id, case.contact_id)
        _check_after_kill(before, after, worker)
        moment += dt.timedelta(minutes=5)
        _resumes_where_it_stopped(centre, case.attempt_id, after, moment)
        before = after

    moment += dt.timedelta(minutes=5)
    desk, questionnaire, turn = _resumes_where_it_stopped(centre, case.attempt_id, before,
                                                          moment)
    finished_by_us = []
    while turn.prompt is not None:
        moment += dt.timedelta(seconds=20)
        question = turn.prompt.question_id
        turn = desk.answer(case.attempt_id, going_on_answer(questionnaire, turn.prompt, draw,
                                                            moment.date()), moment)
        if turn.accepted:
            finished_by_us.append(question)
    assert turn.outcome == "complete"
    final = _check_consistent(engine, centre.campaign_id, case.contact_id)
    assert [question for question, _ in final.given] == \
        [question for question, _ in before.given] + finished_by_us
    decision = centre.desk.end(case.attempt_id, CallEnding.COMPLETE,
                               moment + dt.timedelta(seconds=10))
    assert (decision.code, decision.final) == ("1.1", True)
    with transaction(engine) as session:
        report = verify_chain(session, centre.campaign_id)
    assert report.fault is None, str(report.fault)


def _stored_or_none(engine: Engine, contact_id: int) -> Stored:
    """Before the first worker: no interview yet, so nothing stored."""
    with transaction(engine) as session:
        assert session.scalars(select(Interview)).first() is None
    return Stored(0, [], {}, None, None, 0, [], [], [], [])
