"""Synthetic agents and contacts for a scratch centre.

Agents come from an :class:`AgentMix` ("sq=10,tr=20;shift=22:00-06:00"): how many speak each
language, and the weekly shifts they are spread over. Contacts are drawn from one
``random.Random``, numbers, languages, time zones and fields, so a seed gives them again.

Numbers start from ``phonenumbers``' example number of each allowed country and number type,
with their trailing digits drawn at random, and are then checked as an imported number is
(:func:`dialer.phones.check_number` with the campaign's countries and types). A template is
kept only if enough of its numbers pass and fall in one time zone
(:func:`dialer.contact_rules.contact_time_zone`): a Russian mobile spans many zones, so a
campaign over Russia draws Russian fixed lines only. Fields come from
:func:`dialer.simulation.answers.simulated_contact`, stored as an import stores them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import random
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import phonenumbers

from dialer.contact_rules import ContactRefused, contact_time_zone, interview_language
from dialer.errors import DialerError
from dialer.import_rows import field_value
from dialer.models import Campaign
from dialer.people import TimeRange
from dialer.phones import NUMBER_TYPES, NumberRefused, check_number
from dialer.simulation.answers import simulated_contact
from dialer.windows import WeeklyShift, WindowError
from survey_engine.i18n.languages import LANGUAGES, SOURCE_LANGUAGE
from survey_engine.questionnaire.model import Questionnaire

__all__ = ["CONVERSION_SKILL", "DEFAULT_SHIFTS", "EPOCH", "MOST_AGENTS", "AgentMix",
           "LanguageDraw", "NumberDrawer", "SimulatedAgent", "SyntheticContact",
           "parse_agent_mix", "parse_language_mix", "simulated_agents", "synthetic_contacts"]

logger = logging.getLogger(__name__)

#: When synthetic contacts are due: long past, so that they are due from the first minute of
#: any simulated day.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
#: At most this many trailing digits of an example number are drawn.
_MOST_DIGITS = 7
#: Numbers drawn to judge a template, and how many of them must be callable to keep it.
_PROBES, _KEPT = 40, 8
#: Draws in a row that may fail before the numbering plan counts as used up.
_TRIES = 2000


#: Most simulated agents a mix may ask for.
MOST_AGENTS = 5000
#: The skill of every tenth simulated agent of a language: its 1st, 11th, 21st...
CONVERSION_SKILL = "refusal_conversion"
_DAYS = range(7)
#: Early, late and night shifts, every day: the centre runs around the clock.
DEFAULT_SHIFTS: tuple[TimeRange, ...] = tuple(
    (day, dt.time(start), dt.time(end)) for start, end in ((6, 14), (14, 22), (22, 6))
    for day in _DAYS)
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")
_COUNT = re.compile(r"[0-9]+")
_SHIFT = re.compile(r"([0-9]{1,2}):([0-9]{2})-([0-9]{1,2}):([0-9]{2})")


@dataclass(frozen=True)
class AgentMix:
    """Simulated agents: how many speak each language natively, and the weekly shifts (site
    local time; an end at or before the start ends the next day) they are spread over.

    The shifts are grouped by their hours into rosters (``08:00-16:00`` on every day it is
    given for, ...); the agents of each language take the rosters in turn, so that every
    language is staffed on each. Default: :data:`DEFAULT_SHIFTS`.

    :raises DialerError: ``agent_mix`` for no language, a bad language code, a count below 1,
        more than :data:`MOST_AGENTS` agents in all, no shift, an impossible or repeated one.
    """

    counts: Mapping[str, int]
    shifts: Sequence[TimeRange] = DEFAULT_SHIFTS

    def __post_init__(self) -> None:
        counts = dict(self.counts)
        if not counts:
            raise _mix_error("no language=count given")
        for language, count in counts.items():
            if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
                raise _mix_error(f"{language!r} is not a language code (nl, fr, sq...)")
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise _mix_error(f"{language}: the count must be a positive whole number, "
                                 f"not {count!r}")
        total = sum(counts.values())
        if total > MOST_AGENTS:
            raise _mix_error(f"{total:,} agents in all; at most {MOST_AGENTS:,}")
        shifts = tuple(self.shifts)
        if not shifts:
            raise _mix_error("no shift given")
        for weekday, start, end in shifts:
            try:
                WeeklyShift(weekday, start, end)
            except WindowError as error:
                raise _mix_error(f"shift {start}-{end}: {error}") from None
        repeated = next((shift for index, shift in enumerate(shifts) if shift in shifts[:index]),
                        None)
        if repeated is not None:
            raise _mix_error(f"shift {repeated[1]:%H:%M}-{repeated[2]:%H:%M} is given twice "
                             f"for weekday {repeated[0]}")
        object.__setattr__(self, "counts", MappingProxyType(counts))
        object.__setattr__(self, "shifts", shifts)

    def rosters(self) -> list[tuple[TimeRange, ...]]:
        """The shifts grouped by their hours, in the order first given: what one agent works."""
        grouped: dict[tuple[dt.time, dt.time], list[TimeRange]] = {}
        for shift in self.shifts:
            grouped.setdefault((shift[1], shift[2]), []).append(shift)
        return [tuple(group) for group in grouped.values()]


@dataclass(frozen=True)
class SimulatedAgent:
    """One agent of a mix: code (``SIM-SQ-001``), language, interface language, skills and
    weekly shifts."""

    code: str
    language: str
    interface_language: str
    skills: tuple[str, ...]
    shifts: tuple[TimeRange, ...]


def simulated_agents(mix: AgentMix) -> list[SimulatedAgent]:
    """The agents of ``mix``, language by language. Each works in its own language where the
    product's interface speaks it, else in English (:data:`SOURCE_LANGUAGE`)."""
    rosters = mix.rosters()
    return [SimulatedAgent(f"SIM-{language.upper()}-{number + 1:03d}", language,
                           language if language in LANGUAGES else SOURCE_LANGUAGE,
                           (CONVERSION_SKILL,) if number % 10 == 0 else (),
                           rosters[number % len(rosters)])
            for language, count in mix.counts.items() for number in range(count)]


