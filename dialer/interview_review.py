"""Quality review of interviews after the call: a site's interviews, and one interview with
its answers (as given, withdrawn, corrected) and the whole trace of its contact, each event
checked where it stands in the campaign's chain. Nothing here writes; a correction is
:meth:`dialer.interviews.InterviewDesk.correct`.

An interview is a site's when one of its calls was made by an agent of the site (an
interview resumed by an agent of another site is both sites' to review). Never a full number:
contacts are shown by their masked number, and any number in an event's data is masked
before it leaves this module.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, exists, func, select
from sqlalchemy.orm import Session

from dialer.campaigns import campaign_questionnaire
from dialer.db import transaction
from dialer.errors import DialerError, NotFound
from dialer.models import (
    Agent,
    AnswerKind,
    AnswerRecord,
    Attempt,
    Campaign,
    Contact,
    Interview,
    TraceEvent,
)
from dialer.phones import mask_phone
from dialer.trace import Fault, verify_chain, verify_events
from survey_engine.errors import EngineError
from survey_engine.i18n.catalog import load_wording
from survey_engine.interview.engine import Interview as Engine_
from survey_engine.interview.engine import Prompt
from survey_engine.questionnaire.contact import MASK
from survey_engine.questionnaire.model import Questionnaire

#: Interviews per page of the list.
PAGE = 50
_NUMBER = re.compile(r"\+[1-9](?:[ ./-]?[0-9]){6,14}")


@dataclass(frozen=True)
class InterviewLine:
    """An interview in the list."""

    id: int
    campaign_code: str
    language: str
    masked_number: str
    outcome: str | None
    answered: int
    started_at: dt.datetime
    updated_at: dt.datetime
    agents: tuple[str, ...]
    corrections: int


@dataclass(frozen=True)
class AnswerLine:
    """One answer row: given, withdrawn or corrected, by whom and when."""

    kind: AnswerKind
    value: Any
    actor: str
    at: dt.datetime
    attempt_id: int | None


@dataclass(frozen=True)
class QuestionReview:
    """A question of the interview's path, as the respondent was asked it, with every answer
    row for it; ``value`` is what stands (the latest correction, else the answer given)."""

    prompt: Prompt
    answered: bool
    value: Any
    rows: tuple[AnswerLine, ...]


@dataclass(frozen=True)
class TraceLine:
    """An event of the contact's trace, and what checking it where it stands found."""

    seq: int
    at: dt.datetime
    kind: str
    actor: str
    attempt_id: int | None
    data: dict[str, Any]
    fault: Fault | None


@dataclass(frozen=True)
class InterviewReview:
    """An interview for quality review."""

    line: InterviewLine
    campaign_id: int
    questions: tuple[QuestionReview, ...]
    #: Answer rows of questions no longer on the path (withdrawn on another branch).
    off_path: tuple[tuple[str, AnswerLine], ...]
    trace: tuple[TraceLine, ...]
    #: The whole campaign chain, when asked for (None otherwise).
    chain_fault: Fault | None = None
    chain_checked: bool = False

    @property
    def intact(self) -> bool:
        """Every event of the contact is intact where it stands."""
        return all(line.fault is None for line in self.trace)


def interview_sites(session: Session, interview_id: int) -> set[int] | None:
    """The sites whose agents made the interview's calls; None when it does not exist."""
    contact_id = session.scalar(select(Interview.contact_id).where(
        Interview.id == interview_id))
    if contact_id is None:
        return None
    return set(session.scalars(select(Agent.site_id).join(Attempt, Attempt.agent_id == Agent.id)
                               .where(Attempt.contact_id == contact_id).distinct()))


def site_interviews(session: Session, site_id: int | None, page: int = 0
                    ) -> list[InterviewLine]:
    """The interviews of a site (every site's with None), latest activity first, one page
    of :data:`PAGE`."""
    query = select(Interview).order_by(Interview.updated_at.desc(), Interview.id.desc()) \
        .limit(PAGE).offset(max(page, 0) * PAGE)
    if site_id is not None:
        query = query.where(exists().where(
            Attempt.contact_id == Interview.contact_id, Attempt.agent_id == Agent.id,
            Agent.site_id == site_id))
    return [_line(session, row) for row in session.scalars(query)]


def _line(session: Session, row: Interview) -> InterviewLine:
    campaign, masked = session.execute(
        select(Campaign.code, Contact.masked_number).join(Contact, Contact.campaign_id ==
                                                          Campaign.id)
        .where(Contact.id == row.contact_id)).one()
    agents = tuple(session.scalars(
        select(Agent.code).join(Attempt, Attempt.agent_id == Agent.id)
        .where(Attempt.contact_id == row.contact_id).group_by(Agent.code)
        .order_by(func.min(Attempt.id))))
    corrections = session.scalar(select(func.count()).where(
        AnswerRecord.interview_id == row.id, AnswerRecord.kind == AnswerKind.CORRECTED)) or 0
    return InterviewLine(row.id, campaign, row.language, masked, row.outcome, row.answered,
                         row.started_at, row.updated_at, agents, corrections)


