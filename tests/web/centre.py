"""A committed call centre for web tests: two sites, two clients, every role, agents on shift
around the clock, a running campaign per client, and a few calls already made, so that each
principal has objects of their own and objects of someone else's to try."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from dialer.accounts import add_workstation, create_user, set_agent_pin
from dialer.calls import CallDesk
from dialer.contacts import add_contact
from dialer.db import transaction
from dialer.dispatch import Dispatcher
from dialer.interviews import InterviewDesk
from dialer.models import Campaign, DialingMode, LanguageLevel, Role, utc_now
from dialer.outcomes import CallEnding
from dialer.passwords import hash_secret
from dialer.people import create_agent
from dialer.telephony import SimBackend, SimRates
from tests.dialer import callflow, factories
from tests.web.portal import add_portal_objects

PASSWORD = "correct horse battery"
PIN = "2468"
ADDRESS = "127.0.0.1"
#: Who the matrix signs in as, and anonymous.
PRINCIPALS = ("anonymous", "agent", "other_agent", "supervisor", "other_supervisor", "client",
              "other_client", "admin")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
#: A rate limit no test reaches.
UNLIMITED = "1000000 per minute"
#: Turkish respondents in Belgium (valid mobile numbers).
TURKISH_NUMBERS = ("+32470555101", "+32470555102", "+32470555103", "+32470555104")


@dataclass
class WebCentre:
    """The records a web test works with, by role."""

    engine: Engine
    url: str
    agents: dict[str, int] = field(default_factory=dict)
    agent_codes: dict[str, str] = field(default_factory=dict)
    campaigns: dict[str, int] = field(default_factory=dict)
    campaign_codes: dict[str, str] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)
    numbers: list[str] = field(default_factory=list)
    #: The client portal's objects of each client (``mine``, ``theirs``), when built.
    questionnaires: dict[str, int] = field(default_factory=dict)
    imports: dict[str, int] = field(default_factory=dict)
    #: The interview of the supervisor desk's tests, by the agent's key ("agent": site A).
    interviews: dict[str, int] = field(default_factory=dict)


def build_centre(engine: Engine, url: str, *, calls: bool = True,
                 portal: Path | None = None) -> WebCentre:
    """The centre of the module docstring; ``calls``: one ended call for each agent;
    ``portal``: a folder where each client gets a questionnaire and an import of the client
    portal (:func:`tests.web.portal.add_portal_objects`)."""
    centre = WebCentre(engine, url)
    secret, pin = hash_secret(PASSWORD), hash_secret(PIN)
    with transaction(engine) as session:
        site_a, site_b = factories.site(session), factories.site(session)
        for site in (site_a, site_b):
            add_workstation(session, site, ADDRESS)
            add_workstation(session, site, "::1")
        mine = factories.campaign(session, languages=("tr", "ru", "nl"), countries=("BE",))
        theirs = factories.campaign(session, languages=("tr", "ru", "nl"), countries=("BE",))
        for made in (mine, theirs):
            made.skip_public_holidays = False
            made.dialing_mode = DialingMode.PROGRESSIVE
        agents = {"agent": create_agent(session, site_a, "WEB-A1", "ru",
                                        {"ru": LanguageLevel.NATIVE,
                                         "tr": LanguageLevel.NATIVE},
                                        shifts=factories.ALWAYS),
                  "other_agent": create_agent(session, site_b, "WEB-B1", "nl",
                                              {"nl": LanguageLevel.NATIVE,
                                               "tr": LanguageLevel.NATIVE},
                                              shifts=factories.ALWAYS)}
        for key, agent in agents.items():
            set_agent_pin(session, agent, pin)
            centre.agents[key], centre.agent_codes[key] = agent.id, agent.code
            centre.logins[key] = agent.code
        users = {"supervisor": (Role.SUPERVISOR, site_a, None),
                 "other_supervisor": (Role.SUPERVISOR, site_b, None),
                 "client": (Role.CLIENT, None, mine.client),
                 "other_client": (Role.CLIENT, None, theirs.client),
                 "admin": (Role.ADMIN, None, None)}
        for key, (role, site, client) in users.items():
            login = f"web-{key.replace('_', '-')}"
            create_user(session, login, role, secret, site=site, client=client)
            centre.logins[key] = login
        centre.campaigns = {"mine": mine.id, "theirs": theirs.id}
        centre.campaign_codes = {"mine": mine.code, "theirs": theirs.code}
        for number in TURKISH_NUMBERS[:2]:
            contact = add_contact(session, mine, number, "tr", fields=callflow.CUSTOMER)
            contact.due_at = utc_now() - dt.timedelta(hours=1)
        centre.numbers = list(TURKISH_NUMBERS[:2])
    if calls:
        _interview(centre)
        _ended_calls(centre)
    if portal is not None:
        centre.questionnaires, centre.imports = add_portal_objects(engine, portal,
                                                                   centre.campaigns)
    return centre


#: The respondent of the supervisor desk's interview (not one of TURKISH_NUMBERS).
INTERVIEWED_NUMBER = "+32470555109"


def _interview(centre: WebCentre) -> None:
    """An interview by ``agent`` (site A), ten minutes ago: consent, services, a step back
    and services again, then a break-off. Its contact is not due again for a day."""
    before = utc_now() - dt.timedelta(minutes=10)
    with transaction(centre.engine) as session:
        campaign = session.get(Campaign, centre.campaigns["mine"])
        assert campaign is not None
        contact = add_contact(session, campaign, INTERVIEWED_NUMBER, "tr",
                              fields=callflow.CUSTOMER, due_at=before - dt.timedelta(hours=1))
        contact_id = contact.id
    centre.numbers.append(INTERVIEWED_NUMBER)
    dispatcher = Dispatcher(centre.engine, roster_ttl=dt.timedelta(0))
    desk = CallDesk(centre.engine, SimBackend(seed=1, rates=callflow.ALL_ANSWER))
    interviews = InterviewDesk(centre.engine)
    claim = dispatcher.next_call(centre.agents["agent"], before)
    assert claim is not None and claim.contact_id == contact_id
    case = desk.open_attempt(claim, before)
    answered = desk.dial(case.attempt_id, before).answered_at
    assert answered is not None
    turn = interviews.begin(case.attempt_id, answered)
    for step in (True, [1, 2], "back", [1, 4]):
        if step == "back":
            interviews.back(case.attempt_id, answered)
        else:
            interviews.answer(case.attempt_id, step, answered)
    desk.end(case.attempt_id, CallEnding.BREAK_OFF, answered + dt.timedelta(minutes=2))
    centre.interviews["agent"] = turn.interview_id


def _ended_calls(centre: WebCentre) -> None:
    """One busy call for each agent, a minute ago: their contacts are not due again soon."""
    dispatcher = Dispatcher(centre.engine, roster_ttl=dt.timedelta(0))
    desk = CallDesk(centre.engine, SimBackend(seed=1, rates=callflow.ALL_BUSY))
    before = utc_now() - dt.timedelta(minutes=1)
    for key in ("agent", "other_agent"):
        claim = dispatcher.next_call(centre.agents[key], before)
        assert claim is not None, f"{key} was given no contact"
        case = desk.open_attempt(claim, before)
        result = desk.dial(case.attempt_id, before)
        assert not result.answered
        centre.attempts[key] = case.attempt_id


def app_config(centre: WebCentre, instance: Any, rates: SimRates = callflow.ALL_ANSWER
               ) -> dict[str, Any]:
    """The configuration a web test builds its application with."""
    return {"TESTING": True, "SURVEY_DATABASE_URL": centre.url, "SECRET_KEY": "test-secret",
            "SECURE_COOKIES": False, "SURVEY_INSTANCE": str(instance),
            "SURVEY_TELEPHONY": SimBackend(seed=5, rates=rates),
            # Every test client comes from one address: the partner API's limits are
            # tested on their own (tests/web/test_api_limits.py).
            "API_RATE_LIMIT": UNLIMITED, "API_FAILURE_LIMIT": UNLIMITED}


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(app: Flask, centre: WebCentre, principal: str, address: str = ADDRESS
            ) -> FlaskClient:
    """A test client signed in as ``principal`` through the real sign-in form."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if principal == "anonymous":
        client.get("/login")
        return client
    agent = principal in ("agent", "other_agent")
    page = "/agent/login" if agent else "/login"
    form = {"csrf_token": csrf_of(client.get(page).text)}
    form.update({"code": centre.logins[principal], "pin": PIN} if agent
                else {"login": centre.logins[principal], "password": PASSWORD})
    response = client.post(page, data=form)
    assert response.status_code == 302, f"{principal} could not sign in: {response.text}"
    return client

