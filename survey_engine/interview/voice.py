"""What the respondent hears: texts in the interview language with piped values written the
way that language writes them (numbers, dates and lists through CLDR)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from survey_engine.expressions.ast import special
from survey_engine.i18n.catalog import Wording
from survey_engine.questionnaire.model import Question, Questionnaire
from survey_engine.questionnaire.placeholders import Template, parse_template
from survey_engine.questionnaire.types import AnswerContext
from survey_engine.questionnaire.types.base import special_word


@lru_cache(maxsize=4096)
def _template(text: str) -> Template:
    return parse_template(text)


class Voice:
    """Renders a questionnaire's texts for one interview."""

    def __init__(self, questionnaire: Questionnaire, wording: Wording,
                 context: AnswerContext) -> None:
        self.questionnaire = questionnaire
        self.wording = wording
        self.context = context
        self._sources = {item.context: item.text for item in questionnaire.texts}

    def raw(self, key: str) -> str:
        """The translated text for ``slug/key`` with placeholders left in."""
        context = f"{self.questionnaire.slug}/{key}"
        source = self._sources.get(context, "")
        return self.wording.lookup(context, source)

    def render(self, key: str, answers: dict[str, Any], contact: dict[str, Any],
               unanswered: Callable[[str], str] | None = None) -> str:
        """The text for ``slug/key`` with every placeholder filled in; a placeholder of a
        question not answered reads "" (or what ``unanswered`` gives for its name: a
        preview marks it)."""
        def resolve(name: str) -> str:
            if unanswered is not None and not name.startswith("contact.") \
                    and name not in answers:
                return unanswered(name)
            return self.pipe(name, answers, contact)

        return _template(self.raw(key)).render(resolve)

    def label(self, question: Question, code: int) -> str:
        """An option label in the interview language (placeholders not filled)."""
        return self.raw(f"{question.id}/options/{code}")

    def pipe(self, name: str, answers: dict[str, Any], contact: dict[str, Any]) -> str:
        """The value behind ``{name}`` as the interview language writes it; "" if none."""
        if name.startswith("contact."):
            field = name[len("contact."):]
            return self.context.contact_value(field, contact.get(field))
        if name not in answers:
            return ""
        question = self.questionnaire.question(name)
        stored = answers[name]
        if isinstance(stored, dict) and "special" in stored:
            return special_word(special(stored["special"]), self.context)
        return question.type.pipe(question, stored, self.context)
