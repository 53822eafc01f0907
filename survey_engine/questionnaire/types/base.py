"""The question-type interface and its registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from babel import Locale
from pydantic import BaseModel

from survey_engine.errors import EngineError
from survey_engine.expressions import Kind, Special
from survey_engine.i18n import formatting
from survey_engine.questionnaire.contact import mask_phone
from survey_engine.questionnaire.model import ContactField, Question

#: ``report(path, message, code)``: a problem at ``path`` below the question.
Reporter = Callable[[tuple[Any, ...], str, str], None]


class AnswerRefused(EngineError):
    """An answer breaks a rule of its question; ``message`` is in the interview language."""

    code = "answer_refused"


@dataclass(frozen=True)
class AnswerContext:
    """What validating and rendering an answer needs from the interview.

    ``gettext``/``ngettext`` speak the interview language (the product's ``messages``
    domain); ``label`` gives an option's label in that language.
    """

    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]
    language: str
    locale: Locale
    label: Callable[[Question, int], str]
    contact_fields: Mapping[str, ContactField]
    contact: Mapping[str, Any]

    def refuse(self, message: str, **params: Any) -> AnswerRefused:
        """An :class:`AnswerRefused` with ``message`` (already translated) filled in."""
        return AnswerRefused(message % params if params else message)

    def number(self, value: int | Decimal) -> str:
        """``value`` as the interview language writes numbers."""
        return formatting.number(value, self.language)

    def contact_value(self, name: str, value: Any) -> str:
        """A contact field's value as read out: dates and numbers the local way, phone
        numbers masked (agents never see a full number)."""
        if value is None:
            return ""
        field = self.contact_fields.get(name)
        if field is not None and field.type == "phone" and value:
            return mask_phone(str(value))
        if isinstance(value, dt.date):
            return formatting.long_date(value, self.language)
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return formatting.number(value, self.language)
        return str(value)


class QuestionType:
    """Behaviour shared by every question type; subclasses override what differs."""

    name: ClassVar[str]
    spec: ClassVar[type[BaseModel]]
    kind: ClassVar[Kind | None]
    takes_answer: ClassVar[bool] = True
    has_options: ClassVar[bool] = False

    def check(self, question: Question, contact_fields: Mapping[str, ContactField],
              report: Reporter) -> None:
        """Report rules that involve several keys of the question (``min`` above ``max``...)."""

    def validate(self, question: Question, value: Any, context: AnswerContext) -> Any:
        """The answer in its stored form (JSON-ready), or raise :class:`AnswerRefused`."""
        raise NotImplementedError

    def value_of(self, question: Question, stored: Any, context: AnswerContext) -> Any:
        """What expressions see for a stored answer."""
        return stored

    def parse_text(self, question: Question, text: str, context: AnswerContext) -> Any:
        """Read an answer typed at a keyboard (terminal or web form) into a raw value."""
        return text

    def from_stored(self, question: Question, stored: Any) -> Any:
        """A stored answer given back as an answer, so that resuming an interview checks
        it again exactly as when it was first given (the stored form of most types is
        already an answer they take)."""
        return stored

    def pipe(self, question: Question, stored: Any, context: AnswerContext) -> str:
        """A stored answer as it reads when piped into a later text."""
        return str(stored)


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Class decorator: make ``cls`` available under ``cls.name``."""
    REGISTRY[cls.name] = cls()
    return cls


def special_word(special: Special, context: AnswerContext) -> str:
    """A special answer as it reads in the interview language."""
    if special.name == "dont_know":
        return context.gettext("don't know")
    return context.gettext("refused")
