"""A centre file: sites, agents, clients and campaigns described in YAML, loaded all or nothing.

The format (``docs/centre-file.md`` tells more)::

    sites:
      - {code: BEV, name: Gevangenis Beveren, time_zone: Europe/Brussels,
         hourly_pay_rate: "0.75", pay_currency: EUR}      # decimal text or number; ISO 4217
    agents:
      - code: BEV-017                                    # pseudonymous, never a name
        site: BEV                                        # in this file or in the database
        interface_language: nl
        languages: {nl: native, fr: fluent}              # basic, working, fluent, native
        skills: [refusal_conversion]                     # optional, as are the next two
        shifts: ["Mon-Fri 08:00-16:00", "Sat 22:00-06:00"]  # site time; end <= start: next day
        exclusions: ["+32 471", "+32470123456"]          # numbers or prefixes never connected
    clients:
      - {code: VELDWERK, name: Veldwerk Research, language: nl}   # language: optional, en
    campaigns:
      - code: COFFEE-2026
        client: VELDWERK                                 # in this file or in the database
        name: Coffee at home 2026
        questionnaire: ../questionnaires/market-study.yaml  # relative to this file, or absolute
        languages: [nl, fr, tr]                          # offered by the questionnaire
        countries: [BE, NL]
        windows: ["Mon-Fri 09:00-21:00", "Sat 10:00-18:00"]  # respondent time, within one day
        # optional, with their defaults: number_types, max_attempts: 6, priority: 0,
        # minimum_language_level: fluent, skip_public_holidays: true, start: false,
        # dialing_mode: progressive (or preview), max_call_minutes: 30, no_answer_seconds: 30,
        # retry_delays: {busy: 15m, refusal: 5d, "1.2": 2h}: by name or quoted AAPOR code;
        # the codes not written keep the defaults of dialer.outcomes;
        # export_contact_fields: [customer_number]: contact fields exports may carry
    do_not_call: ["+32470999999"]                        # optional
    users:                                               # optional: web sign-ins
      - {login: sup.beveren, role: supervisor, site: BEV, password: "..."}  # or password_hash

Sites may list ``workstations:`` (addresses or CIDR networks their agents sign in from) and
agents a quoted ``pin:`` (or ``pin_hash:``); secrets are stored as argon2id hashes only
(:mod:`dialer.centre_accounts`).

Days: ``Mon``, ``Mon-Fri``, ``Sat,Sun``, ``Fri-Mon`` (any case); times ``HH:MM``, ``24:00`` as an
end. Numbers are quoted (unquoted, YAML reads ``+32470123456`` as a number).

Every problem is reported in one pass as ``FILE:LINE:COLUMN: message`` with a stable code (YAML,
unknown keys, types, specs, codes written twice, unknown sites or clients, ``exists`` for codes
already in the database, and what :mod:`dialer.campaigns` and :mod:`dialer.contacts` refuse, on
the entry's key); if there is any, nothing is stored.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dialer.accounts import add_workstation, create_user, set_agent_pin, stored_secret
from dialer.campaigns import create_campaign, create_client
from dialer.centre_accounts import UserSpec
from dialer.centre_schema import (
    AgentSpec,
    CampaignSpec,
    CentreSpec,
    ClientSpec,
    Entry,
    SiteSpec,
    check_entries,
    read_entries,
)
from dialer.contacts import add_do_not_call, add_exclusion
from dialer.db import transaction, writer
from dialer.errors import DialerError
from dialer.models import Agent, Campaign, Client, LanguageLevel, Role, Site
from dialer.models.campaigns import DEFAULT_NUMBER_TYPES
from dialer.people import create_agent, create_site
from survey_engine.errors import Diagnostic, QuestionnaireError
from survey_engine.questionnaire.loader import load as load_questionnaire
from survey_engine.questionnaire.source import Document, read_file, read_yaml
from survey_engine.questionnaire.source import Path as Where
from survey_engine.questionnaire.structure import validate

__all__ = ["CentreDraft", "CentreFileError", "CentreSummary", "load_centre",
           "load_centre_file", "read_centre_file"]

logger = logging.getLogger(__name__)

M = TypeVar("M", Site, Agent, Client, Campaign)
T = TypeVar("T")
_KINDS = {"sites": "site", "agents": "agent", "clients": "client", "campaigns": "campaign",
          "users": "user"}
#: The key an operation's refusal concerns, by its code (else the entry itself).
_KEYS = {"time_zone": "time_zone", "currency": "pay_currency", "pay_rate": "hourly_pay_rate",
         "no_language": "languages", "shift": "shifts", "prefix": "exclusions",
         "questionnaire": "questionnaire", "language": "languages", "country": "countries",
         "number_type": "number_types", "window": "windows", "retry": "retry_delays",
         "max_attempts": "max_attempts", "illegal_state_change": "start",
         "dialing_mode": "dialing_mode", "max_call_minutes": "max_call_minutes",
         "no_answer_seconds": "no_answer_seconds", "workstation": "workstations",
         "pin": "pin", "password": "password", "password_hash": "password_hash",
         "unknown_site": "site", "unknown_client": "client", "site": "site",
         "client": "client", "login": "login", "role": "role",
         "export_contact_fields": "export_contact_fields", "client_language": "language"}
_MAX_PATH = 500  # Campaign.questionnaire_path


class CentreFileError(DialerError):
    """A centre file was refused as a whole and nothing was stored; ``diagnostics`` lists
    every problem found (code ``centre_file_invalid``)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        super().__init__("centre_file_invalid", "\n".join(str(d) for d in self.diagnostics))