class Reviews:
    """Reads interviews for review from one database, its questionnaires loaded once."""

    def __init__(self, engine: Engine, locales: Path | None = None) -> None:
        self.engine = engine
        self.locales = locales
        self._questionnaires: dict[int, Questionnaire] = {}

    def review(self, interview_id: int, *, whole_chain: bool = False) -> InterviewReview:
        """The interview with its questions, answer rows and trace.

        :param whole_chain: also verify the campaign's whole chain (reads every event).
        :raises NotFound: ``no_interview``.
        :raises DialerError: ``questionnaire`` or the engine's code when the interview cannot
            be read back.
        """
        with transaction(self.engine) as session:
            row, live = self._interview(session, interview_id)
            rows = list(session.scalars(select(AnswerRecord).where(
                AnswerRecord.interview_id == row.id).order_by(AnswerRecord.id)))
            questions, off_path = _questions(live, rows)
            trace = _trace(session, row.campaign_id, row.contact_id)
            fault = verify_chain(session, row.campaign_id).fault if whole_chain else None
            return InterviewReview(_line(session, row), row.campaign_id, questions, off_path,
                                   trace, fault, whole_chain)

    def prompt(self, interview_id: int, question_id: str) -> tuple[Prompt, str]:
        """A question of the interview as the respondent was asked it (for a correction
        form), and the interview's language.

        :raises NotFound: ``no_interview``; ``not_asked`` for a question not on its path.
        """
        with transaction(self.engine) as session:
            _row, live = self._interview(session, interview_id)
        try:
            return live.prompt_of(question_id), live.state.language
        except EngineError as error:
            raise NotFound(error.code, error.message) from None

    def _interview(self, session: Session, interview_id: int) -> tuple[Interview, Engine_]:
        """The interview's row and its engine, resumed from the stored state."""
        row = session.get(Interview, interview_id)
        if row is None:
            raise NotFound("no_interview", f"there is no interview {interview_id}")
        campaign = session.get(Campaign, row.campaign_id)
        assert campaign is not None
        return row, self._engine(campaign, row)

    def _engine(self, campaign: Campaign, row: Interview) -> Engine_:
        if campaign.id not in self._questionnaires:
            self._questionnaires[campaign.id] = campaign_questionnaire(campaign)
        questionnaire = self._questionnaires[campaign.id]
        try:
            wording = load_wording(questionnaire, row.language, self.locales)
            return Engine_.resume(questionnaire, wording, row.state)
        except EngineError as error:
            raise DialerError(error.code, f"interview {row.id}: {error.message}") from None


def _questions(live: Engine_, rows: list[AnswerRecord]
               ) -> tuple[tuple[QuestionReview, ...], tuple[tuple[str, AnswerLine], ...]]:
    by_question: dict[str, list[AnswerLine]] = {}
    for record in rows:
        by_question.setdefault(record.question_id, []).append(AnswerLine(
            record.kind, record.value, record.actor, record.at, record.attempt_id))
    answers = live.answers
    questions = []
    for question_id in live.path:
        lines = tuple(by_question.pop(question_id, []))
        corrected = [line for line in lines if line.kind is AnswerKind.CORRECTED]
        value = corrected[-1].value if corrected else answers.get(question_id)
        questions.append(QuestionReview(live.prompt_of(question_id), question_id in answers,
                                        value, lines))
    off_path = tuple((question_id, line) for question_id, lines in by_question.items()
                     for line in lines)
    return tuple(questions), off_path


def _trace(session: Session, campaign_id: int, contact_id: int) -> tuple[TraceLine, ...]:
    events = list(session.execute(
        select(TraceEvent.seq, TraceEvent.at, TraceEvent.kind, TraceEvent.actor,
               TraceEvent.attempt_id, TraceEvent.data)
        .where(TraceEvent.campaign_id == campaign_id, TraceEvent.contact_id == contact_id)
        .order_by(TraceEvent.seq)))
    faults = verify_events(session, campaign_id, [event.seq for event in events])
    return tuple(TraceLine(event.seq, event.at, event.kind, event.actor, event.attempt_id,
                           _masked(event.data or {}), faults[event.seq]) for event in events)


#: Keys of event data holding what people said or typed (answers, reasons): a number may be
#: dictated in them, in any form.
_SPOKEN = frozenset({"value", "was", "reason"})


def _masked(value: Any, spoken: bool = False) -> Any:
    """``value`` with the numbers in its texts masked: those in international form anywhere
    (the dialer writes none into the trace; this keeps a mistake elsewhere from showing
    one), any long run of digits in answers and reasons too (hashes keep their digits)."""
    if isinstance(value, str):
        return mask_numbers(value) if spoken else \
            _NUMBER.sub(lambda found: _mask(found.group(0)), value)
    if isinstance(value, dict):
        return {key: _masked(item, spoken or key in _SPOKEN) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, spoken) for item in value]
    return value


def mask_numbers(text: str) -> str:
    """``text`` (an answer as it reads: a respondent may dictate a number, a read-back value
    may be one) with numbers masked: those in international form, and any run of eight
    digits or more, written with spaces, dots, dashes or slashes or not."""
    text = _NUMBER.sub(lambda found: _mask(found.group(0)), text)
    return _DIGIT_RUN.sub(lambda found: _mask_run(found.group(0)), text)


_DIGIT_RUN = re.compile(r"\d(?:[ ./-]?\d){7,}")


def _mask(number: str) -> str:
    try:
        return mask_phone(number)
    except ValueError:
        return _mask_run(number)


def _mask_run(run: str) -> str:
    """Digits but the first and the last two masked, separators kept."""
    digits = sum(character.isdigit() for character in run)
    seen, kept = 0, []
    for character in run:
        if character.isdigit():
            seen += 1
            kept.append(character if seen == 1 or seen > digits - 2 else MASK)
        else:
            kept.append(character)
    return "".join(kept)
