"""No path lets an agent-facing payload carry a full number (DESIGN: "Agents never type, see or
choose a number").

Half a day of a campaign is simulated on a committed database (SQLite and PostgreSQL) through
the real dispatcher, call desk, interview desk and ``sim`` backend, wrapped so that every object
they hand out is kept: claims, call cases, dial results and decisions, interview turns with
their prompts, the messages of the errors callers get (refused dials included), the backend's
call events and every log record. With the trace, the answers and the interviews that
supervisors read, each is serialized and scanned for every contact's number in every common
written form. The scanner is proven on planted numbers, and must find the masked numbers the
agents are shown, so a scan that sees nothing cannot pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import logging
import random
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dialer.calls import CallCase, CallDesk, DialResult
from dialer.contacts import add_contact, add_do_not_call, add_exclusion
from dialer.db import transaction
from dialer.dispatch import Claim, Dispatcher
from dialer.errors import DialerError
from dialer.interviews import InterviewDesk, Turn
from dialer.models import (
    Agent,
    AnswerRecord,
    Attempt,
    Campaign,
    Contact,
    ContactPhase,
    Interview,
    TraceEvent,
)
from dialer.outcomes import CallEnding
from dialer.phones import mask_phone
from dialer.scheduling import Decision
from dialer.simulation.runner import Simulation
from dialer.telephony import CallEvent, CallSetup, SimBackend
from survey_engine.interview.engine import Prompt, ShownOption
from tests.dialer import callflow, factories
from tests.dialer.interview_worker import going_on_answer

#: Who works the simulated half day: every contact language has speakers.
AGENTS = {"NL1": ["nl"], "NL2": ["nl", "en"], "FR1": ["fr"], "FR2": ["fr", "nl"],
          "RU1": ["ru", "en"], "TR1": ["tr", "nl"], "EN1": ["en", "fr"]}
LANGUAGES = ("nl", "fr", "en", "ru", "tr")
#: How the call ends after the questionnaire's own ending.
OUTCOME_ENDINGS = {"complete": CallEnding.COMPLETE, "refusal": CallEnding.REFUSAL,
                   "screened_out": CallEnding.SCREENED_OUT,
                   "quota_full": CallEnding.QUOTA_FULL}
#: (country calling code, national significant number's start, digits after it, how many).
NUMBER_PLANS = (("32", "47", 7, 12), ("32", "49", 7, 6), ("32", "2", 7, 4), ("32", "9", 7, 2),
                ("31", "6", 8, 12), ("31", "20", 7, 3), ("33", "6", 8, 12), ("33", "1", 8, 5),
                ("1", "212", 7, 2), ("1", "416", 7, 2))
#: What the scanner strips from serialized text before looking again: the separators numbers
#: are written with (spaces of every kind, dots, slashes, hyphens, brackets).
SEPARATORS = re.compile(r"[\s./\\()\[\]\-\u2010-\u2015]")
_DIGIT_RUN = re.compile(r"\d{8,}")
TOMORROW = callflow.TUESDAY_NOON + dt.timedelta(days=1)


# --- the scanner ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leak:
    """A number found in a payload: which contact's, in which form, where, and around it."""

    number: str
    form: str
    where: str
    excerpt: str


