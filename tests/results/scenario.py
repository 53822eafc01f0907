"""Interviews for results tests, taken through the real dispatcher, call desk and interview
desk on the sample customer-satisfaction questionnaire: every answer is stored and traced as
a live call stores it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from dialer.db import transaction
from dialer.models import Campaign
from dialer.outcomes import CallEnding
from survey_engine.expressions import DONT_KNOW, REFUSED
from tests.dialer.callflow import Centre, build

#: A Russian respondent's details for an "other" improvement: 70 Cyrillic letters and spaces.
RUSSIAN_DETAILS = "Хотелось бы более понятные счета и поменьше звонков с рекламой вечером"

#: Answers in the order the questionnaire asks them, then how the call ends.
COMPLETE_RU: tuple[list[Any], CallEnding] = (
    [True, [1, 2], 4, DONT_KNOW, [3, {"code": 8, "specify": RUSSIAN_DETAILS}], False, 9,
     "Связь хорошая", 1, Decimal("45.5")], CallEnding.COMPLETE)
COMPLETE_NL: tuple[list[Any], CallEnding] = (
    [True, [3], REFUSED, [7], True, 2, 5, 1, DONT_KNOW, 4, REFUSED], CallEnding.COMPLETE)
#: Refused at consent: the questionnaire ends as a refusal (2.111, settled: one attempt).
REFUSAL: tuple[list[Any], CallEnding] = ([False], CallEnding.REFUSAL)
#: Broken off after three answers (2.12).
BREAK_OFF: tuple[list[Any], CallEnding] = ([True, [4], 2], CallEnding.BREAK_OFF)

AGENTS = {"RU1": ["ru"], "NL1": ["nl"], "NL2": ["nl"]}


def centre_with(engine: Engine, languages: Sequence[str], *, max_attempts: int = 1,
                export_fields: Sequence[str] = ()) -> Centre:
    """A centre with one contact per language given, numbered in order."""
    contacts = [(f"+3247000{index:04d}", language) for index, language in enumerate(languages)]
    centre = build(engine, agents=AGENTS, contacts=contacts, max_attempts=max_attempts,
                   holidays_off=False)
    if export_fields:
        allow_export(centre, export_fields)
    return centre


def allow_export(centre: Centre, fields: Sequence[str]) -> None:
    """Let the centre's campaign export these contact fields."""
    with transaction(centre.engine) as session:
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None
        campaign.export_contact_fields = list(fields)


def moment() -> dt.datetime:
    """Now: contacts are due from when they are stored, in real time."""
    return dt.datetime.now(dt.UTC)


def interview(centre: Centre, agent: str, script: tuple[list[Any], CallEnding],
              at: dt.datetime | None = None) -> int:
    """Claim the agent's next contact, call it, answer ``script`` and end the call; returns
    the attempt id."""
    answers, ending = script
    at = at or moment()
    case = centre.claim(agent, at)
    dialed = centre.desk.dial(case.attempt_id, at)
    assert dialed.answered_at is not None, "the sim respondent did not answer"
    now = dialed.answered_at
    centre.interviews.begin(case.attempt_id, now)
    for value in answers:
        now += dt.timedelta(seconds=20)
        turn = centre.interviews.answer(case.attempt_id, value, now)
        assert turn.accepted, turn.message
    centre.desk.end(case.attempt_id, ending, now + dt.timedelta(seconds=30))
    return case.attempt_id


#: The Russian questionnaire with every question type (tests/results/data/opros-ru.yaml).
OPROS = Path(__file__).parent / "data" / "opros-ru.yaml"
OPROS_CONTACT = {"city": "Брюссель", "customer_number": "C-0001"}
LONG_PROVIDER = ("Национальный оператор мобильной и фиксированной связи с домашним "
                 "интернетом и телевидением")
OPROS_A: tuple[list[Any], CallEnding] = (
    [True, 1, 4, [1, {"code": 3, "specify": "Письмом"}], 10, Decimal("19.99"), "Ничего",
     "2019-05-01", {"corrected": "Гент"}], CallEnding.COMPLETE)
OPROS_B: tuple[list[Any], CallEnding] = (
    [True, {"code": 3, "specify": "Мегафон"}, REFUSED, DONT_KNOW, DONT_KNOW, REFUSED,
     REFUSED, "2020-02-29", {"confirmed": True}], CallEnding.COMPLETE)


def opros_centre(engine: Engine) -> Centre:
    """Three Russian interviews of :data:`OPROS`: A and B complete, the third refused at
    consent; the campaign lets exports carry both contact fields."""
    centre = build(engine, agents={"RU1": ["ru"]},
                   contacts=[(f"+3247000{index:04d}", "ru") for index in range(3)],
                   max_attempts=1, holidays_off=False, questionnaire=str(OPROS),
                   fields=OPROS_CONTACT)
    allow_export(centre, ["customer_number", "city"])
    for script in (OPROS_A, OPROS_B, REFUSAL):
        interview(centre, "RU1", script)
    return centre


@contextmanager
def completing(centre: Centre, agents: Sequence[str], per_agent: int
               ) -> Iterator[Callable[[], bool]]:
    """Each of ``agents`` works ``per_agent`` interviews in a thread of its own (one in four
    complete, the others refused at consent) while the ``with`` body runs; the body gets a
    function telling whether any is still working. The threads are joined at the end, and
    the first failure of one is raised."""
    failures: list[BaseException] = []

    def work(agent: str) -> None:
        try:
            for index in range(per_agent):
                interview(centre, agent, COMPLETE_NL if index % 4 == 0 else REFUSAL)
        except BaseException as error:  # raised by the caller's thread
            failures.append(error)

    writers = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for writer in writers:
        writer.start()
    try:
        yield lambda: any(writer.is_alive() for writer in writers)
    finally:
        for writer in writers:
            writer.join()
    if failures:
        raise failures[0]
