"""The shape of a centre file (see :mod:`dialer.centre_file`), as pydantic models.

The models say which keys exist and what type each value has, and read the small languages of
the format: weekly day-and-time specs (``Mon-Fri 08:00-16:00``), delays (``15m``, ``2h``,
``1d``), decimal pay rates, codes and number prefixes. Each refusal is a pydantic error whose
type is a stable code (``day``, ``time``, ``window_crosses_midnight``...), turned into a
``FILE:LINE:COLUMN`` diagnostic by :func:`survey_engine.questionnaire.structure.validate`.
:func:`check_entries` adds what needs several values (codes or shifts written twice, language
codes) and the keys of ``retry_delays`` (names or quoted AAPOR codes, see
:func:`dialer.campaigns.retry_code`); what needs the database is :mod:`dialer.centre_file`'s.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from dialer.campaigns import retry_code
from dialer.centre_accounts import Network, Pin, SecretHash
from dialer.errors import DialerError
from dialer.outcomes import DISPOSITIONS
from dialer.phones import NumberRefused, check_prefix, international_number
from survey_engine.errors import Diagnostic
from survey_engine.questionnaire.schema import Strict
from survey_engine.questionnaire.semantics import language_problem
from survey_engine.questionnaire.source import Document
from survey_engine.questionnaire.source import Path as Where
from survey_engine.questionnaire.structure import validate

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAYS = {name.lower(): index for index, name in enumerate(DAY_NAMES)}
_SPEC = re.compile(r"(?P<days>.+?)\s+(?P<start>\S+?)\s*-\s*(?P<end>\S+)")
_TIME = re.compile(r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})")
_DELAY = re.compile(r"(?P<amount>[0-9]+)\s*(?P<unit>[mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
_IDENT = re.compile(r"[a-z][a-z0-9_]{0,39}")
#: "24:00" ends a range at midnight; it is stored as the last instant of the day.
END_OF_DAY = dt.time(23, 59, 59, 999999)

Level = Literal["basic", "working", "fluent", "native"]
#: The values of :class:`dialer.models.DialingMode`.
Mode = Literal["preview", "progressive"]
S = TypeVar("S", bound="Strict")


@dataclass(frozen=True)
class WeeklySpec:
    """``Mon-Fri 08:00-16:00``: the weekdays (0 = Monday) it names, a start and an end."""

    days: tuple[int, ...]
    start: dt.time
    end: dt.time

    def ranges(self) -> list[tuple[int, dt.time, dt.time]]:
        """One (weekday, start, end) per day, as :mod:`dialer.campaigns` takes them."""
        return [(day, self.start, self.end) for day in self.days]


def _fail(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message)  # without context, braces stay as written


def days_text(days: tuple[int, ...]) -> str:
    """Weekdays written back compactly: ``(0, 1, 2, 3, 4, 6)`` is ``Mon-Fri,Sun``."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(DAY_NAMES[run[0]] + (f"-{DAY_NAMES[run[-1]]}" if len(run) > 1 else "")
                    for run in runs)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail("string_type", "expected text")
    return value.strip()


def parse_days(text: str) -> tuple[int, ...]:
    """The weekdays of ``Mon``, ``Mon-Fri``, ``Sat,Sun`` or ``Fri-Mon`` (case-insensitive)."""
    days: list[int] = []
    for part in text.split(","):
        ends = [_day(name) for name in part.split("-")]
        if len(ends) > 2:
            raise _fail("day", f"{part.strip()!r} is not a day or a range of days (Mon-Fri)")
        first, last = ends[0], ends[-1]
        days.extend((first + step) % 7 for step in range((last - first) % 7 + 1))
    return tuple(sorted(set(days)))


