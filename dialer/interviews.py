"""Interviews during calls: every answer stored and traced the moment it is given.

An interview belongs to a contact. It is created on the first connected call, pinned to the
campaign's questionnaire version and to the catalog of its language (the catalog's SHA-256 is
stored: a changed catalog cannot silently change what a resumed interview asks), and resumed on
a later call where it stopped (a partial).

Each answer is one transaction: the answer row (as given, with the order its options were shown
in), the interview engine's new state, and the trace events (``answer_given`` then
``question_asked`` for the next question) are committed together, so a crash loses nothing that
was submitted, and nothing half-written remains.

Answers need a connected call: the attempt must be connected, not ended, and be the contact's.
Corrections in quality control are new rows and new ``answer_corrected`` events; nothing is
overwritten.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, insert, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session, SessionTransaction

from dialer import trace
from dialer.actors import actor_of, agent_code
from dialer.campaigns import campaign_questionnaire
from dialer.db import transaction, unit_of_work, writer
from dialer.errors import DialerError
from dialer.interview_rows import contact_interview
from dialer.models import (
    AnswerKind,
    AnswerRecord,
    Attempt,
    Campaign,
    Contact,
    Interview,
    utc_now,
)
from dialer.prepared import Prepared, column_parameters
from dialer.row_writes import insert_row, write_later
from survey_engine.errors import EngineError
from survey_engine.i18n.catalog import Wording, load_wording
from survey_engine.interview.engine import Interview as Engine_
from survey_engine.interview.engine import Prompt, Step
from survey_engine.questionnaire.model import Questionnaire

logger = logging.getLogger(__name__)

#: How many live interview engines a desk keeps between answers.
LIVE_ENGINES = 2000
#: Key in ``Session.info``: interview rows this transaction has locked (and wrote last), by
#: contact id; they are read again only in a new transaction.
_HELD = "dialer.interviews.held"
#: Key in ``Session.info``: answer rows to insert when the transaction commits.
_PENDING_ANSWERS = "dialer.interviews.pending_answers"
_ANSWERS = cast(Table, AnswerRecord.__table__)


@dataclass(frozen=True)
class Turn:
    """Where an interview stands after an action: the question to ask now (None once ended),
    the outcome once ended, and the refusal message when an answer was not accepted."""

    interview_id: int
    prompt: Prompt | None
    outcome: str | None
    accepted: bool = True
    message: str | None = None


@dataclass(frozen=True)
class Script:
    """What the agent reads besides the questions, in the interview's language, with piped
    values filled in, and how far the interview is."""

    intro: str | None
    closing: str | None
    percent: int


class InterviewDesk:
    """Runs interviews for connected calls against one database.

    Questionnaires and catalogs are loaded once per campaign and language; live engines are
    kept between answers and checked against the stored state before each use, so another
    process answering the same interview is never overwritten with a stale state.
    """

    def __init__(self, engine: Engine, locales: Path | None = None) -> None:
        self.engine = writer(engine)
        #: Reading what stands (a screen shown again) takes no write lock.
        self.reader = engine
        self.locales = locales
        self._questionnaires: dict[int, Questionnaire] = {}
        self._wordings: dict[tuple[int, str], Wording] = {}
        self._live: dict[int, Engine_] = {}
        #: This database's agent codes by id, for naming actors in the trace.
        self._agent_codes: dict[int, str] = {}
        #: Dispatch groups' languages by id (a group's language never changes; a contact
        #: re-routed to another language moves to another group).
        self._group_languages: dict[int, str] = {}

    # --- starting -----------------------------------------------------------------------
    def begin(self, attempt_id: int, now: dt.datetime | None = None, *,
              session: Session | None = None) -> Turn:
        """Start the contact's interview, or resume it where it stopped.

        :raises DialerError: ``no_connected_call``; ``catalog_changed`` when the catalog of
            the interview's language differs from the one it began with; ``questionnaire``
            when the questionnaire or catalog cannot be loaded.
        """
        moment = now or utc_now()
        with unit_of_work(self.engine, session) as session:
            attempt, campaign, contact = self._connected(session, attempt_id)
            row = contact_interview(session, contact.id, lock=True)
            actor = self._actor(session, attempt)
            if row is None:
                live = self._start(campaign, contact)
                row = insert_row(session, Interview, contact_id=contact.id,
                                 campaign_id=campaign.id,
                                 questionnaire_slug=live.state.questionnaire,
                                 questionnaire_version=live.state.version,
                                 language=live.state.language,
                                 catalog_sha256=live.state.catalog_sha256,
                                 state=live.to_json(), outcome=live.outcome, answered=0,
                                 remaining=live.progress().remaining, started_at=moment,
                                 updated_at=moment, last_attempt_id=attempt.id,
                                 ended_attempt_id=attempt.id if live.outcome else None)
                kind = "interview_started"
            elif row.language != self._language(contact) and row.answered == 0:
                # Re-routed after a language problem before any answer: ask it anew in the
                # language the respondent speaks.
                live = self._start(campaign, contact)
                write_later(session, row, language=live.state.language,
                            catalog_sha256=live.state.catalog_sha256)
                self._save(session, row, live, moment, attempt.id)
                write_later(session, row, last_attempt_id=attempt.id)
                kind = "interview_restarted"
            else:
                live = self._resume(campaign, row)
                write_later(session, row, last_attempt_id=attempt.id)
                kind = "interview_resumed"
            self._keep(row.id, live)
            session.info.setdefault(_HELD, {})[contact.id] = row
            entries = [trace.Entry(kind, actor, moment, contact.id, attempt.id, row.id, {
                "questionnaire": row.questionnaire_slug,
                "version": row.questionnaire_version, "language": row.language,
                "catalog_sha256": row.catalog_sha256, "answered": row.answered})]
            asked = live.current()
            entries += self._asked(live, actor, moment, attempt, row, asked)
            trace.defer(session, campaign.id, entries)
            return Turn(row.id, asked, live.outcome)

    def _keep(self, interview_id: int, live: Engine_) -> None:
        """Remember a live engine for the next answers, forgetting the oldest beyond
        :data:`LIVE_ENGINES` (a long-running desk sees many interviews)."""
        self._live.pop(interview_id, None)
        self._live[interview_id] = live
        while len(self._live) > LIVE_ENGINES:
            self._live.pop(next(iter(self._live)))

    def questionnaire_of(self, interview_id: int) -> Questionnaire:
        """The questionnaire of an interview this desk began or answered."""
        live = self._live.get(interview_id)
        if live is None:
            raise DialerError("no_interview", f"interview {interview_id} is not running here")
        return live.questionnaire

    def reading(self, attempt_id: int) -> tuple[Turn, Script]:
        """Where the contact's interview stands on a connected call, to show it again:
        the question to ask now, the intro and closing; nothing is written.

        :raises DialerError: ``no_connected_call``, ``no_interview``.
        """
        with transaction(self.reader) as session:
            _attempt, campaign, contact = self._connected(session, attempt_id)
            row = session.scalar(select(Interview).where(Interview.contact_id == contact.id))
            if row is None:
                raise DialerError("no_interview", f"contact {contact.id} has no interview yet")
            live = self._live.get(row.id)
            if live is None or live.to_json() != row.state:
                live = self._resume(campaign, row)
                self._keep(row.id, live)
            questionnaire = live.questionnaire
            script = Script(live.intro() if questionnaire.intro else None,
                            live.closing() if questionnaire.closing else None,
                            live.progress().percent)
            return Turn(row.id, live.current(), live.outcome), script

    # --- answering ----------------------------------------------------------------------
    def answer(self, attempt_id: int, value: Any, now: dt.datetime | None = None, *,
               typed: bool = False, session: Session | None = None) -> Turn:
        """Give the current question's answer (``typed``: as text typed at a keyboard).

        A refused answer changes nothing and is not stored; the turn carries its message.

        :raises DialerError: ``no_connected_call``, ``no_interview``, ``interview_ended``.
        """
        moment = now or utc_now()
        with unit_of_work(self.engine, session) as session:
            attempt, campaign, contact = self._connected(session, attempt_id)
            row, live = self._current(session, campaign, contact)
            prompt = live.current()
            if prompt is None:
                raise DialerError("interview_ended", f"interview {row.id} has ended "
                                                     f"({live.outcome})")
            try:
                step: Step = live.answer_text(value) if typed else live.answer(value)
            except EngineError as error:
                self._live.pop(row.id, None)
                raise DialerError(error.code, error.message) from None
            if not step.accepted:
                return Turn(row.id, prompt, None, False, step.message)
            actor = self._actor(session, attempt)
            stored = live.state.answers.get(prompt.question_id)
            shown = [option.code for option in prompt.options] or None
            _store_answer(session, {"interview_id": row.id, "attempt_id": attempt.id,
                                    "question_id": prompt.question_id,
                                    "kind": AnswerKind.GIVEN, "value": stored,
                                    "shown_order": shown, "actor": actor, "at": moment})
            self._save(session, row, live, moment, attempt.id)
            entries = [trace.Entry("answer_given", actor, moment, contact.id, attempt.id,
                                   row.id, {"question": prompt.question_id, "value": stored,
                                            "shown_order": shown})]
            asked = live.current()
            entries += self._asked(live, actor, moment, attempt, row, asked)
            trace.defer(session, campaign.id, entries)
            return Turn(row.id, asked, live.outcome)

    def back(self, attempt_id: int, now: dt.datetime | None = None, *,
             session: Session | None = None) -> Turn:
        """Go back one question: its answer is withdrawn (a new row and event) and it is
        asked again.

        :raises DialerError: ``no_connected_call``, ``no_interview``, ``no_previous``.
        """
        moment = now or utc_now()
        with unit_of_work(self.engine, session) as session:
            attempt, campaign, contact = self._connected(session, attempt_id)
            row, live = self._current(session, campaign, contact)
            try:
                prompt = live.back()
            except EngineError as error:
                raise DialerError(error.code, error.message) from None
            actor = self._actor(session, attempt)
            _store_answer(session, {"interview_id": row.id, "attempt_id": attempt.id,
                                    "question_id": prompt.question_id,
                                    "kind": AnswerKind.WITHDRAWN, "actor": actor,
                                    "at": moment})
            self._save(session, row, live, moment, attempt.id)
            trace.defer(session, campaign.id, [
                trace.Entry("answer_withdrawn", actor, moment, contact.id, attempt.id, row.id,
                            {"question": prompt.question_id}),
                *self._asked(live, actor, moment, attempt, row, live.current())])
            return Turn(row.id, prompt, None)

    # --- after the call -----------------------------------------------------------------
    def correct(self, interview_id: int, question_id: str, value: Any, actor: str,
                reason: str, now: dt.datetime | None = None, *,
                typed: bool = False) -> AnswerRecord:
        """Record a quality-control correction of an answered question, as a new row and a
        new ``answer_corrected`` event with the value it replaces (the latest correction, or
        the answer given during the call, which stays). ``value`` is checked as during the
        call (don't know and refused where the question allows them; ``typed``: text typed
        at a keyboard).

        :raises DialerError: ``no_interview``, ``not_answered`` (the question was not
            answered), ``answer_refused`` (the value is not an answer the question takes),
            ``bad_correction`` (no reason or actor).
        """
        moment = now or utc_now()
        if not reason.strip() or not actor.strip():
            raise DialerError("bad_correction", "a correction needs who made it and why")
        with transaction(self.engine) as session:
            row = session.get(Interview, interview_id)
            if row is None:
                raise DialerError("no_interview", f"there is no interview {interview_id}")
            campaign = session.get(Campaign, row.campaign_id)
            assert campaign is not None
            live = self._resume(campaign, row)
            if question_id not in live.state.answers:
                raise DialerError("not_answered", f"interview {interview_id}: {question_id} "
                                                  "was not answered")
            try:
                stored = live.checked(question_id, value, typed=typed)
            except Exception as error:  # AnswerRefused carries the reason to show
                message = getattr(error, "message", str(error))
                raise DialerError("answer_refused", f"{question_id}: {message}") from None
            latest = session.scalars(select(AnswerRecord).where(
                AnswerRecord.interview_id == row.id, AnswerRecord.question_id == question_id,
                AnswerRecord.kind == AnswerKind.CORRECTED).order_by(AnswerRecord.id.desc())
            ).first()
            was = latest.value if latest is not None else live.state.answers[question_id]
            record = AnswerRecord(interview_id=row.id, question_id=question_id,
                                  kind=AnswerKind.CORRECTED, value=stored, actor=actor,
                                  at=moment)
            session.add(record)
            trace.defer(session, campaign.id, [trace.Entry(
                "answer_corrected", actor, moment, row.contact_id, None, row.id,
                {"question": question_id, "value": stored, "was": was, "reason": reason})])
            return record

    # --- internals ----------------------------------------------------------------------
    def _connected(self, session: Session, attempt_id: int
                   ) -> tuple[Attempt, Campaign, Contact]:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None or attempt.connected_at is None or attempt.ended_at is not None:
            raise DialerError("no_connected_call", f"attempt {attempt_id} has no connected "
                                                   "call: answers need one")
        campaign = session.get(Campaign, attempt.campaign_id)
        contact = session.get(Contact, attempt.contact_id)
        assert campaign is not None and contact is not None
        return attempt, campaign, contact

    def _current(self, session: Session, campaign: Campaign, contact: Contact
                 ) -> tuple[Interview, Engine_]:
        """The contact's interview row, locked for this transaction, and its live engine
        (resumed from the stored state unless the one kept here still matches it)."""
        held: dict[int, Interview] = session.info.setdefault(_HELD, {})
        row = held.get(contact.id)
        if row is not None and row.id not in self._live:  # dropped after an engine error
            self._live[row.id] = self._resume(campaign, row)
        if row is None:
            row = contact_interview(session, contact.id, lock=True)
            if row is None:
                raise DialerError("no_interview", f"contact {contact.id} has no interview yet")
            held[contact.id] = row
            live = self._live.get(row.id)
            if live is None or live.to_json() != row.state:
                live = self._resume(campaign, row)
                self._live[row.id] = live
        return row, self._live[row.id]

    def _start(self, campaign: Campaign, contact: Contact) -> Engine_:
        questionnaire = self._questionnaire(campaign)
        wording = self._wording(campaign, questionnaire, self._language(contact))
        try:
            return Engine_.start(questionnaire, wording, _contact_fields(contact.fields),
                                 seed=f"{campaign.code}/{contact.id}")
        except EngineError as error:
            raise DialerError(error.code, error.message) from None

    def _language(self, contact: Contact) -> str:
        """The contact's interview language (its group's), its group read once."""
        language = self._group_languages.get(contact.group_id)
        if language is None:
            language = self._group_languages[contact.group_id] = contact.language
        return language

    def _resume(self, campaign: Campaign, row: Interview) -> Engine_:
        questionnaire = self._questionnaire(campaign)
        wording = self._wording(campaign, questionnaire, row.language)
        try:
            return Engine_.resume(questionnaire, wording, row.state)
        except EngineError as error:
            raise DialerError(error.code, f"interview {row.id}: {error.message}") from None

    def _questionnaire(self, campaign: Campaign) -> Questionnaire:
        if campaign.id not in self._questionnaires:
            self._questionnaires[campaign.id] = campaign_questionnaire(campaign)
        return self._questionnaires[campaign.id]

    def _wording(self, campaign: Campaign, questionnaire: Questionnaire, language: str
                 ) -> Wording:
        key = (campaign.id, language)
        if key not in self._wordings:
            try:
                self._wordings[key] = load_wording(questionnaire, language, self.locales)
            except EngineError as error:
                raise DialerError("questionnaire", error.message) from None
        return self._wordings[key]

    def _save(self, session: Session, row: Interview, live: Engine_, moment: dt.datetime,
              attempt_id: int) -> None:
        """Store the engine's state in the row; an outcome reached now is this call's.

        Written once per transaction (:func:`~dialer.row_writes.write_later`), not at every
        answer: a simulated interview gives a dozen answers in one transaction, and the
        answers themselves are rows of their own, written at the commit."""
        ended_attempt_id = row.ended_attempt_id
        if live.outcome is None:
            ended_attempt_id = None
        elif row.outcome is None or row.ended_attempt_id is None:
            ended_attempt_id = attempt_id
        progress = live.progress()
        write_later(session, row, state=live.to_json(), outcome=live.outcome,
                    answered=progress.answered, remaining=progress.remaining,
                    updated_at=moment, ended_attempt_id=ended_attempt_id)

    def _asked(self, live: Engine_, actor: str, moment: dt.datetime, attempt: Attempt,
               row: Interview, prompt: Prompt | None) -> list[trace.Entry]:
        """The event of what is asked now: ``prompt`` (``live.current()``), or the end."""
        if prompt is None:
            return [trace.Entry("interview_ended", actor, moment, attempt.contact_id,
                                attempt.id, row.id, {"outcome": live.outcome})]
        return [trace.Entry("question_asked", actor, moment, attempt.contact_id, attempt.id,
                            row.id, {"question": prompt.question_id, "number": prompt.number,
                                     "shown_order": [o.code for o in prompt.options] or None})]

    def _actor(self, session: Session, attempt: Attempt) -> str:
        return actor_of(agent_code(session, attempt.agent_id, self._agent_codes))


@sqlalchemy_event.listens_for(Session, "after_commit")
@sqlalchemy_event.listens_for(Session, "after_rollback")
def _forget_held(session: Session) -> None:
    session.info.pop(_HELD, None)


def _store_answer(session: Session, values: dict[str, Any]) -> None:
    """Insert an answer row when the transaction commits, with the answers before it, in
    order (one statement for a run of them: the simulator gives many calls' in one
    transaction). An answer given in its own transaction, as on a live call, is committed
    before :meth:`InterviewDesk.answer` returns. A withdrawal has no value and no shown order
    (SQL NULL, where a given answer's None is JSON null)."""
    pending: list[dict[str, Any]] = session.info.setdefault(_PENDING_ANSWERS, [])
    pending.append(values)
    if session.in_nested_transaction():  # a savepoint may roll back: write them now
        _write_answers(session)


@sqlalchemy_event.listens_for(Session, "before_commit")
def _write_answers(session: Session) -> None:
    pending: list[dict[str, Any]] | None = session.info.pop(_PENDING_ANSWERS, None)
    if not pending:
        return
    connection = session.connection()
    for columns, rows in itertools.groupby(pending, key=tuple):
        _insert_answers(columns).execute(connection, list(rows))


@functools.cache
def _insert_answers(columns: tuple[str, ...]) -> Prepared:
    """The INSERT of answer rows that give ``columns`` (the others are NULL), prepared once
    for each set: a given answer names them all, a withdrawal neither value nor shown order."""
    return Prepared(insert(_ANSWERS).values(column_parameters(_ANSWERS, columns)))


@sqlalchemy_event.listens_for(Session, "after_transaction_end")
def _drop_answers(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the transaction itself ended, not a savepoint in it
        session.info.pop(_PENDING_ANSWERS, None)


def _contact_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    return dict(fields)