@dataclass
class CentreSummary:
    """How many records a centre file created (or would create, on a dry run)."""

    sites: int = 0
    agents: int = 0
    clients: int = 0
    campaigns: int = 0
    started: int = 0
    exclusions: int = 0
    do_not_call: int = 0
    users: int = 0
    workstations: int = 0
    pins: int = 0

    def __str__(self) -> str:
        parts = [_count(self.sites, "site"), _count(self.agents, "agent"),
                 _count(self.clients, "client"), _count(self.campaigns, "campaign")]
        if self.started:
            parts[-1] += f" ({self.started} started)"
        if self.exclusions:
            parts.append(_count(self.exclusions, "exclusion"))
        if self.do_not_call:
            parts.append(_count(self.do_not_call, "do-not-call number"))
        if self.users:
            parts.append(_count(self.users, "user"))
        if self.pins:
            parts.append(_count(self.pins, "agent PIN"))
        if self.workstations:
            parts.append(_count(self.workstations, "workstation"))
        return ", ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@dataclass
class CentreDraft:
    """A centre file read and checked without the database; ``problems`` so far."""

    path: Path
    document: Document
    problems: list[Diagnostic] = field(default_factory=list)
    sites: list[Entry[SiteSpec]] = field(default_factory=list)
    agents: list[Entry[AgentSpec]] = field(default_factory=list)
    clients: list[Entry[ClientSpec]] = field(default_factory=list)
    campaigns: list[Entry[CampaignSpec]] = field(default_factory=list)
    users: list[Entry[UserSpec]] = field(default_factory=list)
    do_not_call: list[str] = field(default_factory=list)

    def problem(self, where: Where, message: str, code: str, key: bool = False) -> None:
        self.problems.append(self.document.diagnostic(where, message, code, key=key))


def read_centre_file(path: str | Path) -> CentreDraft:
    """Read and check the centre file at ``path`` on its own (structure, specs, duplicates,
    language codes); the problems found are in the draft's ``problems``.

    :raises CentreFileError: when the file cannot be read as one YAML mapping at all.
    """
    text, problems = read_file(path)
    document, more = read_yaml(text, str(path)) if text is not None else (None, [])
    if document is None:
        raise CentreFileError(problems + more)
    draft = CentreDraft(Path(path), document, problems + more)
    data = document.data
    if not isinstance(data, dict):
        draft.problem((), "a centre file is a mapping of sites:, agents:, clients:, "
                          "campaigns: and do_not_call:", "not_mapping")
        raise CentreFileError(draft.problems)
    top = validate(document, (), data, CentreSpec, draft.problems)
    draft.do_not_call = list(top.do_not_call or []) if top else []
    draft.sites = read_entries(document, "sites", SiteSpec, draft.problems)
    draft.agents = read_entries(document, "agents", AgentSpec, draft.problems)
    draft.clients = read_entries(document, "clients", ClientSpec, draft.problems)
    draft.campaigns = read_entries(document, "campaigns", CampaignSpec, draft.problems)
    draft.users = read_entries(document, "users", UserSpec, draft.problems)
    check_entries(document, draft.problems, (draft.sites, draft.agents, draft.clients,
                                             draft.campaigns), draft.do_not_call)
    _check_logins(draft)
    return draft


def _check_logins(draft: CentreDraft) -> None:
    """A login written twice is refused where it is written again."""
    first: dict[str, int] = {}
    for entry in draft.users:
        login = entry.text("login")
        if login is None:
            continue
        if login in first:
            line, _ = draft.document.position(("users", first[login], "login"))
            draft.problem(entry.at("login"), f"login {login!r} is written twice (first on "
                                             f"line {line})", "duplicate_login")
            entry.spec = None
        first.setdefault(login, entry.index)