def parse_agent_mix(text: str) -> AgentMix:
    """An agent mix written ``sq=10,tr=20,nl=80`` (language=agents speaking it natively),
    optionally followed by ``;shift=HH:MM-HH:MM`` parts (site local time, every day; an end
    at or before the start ends the next day; several allowed, or comma-separated). Without
    a shift: 06:00-14:00, 14:00-22:00 and 22:00-06:00.

    :raises DialerError: ``agent_mix``, the message naming the part at fault.
    """
    counts: dict[str, int] = {}
    shifts: list[TimeRange] = []
    for part in _parts(text, ";", "agent_mix", "agent mix"):
        key, _, value = part.partition("=")
        if key.strip().lower() == "shift":
            for written in _parts(value, ",", "agent_mix", part):
                shifts += _shift(written)
            continue
        for item in _parts(part, ",", "agent_mix", part):
            language, count = _pair(item, "agent_mix", "; shifts come after a ';', as in "
                                                        "nl=8;shift=22:00-06:00")
            if not _COUNT.fullmatch(count) or int(count) < 1:
                raise _mix_error(f"{item!r}: the count must be a positive whole number")
            if language in counts:
                raise _mix_error(f"{item!r}: {language} is given twice")
            counts[language] = int(count)
    return AgentMix(counts, shifts or DEFAULT_SHIFTS)


def parse_language_mix(text: str) -> dict[str, float]:
    """Interview-language weights written ``nl=40,fr=35,tr=10`` (any numbers 0 or more, a
    ``%`` allowed; only their ratios count).

    :raises DialerError: ``language_mix``, the message naming the part at fault.
    """
    weights: dict[str, float] = {}
    for item in _parts(text, ",", "language_mix", "language mix"):
        language, written = _pair(item, "language_mix")
        try:
            weight = float(written.removesuffix("%"))
        except ValueError:
            weight = math.nan
        if not 0 <= weight < math.inf:
            raise DialerError("language_mix", f"language mix: {item!r}: the weight must be a "
                                              f"number, 0 or more")
        if language in weights:
            raise DialerError("language_mix", f"language mix: {item!r}: {language} is given "
                                              f"twice")
        weights[language] = weight
    if not any(weights.values()):
        raise DialerError("language_mix", "language mix: no weight above 0")
    return weights


def _mix_error(message: str) -> DialerError:
    return DialerError("agent_mix", f"agent mix: {message}")