def number_forms(e164: str) -> dict[str, str]:
    """The common ways a number is written down, as digit strings (separators removed): E.164,
    without its plus, national (with the trunk prefix), the national significant number, and
    the last nine digits run together."""
    parsed = phonenumbers.parse(e164, None)
    national = re.sub(r"\D", "", phonenumbers.format_number(
        parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
    significant = phonenumbers.national_significant_number(parsed)
    digits = e164.lstrip("+")
    return {"e164": e164, "without_plus": digits, "national": national,
            "significant": significant, "last_9_digits": digits[-9:]}


class NumberScanner:
    """Finds any of a set of numbers in text, in any of :func:`number_forms`, as written or
    with the separators removed."""

    def __init__(self, numbers: Iterable[str]) -> None:
        self.numbers = sorted(set(numbers))
        self._needles: dict[str, tuple[str, str]] = {}
        for number in self.numbers:
            for form, written in number_forms(number).items():
                self._needles.setdefault(written.lstrip("+"), (number, form))

    def scan(self, where: str, text: str) -> list[Leak]:
        """Every number found in ``text`` (one leak per number and variant of the text)."""
        leaks: dict[str, Leak] = {}
        for variant in dict.fromkeys((text, SEPARATORS.sub("", text))):
            for run in set(_DIGIT_RUN.findall(variant)):
                for needle, (number, _form) in self._needles.items():
                    if needle in run and number not in leaks:
                        leaks[number] = Leak(number, _form_in(variant, number), where,
                                             _excerpt(variant, needle))
        return list(leaks.values())


def _form_in(text: str, number: str) -> str:
    """The fullest form of ``number`` found in ``text``."""
    for form, written in number_forms(number).items():
        if written in text:
            return form
    return "?"


def _excerpt(text: str, needle: str) -> str:
    at = text.find(needle)
    return text[max(0, at - 60):at + len(needle) + 60]


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data, whatever it is: dataclasses field by field, mappings
    (read-only ones too), sequences, enums by name and value, the rest as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__type__": type(value).__name__,
                **{item.name: plain(getattr(value, item.name))
                   for item in dataclasses.fields(value)}}
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}={value.value!r}"
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def serialized(value: Any) -> str:
    """What a payload could show: its JSON form and its repr."""
    return json.dumps(plain(value), default=str, ensure_ascii=False, sort_keys=True) \
        + "\n" + repr(value) + "\n" + str(value)


# --- recording what the desks hand out -----------------------------------------------------
@dataclass
class Recorder:
    """Everything agent- and supervisor-facing layers returned or raised, by where."""

    payloads: list[tuple[str, Any]] = field(default_factory=list)
    errors: list[tuple[str, DialerError]] = field(default_factory=list)

    def keep(self, where: str, payload: Any) -> None:
        self.payloads.append((where, payload))

    @contextmanager
    def raising(self, where: str) -> Iterator[None]:
        """Keep the error a caller is given, and let it go on."""
        try:
            yield
        except DialerError as error:
            self.errors.append((where, error))
            raise

    def texts(self) -> Iterator[tuple[str, str]]:
        for where, payload in self.payloads:
            yield where, serialized(payload)
        for where, error in self.errors:
            yield f"{where} raised {error.code}", "\n".join(
                (error.code, error.message, str(error), repr(error), repr(error.args)))

    def of_type(self, kind: type) -> list[Any]:
        return [payload for _, payload in self.payloads if isinstance(payload, kind)]


class RecordingDispatcher(Dispatcher):
    recorder: Recorder

    def next_call(self, agent_id: int, now: dt.datetime | None = None, *,
                  session: Session | None = None) -> Claim | None:
        with self.recorder.raising("Dispatcher.next_call"):
            claim = super().next_call(agent_id, now, session=session)
        self.recorder.keep("Dispatcher.next_call", claim)
        return claim

    def preview(self, agent_ids: Any, at: dt.datetime, per_agent: int = 1
                ) -> dict[int, list[Claim]]:
        with self.recorder.raising("Dispatcher.preview"):
            shown = super().preview(agent_ids, at, per_agent)
        self.recorder.keep("Dispatcher.preview", shown)
        return shown

    def backlog(self, now: dt.datetime | None = None) -> dict[str, int]:
        counts = super().backlog(now)
        self.recorder.keep("Dispatcher.backlog", counts)
        return counts


#: How a planted dial goes wrong: a rule that changes between the claim and the dial.
REFUSALS = ("do_not_call", "excluded", "country", "number_type")


