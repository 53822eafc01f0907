"""An interviewing process for the crash-safety tests.

``python -m tests.dialer.interview_worker URL ATTEMPT_ID START SEED`` begins the interview of a
connected attempt, or resumes it where it stopped, with an interview desk of its own in live
mode (no session given: every answer is its own transaction), then answers question after
question with simulated answers drawn from ``Random(SEED)``, the first at the instant START
and each 20 seconds after the one before. It prints ``BEGUN <question_id>`` once begun,
``SENDING <question_id>`` just before each answer call, and ``ACK <question_id>`` as soon as
the call has returned, that is after its transaction committed, then pauses a moment (an
agent types the next answer), until the interview ends (``END <outcome>``). The tests kill it
with SIGKILL somewhere along the way.

With a fifth argument HOLD (seconds), each answer's transaction, once everything it writes
has been written (answer row, interview state, trace events) and just before it commits,
prints ``WRITTEN <question_id>`` and waits HOLD seconds: a kill then lands inside the
transaction.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from dialer.db import make_engine
from dialer.interviews import InterviewDesk
from dialer.simulation.answers import simulated_answer
from survey_engine.expressions.ast import MISSING
from survey_engine.interview.engine import Prompt
from survey_engine.questionnaire.model import Questionnaire

#: Between two answers: long enough for a kill to land between transactions as well as in one.
PAUSE_SECONDS = 0.05
STEP = dt.timedelta(seconds=20)
#: Draws before an answer that would end the interview on its own is given anyway.
TRIES = 50


def going_on_answer(questionnaire: Questionnaire, prompt: Prompt, rng: random.Random,
                    today: dt.date) -> Any:
    """A simulated answer to ``prompt`` that does not end the interview by itself (a consent
    refused), so that a killed interview always has questions left to resume."""
    question = questionnaire.question(prompt.question_id)
    for _ in range(TRIES):
        value = simulated_answer(questionnaire, prompt, rng, today=today)
        if question.end_if is None or not question.end_if.holds(
                {question.id: _as_value(value)}, {}):
            return value
    return value


def _as_value(answer: Any) -> Any:
    """A drawn answer as expressions see it: choices by their codes."""
    if isinstance(answer, list):
        return frozenset(_as_value(item) for item in answer)
    if isinstance(answer, dict):
        return answer.get("code", MISSING)
    return answer


class Holder:
    """Holds each answer's transaction open once it has written everything (see module)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.question: str | None = None
        # Registered after the listeners of dialer.trace and dialer.interviews, so it runs
        # after the trace appends and the answer rows are inserted.
        event.listen(Session, "before_commit", self.before_commit)

    def before_commit(self, session: Session) -> None:
        if self.question is None:
            return
        session.flush()
        print("WRITTEN", self.question, flush=True)
        time.sleep(self.seconds)


def main(arguments: list[str]) -> None:
    url, attempt_text, start_text, seed, *hold = arguments
    holder = Holder(float(hold[0])) if hold else None
    attempt_id = int(attempt_text)
    moment = dt.datetime.fromisoformat(start_text)
    rng = random.Random(seed)
    desk = InterviewDesk(make_engine(url))
    turn = desk.begin(attempt_id, moment)
    questionnaire = desk.questionnaire_of(turn.interview_id)
    print("BEGUN", turn.prompt.question_id if turn.prompt else "-", flush=True)
    while turn.prompt is not None:
        moment += STEP
        question = turn.prompt.question_id
        value = going_on_answer(questionnaire, turn.prompt, rng, moment.date())
        print("SENDING", question, flush=True)
        if holder is not None:
            holder.question = question
        turn = desk.answer(attempt_id, value, moment)
        if holder is not None:
            holder.question = None
        if turn.accepted:
            print("ACK", question, flush=True)
        else:
            print("REFUSED", question, turn.message, flush=True)
        time.sleep(PAUSE_SECONDS)
    print("END", turn.outcome, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