def _parts(text: str, separator: str, code: str, where: str) -> list[str]:
    """The non-empty parts of ``text``; an empty one is refused (``code``)."""
    parts = [part.strip() for part in text.split(separator)]
    if not all(parts):
        raise DialerError(code, f"{where}: an empty part in {text.strip()!r}")
    return parts


def _pair(item: str, code: str, hint: str = "") -> tuple[str, str]:
    """``language=value`` read: the language code (lower case) and the value's text."""
    name, equals, value = item.partition("=")
    language = name.strip().lower()
    what = code.replace("_", " ")
    if not equals:
        raise DialerError(code, f"{what}: {item!r} is not language=number (as in nl=80){hint}")
    if not _LANGUAGE.fullmatch(language):
        raise DialerError(code, f"{what}: {item!r}: {name.strip()!r} is not a language code "
                                f"(nl, fr, sq...){hint}")
    return language, value.strip()


def _shift(written: str) -> list[TimeRange]:
    """``HH:MM-HH:MM`` as that shift on every day of the week."""
    match = _SHIFT.fullmatch(written)
    if match is None:
        raise _mix_error(f"shift {written!r} is not HH:MM-HH:MM (as in 22:00-06:00)")
    start_hour, start_minute, end_hour, end_minute = map(int, match.groups())
    if start_hour > 23 or end_hour > 24 or max(start_minute, end_minute) > 59 \
            or (end_hour == 24 and end_minute):
        raise _mix_error(f"shift {written!r}: no such time of day")
    start, end = dt.time(start_hour, start_minute), dt.time(end_hour % 24, end_minute)
    if start == end:
        raise _mix_error(f"shift {written!r} starts and ends at the same time")
    return [(day, start, end) for day in _DAYS]


@dataclass(frozen=True)
class SyntheticContact:
    """One drawn contact, as a staging record of an import: number, group, fields."""

    phone_e164: str
    masked_number: str
    language: str
    time_zone: str
    country: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class _Template:
    """Numbers with a fixed E.164 start and ``digits`` random digits after it."""

    prefix: str
    digits: int


class NumberDrawer:
    """Unique callable numbers of a campaign's countries and types, each with its one zone.

    :raises DialerError: ``no_synthetic_numbers`` when no allowed country and type gives
        numbers with a single time zone.
    """

    def __init__(self, campaign: Campaign) -> None:
        self.rules: dict[str, Any] = {
            "allowed_countries": list(campaign.allowed_countries),
            "allowed_types": list(campaign.allowed_number_types),
            "default_country": campaign.allowed_countries[0]}
        self.seen: set[str] = set()
        self.by_country = {country: found for country in campaign.allowed_countries
                           if (found := self._templates(country))}
        self.countries = list(self.by_country)
        if not self.countries:
            raise DialerError(
                "no_synthetic_numbers",
                f"campaign {campaign.code}: no number of "
                f"{', '.join(campaign.allowed_countries)} of the types "
                f"{', '.join(campaign.allowed_number_types)} can be drawn with a single time "
                f"zone; copy the campaign's own contacts instead")
        left_out = [c for c in campaign.allowed_countries if c not in self.by_country]
        if left_out:
            logger.warning("campaign %s: no synthetic numbers for %s (no allowed number type "
                           "with a single time zone)", campaign.code, ", ".join(left_out))

    def draw(self, rng: random.Random) -> tuple[str, str, str, str]:
        """A number never drawn before: its E.164 form, masked form, country and zone.

        :raises DialerError: ``contacts_exhausted`` when the templates give no new number.
        """
        for _ in range(_TRIES):
            template = rng.choice(self.by_country[rng.choice(self.countries)])
            raw = f"{template.prefix}{rng.randrange(10 ** template.digits):0{template.digits}d}"
            if raw in self.seen:
                continue
            self.seen.add(raw)
            found = self._callable(raw)
            if found is None:
                continue
            if found[0] != raw:  # written otherwise in E.164: a repeat under another form?
                if found[0] in self.seen:
                    continue
                self.seen.add(found[0])
            return found
        raise DialerError("contacts_exhausted",
                          f"no new number could be drawn after {len(self.seen):,} for "
                          f"{', '.join(self.countries)}: ask for fewer contacts")

    def _callable(self, raw: str) -> tuple[str, str, str, str] | None:
        try:
            number = check_number(raw, **self.rules)
            return number.e164, number.masked, number.country, contact_time_zone(None, number)
        except (NumberRefused, ContactRefused):
            return None

    def _templates(self, country: str) -> list[_Template]:
        """The country's example numbers (one per type, each once) as templates, each with as
        many random digits as still leave enough callable numbers."""
        examples: dict[str, int] = {}  # E.164 example: length of its national number
        for kind in NUMBER_TYPES.values():
            number = phonenumbers.example_number_for_type(country, kind)
            if number is not None:
                national = phonenumbers.national_significant_number(number)
                examples[f"+{number.country_code}{national}"] = len(national)
        found = []
        for example, national_length in examples.items():
            probe = random.Random(example)  # templates do not depend on the seed
            for digits in range(min(_MOST_DIGITS, national_length - 2), 2, -1):
                prefix = example[:-digits]
                passed = sum(self._callable(f"{prefix}{probe.randrange(10 ** digits):0{digits}d}")
                             is not None for _ in range(_PROBES))
                if passed >= _KEPT:
                    found.append(_Template(prefix, digits))
                    break
        return found