class RecordingDesk(CallDesk):
    recorder: Recorder
    #: contact id -> the refusal to provoke on its first dial.
    planted: dict[int, str]

    def open_attempt(self, claim: Claim, now: dt.datetime | None = None, *,
                     session: Session | None = None) -> CallCase:
        with self.recorder.raising("CallDesk.open_attempt"):
            case = super().open_attempt(claim, now, session=session)
        self.recorder.keep("CallDesk.open_attempt", case)
        return case

    def dial(self, attempt_id: int, now: dt.datetime | None = None, *,
             session: Session | None = None) -> DialResult:
        restore = self._plant(attempt_id, session) if session is not None else None
        try:
            with self.recorder.raising("CallDesk.dial"):
                result = super().dial(attempt_id, now, session=session)
        finally:
            if restore is not None:
                restore()
        self.recorder.keep("CallDesk.dial", result)
        return result

    def end(self, attempt_id: int, ending: CallEnding, now: dt.datetime | None = None,
            **options: Any) -> Decision:
        with self.recorder.raising("CallDesk.end"):
            decision = super().end(attempt_id, ending, now, **options)
        self.recorder.keep("CallDesk.end", decision)
        return decision

    def _plant(self, attempt_id: int, session: Session) -> Any:
        """Change a rule in the call's own transaction, as a supervisor could between the claim
        and the dial; what puts it back, if anything must be."""
        attempt, contact, campaign = self.call_rows(attempt_id, session)
        refusal = self.planted.pop(contact.id, None)
        if refusal == "do_not_call":
            add_do_not_call(session, contact.phone_e164, "asked on another campaign")
        elif refusal == "excluded":
            agent = session.get(Agent, attempt.agent_id)
            assert agent is not None
            add_exclusion(session, agent, contact.phone_e164, "a relative")
        elif refusal in ("country", "number_type"):
            column = "allowed_countries" if refusal == "country" else "allowed_number_types"
            before = list(getattr(campaign, column))
            setattr(campaign, column, ["CA"] if refusal == "country" else ["voip"])
            return lambda: setattr(campaign, column, before)
        return None


class RecordingInterviews(InterviewDesk):
    recorder: Recorder

    def begin(self, attempt_id: int, now: dt.datetime | None = None, *,
              session: Session | None = None) -> Turn:
        with self.recorder.raising("InterviewDesk.begin"):
            turn = super().begin(attempt_id, now, session=session)
        self.recorder.keep("InterviewDesk.begin", turn)
        return turn

    def answer(self, attempt_id: int, value: Any, now: dt.datetime | None = None, *,
               typed: bool = False, session: Session | None = None) -> Turn:
        with self.recorder.raising("InterviewDesk.answer"):
            turn = super().answer(attempt_id, value, now, typed=typed, session=session)
        self.recorder.keep("InterviewDesk.answer", turn)
        return turn

    def back(self, attempt_id: int, now: dt.datetime | None = None, *,
             session: Session | None = None) -> Turn:
        with self.recorder.raising("InterviewDesk.back"):
            turn = super().back(attempt_id, now, session=session)
        self.recorder.keep("InterviewDesk.back", turn)
        return turn


class RecordingBackend(SimBackend):
    recorder: Recorder

    def place_call(self, attempt_id: int, resolve: Any, now: dt.datetime, *, campaign: str,
                   no_answer_timeout: dt.timedelta, **options: Any) -> CallSetup:
        with self.recorder.raising("SimBackend.place_call"):
            setup = super().place_call(attempt_id, resolve, now, campaign=campaign,
                                       no_answer_timeout=no_answer_timeout, **options)
        for event in setup.events:
            self.recorder.keep("SimBackend.place_call event", event)
        return setup

    def hang_up(self, attempt_id: int, now: dt.datetime, *, by: str) -> CallEvent:
        event = super().hang_up(attempt_id, now, by=by)
        self.recorder.keep("SimBackend.hang_up event", event)
        return event


def _recording(kind: type, recorder: Recorder, *arguments: Any, **options: Any) -> Any:
    made = kind(*arguments, **options)
    made.recorder = recorder
    return made


@dataclass
class RecordedSimulation(Simulation):
    """The simulator, its dispatcher, desks and backend recording what they hand out."""

    recorder: Recorder = field(default_factory=Recorder)
    planted: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.backend.recorder = self.recorder  # type: ignore[attr-defined]
        self.dispatcher = _recording(RecordingDispatcher, self.recorder, self.engine,
                                     roster_ttl=dt.timedelta(seconds=30))
        self.desk = _recording(RecordingDesk, self.recorder, self.engine, self.backend)
        self.desk.planted = self.planted  # type: ignore[attr-defined]
        self.interviews = _recording(RecordingInterviews, self.recorder, self.engine)


