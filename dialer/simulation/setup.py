"""A scratch centre for the simulator: a new database prepared from the live one.

``survey-engine simulate`` must never write a fake call into the live database, so it runs in
a scratch database (a new SQLite file by default), which :func:`prepare_scratch` brings to the
current schema and fills from the live database, read in one read-only snapshot:

- the campaign, with its client, calling windows, retry rules and every setting, set running
  (so that a draft or paused campaign can be planned), and its closed quotas;
- the active agents with their sites, languages, skills and shifts, or agents made up from an
  :class:`AgentMix` at one site ``SIM``;
- the campaign's waiting contacts with their dispatch groups, or synthetic contacts
  (:mod:`dialer.simulation.synthetic`);
- the do-not-call entries of those contacts' numbers.

Codes are kept and ids are new. Not copied: interviews, attempts and the trace (simulated calls
start from each contact's dispatch state: phase, due time, attempts), claims in progress (no
holder, no lease), and agent exclusions, which tie an agent to the numbers of victims and
relatives and have no place in a file made for planning.

All or nothing: the migration commits on its own, then everything else is written in one
transaction. If anything fails, the target keeps the empty schema and nothing else; it may be
given to :func:`prepare_scratch` again, or deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    func,
    insert,
    inspect,
    literal,
    select,
)
from sqlalchemy.orm import Session

from dialer.campaigns import campaign_by_code, campaign_questionnaire
from dialer.db import writer
from dialer.errors import DialerError
from dialer.models import (
    Base,
    Campaign,
    CampaignState,
    ContactPhase,
    ContactState,
    LanguageLevel,
)
from dialer.quotas import set_aside_for_closed_quotas
from dialer.schema import upgrade
from dialer.simulation.synthetic import (
    EPOCH,
    AgentMix,
    SyntheticContact,
    parse_agent_mix,
    parse_language_mix,
    simulated_agents,
    synthetic_contacts,
)

__all__ = ["MOST_CONTACTS", "SIM_SITE", "AgentMix", "ScratchCentre", "parse_agent_mix",
           "parse_language_mix", "prepare_scratch", "scratch_work_size"]

logger = logging.getLogger(__name__)

#: The site simulated agents work at.
SIM_SITE = "SIM"
#: Its time zone when the live database has no site to take one from.
DEFAULT_TIME_ZONE = "Europe/Brussels"
#: Most synthetic contacts one scratch centre may ask for (numbers drawn are kept in memory).
MOST_CONTACTS = 2_000_000
#: Contacts read, drawn and inserted at a time.
BATCH = 5000

_TABLES = Base.metadata.tables


@dataclass(frozen=True)
class ScratchCentre:
    """What a scratch database holds: its campaign (id there, code), the ids there of its
    agents, how many contacts it stored, and how many of those a closed quota of the campaign
    set aside (state ``quota_full``)."""

    campaign_id: int
    campaign_code: str
    agent_ids: tuple[int, ...]
    contacts: int
    set_aside: int = 0


def prepare_scratch(source: Engine, target: Engine, campaign_code: str, *,
                    agents: AgentMix | None = None, contacts: int | None = None,
                    languages: Mapping[str, float] | None = None, seed: int = 0,
                    today: dt.date | None = None,
                    progress: Callable[[int], None] | None = None) -> ScratchCentre:
    """Prepare the empty database ``target`` for simulating campaign ``campaign_code`` of
    ``source``, which is only read.

    :param agents: simulated agents; None copies the active agents of ``source``.
    :param contacts: how many synthetic contacts to draw (numbers of the campaign's countries
        and types, unique, not on the do-not-call list, due at once); None copies the
        campaign's waiting contacts.
    :param languages: the weights of synthetic contacts' interview languages (campaign
        languages); default: equal.
    :param seed: synthetic contacts are the same for the same seed, ``today`` and source.
    :param today: the day synthetic contacts' dates are drawn before (default: today, UTC).
    :param progress: receives the contacts stored since its last call; they add up to
        :func:`scratch_work_size` (when nobody changes the source meanwhile).
    :raises DialerError: ``scratch_not_empty`` (nothing is written), ``contacts``,
        ``campaign_not_found``, ``campaign_finished``, ``language_mix``, the questionnaire's
        ``questionnaire`` or ``questionnaire_changed``, or a synthesis code of
        :func:`dialer.simulation.synthetic.synthetic_contacts`; the target then keeps the
        empty schema and nothing else.
    """
    if contacts is not None and not 0 <= contacts <= MOST_CONTACTS:
        raise DialerError("contacts", f"the number of synthetic contacts must be 0 to "
                                      f"{MOST_CONTACTS:,}, not {contacts:,}")
    started = time.perf_counter()
    with target.connect() as connection:
        _refuse_filled(connection)  # before migrating: a live database is never touched
    upgrade(target)
    with _reading(source) as reading, writer(target).begin() as writing:
        _refuse_filled(writing)
        centre = _Preparation(reading, writing, progress).run(
            campaign_code, agents, contacts, languages, random.Random(seed), today)
    logger.info("scratch centre for %s: %d agents, %d contacts (%d set aside by closed "
                "quotas) in %.1f s", campaign_code, len(centre.agent_ids), centre.contacts,
                centre.set_aside, time.perf_counter() - started)
    return centre


def scratch_work_size(source: Engine, campaign_code: str, contacts: int | None = None) -> int:
    """How many contacts :func:`prepare_scratch` will store: ``contacts`` if given, else the
    campaign's waiting contacts (the length of a progress bar).

    :raises NotFound: ``campaign_not_found``.
    """
    if contacts is not None:
        return contacts
    table = _TABLES["contacts"]
    with _reading(source) as connection, Session(connection) as session:
        campaign = campaign_by_code(session, campaign_code)
        return connection.scalar(select(func.count()).where(
            table.c.campaign_id == campaign.id,
            table.c.state == ContactState.WAITING)) or 0


@contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    """A connection to ``engine`` inside one read-only transaction, seeing one snapshot (a
    PostgreSQL read-only repeatable-read transaction; SQLite's query_only while it lasts)."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ",
                                         postgresql_readonly=True)
        with connection.begin():
            if connection.dialect.name != "sqlite":
                yield connection
                return
            connection.exec_driver_sql("PRAGMA query_only = ON")
            try:
                yield connection
            finally:
                connection.exec_driver_sql("PRAGMA query_only = OFF")


