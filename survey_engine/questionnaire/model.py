"""The loaded questionnaire: immutable objects the interview engine walks.

Built by :func:`survey_engine.questionnaire.loader.load` from a validated file; nothing in
here reads YAML or knows about files beyond the name kept for messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from survey_engine.expressions import Expression

if TYPE_CHECKING:
    from survey_engine.questionnaire.schema import EndOutcome
    from survey_engine.questionnaire.types import QuestionType


@dataclass(frozen=True)
class Option:
    """One answer option; ``code`` is its identity in every language and every export."""

    code: int
    label: str
    exclusive: bool = False
    fixed: bool = False
    specify: bool = False


@dataclass(frozen=True)
class ContactField:
    """A field each contact record carries (or may carry, when not ``required``)."""

    name: str
    type: str
    required: bool = True
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Quota:
    """Ends an interview as ``quota_full`` once ``max_completes`` is reached and ``when`` holds."""

    id: str
    when: Expression
    max_completes: int


@dataclass(frozen=True)
class TranslatableText:
    """One text to translate: gettext context, source text, and notes for the translator."""

    context: str
    text: str
    line: int
    comment: str
    placeholders: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class Question:
    """One question, with its type's behaviour and its compiled conditions."""

    id: str
    type: QuestionType
    text: str
    spec: Any
    line: int
    options: tuple[Option, ...] = ()
    allow: frozenset[str] = frozenset()
    show_if: Expression | None = None
    end_if: Expression | None = None
    end_outcome: EndOutcome | None = None

    @property
    def type_name(self) -> str:
        return self.type.name

    @property
    def takes_answer(self) -> bool:
        return self.type.takes_answer

    def option(self, code: int) -> Option | None:
        """The option with this code, or None."""
        return self._options_by_code.get(code)

    @cached_property
    def _options_by_code(self) -> dict[int, Option]:
        return {option.code: option for option in self.options}


@dataclass(frozen=True, eq=False)
class Questionnaire:
    """A whole questionnaire: identity, languages, contact fields, questions and quotas."""

    slug: str
    version: int
    title: str
    source_language: str
    languages: tuple[str, ...]
    special_codes: dict[str, int]
    contact_fields: dict[str, ContactField]
    questions: tuple[Question, ...]
    quotas: tuple[Quota, ...] = ()
    intro: str | None = None
    closing: str | None = None
    filename: str = "<memory>"
    texts: tuple[TranslatableText, ...] = ()
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index.update({q.id: i for i, q in enumerate(self.questions)})

    @property
    def domain(self) -> str:
        """The gettext domain of this questionnaire's wording."""
        return self.slug

    def question(self, ident: str) -> Question:
        """The question with this id. :raises KeyError: if there is none."""
        return self.questions[self._index[ident]]

    def position(self, ident: str) -> int:
        """0-based position of a question in file order."""
        return self._index[ident]
