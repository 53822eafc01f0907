"""Interview records: what an export row, a JSON line or a partner-API item is made of.

A record is one interview with what vouches for it: the questionnaire version and language it
was asked in, the agent (by pseudonymous code) and site of the call that ended it, the case's
AAPOR disposition and attempts, the answers, and the *trace digest*: the position and hash of
the last trace event of the interview's contact. The chain hash at that event covers every
event before it, so it vouches for every answer, correction and outcome exported; anyone can
check it with ``survey-engine trace verify`` and a signed checkpoint at or after it.

Answers are replayed from the answer rows, which are only ever appended: an answer given or
corrected in quality control counts, a withdrawn one (back one question) no longer does.
Contact fields appear only when the campaign lists them in ``export_contact_fields``.

Records are read in batches of interviews by id, a few queries per batch, so memory stays flat
however many interviews a campaign has. Callers read inside :func:`snapshot`, so a long export
sees one consistent state of a database that keeps changing.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Row, Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from dialer.models import (
    Agent,
    AnswerKind,
    AnswerRecord,
    Attempt,
    Campaign,
    Contact,
    ContactState,
    Interview,
    Site,
    TraceEvent,
)
from dialer.outcomes import final_disposition

#: Interviews read per batch.
BATCH = 1000


class Selection(enum.Enum):
    """Which interviews an export takes."""

    #: Interviews whose case is settled: the contact will not be called again.
    FINAL = "final"
    #: Every interview, those still in the field too (with their current disposition).
    ALL = "all"


@dataclass(frozen=True)
class InterviewRecord:
    """One interview as exported; ``answers`` in the interview engine's stored form."""

    interview_id: int
    contact_id: int
    questionnaire: str
    version: int
    language: str
    #: The pseudonymous code of the agent of the call that ended the interview (else of its
    #: last call); never more about the agent.
    agent: str | None
    site: str | None
    #: The case's AAPOR disposition code: final when ``final``, else the latest.
    disposition: str
    final: bool
    #: Calls placed to the contact.
    attempts: int
    #: The questionnaire's own outcome (complete, refusal, screened_out, quota_full), if any.
    outcome: str | None
    started_at: dt.datetime
    updated_at: dt.datetime
    trace_seq: int | None
    trace_hash: str | None
    answers: Mapping[str, Any]
    contact: Mapping[str, Any]


def case_disposition(state: ContactState, code: str | None) -> str:
    """A case's AAPOR code from its contact's state and last code.

    A contact set aside because its quota closed is settled as quota filled (4.80) unless an
    earlier call found more (an interview or a refusal outrank it, by
    :func:`dialer.outcomes.final_disposition`); a contact never called is 3.11.
    """
    codes = [code] if code else []
    if state is ContactState.QUOTA_FULL:
        codes.append("4.80")
    return final_disposition(codes)


@contextmanager
def snapshot(engine: Engine) -> Iterator[Session]:
    """A session reading one consistent state of the database, and writing nothing.

    PostgreSQL: a ``REPEATABLE READ, READ ONLY`` transaction. SQLite (write-ahead log): a
    deferred transaction, which sees the database as of its first read until it ends.
    """
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ",
                                          postgresql_readonly=True)
    with Session(engine) as session, session.begin():
        yield session


def _ended_by() -> Any:
    """The attempt an interview's agent is taken from: the one that ended it, else its last."""
    return func.coalesce(Interview.ended_attempt_id, Interview.last_attempt_id)


def interview_query(campaign_id: int, selection: Selection = Selection.FINAL
                    ) -> Select[*tuple[Any, ...]]:
    """The interviews of a campaign with what a record needs from other tables, by id."""
    attempt, agent, site = aliased(Attempt), aliased(Agent), aliased(Site)
    query: Select[*tuple[Any, ...]]
    query = (select(Interview.id, Interview.contact_id, Interview.questionnaire_slug,
                    Interview.questionnaire_version, Interview.language, Interview.outcome,
                    Interview.started_at, Interview.updated_at, Contact.state,
                    Contact.disposition, Contact.attempts, Contact.fields,
                    agent.code.label("agent"), site.code.label("site"))
             .join(Contact, Contact.id == Interview.contact_id)
             .outerjoin(attempt, attempt.id == _ended_by())
             .outerjoin(agent, agent.id == attempt.agent_id)
             .outerjoin(site, site.id == agent.site_id)
             .where(Interview.campaign_id == campaign_id))
    if selection is Selection.FINAL:
        query = query.where(Contact.state != ContactState.WAITING)
    return query


