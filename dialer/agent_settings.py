"""Changing an agent after the centre file made them: languages with their levels, skills,
weekly shifts and exclusions (the supervisor desk's "manage agents").

Each change is checked like the centre file checks it, and refused whole with a stable code
(nothing changes). Exclusions are only ever added here: an exclusion keeps an agent from a
number (a victim's, a relative's), and nothing typed here reaches a dial string; it is matched
against numbers the dialer already has. Dispatch reads agents from its roster, which is read
again within seconds (:data:`dialer.dispatch.DEFAULT_ROSTER_TTL`); claims check exclusions at
once.

Operations flush, never commit (STYLE 4).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.contacts import add_exclusion
from dialer.errors import DialerError, NotFound
from dialer.models import Agent, AgentExclusion, AgentLanguage, AgentSkill, LanguageLevel, Shift
from dialer.phones import mask_prefix
from dialer.windows import WeeklyShift, WindowError

logger = logging.getLogger(__name__)

#: What a skill is called: as in the centre file.
SKILL_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
#: What a language code is: a BCP 47 primary tag (``tr``, ``sq``), optionally a region.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")


def set_languages(session: Session, agent: Agent, levels: Mapping[str, LanguageLevel],
                  by: str) -> None:
    """The languages the agent speaks, each at its level, replacing those before.

    :raises DialerError: ``no_language`` (an agent speaks at least one), ``language`` (not a
        language code).
    """
    if not levels:
        raise DialerError("no_language", f"agent {agent.code}: an agent speaks at least one "
                                         "language")
    bad = sorted(code for code in levels if not LANGUAGE_CODE.fullmatch(code))
    if bad:
        raise DialerError("language", f"agent {agent.code}: {', '.join(bad)} are not "
                                      "language codes")
    current = {spoken.language: spoken for spoken in agent.languages}
    for code, spoken in current.items():
        if code not in levels:
            agent.languages.remove(spoken)
    for code, level in levels.items():
        if code in current:
            current[code].level = level
        else:
            agent.languages.append(AgentLanguage(language=code, level=level))
    session.flush()
    logger.info("%s: agent %s speaks %s", by, agent.code,
                ", ".join(f"{code} ({level.value})" for code, level in sorted(levels.items())))


def set_skills(session: Session, agent: Agent, skills: Iterable[str], by: str) -> list[str]:
    """The agent's skills, replacing those before; the skills, sorted.

    :raises DialerError: ``skill`` for a name that is not lower-case letters, digits and
        ``_``, starting with a letter (at most 40).
    """
    wanted = sorted(set(skills))
    bad = [name for name in wanted if not SKILL_NAME.fullmatch(name)]
    if bad:
        raise DialerError("skill", f"agent {agent.code}: {', '.join(bad)}: skill names are "
                                   "lower-case letters, digits and '_', starting with a letter")
    have = {skill.skill: skill for skill in agent.skills}
    for name, skill in have.items():
        if name not in wanted:
            agent.skills.remove(skill)
    agent.skills.extend(AgentSkill(skill=name) for name in wanted if name not in have)
    session.flush()
    logger.info("%s: agent %s skills %s", by, agent.code, ", ".join(wanted) or "none")
    return wanted


def add_shift(session: Session, agent: Agent, weekday: int, start: dt.time, end: dt.time,
              by: str) -> Shift:
    """A weekly shift in the site's local time (an end at or before the start ends the next
    day).

    :raises DialerError: ``shift`` for an impossible shift, or one that starts on the same
        weekday at the same time as one the agent has.
    """
    try:
        WeeklyShift(weekday, start, end)
    except WindowError as error:
        raise DialerError("shift", f"agent {agent.code}: {error}") from None
    if any((shift.weekday, shift.start) == (weekday, start) for shift in agent.shifts):
        raise DialerError("shift", f"agent {agent.code} already has a shift starting then")
    shift = Shift(weekday=weekday, start=start, end=end)
    agent.shifts.append(shift)
    session.flush()
    logger.info("%s: agent %s shift added: day %d %s-%s", by, agent.code, weekday,
                f"{start:%H:%M}", f"{end:%H:%M}")
    return shift


def remove_shift(session: Session, agent: Agent, shift_id: int, by: str) -> None:
    """Remove one of the agent's shifts.

    :raises NotFound: ``shift_not_found`` for a shift that is not this agent's.
    """
    shift = next((shift for shift in agent.shifts if shift.id == shift_id), None)
    if shift is None:
        raise NotFound("shift_not_found", f"agent {agent.code} has no shift {shift_id}")
    agent.shifts.remove(shift)
    session.flush()
    logger.info("%s: agent %s shift %d removed", by, agent.code, shift_id)


def exclude(session: Session, agent: Agent, number_or_prefix: str, reason: str, by: str
            ) -> AgentExclusion:
    """Keep the agent from a number, or from every number starting with a prefix
    (:func:`dialer.contacts.add_exclusion`, which normalizes it and refuses bad prefixes).

    :raises DialerError: ``prefix``, or ``bad_exclusion`` without a reason.
    """
    if not reason.strip():
        raise DialerError("bad_exclusion", "say why the agent is kept from this number")
    exclusion = add_exclusion(session, agent, number_or_prefix, reason.strip()[:200])
    logger.info("%s: agent %s excluded from %s", by, agent.code, mask_prefix(exclusion.prefix))
    return exclusion


def exclusions_of(session: Session, agent_id: int) -> list[tuple[str, str]]:
    """The agent's exclusions as staff may see them: masked, with their reasons."""
    rows = session.scalars(select(AgentExclusion).where(AgentExclusion.agent_id == agent_id)
                           .order_by(AgentExclusion.id))
    return [(mask_prefix(row.prefix), row.reason) for row in rows]