class LanguageDraw:
    """Interview languages drawn by weight; equal weights over the campaign's languages unless
    ``weights`` are given.

    :raises DialerError: ``language_mix`` for a language the campaign does not offer, or no
        positive weight.
    """

    def __init__(self, campaign: Campaign, weights: Mapping[str, float] | None) -> None:
        given = weights if weights is not None else dict.fromkeys(campaign.languages, 1.0)
        chosen: dict[str, float] = {}
        for language, weight in given.items():
            try:
                chosen[interview_language(language, campaign.languages)] = float(weight)
            except ContactRefused as refused:
                raise DialerError("language_mix", f"language mix: {refused.message}") from None
        if not all(0 <= weight < math.inf for weight in chosen.values()) \
                or sum(chosen.values()) <= 0:
            raise DialerError("language_mix", "language mix: weights must be positive numbers")
        self.languages = list(chosen)
        self.cumulative = list(itertools.accumulate(chosen.values()))

    def draw(self, rng: random.Random) -> str:
        """One language."""
        return rng.choices(self.languages, cum_weights=self.cumulative)[0]


def synthetic_contacts(campaign: Campaign, questionnaire: Questionnaire, count: int,
                       rng: random.Random, *, languages: Mapping[str, float] | None = None,
                       today: dt.date | None = None,
                       listed: Callable[[Sequence[str]], set[str]] = lambda numbers: set(),
                       batch_size: int = 5000) -> Iterator[list[SyntheticContact]]:
    """``count`` new contacts for ``campaign``, in batches of at most ``batch_size``.

    :param rng: every draw is made from it, in order: the same seed gives the same contacts.
    :param languages: weights of interview languages (campaign languages, any case).
    :param today: the day dates of fields are drawn before (default: today, UTC).
    :param listed: the numbers of a batch that are on the do-not-call list; they are drawn
        again, as an import would refuse them.
    :raises DialerError: ``language_mix``, ``no_synthetic_numbers``, ``contacts_exhausted``,
        ``unsimulated_contact_field``.
    """
    draw_language = LanguageDraw(campaign, languages)
    if count <= 0:
        return
    numbers = NumberDrawer(campaign)
    made = 0
    while made < count:
        batch = [_contact(numbers, draw_language, questionnaire, rng, today)
                 for _ in range(min(batch_size, count - made))]
        refused = listed([contact.phone_e164 for contact in batch])
        if refused:
            batch = [contact for contact in batch if contact.phone_e164 not in refused]
        made += len(batch)
        if batch:
            yield batch


def _contact(numbers: NumberDrawer, languages: LanguageDraw, questionnaire: Questionnaire,
             rng: random.Random, today: dt.date | None) -> SyntheticContact:
    e164, masked, country, zone = numbers.draw(rng)
    language = languages.draw(rng)
    declared = questionnaire.contact_fields
    drawn = simulated_contact(questionnaire, rng, today=today)
    if "phone" in declared:  # as an import stores it: the number called
        drawn["phone"] = e164
    try:
        fields = {name: field_value(name, declared[name], value)
                  for name, value in drawn.items()}
    except ContactRefused as refused:
        raise DialerError("unsimulated_contact_field", refused.message) from None
    return SyntheticContact(e164, masked, language, zone, country, fields)