# --- the workload ------------------------------------------------------------------------
def contact_numbers(seed: int) -> list[tuple[str, str]]:
    """About sixty valid numbers of NUMBER_PLANS with their interview languages."""
    rng = random.Random(seed)
    numbers: dict[str, str] = {}
    for country, start, digits, wanted in NUMBER_PLANS:
        made = 0
        while made < wanted:
            e164 = f"+{country}{start}" + "".join(rng.choices("0123456789", k=digits))
            parsed = phonenumbers.parse(e164, None)
            if e164 in numbers or not phonenumbers.is_valid_number(parsed) \
                    or phonenumbers.number_type(parsed) not in (
                        phonenumbers.PhoneNumberType.MOBILE,
                        phonenumbers.PhoneNumberType.FIXED_LINE,
                        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
                continue
            language = {"31": "nl", "33": "fr", "1": "en"}.get(country) \
                or rng.choice(LANGUAGES)
            numbers[e164] = rng.choice(LANGUAGES) if rng.random() < 0.3 else language
            made += 1
    return list(numbers.items())


@dataclass
class Workload:
    """What a simulated half day left to scan."""

    engine: Engine
    centre: callflow.Centre
    simulation: RecordedSimulation
    numbers: dict[int, str]
    masked: dict[int, str]
    logs: list[logging.LogRecord]

    @property
    def recorder(self) -> Recorder:
        return self.simulation.recorder

    def tables(self) -> Iterator[tuple[str, str]]:
        """What supervisors read: the trace, answers, interviews and attempts, row by row."""
        with transaction(self.engine) as session:
            for event in session.scalars(select(TraceEvent).order_by(TraceEvent.id)):
                yield f"trace_events #{event.seq} {event.kind}", serialized(
                    {"kind": event.kind, "actor": event.actor, "at": event.at,
                     "contact": event.contact_id, "attempt": event.attempt_id,
                     "data": event.data})
            for record in session.scalars(select(AnswerRecord).order_by(AnswerRecord.id)):
                yield f"answers #{record.id}", serialized(
                    {"question": record.question_id, "kind": record.kind,
                     "value": record.value, "shown_order": record.shown_order,
                     "actor": record.actor, "at": record.at})
            for interview in session.scalars(select(Interview)):
                yield f"interviews #{interview.id}", serialized(
                    {"state": interview.state, "outcome": interview.outcome,
                     "language": interview.language})
            for attempt in session.scalars(select(Attempt)):
                yield f"attempts #{attempt.id}", serialized(
                    {"ending": attempt.ending, "disposition": attempt.disposition,
                     "refusal": attempt.refusal, "mode": attempt.mode})


def run_workload(engine: Engine, caplog: pytest.LogCaptureFixture, seed: int = 11
                 ) -> Workload:
    """Half a day of the centre, every payload recorded, with four refused dials planted; then
    what a workstation may try after the day, against a contact due tomorrow among others."""
    caplog.set_level(logging.DEBUG)
    *numbers, late = contact_numbers(seed)
    centre = callflow.build(engine, agents=AGENTS, contacts=numbers, fields=callflow.CUSTOMER)
    with transaction(engine) as session:
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None
        add_contact(session, campaign, late[0], "en", fields=callflow.CUSTOMER, due_at=TOMORROW)
        rows = list(session.scalars(select(Contact)))
        phones = {row.id: row.phone_e164 for row in rows}
        masked = {row.id: row.masked_number for row in rows}
    planted = dict(zip(centre.contacts[::7], REFUSALS, strict=False))
    simulation = RecordedSimulation(engine, RecordingBackend(seed=seed),
                                    start=callflow.TUESDAY_NOON, days=0.5, planted=planted)
    simulation.run()
    _provoke_refusals(simulation, centre)
    return Workload(engine, centre, simulation, phones, masked, list(caplog.records))


def _provoke_refusals(simulation: RecordedSimulation, centre: callflow.Centre) -> None:
    """What an agent's workstation may try after the day: redial, answer or reopen an ended
    call, take a claim that was lost; and what a supervisor previews for tomorrow."""
    desk, interviews = simulation.desk, simulation.interviews
    with transaction(simulation.engine) as session:
        ended = session.scalars(select(Attempt.id).where(Attempt.dialed_at.is_not(None),
                                                         Attempt.ended_at.is_not(None))
                                .order_by(Attempt.id).limit(3)).all()
    for attempt_id in ended:
        desk.dial(attempt_id, TOMORROW)
        with pytest.raises(DialerError):
            interviews.answer(attempt_id, True, TOMORROW)
        with pytest.raises(DialerError):
            interviews.begin(attempt_id, TOMORROW)
        with pytest.raises(DialerError):
            desk.end(attempt_id, CallEnding.REFUSAL, TOMORROW)
    claim = simulation.dispatcher.next_call(centre.agents["EN1"], TOMORROW)
    assert claim is not None, "the contact due tomorrow at least"
    stale = dataclasses.replace(claim, lease_until=claim.lease_until - dt.timedelta(1))
    with pytest.raises(DialerError):
        desk.open_attempt(stale, TOMORROW)
    simulation.dispatcher.release(claim, TOMORROW)
    simulation.dispatcher.preview(list(centre.agents.values()), TOMORROW, per_agent=3)
    simulation.dispatcher.backlog(TOMORROW)


# --- the scanner is proven first -----------------------------------------------------------
PLANTED = "+32470123456"


def _case(masked_number: str) -> CallCase:
    return CallCase(1, 2, "CAMP", "NL1", "nl", masked_number, 1, ContactPhase.FRESH, "preview")


def _prompt(text: str) -> Turn:
    return Turn(1, Prompt("q", "text", text, (ShownOption(1, "ja"),), (), 1), None)


@pytest.mark.parametrize(("payload", "form"), [
    (_case("+32470123456"), "e164"),
    (_case("+32 470 12 34 56"), "e164"),
    (_prompt("Bel terug op 32470123456"), "without_plus"),
    (_prompt("Bel terug op 0470 12 34 56"), "national"),
    (_prompt("Bel terug op 0470/12.34.56"), "national"),
    (_prompt("Bel terug op 0470-12-34-56"), "national"),
    (_prompt("+32 (0)470 12 34 56"), "national"),
    (CallEvent("ringing", callflow.TUESDAY_NOON, {"to": "470123456"}), "significant"),
    (Decision("3.12", False, phase=ContactPhase.RETRY, promised_to=470123456),
     "significant"),
    (DialerError("not_held", "the claim on +32 470 123 456 was lost"), "e164"),
    (Claim(1, 2, "CAMP", 3, "NL1", "nl", "0470\u00a012\u00a034\u00a056", ContactPhase.FRESH,
           callflow.TUESDAY_NOON), "national"),
])
def test_the_scanner_finds_a_number_in_any_form(payload: Any, form: str) -> None:
    scanner = NumberScanner([PLANTED, "+33612345678"])
    leaks = scanner.scan("planted", serialized(payload))
    assert [(leak.number, leak.form) for leak in leaks] == [(PLANTED, form)], leaks


@pytest.mark.parametrize("number", ["+3222345678", "+31612345678", "+33142345678",
                                    "+12125550123"])
def test_the_scanner_finds_landlines_and_other_plans(number: str) -> None:
    national = phonenumbers.format_number(phonenumbers.parse(number, None),
                                          phonenumbers.PhoneNumberFormat.NATIONAL)
    scanner = NumberScanner([number])
    for written in (number, number[1:], national, f"tel. {national}."):
        assert scanner.scan("planted", serialized(_prompt(written))), written


def test_the_scanner_passes_masked_numbers_and_other_digits() -> None:
    scanner = NumberScanner([PLANTED])
    quiet = [_case(mask_phone(PLANTED)), _prompt("Klantnummer LT1234567, sinds 2019-05-01"),
             CallEvent("answered", callflow.TUESDAY_NOON, {"after_s": 12.345, "ring_s": 4.7}),
             {"hash": "0470123457" + "ab" * 27, "at": callflow.TUESDAY_NOON}]
    for payload in quiet:
        assert scanner.scan("quiet", serialized(payload)) == [], payload
    assert mask_phone(PLANTED) == "+32 4•• •• •• 56"


# --- the workload ---------------------------------------------------------------------------
def test_no_payload_of_a_simulated_half_day_carries_a_number(
        committed: tuple[Engine, str], caplog: pytest.LogCaptureFixture) -> None:
    work = run_workload(committed[0], caplog)
    recorder = work.recorder
    scanner = NumberScanner(work.numbers.values())
    assert len(scanner.numbers) == len(work.centre.contacts) + 1 >= 60

    texts = [*recorder.texts(), *work.tables()]
    texts += [(f"log {record.name}:{record.lineno}", _log_text(record)) for record in work.logs]
    leaks = [leak for where, text in texts for leak in scanner.scan(where, text)]
    assert leaks == [], "\n".join(f"{leak.where}: {leak.form} of {leak.number} in "
                                  f"...{leak.excerpt}..." for leak in leaks[:20])

    # The scan saw what agents are shown: every contact's masked number, in claims and cases.
    claims = recorder.of_type(Claim)
    cases = recorder.of_type(CallCase)
    claimed = {claim.contact_id for claim in claims}
    assert set(work.centre.contacts) <= claimed, "every contact was claimed at least once"
    agent_facing = "\n".join(text for where, text in recorder.texts()
                             if where.startswith(("Dispatcher", "CallDesk")))
    missing = [work.masked[contact] for contact in claimed
               if work.masked[contact] not in agent_facing]
    assert missing == []
    assert all(case.masked_number == work.masked[case.contact_id] for case in cases)
    assert all("•" in masked and masked != work.numbers[contact]
               for contact, masked in work.masked.items())

    # ...and the workload went through every kind of payload, refusals included.
    turns = recorder.of_type(Turn)
    assert len(cases) > 60 and len(turns) > 60
    assert {case.language for case in cases} == set(LANGUAGES)
    assert any(turn.prompt is not None and turn.prompt.options for turn in turns)
    assert {turn.outcome for turn in turns} >= {"complete", None}
    results = recorder.of_type(DialResult)
    assert {result.refused for result in results} >= {*REFUSALS, "already_dialed"}
    assert any(result.answered for result in results)
    assert any(result.decision is not None for result in results)
    assert recorder.of_type(Decision) and recorder.of_type(CallEvent)
    assert {where for where, _ in recorder.errors} >= {
        "InterviewDesk.answer", "InterviewDesk.begin", "CallDesk.end", "CallDesk.open_attempt"}
    with transaction(work.engine) as session:
        refused = session.scalars(select(TraceEvent.data).where(
            TraceEvent.kind == "dial_refused")).all()
    assert {data["reason"] for data in refused} >= set(REFUSALS)
    assert any(record.name.startswith("dialer.") for record in work.logs)
    assert any(record.levelno == logging.DEBUG for record in work.logs)


def test_no_call_event_of_the_sim_backend_carries_a_number(
        committed: tuple[Engine, str]) -> None:
    """Every event the sim backend reports, answered or not, for every kind of ending."""
    centre = callflow.build(committed[0], agents={"NL1": ["nl"]},
                            contacts=[(number, "nl") for number, _ in contact_numbers(5)[::3]])
    with transaction(centre.engine) as session:
        numbers = list(session.scalars(select(Contact.phone_e164)))
    recorder = Recorder()
    backend = _recording(RecordingBackend, recorder, seed=3)
    desk = CallDesk(centre.engine, backend)
    moment = callflow.TUESDAY_NOON
    for _ in numbers:
        claim = centre.dispatcher.next_call(centre.agents["NL1"], moment)
        assert claim is not None
        case = desk.open_attempt(claim, moment)
        result = desk.dial(case.attempt_id, moment)
        if result.answered:
            desk.end(case.attempt_id, CallEnding.REFUSAL, moment + dt.timedelta(minutes=1))
        moment += dt.timedelta(minutes=2)
    events = recorder.of_type(CallEvent)
    scanner = NumberScanner(numbers)
    leaks = [leak for event in events for leak in scanner.scan(event.kind, serialized(event))]
    assert leaks == []
    assert {"dial_requested", "hangup", "answered"} <= {event.kind for event in events}
    assert len({event.kind for event in events}) >= 5


# --- a number read back to the respondent ---------------------------------------------------
#: Contact fields of the customer-file-verification sample, which reads the respondent's own
#: number back to them ({contact.phone}), masked.
VERIFIED = {"full_name": "Élise Dubois", "birth_date": "1961-03-14",
            "street_address": "Rue de la Station 12", "postcode": "1000", "city": "Bruxelles",
            "email": ""}


def _verification_centre(engine: Engine, contacts: list[tuple[str, str, str]]
                         ) -> callflow.Centre:
    """A running campaign over the customer-file-verification sample; ``contacts`` as
    (number, language, phone field)."""
    with transaction(engine) as session:
        campaign = factories.campaign(session, questionnaire="customer-file-verification.yaml")
        site = factories.site(session)
        agent = factories.agent(session, site, ["fr", "nl", "en"], code="FR1")
        people = [add_contact(session, campaign, number, language,
                              fields={**VERIFIED, "phone": phone})
                  for number, language, phone in contacts]
        centre = callflow.Centre(engine, campaign.id, campaign.code, rates=callflow.ALL_ANSWER)
        centre.agents = {"FR1": agent.id}
        centre.contacts = [person.id for person in people]
    return centre


def _answered_call(centre: callflow.Centre, recorder: Recorder, at: dt.datetime
                   ) -> tuple[InterviewDesk, CallCase, DialResult]:
    """A call to the agent's next contact at ``at``, and an interview desk recording."""
    interviews = _recording(RecordingInterviews, recorder, centre.engine)
    case = centre.claim("FR1", at)
    recorder.keep("CallDesk.open_attempt", case)
    result = centre.desk.dial(case.attempt_id, at)
    recorder.keep("CallDesk.dial", result)
    return interviews, case, result


def test_the_number_read_back_to_the_respondent_is_masked(
        committed: tuple[Engine, str]) -> None:
    numbers = [number for number, _ in contact_numbers(23)[::10]]
    centre = _verification_centre(committed[0], [
        (number, language, number)
        for number, language in zip(numbers, ("fr", "nl", "en") * 3, strict=False)])
    phones = dict(zip(centre.contacts, numbers, strict=True))
    recorder = Recorder()
    rng = random.Random(4)
    clock = callflow.TUESDAY_NOON
    read_back: dict[int, list[str]] = {}
    while len(read_back) < len(numbers):
        assert clock < callflow.TUESDAY_NOON + dt.timedelta(days=3), read_back
        if centre.dispatcher.preview([centre.agents["FR1"]], clock)[centre.agents["FR1"]]:
            interviews, case, result = _answered_call(centre, recorder, clock)
            if result.answered and result.answered_at is not None:
                moment = result.answered_at
                turn = interviews.begin(case.attempt_id, moment)
                questionnaire = interviews.questionnaire_of(turn.interview_id)
                while turn.prompt is not None:
                    if turn.prompt.question_id == "phone_still_valid":
                        read_back.setdefault(case.contact_id, []).append(turn.prompt.text)
                    moment += dt.timedelta(seconds=20)
                    turn = interviews.answer(case.attempt_id, going_on_answer(
                        questionnaire, turn.prompt, rng, moment.date()), moment)
                centre.desk.end(case.attempt_id, OUTCOME_ENDINGS[turn.outcome or ""], moment)
        clock += dt.timedelta(minutes=20)
    for contact, texts in read_back.items():
        assert len(texts) == 1 and mask_phone(phones[contact]) in texts[0], texts
    scanner = NumberScanner(numbers)
    leaks = [leak for where, text in recorder.texts() for leak in scanner.scan(where, text)]
    assert leaks == []
    assert len(recorder.of_type(Turn)) > 10 * len(numbers)


def test_a_phone_field_that_no_longer_validates_is_not_shown_to_the_agent(
        committed: tuple[Engine, str]) -> None:
    """A stored phone field the numbering plan no longer accepts (here one stored as given,
    in national form) must refuse the interview without showing the number."""
    number = "+32470123456"
    centre = _verification_centre(committed[0], [(number, "fr", "0470 12 34 56")])
    recorder = Recorder()
    interviews, case, result = _answered_call(centre, recorder, callflow.TUESDAY_NOON)
    assert result.answered and result.answered_at is not None
    with pytest.raises(DialerError) as refused:
        interviews.begin(case.attempt_id, result.answered_at)
    assert refused.value.code == "bad_contact"
    leaks = [leak for where, text in recorder.texts()
             for leak in NumberScanner([number]).scan(where, text)]
    assert leaks == []


def _log_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), record.exc_text or ""]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    return "\n".join(parts)
