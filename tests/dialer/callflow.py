"""A committed call centre for call-flow tests: one running campaign over the sample
customer-satisfaction questionnaire, agents, contacts, a dispatcher, a call desk on the ``sim``
backend with chosen rates, and an interview desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from dialer.calls import CallCase, CallDesk
from dialer.contacts import add_contact
from dialer.db import transaction
from dialer.dispatch import Dispatcher
from dialer.interviews import InterviewDesk
from dialer.models import AgentSkill, Campaign, Contact
from dialer.people import TimeRange
from dialer.telephony import SimBackend, SimRates
from survey_engine.questionnaire.loader import load
from tests.conftest import QUESTIONNAIRES
from tests.dialer import factories

#: A Tuesday, 11:00 in Brussels.
TUESDAY_NOON = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
#: Every call answered by a person who cooperates.
ALL_ANSWER = SimRates(non_working=0, disconnected=0, always_busy=0, busy=0, no_answer=0,
                      answering_machine=0, call_blocked=0, network_failure=0, refusal=0,
                      break_off=0, appointment=0, language_problem=0)
#: Every call busy.
ALL_BUSY = SimRates(non_working=0, disconnected=0, always_busy=0, busy=1, no_answer=0,
                    answering_machine=0, call_blocked=0, network_failure=0)

CUSTOMER = {"first_name": "Ayşe", "customer_number": "LT1234567",
            "customer_since": "2019-05-01"}


@dataclass
class Centre:
    """What a call-flow test works with."""

    engine: Engine
    campaign_id: int
    campaign_code: str
    agents: dict[str, int] = field(default_factory=dict)
    contacts: list[int] = field(default_factory=list)
    dispatcher: Dispatcher = field(init=False)
    desk: CallDesk = field(init=False)
    interviews: InterviewDesk = field(init=False)
    rates: SimRates = ALL_ANSWER

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(self.engine, roster_ttl=dt.timedelta(0))
        self.desk = CallDesk(self.engine, SimBackend(seed=7, rates=self.rates))
        self.interviews = InterviewDesk(self.engine)

    def claim(self, agent: str, now: dt.datetime = TUESDAY_NOON) -> CallCase:
        """Claim the agent's next contact and open the attempt."""
        claim = self.dispatcher.next_call(self.agents[agent], now)
        assert claim is not None, f"{agent} was given no contact"
        return self.desk.open_attempt(claim, now)


def languages_of(questionnaire: str) -> list[str]:
    """The languages a campaign over ``questionnaire`` offers: the callflow's usual five for
    the customer-satisfaction sample, else all of the questionnaire's."""
    if questionnaire == "customer-satisfaction.yaml":
        return ["nl", "fr", "en", "ru", "tr"]
    return list(load(QUESTIONNAIRES / questionnaire).languages)


def build(engine: Engine, *, agents: dict[str, Sequence[str]],
          contacts: Sequence[tuple[str, str]], rates: SimRates = ALL_ANSWER,
          max_attempts: int = 6, windows: Sequence[TimeRange] = factories.ALWAYS,
          skills: dict[str, Sequence[str]] | None = None,
          fields: dict[str, Any] | None = None, holidays_off: bool = True,
          questionnaire: str = "customer-satisfaction.yaml") -> Centre:
    """A committed centre: ``agents`` by code with their languages, ``contacts`` as
    (number, language). ``holidays_off=False`` lets tests that run at the present instant
    call on public holidays too. ``questionnaire``: a sample's file name, or any path."""
    with transaction(engine) as session:
        campaign: Campaign = factories.campaign(session, max_attempts=max_attempts,
                                                windows=windows, questionnaire=questionnaire,
                                                languages=languages_of(questionnaire))
        campaign.skip_public_holidays = holidays_off
        site = factories.site(session)
        made = {}
        for code, languages in agents.items():
            agent = factories.agent(session, site, languages, code=code)
            for skill in (skills or {}).get(code, ()):
                agent.skills.append(AgentSkill(skill=skill))
            made[code] = agent
        people: list[Contact] = [add_contact(session, campaign, number, language,
                                             fields=fields or CUSTOMER)
                                 for number, language in contacts]
        session.flush()
        centre = Centre(engine, campaign.id, campaign.code, rates=rates)
        centre.agents = {code: agent.id for code, agent in made.items()}
        centre.contacts = [contact.id for contact in people]
    return centre
