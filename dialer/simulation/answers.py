"""Simulated respondents and contacts: answers to any questionnaire, given by its logic.

Everything is drawn from the ``random.Random`` passed in, so one seed gives the same
respondent again. Respondents are plausible rather than uniform: most agree to take part,
scales and scores lean positive, few give many answers to a multiple choice, numbers fall
inside their range, and now and then someone does not know or will not say. An answer that
would end the interview on its own (a refused consent, a screening answer) is mostly drawn
again, so that most interviews go on, as most calls to a well-chosen sample do.

Contact values that must match a ``pattern`` are drawn from the regular expression itself by
`rstr <https://pypi.org/project/rstr/>`_ (``Xeger``), which takes our ``random.Random``
(its ``\\W`` alphabet is a set, so only that class varies with ``PYTHONHASHSEED``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import rstr

from dialer.errors import DialerError
from survey_engine.expressions.ast import MISSING, SPECIALS
from survey_engine.interview.engine import Prompt
from survey_engine.questionnaire.contact import ContactValueError, normalize
from survey_engine.questionnaire.model import ContactField, Option, Question, Questionnaire

logger = logging.getLogger(__name__)

#: How often a respondent answers "don't know" or refuses, where the question allows it.
SPECIAL_RATE = 0.03
#: How often an answer that would end the interview on its own is kept rather than drawn
#: again (an answer ending it with probability p before ends it with p*k / (1 - p + p*k)).
ENDING_KEPT = 0.15
#: How often a yes/no question is answered yes (before answers that end are drawn again).
YES_RATE = 0.6
#: How often a contact value read back (``verify``) is confirmed rather than corrected.
CONFIRM_RATE = 0.9
#: How likely each (non-exclusive) option of a multiple choice is to be picked.
PICK_RATE = 0.3
#: How often an optional contact field is left empty.
EMPTY_RATE = 0.3

_NPS_WEIGHTS = (2, 1, 1, 2, 2, 4, 6, 12, 16, 12, 10)  # promoters, passives, a tail below
_SENTENCES = (
    "Good value for money.", "The service has always been reliable.",
    "They helped me quickly when I called.", "It is a bit too expensive for what it is.",
    "I have never had a real problem.", "The quality went down last year.",
    "Friends recommended it to me.", "It is practical and easy to use.",
    "The staff are friendly.", "I would like clearer information.",
)
_DETAILS = ("at a local market", "from a neighbour", "through my employer", "online, abroad",
            "a small independent one", "it depends on the week")
_FIRST = ("Emma", "Lucas", "Sofia", "Noah", "Lena", "Adam", "Marie", "Yusuf", "Elif", "Arben")
_LAST = ("Peeters", "Janssens", "Dubois", "Lambert", "Maes", "Yilmaz", "Hoxha", "Ivanova")
_STREETS = ("Kerkstraat", "Rue de la Station", "Stationsstraat", "Avenue Louise", "Dorpsstraat")
_CITIES = ("Gent", "Bruxelles", "Antwerpen", "Liège", "Leuven", "Namur", "Brugge")
_TRIES = 50

Answerer = Callable[[Questionnaire, Question, random.Random, dt.date], Any]


def simulated_answer(questionnaire: Questionnaire, prompt: Prompt, rng: random.Random, *,
                     today: dt.date | None = None) -> Any:
    """An answer the interview takes for the question being asked.

    :param prompt: ``Interview.current()`` of an interview through ``questionnaire``.
    :param rng: every choice is drawn from it.
    :param today: the day of the call, before which answered dates lie (default: today, UTC).
    :return: a value for ``Interview.answer``: a code, a list of codes, a number, text, a
        date, True/False, ``{"confirmed": True}``..., a ``Special`` (don't know, refused)
        when the question allows one, or None for an info question.
    :raises DialerError: ``unsimulated_type`` for a question type with no simulated answer.
    """
    question = questionnaire.question(prompt.question_id)
    answerer = _ANSWERERS.get(question.type_name)
    if answerer is None:
        raise DialerError("unsimulated_type", f"{questionnaire.slug}: question {question.id!r} "
                          f"is of type {question.type_name!r}, which simulated respondents "
                          "cannot answer")
    if question.takes_answer and question.allow and rng.random() < SPECIAL_RATE:
        return SPECIALS[rng.choice(sorted(question.allow))]
    day = today or _utc_today()
    answer = answerer(questionnaire, question, rng, day)
    for _ in range(_TRIES):
        if not _ends(question, answer) or rng.random() < ENDING_KEPT:
            break
        answer = answerer(questionnaire, question, rng, day)
    return answer


def simulated_contact(questionnaire: Questionnaire, rng: random.Random, *,
                      today: dt.date | None = None) -> dict[str, Any]:
    """A contact record with every field the questionnaire declares, of its type and
    pattern, as a contact file gives it (JSON-ready: dates as ``YYYY-MM-DD`` text); optional
    fields are sometimes empty.

    :raises DialerError: ``unsimulated_contact_field`` if no drawn value fits a field.
    """
    day = today or _utc_today()
    return {name: "" if not field.required and rng.random() < EMPTY_RATE
            else _contact_value(field, rng, day)
            for name, field in questionnaire.contact_fields.items()}


# --- answers by question type ---------------------------------------------------------------
def _scale(questionnaire: Questionnaire, question: Question, rng: random.Random,
           today: dt.date) -> Any:
    """Higher codes (the positive end of the scale) are likelier."""
    options = sorted(question.options, key=lambda option: option.code)
    return _chosen(rng.choices(options, weights=range(1, len(options) + 1))[0], rng)


def _multi_choice(questionnaire: Questionnaire, question: Question, rng: random.Random,
                  today: dt.date) -> Any:
    """Each option is picked on its own; picking none means an exclusive option ("none of
    these") where there is one, within min_selected and max_selected."""
    spec = question.spec
    plain = [option for option in question.options if not option.exclusive]
    exclusive = [option for option in question.options if option.exclusive]
    picked = [option for option in plain if rng.random() < PICK_RATE]
    if not picked and exclusive and spec.min_selected <= 1:
        return [_chosen(rng.choice(exclusive), rng)]
    if len(picked) < spec.min_selected:
        rest = [option for option in plain if option not in picked]
        picked += rng.sample(rest, min(spec.min_selected - len(picked), len(rest)))
    if spec.max_selected is not None and len(picked) > spec.max_selected:
        picked = rng.sample(picked, spec.max_selected)
    return [_chosen(option, rng) for option in picked]


def _chosen(option: Option, rng: random.Random) -> Any:
    """An option as an answer: its code, with details for an option that asks for them."""
    return {"code": option.code, "specify": rng.choice(_DETAILS)} if option.specify \
        else option.code


def _number(questionnaire: Questionnaire, question: Question, rng: random.Random,
            today: dt.date) -> Any:
    """Between min and max (0 to 100 where unbounded), most often in the lower middle of the
    range: ages of adults mostly, modest amounts."""
    spec = question.spec
    low: Decimal = spec.min if spec.min is not None else \
        min(Decimal(0), spec.max - 100) if spec.max is not None else Decimal(0)
    high: Decimal = spec.max if spec.max is not None else low + 100
    drawn = rng.triangular(float(low), float(high), float(low + (high - low) * Decimal("0.35")))
    if spec.integer:
        return min(max(round(drawn), math.ceil(low)), math.floor(high))
    return min(max(Decimal(f"{drawn:.2f}"), low), high)


def _text(questionnaire: Questionnaire, question: Question, rng: random.Random,
          today: dt.date) -> Any:
    """One or two short sentences, cut to max_length."""
    text = " ".join(rng.sample(_SENTENCES, rng.choice((1, 1, 2))))
    limit = question.spec.max_length
    return text if limit is None else text[:limit].strip()


def _date(questionnaire: Questionnaire, question: Question, rng: random.Random,
          today: dt.date) -> Any:
    """A day within the last five years."""
    return today - dt.timedelta(days=rng.randint(1, 5 * 365))


def _verify(questionnaire: Questionnaire, question: Question, rng: random.Random,
            today: dt.date) -> Any:
    """Mostly confirmed; else corrected with another value of the field's type."""
    if rng.random() < CONFIRM_RATE:
        return {"confirmed": True}
    field = questionnaire.contact_fields[question.spec.field]
    return {"corrected": _contact_value(field, rng, today)}


_ANSWERERS: dict[str, Answerer] = {
    "single_choice": lambda _, question, rng, __: _chosen(rng.choice(question.options), rng),
    "scale": _scale, "multi_choice": _multi_choice,
    "nps": lambda _, __, rng, ___: rng.choices(range(11), weights=_NPS_WEIGHTS)[0],
    "number": _number, "text": _text, "date": _date,
    "yes_no": lambda _, __, rng, ___: rng.random() < YES_RATE,
    "info": lambda *_: None, "verify": _verify,
}


def _ends(question: Question, answer: Any) -> bool:
    """Whether ``answer`` alone ends the interview (an end_if that also reads other answers or
    the contact is taken not to hold)."""
    return question.end_if is not None and \
        question.end_if.holds({question.id: _value(answer)}, {})


def _value(answer: Any) -> Any:
    """A drawn answer as expressions see it: choices by their codes."""
    if isinstance(answer, list):
        return frozenset(_value(item) for item in answer)
    if isinstance(answer, dict):
        return answer.get("code", MISSING)
    return answer


# --- contact values -------------------------------------------------------------------------
def _contact_value(field: ContactField, rng: random.Random, today: dt.date) -> Any:
    """A non-empty value that the field's type and pattern accept."""
    for _ in range(_TRIES):
        value = _draw(field, rng, today)
        try:
            normalize(field, value)
        except ContactValueError as error:
            logger.debug("drawn contact value refused: %s", error)
            continue
        return value
    pattern = f" matching {field.pattern.pattern!r}" if field.pattern is not None else ""
    raise DialerError("unsimulated_contact_field", f"contact field {field.name!r}: no "
                      f"{field.type} value{pattern} could be drawn in {_TRIES} tries")


def _draw(field: ContactField, rng: random.Random, today: dt.date) -> Any:
    if field.pattern is not None and field.type == "text":
        return rstr.Rstr(rng).xeger(field.pattern.pattern)
    if field.type == "date":
        years = (18, 85) if "birth" in field.name else (0, 20)
        days = rng.randint(years[0] * 366, years[1] * 365)
        return (today - dt.timedelta(days=days)).isoformat()
    if field.type == "number":
        return rng.randint(1, 9999)
    if field.type == "phone":  # a Belgian mobile number, as the samples call
        return "+324" + rng.choice("6789") + "".join(rng.choices("0123456789", k=7))
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    if field.type == "email":
        return f"{first}.{last}{rng.randint(1, 99)}@example.be".lower()
    name = field.name
    if "first" in name:
        return first
    if "name" in name:
        return f"{first} {last}"
    if "street" in name or "address" in name:
        return f"{rng.choice(_STREETS)} {rng.randint(1, 180)}"
    if "city" in name or "town" in name:
        return rng.choice(_CITIES)
    return f"{rng.choice(_DETAILS).capitalize()} {rng.randint(1, 99)}"


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
