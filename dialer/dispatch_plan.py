"""What dispatch may offer an agent at an instant: the open dispatch groups, by campaign priority.

A :class:`Roster` is a snapshot of the small, slowly changing tables (running campaigns with their
windows, dispatch groups, agents with languages and shifts), read in a few queries. From it,
:meth:`Roster.open_groups` answers in memory which groups an agent may be given now: campaign
running, respondent's window open (respondent's zone and holidays), language spoken at the
campaign's minimum level, agent on shift. The contacts table is never scanned for this.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.models import (
    Agent,
    AgentLanguage,
    AgentSkill,
    CallingWindow,
    Campaign,
    CampaignState,
    DispatchGroup,
    LanguageLevel,
    RetryRule,
    Shift,
    Site,
)
from dialer.windows import WeeklyShift, WeeklyWindow, is_callable, local_time, on_shift

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CampaignRules:
    """What dispatch needs of a running campaign."""

    id: int
    code: str
    priority: int
    minimum_level: LanguageLevel
    skip_public_holidays: bool
    windows: tuple[WeeklyWindow, ...]
    #: The campaign's own retry delays by AAPOR code (they override the defaults).
    retry_delays: Mapping[str, dt.timedelta] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """A dispatch group: contacts of one campaign sharing language, time zone and country."""

    id: int
    campaign_id: int
    language: str
    time_zone: str
    country: str


@dataclass(frozen=True)
class AgentProfile:
    """What dispatch needs of an agent."""

    id: int
    code: str
    languages: dict[str, LanguageLevel]
    shifts: tuple[WeeklyShift, ...]
    site_time_zone: str
    skills: frozenset[str] = frozenset()

    def speaks(self, language: str, at_least: LanguageLevel) -> bool:
        """Whether the agent speaks ``language`` at ``at_least`` or better."""
        level = self.languages.get(language)
        return level is not None and level.rank >= at_least.rank

    def on_shift(self, instant: dt.datetime) -> bool:
        """Whether the agent works at ``instant`` (site local time)."""
        return on_shift(self.shifts, self.site_time_zone, instant)


@dataclass(frozen=True)
class Roster:
    """A snapshot of running campaigns, their groups and the active agents."""

    campaigns: dict[int, CampaignRules]
    groups: tuple[Group, ...]
    agents: dict[int, AgentProfile]
    taken_at: dt.datetime
    groups_by_id: dict[int, Group] = field(init=False)
    #: :meth:`callable_groups` by UTC minute, for the minutes where it cannot change.
    _callable_by_minute: dict[dt.datetime, list[Group]] = field(
        init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups_by_id", {group.id: group for group in self.groups})

    def group(self, group_id: int) -> Group:
        """The group with this id."""
        return self.groups_by_id[group_id]

    def callable_groups(self, instant: dt.datetime) -> list[Group]:
        """Groups of running campaigns whose respondents may be called at ``instant``.

        Worked out once per minute when nothing can change within it (every window starts and
        ends on a whole minute, and every group's zone keeps one whole-minute offset through
        the minute): then the local date and the local minute, all a window or a holiday
        depends on, are the same at every instant of it. Dispatch asks with every claim."""
        minute = instant.astimezone(dt.UTC).replace(second=0, microsecond=0)
        known = self._callable_by_minute.get(minute)
        if known is not None:
            return list(known)
        result = self._callable_groups(instant)
        if self._fixed_through(minute):
            if len(self._callable_by_minute) > _MINUTES_KEPT:
                self._callable_by_minute.clear()
            self._callable_by_minute[minute] = list(result)
        return result

    def _callable_groups(self, instant: dt.datetime) -> list[Group]:
        result = []
        for group in self.groups:
            rules = self.campaigns[group.campaign_id]
            if is_callable(rules.windows, group.time_zone, group.country, instant,
                           skip_public_holidays=rules.skip_public_holidays):
                result.append(group)
        return result

    def _fixed_through(self, minute: dt.datetime) -> bool:
        """Whether :meth:`callable_groups` gives the same groups at every instant of the UTC
        ``minute`` (see there)."""
        last = minute + _LAST_OF_MINUTE
        for rules in self.campaigns.values():
            if any(edge.second or edge.microsecond for window in rules.windows
                   for edge in (window.start, window.end)):
                return False
        for zone in {group.time_zone for group in self.groups}:
            offset = local_time(minute, zone).utcoffset()
            if offset is None or offset.total_seconds() % 60 \
                    or local_time(last, zone).utcoffset() != offset:
                return False
        return True

    def open_groups(self, agent: AgentProfile, instant: dt.datetime) -> list[list[Group]]:
        """The groups ``agent`` may be given at ``instant``, one list per campaign priority,
        highest first. The agent's shift is the caller's to check (dispatch refuses an agent
        off shift with its own error)."""
        by_priority: dict[int, list[Group]] = defaultdict(list)
        for group in self.callable_groups(instant):
            rules = self.campaigns[group.campaign_id]
            if agent.speaks(group.language, rules.minimum_level):
                by_priority[rules.priority].append(group)
        return [by_priority[priority] for priority in sorted(by_priority, reverse=True)]

    def agents_on_shift(self, instant: dt.datetime) -> list[AgentProfile]:
        """Active agents working at ``instant``."""
        return [agent for agent in self.agents.values() if agent.on_shift(instant)]


#: The last instant of a minute, from its first.
_LAST_OF_MINUTE = dt.timedelta(seconds=59, microseconds=999_999)
#: How many minutes of callable groups a roster keeps (it lives a few seconds in service).
_MINUTES_KEPT = 1440


def campaign_rules(campaign: Campaign) -> CampaignRules:
    """The rules of one campaign read from its row (when no roster snapshot knows it)."""
    return CampaignRules(
        campaign.id, campaign.code, campaign.priority, campaign.minimum_language_level,
        campaign.skip_public_holidays,
        tuple(WeeklyWindow(w.weekday, w.start, w.end) for w in campaign.windows),
        {rule.outcome: dt.timedelta(minutes=rule.delay_minutes)
         for rule in campaign.retry_rules})


def fresh_roster(roster: Roster | None, session: Session, ttl: dt.timedelta) -> Roster:
    """``roster`` while it is younger than ``ttl`` (by wall clock), else one read anew."""
    checked = dt.datetime.now(dt.UTC)
    if roster is None or checked - roster.taken_at >= ttl or checked < roster.taken_at:
        return read_roster(session, checked)
    return roster


def read_roster(session: Session, taken_at: dt.datetime) -> Roster:
    """A :class:`Roster` read from the database in a handful of small queries."""
    running = list(session.scalars(select(Campaign).where(Campaign.state == CampaignState.RUNNING)))
    windows: dict[int, list[WeeklyWindow]] = defaultdict(list)
    for window in session.scalars(select(CallingWindow).where(
            CallingWindow.campaign_id.in_([campaign.id for campaign in running]))):
        windows[window.campaign_id].append(WeeklyWindow(window.weekday, window.start, window.end))
    delays: dict[int, dict[str, dt.timedelta]] = defaultdict(dict)
    for rule in session.scalars(select(RetryRule).where(
            RetryRule.campaign_id.in_([campaign.id for campaign in running]))):
        delays[rule.campaign_id][rule.outcome] = dt.timedelta(minutes=rule.delay_minutes)
    campaigns = {
        campaign.id: CampaignRules(campaign.id, campaign.code, campaign.priority,
                                   campaign.minimum_language_level,
                                   campaign.skip_public_holidays, tuple(windows[campaign.id]),
                                   delays[campaign.id])
        for campaign in running}
    groups = tuple(
        Group(group.id, group.campaign_id, group.language, group.time_zone, group.country)
        for group in session.scalars(select(DispatchGroup).where(
            DispatchGroup.campaign_id.in_(campaigns)).order_by(DispatchGroup.id)))
    return Roster(campaigns, groups, _agents(session), taken_at)


def _agents(session: Session) -> dict[int, AgentProfile]:
    languages: dict[int, dict[str, LanguageLevel]] = defaultdict(dict)
    for spoken in session.scalars(select(AgentLanguage)):
        languages[spoken.agent_id][spoken.language] = spoken.level
    shifts: dict[int, list[WeeklyShift]] = defaultdict(list)
    for shift in session.scalars(select(Shift)):
        shifts[shift.agent_id].append(WeeklyShift(shift.weekday, shift.start, shift.end))
    skills: dict[int, set[str]] = defaultdict(set)
    for skill in session.scalars(select(AgentSkill)):
        skills[skill.agent_id].add(skill.skill)
    rows = session.execute(select(Agent.id, Agent.code, Site.time_zone)
                           .join(Site, Agent.site_id == Site.id).where(Agent.active))
    return {agent_id: AgentProfile(agent_id, code, languages[agent_id],
                                   tuple(shifts[agent_id]), time_zone,
                                   frozenset(skills[agent_id]))
            for agent_id, code, time_zone in rows}