def count_interviews(session: Session, campaign_id: int,
                     selection: Selection = Selection.FINAL) -> int:
    """How many interviews :func:`iter_records` would give."""
    query = select(func.count()).select_from(Interview).join(
        Contact, Contact.id == Interview.contact_id).where(Interview.campaign_id == campaign_id)
    if selection is Selection.FINAL:
        query = query.where(Contact.state != ContactState.WAITING)
    return int(session.scalar(query) or 0)


def iter_records(session: Session, campaign: Campaign,
                 selection: Selection = Selection.FINAL, batch: int = BATCH
                 ) -> Iterator[InterviewRecord]:
    """The campaign's interviews in id order, read ``batch`` at a time."""
    after = 0
    query = interview_query(campaign.id, selection).order_by(Interview.id).limit(batch)
    while True:
        rows = session.connection().execute(query.where(Interview.id > after)).all()
        if not rows:
            return
        yield from build_records(session, campaign, rows)
        after = rows[-1].id


def build_records(session: Session, campaign: Campaign, rows: Sequence[Row[Any]]
                  ) -> list[InterviewRecord]:
    """Records for rows of :func:`interview_query`, in their order."""
    answers = effective_answers(session, [row.id for row in rows])
    digests = trace_digests(session, campaign.id, [row.contact_id for row in rows])
    allowed = list(campaign.export_contact_fields or [])
    records = []
    for row in rows:
        seq, digest = digests.get(row.contact_id, (None, None))
        fields = row.fields or {}
        records.append(InterviewRecord(
            interview_id=row.id, contact_id=row.contact_id,
            questionnaire=row.questionnaire_slug, version=row.questionnaire_version,
            language=row.language, agent=row.agent, site=row.site,
            disposition=case_disposition(row.state, row.disposition),
            final=row.state is not ContactState.WAITING, attempts=row.attempts,
            outcome=row.outcome, started_at=row.started_at, updated_at=row.updated_at,
            trace_seq=seq, trace_hash=digest, answers=answers.get(row.id, {}),
            contact={name: fields.get(name) for name in allowed}))
    return records


def effective_answers(session: Session, interview_ids: Sequence[int]
                      ) -> dict[int, dict[str, Any]]:
    """Each interview's answers now: the last given or corrected value of each question,
    unless withdrawn after it; by interview id, questions in the order first answered."""
    answers: dict[int, dict[str, Any]] = {}
    if not interview_ids:
        return answers
    # Core rows on the session's connection: the ORM's result machinery would double the time
    # of reading a million answers (docs/benchmarks.md).
    rows = session.connection().execute(
        select(AnswerRecord.interview_id, AnswerRecord.question_id, AnswerRecord.kind,
               AnswerRecord.value)
        .where(AnswerRecord.interview_id.in_(interview_ids))
        .order_by(AnswerRecord.interview_id, AnswerRecord.id))
    for interview_id, question_id, kind, value in rows:
        given = answers.setdefault(interview_id, {})
        if kind is AnswerKind.WITHDRAWN:
            given.pop(question_id, None)
        else:
            given[question_id] = value
    return answers


def trace_digests(session: Session, campaign_id: int, contact_ids: Sequence[int]
                  ) -> dict[int, tuple[int, str]]:
    """The position and hash of each contact's last trace event, by contact id."""
    if not contact_ids:
        return {}
    last = (select(TraceEvent.contact_id, func.max(TraceEvent.seq).label("seq"))
            .where(TraceEvent.campaign_id == campaign_id,
                   TraceEvent.contact_id.in_(contact_ids))
            .group_by(TraceEvent.contact_id).subquery())
    rows = session.connection().execute(
        select(TraceEvent.contact_id, TraceEvent.seq, TraceEvent.hash)
        .join(last, and_(last.c.contact_id == TraceEvent.contact_id,
                         last.c.seq == TraceEvent.seq))
        .where(TraceEvent.campaign_id == campaign_id))
    return {contact_id: (seq, digest) for contact_id, seq, digest in rows
            if contact_id is not None}