class _Loader:
    """Creates what a draft describes in ``session``, adding the database's refusals."""

    def __init__(self, session: Session, draft: CentreDraft) -> None:
        self.session = session
        self.draft = draft
        self.folder = draft.path.resolve().parent
        self.reason = f"centre file {draft.path.name}"[:200]
        self.summary = CentreSummary()
        #: The site of each agent and the client of each campaign, by index; None if unknown.
        self.sites: list[Site | None] = []
        self.clients: list[Client | None] = []

    def run(self) -> CentreSummary:
        draft = self.draft
        sites = self._section(draft.sites, Site, self._site,
                              [agent.text("site") for agent in draft.agents])
        clients = self._section(draft.clients, Client, self._client,
                                [campaign.text("client") for campaign in draft.campaigns])
        self.sites = [self._reference(agent, "site", sites) for agent in draft.agents]
        self.clients = [self._reference(campaign, "client", clients)
                        for campaign in draft.campaigns]
        self._section(draft.agents, Agent, self._agent, [])
        self._section(draft.campaigns, Campaign, self._campaign, [])
        for entry in draft.users:
            if entry.spec is not None:
                self._attempt(entry.at(), partial(self._user, entry, sites, clients))
        for index, number in enumerate(draft.do_not_call):
            added = self._attempt(("do_not_call", index),
                                  partial(add_do_not_call, self.session, number, self.reason))
            self.summary.do_not_call += added is not None
        return self.summary

    def _section(self, entries: Sequence[Entry[Any]], model: type[M],
                 create: Callable[[Entry[Any]], M | None],
                 references: Iterable[str | None]) -> dict[str, M | None]:
        """Each entry created, unless its code exists in the database (``exists``): the
        records by code, with the stored ones ``references`` name; None where refused."""
        codes = {code for code in (*(e.text("code") for e in entries), *references) if code}
        stored = {row.code: row for row in
                  self.session.scalars(select(model).where(model.code.in_(codes)))}
        known: dict[str, M | None] = {}
        for entry in entries:
            code = entry.text("code")
            if code is None or code in known:
                continue
            if code in stored:
                kind = _KINDS[entry.section]
                self.draft.problem(entry.at("code"), f"{kind} {code!r} already exists in the "
                                   f"database (a centre file only adds)", "exists")
                known[code] = stored[code]
                continue
            known[code] = None if entry.spec is None else self._attempt(
                entry.at(), partial(create, entry))
        return {**stored, **known}

    def _reference(self, entry: Entry[Any], key: str, known: dict[str, M | None]) -> M | None:
        code = entry.text(key)
        if code is None or code in known:
            return known.get(code) if code is not None else None
        close = difflib.get_close_matches(code, list(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.draft.problem(entry.at(key), f"unknown {key} {code!r}: not in this file nor in "
                           f"the database{hint}", f"unknown_{key}")
        return None

    def _attempt(self, where: Where, action: Callable[[], T]) -> T | None:
        """``action()`` in a savepoint; a refusal is reported on its key and undone."""
        savepoint = self.session.begin_nested()
        try:
            made = action()
        except DialerError as error:
            savepoint.rollback()
            self.session.expire_all()
            key = _KEYS.get(error.code)
            message = " ".join(error.message.split())
            self.draft.problem((*where, key) if key and where[0] in _KINDS else where,
                               message, error.code)
            return None
        savepoint.commit()
        return made

    def _site(self, entry: Entry[SiteSpec]) -> Site:
        spec = entry.spec
        assert spec is not None
        site = create_site(self.session, spec.code, spec.name, spec.time_zone,
                           spec.hourly_pay_rate, spec.pay_currency)
        for network in spec.workstations:
            add_workstation(self.session, site, network)
        self.summary.sites += 1
        self.summary.workstations += len(set(spec.workstations))
        return site

    def _client(self, entry: Entry[ClientSpec]) -> Client:
        spec = entry.spec
        assert spec is not None
        client = create_client(self.session, spec.code, spec.name, spec.language)
        self.summary.clients += 1
        return client

    def _agent(self, entry: Entry[AgentSpec]) -> Agent | None:
        spec, site = entry.spec, self.sites[entry.index]
        if spec is None or site is None:
            return None  # the site was refused or unknown, and reported
        agent = create_agent(
            self.session, site, spec.code, spec.interface_language,
            {language: LanguageLevel(level) for language, level in spec.languages.items()},
            skills=spec.skills, shifts=[r for shift in spec.shifts for r in shift.ranges()])
        for prefix in spec.exclusions:
            add_exclusion(self.session, agent, prefix, self.reason)
        if spec.pin is not None or spec.pin_hash is not None:
            set_agent_pin(self.session, agent, stored_secret(spec.pin, spec.pin_hash, pin=True))
            self.summary.pins += 1
        self.summary.agents += 1
        self.summary.exclusions += len(spec.exclusions)
        return agent

    def _campaign(self, entry: Entry[CampaignSpec]) -> Campaign | None:
        spec, client = entry.spec, self.clients[entry.index]
        path = None if spec is None else self._questionnaire(entry, spec)
        if spec is None or client is None or path is None:
            return None
        campaign = campaign_of_spec(self.session, client, spec, path)
        self.summary.campaigns += 1
        if spec.start:
            campaign.start()
            self.session.flush()
            self.summary.started += 1
        return campaign

    def _user(self, entry: Entry[UserSpec], sites: dict[str, Site | None],
              clients: dict[str, Client | None]) -> None:
        spec = entry.spec
        assert spec is not None
        site = self._belongs(entry, "site", spec.site, sites)
        client = self._belongs(entry, "client", spec.client, clients)
        secret = stored_secret(spec.password, spec.password_hash, pin=False)
        create_user(self.session, spec.login, Role(spec.role), secret, site=site, client=client,
                    interface_language=spec.interface_language)
        self.summary.users += 1

    def _belongs(self, entry: Entry[UserSpec], key: str, code: str | None,
                 known: dict[str, Any]) -> Any:
        """The site or client (``key``) a user names, from this file or the database; None
        if none is named.

        :raises DialerError: ``unknown_site`` or ``unknown_client`` (reported on the key).
        """
        if code is None:
            return None
        model: type[Site] | type[Client] = Site if key == "site" else Client
        found = known.get(code) or self.session.scalars(
            select(model).where(model.code == code)).one_or_none()
        if found is None:
            raise DialerError(f"unknown_{key}", f"unknown {key} {code!r}: not in this file "
                                                "nor in the database")
        return found

    def _questionnaire(self, entry: Entry[CampaignSpec], spec: CampaignSpec) -> Path | None:
        """The questionnaire's absolute path if it loads; else None, with the problem."""
        path = (self.folder / spec.questionnaire).resolve()
        problem = None
        if len(str(path)) > _MAX_PATH:
            problem = f"the questionnaire's path is longer than {_MAX_PATH} characters"
        else:
            try:
                load_questionnaire(path)
            except QuestionnaireError as error:
                more = len(error.diagnostics) - 1
                problem = (f"questionnaire does not load: {error.diagnostics[0]}" +
                           (f" (and {more} more: survey-engine validate {path})"
                            if more else ""))
        if problem is None:
            return path
        self.draft.problem(entry.at("questionnaire"), problem, "questionnaire")
        return None


def campaign_of_spec(session: Session, client: Client, spec: CampaignSpec,
                     questionnaire_path: Path) -> Campaign:
    """The draft campaign a checked campaign entry describes (its ``start`` is the caller's
    to apply), through :func:`dialer.campaigns.create_campaign`. The client portal's
    campaign form is checked as such an entry too.

    :raises DialerError: the codes of :func:`~dialer.campaigns.create_campaign`.
    """
    return create_campaign(
        session, client, spec.code, spec.name, questionnaire_path, languages=spec.languages,
        allowed_countries=spec.countries,
        windows=[r for window in spec.windows for r in window.ranges()],
        retry_delays=spec.retry_delays, max_attempts=spec.max_attempts,
        priority=spec.priority,
        allowed_number_types=(DEFAULT_NUMBER_TYPES if spec.number_types is None
                              else spec.number_types),
        minimum_language_level=LanguageLevel(spec.minimum_language_level),
        skip_public_holidays=spec.skip_public_holidays, dialing_mode=spec.dialing_mode,
        max_call_minutes=spec.max_call_minutes, no_answer_seconds=spec.no_answer_seconds,
        export_contact_fields=spec.export_contact_fields)


def load_centre(session: Session, path: str | Path) -> CentreSummary:
    """Create the sites, agents, clients and campaigns of the centre file at ``path`` in
    ``session`` (flushed, not committed), or nothing at all.

    :raises CentreFileError: with every problem found; the session holds nothing of the file.
    """
    draft = read_centre_file(path)
    savepoint = session.begin_nested()
    try:
        summary = _Loader(session, draft).run()
    except BaseException:
        savepoint.rollback()
        raise
    if draft.problems:
        savepoint.rollback()
        raise CentreFileError(draft.problems)
    savepoint.commit()
    logger.info("centre file %s: %s", path, summary)
    return summary


class _DryRun(Exception):
    def __init__(self, summary: CentreSummary) -> None:
        super().__init__("dry run")
        self.summary = summary


def load_centre_file(engine: Engine, path: str | Path, *,
                     dry_run: bool = False) -> CentreSummary:
    """:func:`load_centre` in one transaction of its own, committed unless ``dry_run`` (then
    everything is checked against the database and rolled back).

    :raises CentreFileError: with every problem found; nothing was stored.
    """
    try:
        with transaction(writer(engine)) as session:
            summary = load_centre(session, path)
            if dry_run:
                raise _DryRun(summary)
    except _DryRun as done:
        return done.summary
    return summary
