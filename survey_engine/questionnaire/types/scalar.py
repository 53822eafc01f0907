"""Questions with one plain value: nps, number, text, date, yes_no, and info (no answer)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from babel.dates import parse_date

from survey_engine.expressions import Kind
from survey_engine.i18n import formatting
from survey_engine.questionnaire.model import ContactField, Question
from survey_engine.questionnaire.schema import InfoSpec, NumberSpec, QuestionSpec, TextSpec
from survey_engine.questionnaire.types.base import AnswerContext, QuestionType, Reporter, register
from survey_engine.values import LARGEST, as_number, iso_date

_STORED_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")


def stored_number(number: Decimal) -> int | str:
    """JSON-ready form: an int when whole, else the decimal's text."""
    if number == number.to_integral_value():
        return int(number)
    return str(number.normalize())


def local_number(value: Any, context: AnswerContext) -> Decimal | None:
    """A number given as a value, or as text written the interview language's way ("2,5" in
    French; "2.5" is refused in Dutch, where it is ambiguous)."""
    if isinstance(value, str):
        return formatting.parse_number(value, context.language)
    return as_number(value)


@register
class Nps(QuestionType):
    name = "nps"
    kind = Kind.NUMBER
    spec = QuestionSpec

    def validate(self, question: Question, value: Any, context: AnswerContext) -> Any:
        number = local_number(value, context)
        if number is None or number != number.to_integral_value() or not 0 <= number <= 10:
            raise context.refuse(context.gettext("Please give a score from 0 to 10."))
        return int(number)

    def pipe(self, question: Question, stored: Any, context: AnswerContext) -> str:
        return context.number(stored)


@register
class Number(QuestionType):
    name = "number"
    kind = Kind.NUMBER
    spec = NumberSpec

    def check(self, question: Question, contact_fields: Mapping[str, ContactField],
              report: Reporter) -> None:
        spec = question.spec
        if spec.min is not None and spec.max is not None and spec.min > spec.max:
            report(("min",), f"min ({spec.min}) is above max ({spec.max})", "min_above_max")
        elif spec.integer and spec.min is not None and spec.max is not None and \
                math.ceil(spec.min) > math.floor(spec.max):
            report(("min",), f"no whole number lies between min ({spec.min}) and max "
                   f"({spec.max}), so an integer question could never be answered",
                   "no_integer_in_range")
        for bound in ("min", "max"):
            value = getattr(spec, bound)
            if value is not None and abs(value) >= LARGEST:
                report((bound,), f"{bound} ({value}) is beyond the largest answer the engine "
                       f"takes ({LARGEST:,})", "bound_too_large")

    def validate(self, question: Question, value: Any, context: AnswerContext) -> Any:
        spec = question.spec
        number = local_number(value, context)
        if number is None:
            raise context.refuse(context.gettext("Please give a number."))
        if spec.integer and number != number.to_integral_value():
            raise context.refuse(context.gettext("Please give a whole number."))
        too_low = spec.min is not None and number < spec.min
        too_high = spec.max is not None and number > spec.max
        if too_low or too_high:
            if spec.min is not None and spec.max is not None:
                raise context.refuse(
                    context.gettext("Please give a number from %(min)s to %(max)s."),
                    min=context.number(spec.min), max=context.number(spec.max))
            if too_low:
                raise context.refuse(context.gettext("Please give a number of at least "
                                                     "%(min)s."), min=context.number(spec.min))
            raise context.refuse(context.gettext("Please give a number of at most %(max)s."),
                                 max=context.number(spec.max))
        return stored_number(number)

    def value_of(self, question: Question, stored: Any, context: AnswerContext) -> Any:
        return Decimal(stored) if isinstance(stored, str) else stored

    def from_stored(self, question: Question, stored: Any) -> Any:
        """Decimals are stored as plain text ("2.5"), which is not how every language
        types them: read it back as the number it is."""
        if isinstance(stored, str) and _STORED_DECIMAL.fullmatch(stored):
            return Decimal(stored)
        return None if isinstance(stored, str) else stored

    def pipe(self, question: Question, stored: Any, context: AnswerContext) -> str:
        return context.number(Decimal(stored) if isinstance(stored, str) else stored)


@register
class Text(QuestionType):
    name = "text"
    kind = Kind.TEXT
    spec = TextSpec

    def validate(self, question: Question, value: Any, context: AnswerContext) -> Any:
        if not isinstance(value, str) or not value.strip():
            raise context.refuse(context.gettext("Please give an answer."))
        text = value.strip()
        limit = question.spec.max_length
        if limit is not None and len(text) > limit:
            raise context.refuse(context.ngettext(
                "The answer is too long: at most %(count)d character.",
                "The answer is too long: at most %(count)d characters.", limit), count=limit)
        return text


def read_date(value: Any, context: AnswerContext | None = None) -> dt.date | None:
    """A date from a date object, an ISO text, or a text in the local format."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    date = iso_date(value.strip())
    if date is not None or context is None:
        return date
    try:
        return parse_date(value.strip(), locale=context.locale)
    except (ValueError, IndexError):
        return None


@register
class Date(QuestionType):
    name = "date"
    kind = Kind.DATE
    spec = QuestionSpec

    def validate(self, question: Question, value: Any, context: AnswerContext) -> Any:
        date = read_date(value, context)
        if date is None:
            raise context.refuse(context.gettext("Please give a date."))
        return date.isoformat()

    def value_of(self, question: Question, stored: Any, context: AnswerContext) -> Any:
        return dt.date.fromisoformat(stored)

    def pipe(self, question: Question, stored: Any, context: AnswerContext) -> str:
        return formatting.long_date(dt.date.fromisoformat(stored), context.language)


@register
class YesNo(QuestionType):
    """Stored as true/false. At a keyboard: 1 for yes, 2 for no (codes, never words)."""

    name = "yes_no"
    kind = Kind.BOOL
    spec = QuestionSpec

    def validate(self, question: Question, value: Any, context: AnswerContext) -> Any:
        if not isinstance(value, bool):
            raise context.refuse(context.gettext("Please answer yes or no."))
        return value

    def parse_text(self, question: Question, text: str, context: AnswerContext) -> Any:
        return {"1": True, "2": False}.get(text.strip(), text)

    def pipe(self, question: Question, stored: Any, context: AnswerContext) -> str:
        return context.gettext("yes") if stored else context.gettext("no")


@register
class Info(QuestionType):
    """Read out to the respondent; takes no answer."""

    name = "info"
    kind = None
    spec = InfoSpec
    takes_answer = False

    def validate(self, question: Question, value: Any, context: AnswerContext) -> Any:
        if value not in (None, ""):
            raise context.refuse(context.gettext("This text is read out; it takes no answer."))
        return None