def _refuse_filled(connection: Connection) -> None:
    """Refuse a target holding rows of ours or tables of others; an empty schema of ours is
    empty (one a failed preparation left)."""
    names = set(inspect(connection).get_table_names())
    strangers = sorted(names - set(_TABLES) - {"alembic_version"})
    filled = sorted(name for name in names & set(_TABLES) if connection.scalar(
        select(literal(1)).select_from(_TABLES[name]).limit(1)) is not None)
    if strangers or filled:
        where = connection.engine.url.render_as_string(hide_password=True)
        raise DialerError("scratch_not_empty",
                          f"the scratch database {where} is not empty (it has "
                          f"{', '.join(filled or strangers)}): give a new file or database")


class _Preparation:
    """One preparation: reads through ``source``, writes through ``target``."""

    def __init__(self, source: Connection, target: Connection,
                 progress: Callable[[int], None] | None) -> None:
        self.source = source
        self.target = target
        self.progress = progress
        #: Ids of copied agents: source id -> scratch id.
        self.agents: dict[int, int] = {}
        #: Scratch dispatch groups by language, time zone and country.
        self.groups: dict[tuple[str, str, str], int] = {}
        self.stored = 0

    def run(self, campaign_code: str, agents: AgentMix | None, contacts: int | None,
            languages: Mapping[str, float] | None, rng: random.Random,
            today: dt.date | None) -> ScratchCentre:
        with Session(self.source) as session:
            campaign = campaign_by_code(session, campaign_code)
            if campaign.state is CampaignState.FINISHED:
                raise DialerError("campaign_finished", f"campaign {campaign_code} is finished; "
                                                       f"there is nothing left to plan")
            campaign_id = self._copy_campaign(campaign.id)
            agent_ids = (self._copy_agents() if agents is None
                         else self._make_agents(agents))
            if contacts is None:
                self._copy_contacts(campaign.id, campaign_id)
            else:
                questionnaire = campaign_questionnaire(campaign)
                dnc = _TABLES["do_not_call"].c.phone_e164
                for batch in synthetic_contacts(
                        campaign, questionnaire, contacts, rng, languages=languages,
                        today=today, batch_size=BATCH,
                        listed=lambda numbers: set(self.source.scalars(
                            select(dnc).where(dnc.in_(numbers))))):
                    self._store_synthetic(campaign_id, batch)
        with Session(self.target) as session:
            scratch = session.get_one(Campaign, campaign_id)
            set_aside = set_aside_for_closed_quotas(session, scratch)
        return ScratchCentre(campaign_id, campaign_code, agent_ids, self.stored, set_aside)

    def _copy_campaign(self, source_id: int) -> int:
        """The campaign, its client, windows, retry rules and closed quotas; its scratch id."""
        campaigns, clients = _TABLES["campaigns"], _TABLES["clients"]
        client_id = self.source.scalar(select(campaigns.c.client_id)
                                       .where(campaigns.c.id == source_id))
        client = self._copy(clients, clients.c.id == client_id)
        campaign_id = self._copy(campaigns, campaigns.c.id == source_id, {"client_id": client},
                                 state=CampaignState.RUNNING)[source_id]
        for name in ("calling_windows", "retry_rules", "closed_quotas"):
            table = _TABLES[name]
            self._copy(table, table.c.campaign_id == source_id, campaign_id=campaign_id)
        return campaign_id

    def _copy_agents(self) -> tuple[int, ...]:
        """The active agents with their sites, languages, skills and shifts."""
        agents, sites = _TABLES["agents"], _TABLES["sites"]
        active = agents.c.active.is_(True)
        site_ids = self._copy(sites, sites.c.id.in_(select(agents.c.site_id).where(active)))
        self.agents = self._copy(agents, active, {"site_id": site_ids}, ready_since=None)
        for name in ("agent_languages", "agent_skills", "shifts"):
            table = _TABLES[name]
            self._copy(table, table.c.agent_id.in_(select(agents.c.id).where(active)),
                       {"agent_id": self.agents})
        return tuple(self.agents.values())

    def _make_agents(self, mix: AgentMix) -> tuple[int, ...]:
        """The agents of ``mix`` at a new site ``SIM``, in the zone of the source's first site
        (with its pay rate), else in :data:`DEFAULT_TIME_ZONE` unpaid."""
        sites = _TABLES["sites"]
        first = self.source.execute(select(sites).order_by(sites.c.id).limit(1)).mappings().first()
        [site_id] = self._insert(sites, [{
            "code": SIM_SITE, "name": "Simulated site",
            "time_zone": first["time_zone"] if first else DEFAULT_TIME_ZONE,
            "hourly_pay_rate": first["hourly_pay_rate"] if first else Decimal("0.00"),
            "pay_currency": first["pay_currency"] if first else "EUR"}])
        made = simulated_agents(mix)
        ids = self._insert(_TABLES["agents"], [
            {"code": agent.code, "site_id": site_id, "interface_language": agent.interface_language,
             "active": True, "ready_since": None} for agent in made])
        spoken = [{"agent_id": agent_id, "language": agent.language, "level": LanguageLevel.NATIVE}
                  for agent_id, agent in zip(ids, made, strict=True)]
        # the interface read, not a language to interview in: the weakest level
        spoken += [{"agent_id": agent_id, "language": agent.interface_language,
                    "level": LanguageLevel.BASIC}
                   for agent_id, agent in zip(ids, made, strict=True)
                   if agent.interface_language != agent.language]
        self._insert(_TABLES["agent_languages"], spoken)
        self._insert(_TABLES["agent_skills"], [
            {"agent_id": agent_id, "skill": skill}
            for agent_id, agent in zip(ids, made, strict=True) for skill in agent.skills])
        self._insert(_TABLES["shifts"], [
            {"agent_id": agent_id, "weekday": weekday, "start": start, "end": end}
            for agent_id, agent in zip(ids, made, strict=True)
            for weekday, start, end in agent.shifts])
        return tuple(ids)

    def _copy_contacts(self, source_id: int, campaign_id: int) -> None:
        """The campaign's dispatch groups, its waiting contacts a batch at a time, and the
        do-not-call entries of their numbers."""
        groups, contacts = _TABLES["dispatch_groups"], _TABLES["contacts"]
        do_not_call = _TABLES["do_not_call"]
        group_ids = self._copy(groups, groups.c.campaign_id == source_id,
                               campaign_id=campaign_id)
        waiting = (select(contacts).where(contacts.c.campaign_id == source_id,
                                          contacts.c.state == ContactState.WAITING)
                   .order_by(contacts.c.id))
        found = self.source.execute(waiting, execution_options={"yield_per": BATCH})
        for batch in found.mappings().partitions():
            rows = [{key: value for key, value in row.items() if key != "id"} | {
                "campaign_id": campaign_id, "group_id": group_ids[row["group_id"]],
                "held_by_agent_id": None, "lease_until": None,
                "appointment_agent_id": self.agents.get(row["appointment_agent_id"])}
                for row in batch]
            self._insert(contacts, rows, ids=False)
            self._copy(do_not_call, do_not_call.c.phone_e164.in_(
                [row["phone_e164"] for row in rows]))
            self._stored(len(rows))

    def _store_synthetic(self, campaign_id: int, batch: list[SyntheticContact]) -> None:
        rows = [{"campaign_id": campaign_id, "phone_e164": contact.phone_e164,
                 "masked_number": contact.masked_number, "fields": contact.fields,
                 "group_id": self._group(campaign_id, contact), "state": ContactState.WAITING,
                 "phase": int(ContactPhase.FRESH), "due_at": EPOCH, "attempts": 0}
                for contact in batch]
        self._insert(_TABLES["contacts"], rows, ids=False)
        self._stored(len(rows))

    def _group(self, campaign_id: int, contact: SyntheticContact) -> int:
        key = (contact.language, contact.time_zone, contact.country)
        if key not in self.groups:
            [self.groups[key]] = self._insert(_TABLES["dispatch_groups"], [{
                "campaign_id": campaign_id, "language": key[0], "time_zone": key[1],
                "country": key[2]}])
        return self.groups[key]

    def _stored(self, count: int) -> None:
        self.stored += count
        if self.progress is not None:
            self.progress(count)

    def _copy(self, table: Table, where: ColumnElement[bool],
              remap: Mapping[str, Mapping[int, int]] | None = None,
              **values: Any) -> dict[int, int]:
        """The source rows of ``table`` matching ``where`` copied in key order, with new ids:
        ``remap`` translates the columns pointing at rows copied before, ``values`` replace
        columns. Returns source id -> scratch id (empty for a table without ids)."""
        found = self.source.execute(select(table).where(where)
                                    .order_by(*table.primary_key.columns)).mappings().all()
        rows = []
        for row in found:
            copied = {key: value for key, value in row.items() if key != "id"}
            for column, ids in (remap or {}).items():
                copied[column] = ids[row[column]]
            rows.append(copied | values)
        new_ids = self._insert(table, rows)
        return dict(zip((row["id"] for row in found), new_ids, strict=True)) if new_ids else {}

    def _insert(self, table: Table, rows: list[dict[str, Any]], *, ids: bool = True
                ) -> list[int]:
        """Insert ``rows`` in one statement (executemany); their new ids, in order, if
        ``ids`` and the table has ids."""
        if not rows:
            return []
        if not ids or "id" not in table.c:
            self.target.execute(insert(table), rows)
            return []
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(self.target.execute(statement, rows).scalars())