def _day(name: str) -> int:
    day = _DAYS.get(name.strip().lower())
    if day is None:
        close = difflib.get_close_matches(name.strip().title(), DAY_NAMES, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise _fail("day", f"unknown day {name.strip()!r} (days are {' '.join(DAY_NAMES)}"
                           f"{hint})")
    return day


def parse_time(text: str, *, end: bool = False) -> dt.time:
    """``HH:MM`` (00:00 to 23:59; ``24:00`` too when ``end``)."""
    match = _TIME.fullmatch(text)
    if match is not None:
        hour, minute = int(match["hour"]), int(match["minute"])
        if end and (hour, minute) == (24, 0):
            return END_OF_DAY
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    latest = "24:00" if end else "23:59"
    raise _fail("time", f"{text!r} is not a time (HH:MM, 00:00 to {latest})")


def _weekly(value: Any) -> WeeklySpec:
    text = _text(value)
    match = _SPEC.fullmatch(text)
    if match is None:
        raise _fail("weekly_spec", "write days and times like 'Mon-Fri 08:00-16:00' or "
                                   "'Sat,Sun 10:00-14:00'")
    return WeeklySpec(parse_days(match["days"]), parse_time(match["start"]),
                      parse_time(match["end"], end=True))


def _shift(value: Any) -> WeeklySpec:
    spec = _weekly(value)
    if spec.start == spec.end:
        raise _fail("empty_shift", "a shift cannot start and end at the same time")
    return spec


def _window(value: Any) -> WeeklySpec:
    spec = _weekly(value)
    if spec.start >= spec.end:
        if spec.start == spec.end:
            raise _fail("empty_window", "a calling window cannot start and end at the same "
                                        "time")
        days = days_text(spec.days)
        following = days_text(tuple((day + 1) % 7 for day in spec.days))
        raise _fail("window_crosses_midnight",
                    f"a calling window cannot cross midnight (it ends at or before it "
                    f"starts); write two: '{days} {spec.start:%H:%M}-24:00' and "
                    f"'{following} 00:00-{spec.end:%H:%M}'")
    return spec


def _delay(value: Any) -> dt.timedelta:
    match = _DELAY.fullmatch(_text(value))
    if match is None:
        raise _fail("delay", "write a delay as minutes, hours or days: 15m, 2h, 1d")
    return dt.timedelta(**{_UNITS[match["unit"]]: int(match["amount"])})


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _fail("decimal", "expected a decimal number such as 0.75")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _fail("decimal", "expected a decimal number such as 0.75") from None
    exponent = number.as_tuple().exponent
    if not number.is_finite() or not isinstance(exponent, int):
        raise _fail("decimal", "expected a decimal number such as 0.75")
    if exponent < -2 or abs(number) >= 10 ** 8:
        raise _fail("decimal", "at most two decimals and eight digits before the point")
    return number


def _code(value: Any) -> str:
    text = _text(value)
    if not _CODE.fullmatch(text):
        raise _fail("code", "a code is 1 to 40 letters, digits, '-', '_' or '.', starting "
                            "with a letter or digit")
    return text


def _ident(what: str) -> Any:
    def check(value: Any) -> str:
        text = _text(value)
        if not _IDENT.fullmatch(text):
            raise _fail(what, f"{what} names are lower-case letters, digits and '_', starting "
                              "with a letter (at most 40)")
        return text
    return check


def _prefix(value: Any) -> str:
    _refuse_unquoted(value)
    try:
        return check_prefix(_text(value))
    except NumberRefused as refused:
        raise _fail("prefix", str(refused)) from None


def _whole_number(value: Any) -> str:
    _refuse_unquoted(value)
    try:
        return international_number(_text(value))
    except NumberRefused as refused:
        raise _fail(refused.reason, str(refused)) from None


def _retry_key(value: Any) -> str:
    # Keys are checked as written by check_entries, which refuses unquoted numbers (YAML reads
    # 3.10 as 3.1) where they stand; a spec with such a key is not used.
    return value.strip() if isinstance(value, str) else str(value)


def _refuse_unquoted(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        raise _fail("unquoted_number", "write numbers and prefixes in quotes, e.g. "
                                       "\"+32470123456\" (unquoted, YAML reads a number)")


Code = Annotated[str, PlainValidator(_code)]
Name = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=200)]
Shift = Annotated[WeeklySpec, PlainValidator(_shift)]
Window = Annotated[WeeklySpec, PlainValidator(_window)]
Delay = Annotated[dt.timedelta, PlainValidator(_delay)]
PayRate = Annotated[Decimal, PlainValidator(_decimal)]
Skill = Annotated[str, PlainValidator(_ident("skill"))]
RetryKey = Annotated[str, PlainValidator(_retry_key)]
Prefix = Annotated[str, PlainValidator(_prefix)]
WholeNumber = Annotated[str, PlainValidator(_whole_number)]
Int32 = Annotated[StrictInt, Field(ge=-(2**31), le=2**31 - 1)]  # an INTEGER column


