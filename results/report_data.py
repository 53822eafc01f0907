"""What the client's report shows, gathered in one pass over the campaign's cases and one over
its settled interviews (memory stays flat): completes per day and language, the outcome
distribution, each question's answers (NPS with its promoters, passives and detractors), and
each agent's productivity."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialer.models import Agent, Attempt, Campaign, Site
from dialer.outcomes import RateGroup, disposition
from results.cases import iter_cases
from results.rates import GroupCounts, Rate, outcome_rates
from results.records import iter_records
from survey_engine.questionnaire.model import Question, Questionnaire

#: NPS bands: detractors score 0-6, passives 7-8, promoters 9-10.
DETRACTORS, PASSIVES = range(0, 7), range(7, 9)


@dataclass
class QuestionSummary:
    """One question's answers: counts per code (options, 1 yes / 2 no, NPS scores), or the
    numbers given; specials by name; how many answered."""

    question: Question
    answered: int = 0
    codes: Counter[int] = field(default_factory=Counter)
    specials: Counter[str] = field(default_factory=Counter)
    #: For number questions: how many numbers, their sum, the least and the greatest.
    count: int = 0
    total: Decimal = Decimal(0)
    low: Decimal | None = None
    high: Decimal | None = None

    def add(self, stored: Any) -> None:
        self.answered += 1
        if isinstance(stored, Mapping) and set(stored) == {"special"}:
            self.specials[str(stored["special"])] += 1
            return
        kind = self.question.type_name
        if kind in ("single_choice", "scale"):
            self.codes[int(stored["code"]) if isinstance(stored, Mapping) else int(stored)] += 1
        elif kind == "multi_choice":
            for item in stored:
                self.codes[int(item["code"]) if isinstance(item, Mapping) else int(item)] += 1
        elif kind == "yes_no":
            self.codes[1 if stored is True else 2] += 1
        elif kind == "verify":
            self.codes[2 if "corrected" in stored else 1] += 1
        elif kind == "nps":
            self.codes[int(stored)] += 1
        elif kind == "number":
            number = Decimal(stored)
            self.count += 1
            self.total += number
            self.low = number if self.low is None else min(self.low, number)
            self.high = number if self.high is None else max(self.high, number)

    @property
    def nps(self) -> tuple[int, int, int, Rate] | None:
        """Detractors, passives, promoters and the NPS (promoters minus detractors, as a share
        of the scores given), for an NPS question."""
        if self.question.type_name != "nps":
            return None
        detractors = sum(self.codes[score] for score in DETRACTORS)
        passives = sum(self.codes[score] for score in PASSIVES)
        promoters = self.codes[9] + self.codes[10]
        scored = detractors + passives + promoters
        score = None if scored == 0 else Fraction(promoters - detractors, scored)
        return detractors, passives, promoters, score

    def number_stats(self) -> dict[str, Decimal] | None:
        """Mean, least and greatest of the numbers given, for a number question."""
        if self.count == 0 or self.low is None or self.high is None:
            return None
        mean = (self.total / self.count).quantize(Decimal("0.01"))
        return {"mean": mean, "min": self.low, "max": self.high}


@dataclass(frozen=True)
class AgentRow:
    """One agent's work on the campaign."""

    agent: str
    site: str
    attempts: int
    connected: int
    completes: int
    talk_hours: float

    @property
    def completes_per_hour(self) -> float | None:
        return None if self.talk_hours == 0 else self.completes / self.talk_hours


@dataclass
class ReportData:
    """Everything the report shows."""

    cases: int = 0
    completes_by_day: Counter[dt.date] = field(default_factory=Counter)
    completes_by_language: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    groups: Counter[RateGroup] = field(default_factory=Counter)
    rates: dict[str, Rate] = field(default_factory=dict)
    interviews: int = 0
    questions: list[QuestionSummary] = field(default_factory=list)
    agents: list[AgentRow] = field(default_factory=list)


def gather(session: Session, campaign: Campaign, questionnaire: Questionnaire) -> ReportData:
    """The report's figures for ``campaign`` (read in the caller's snapshot)."""
    data = ReportData()
    for case in iter_cases(session, campaign.id):
        data.cases += 1
        data.codes[case.code] += 1
        data.groups[disposition(case.code).group] += 1
        if case.code == "1.1":
            data.completes_by_language[case.language] += 1
            if case.day is not None:
                data.completes_by_day[case.day] += 1
    data.rates = outcome_rates(GroupCounts.of_codes(data.codes))
    summaries = {q.id: QuestionSummary(q) for q in questionnaire.questions if q.takes_answer}
    for record in iter_records(session, campaign):
        data.interviews += 1
        for question_id, stored in record.answers.items():
            if question_id in summaries:
                summaries[question_id].add(stored)
    data.questions = list(summaries.values())
    data.agents = agent_rows(session, campaign.id)
    return data


def agent_rows(session: Session, campaign_id: int) -> list[AgentRow]:
    """Per agent: attempts, calls connected, completes, and hours connected to respondents."""
    rows: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, 0, 0, 0.0])
    query = (select(Agent.code, Site.code, Attempt.connected_at, Attempt.ended_at,
                    Attempt.disposition)
             .join(Agent, Agent.id == Attempt.agent_id).join(Site, Site.id == Agent.site_id)
             .where(Attempt.campaign_id == campaign_id)
             .execution_options(yield_per=5000))
    for agent, site, connected, ended, code in session.execute(query):
        row = rows[(agent, site)]
        row[0] += 1
        if connected is not None:
            row[1] += 1
            if ended is not None:
                row[3] += (ended - connected).total_seconds() / 3600
        row[2] += code == "1.1"
    return sorted((AgentRow(agent, site, *values) for (agent, site), values in rows.items()),
                  key=lambda row: (-row.completes, row.agent))


def first_and_last_day(session: Session, campaign_id: int) -> tuple[dt.date, dt.date] | None:
    """The first and last day (UTC) an attempt of the campaign was made."""
    low, high = session.execute(select(func.min(Attempt.claimed_at), func.max(Attempt.claimed_at))
                                .where(Attempt.campaign_id == campaign_id)).one()
    return None if low is None else (low.date(), high.date())