class SiteSpec(Strict):
    code: Code
    name: Name
    time_zone: StrictStr
    hourly_pay_rate: PayRate
    pay_currency: StrictStr
    workstations: list[Network] = Field(default_factory=list)


class AgentSpec(Strict):
    code: Code
    site: StrictStr
    interface_language: StrictStr
    languages: dict[StrictStr, Level]
    skills: list[Skill] = Field(default_factory=list)
    shifts: list[Shift] = Field(default_factory=list)
    exclusions: list[Prefix] = Field(default_factory=list)
    pin: Pin | None = None
    pin_hash: SecretHash | None = None


class ClientSpec(Strict):
    code: Code
    name: Name
    language: StrictStr = "en"


class CampaignSpec(Strict):
    code: Code
    client: StrictStr
    name: Name
    questionnaire: Annotated[StrictStr, StringConstraints(min_length=1)]
    languages: list[StrictStr]
    countries: list[StrictStr]
    number_types: list[StrictStr] | None = None
    windows: Annotated[list[Window], Field(min_length=1)]
    max_attempts: Int32 = 6
    priority: Int32 = 0
    minimum_language_level: Level = "fluent"
    skip_public_holidays: StrictBool = True
    retry_delays: dict[RetryKey, Delay] = Field(default_factory=dict)
    dialing_mode: Mode = "progressive"
    max_call_minutes: Int32 = 30
    no_answer_seconds: Int32 = 30
    export_contact_fields: list[StrictStr] = Field(default_factory=list)
    start: StrictBool = False


class CentreSpec(Strict):
    """The top level; the entries of each list are validated one by one."""

    sites: list[Any] | None = None
    agents: list[Any] | None = None
    clients: list[Any] | None = None
    campaigns: list[Any] | None = None
    users: list[Any] | None = None
    do_not_call: list[WholeNumber] | None = None


@dataclass
class Entry(Generic[S]):
    """One item of a list of the file: its place, its data as written, its spec if sound."""

    section: str
    index: int
    raw: dict[str, Any]
    spec: S | None

    def at(self, *keys: Any) -> Where:
        """The path of a key of the entry, for positions."""
        return (self.section, self.index, *keys)

    def text(self, key: str) -> str | None:
        """The value of ``key`` if it is text, stripped."""
        value = self.raw.get(key)
        return value.strip() if isinstance(value, str) else None


def read_entries(document: Document, section: str, model: type[S],
                 problems: list[Diagnostic]) -> list[Entry[S]]:
    """Each item of the list ``section``, checked on its own against ``model``."""
    items = document.data.get(section)
    return [Entry(section, index, item if isinstance(item, dict) else {},
                  validate(document, (section, index), item, model, problems))
            for index, item in enumerate(items if isinstance(items, list) else [])]


def check_entries(document: Document, problems: list[Diagnostic],
                  sections: Sequence[Sequence[Entry[Any]]], do_not_call: list[str]) -> None:
    """What needs several values but no database: codes, shifts, windows, exclusions,
    numbers and retry codes written twice; language codes; retry keys."""
    def once(values: Iterable[tuple[Where, str | None]], code: str, what: str) -> None:
        first: dict[str, Where] = {}
        for where, value in values:
            if value is not None and value in first:
                line, _ = document.position(first[value])
                problems.append(document.diagnostic(
                    where, f"{what} {value!r} is written twice (first on line {line})", code))
            if value is not None:
                first.setdefault(value, where)

    for entries in sections:
        once([(entry.at("code"), entry.text("code")) for entry in entries], "duplicate_code",
             "code")
        for entry in entries:
            spec = entry.spec
            if entry.section == "agents":
                _check_languages(document, problems, entry)
            if isinstance(spec, AgentSpec):
                found = len(problems)
                _once_in_week(document, problems, entry, "shifts", spec.shifts)
                once([(entry.at("exclusions", index), prefix)
                      for index, prefix in enumerate(spec.exclusions)],
                     "duplicate_exclusion", "exclusion")
                if len(problems) > found:
                    entry.spec = None  # the database would refuse it as a whole
            if entry.section == "campaigns" and not _retry_keys_sound(document, problems,
                                                                       entry):
                entry.spec = None  # its keys would be read as other codes, or refused
            if isinstance(spec, CampaignSpec):
                _once_in_week(document, problems, entry, "windows", spec.windows)
    once([(("do_not_call", index), number) for index, number in enumerate(do_not_call)],
         "duplicate_number", "number")


def _check_languages(document: Document, problems: list[Diagnostic],
                     agent: Entry[Any]) -> None:
    languages = agent.raw.get("languages")
    for language in languages if isinstance(languages, dict) else {}:
        problem = language_problem(language) if isinstance(language, str) else None
        if problem is not None:
            problems.append(document.diagnostic(agent.at("languages", language), problem,
                                                "invalid_language", key=True))
    interface = agent.text("interface_language")
    problem = language_problem(interface) if interface is not None else None
    if problem is not None:
        problems.append(document.diagnostic(agent.at("interface_language"), problem,
                                            "invalid_language"))


def _retry_keys_sound(document: Document, problems: list[Diagnostic],
                      campaign: Entry[Any]) -> bool:
    """Whether each key of ``retry_delays`` is a name or a quoted code, no two naming the
    same code; the problems found are added."""
    found = len(problems)
    delays = campaign.raw.get("retry_delays")
    first: dict[str, tuple[str, int]] = {}
    for key in delays if isinstance(delays, dict) else {}:
        where = campaign.at("retry_delays", key)
        if where in document.broken:
            continue  # the YAML layer has said what is wrong
        written = document.plain_text(where, key=True) or str(key)
        if isinstance(key, (int, float)):
            problems.append(document.diagnostic(
                where, f'retry key {written}: write AAPOR codes in quotes, e.g. "{written}" '
                f"(unquoted, YAML reads a number: 3.10 would be 3.1)", "unquoted_code",
                key=True))
            continue
        text = key.strip() if isinstance(key, str) else written  # a date, say
        try:
            code = retry_code(text)
        except DialerError as error:
            problems.append(document.diagnostic(where, error.message, error.code, key=True))
            continue
        if code in first:
            other, line = first[code]
            problems.append(document.diagnostic(
                where, f"retry key {text!r} names {code} ({DISPOSITIONS[code].label}), as "
                f"{other!r} does (first on line {line})", "duplicate_retry_delay", key=True))
        else:
            first[code] = (text, document.position(where, key=True)[0])
    return len(problems) == found


def week_clashes(key: str, specs: Sequence[WeeklySpec]) -> list[tuple[int, str]]:
    """The specs of ``key`` (``windows``, ``shifts``) that start on a day at a time an
    earlier one starts: (index, message) for each. Two specs may not start on the same day at
    the same time."""
    first: dict[tuple[int, dt.time], int] = {}
    clashes = []
    for index, spec in enumerate(specs):
        clash = sorted(day for day in spec.days if (day, spec.start) in first)
        if clash:
            clashes.append((index, f"{key}[{first[clash[0], spec.start]}] already starts on "
                                   f"{days_text(tuple(clash))} at {spec.start:%H:%M}"))
        for day in spec.days:
            first.setdefault((day, spec.start), index)
    return clashes


def _once_in_week(document: Document, problems: list[Diagnostic], entry: Entry[Any],
                  key: str, specs: Sequence[WeeklySpec]) -> None:
    for index, message in week_clashes(key, specs):
        problems.append(document.diagnostic(entry.at(key, index), message,
                                            f"duplicate_{key[:-1]}"))
