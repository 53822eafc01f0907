"""Babel extraction method for questionnaires (entry point ``questionnaire``).

Registered under ``babel.extractors`` so that ``pybabel extract -F mapping.cfg`` works too,
with a mapping line such as ``[questionnaire: questionnaires/*.yaml]``. Each text becomes a
``pgettext`` message whose context names the questionnaire and the field
(``energy-satisfaction/nps_why/text``), with a translator comment giving the question type
and its placeholders.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from survey_engine.questionnaire.loader import loads
from survey_engine.questionnaire.model import Questionnaire


def messages_of(questionnaire: Questionnaire) -> Iterator[tuple[int, str, tuple[str, str],
                                                                list[str]]]:
    """(line, function, (context, text), comments) for every translatable text."""
    for item in questionnaire.texts:
        yield item.line, "pgettext", (item.context, item.text), [item.comment]


def extract_questionnaire(fileobj: IO[bytes], keywords: Collection[str],
                          comment_tags: Collection[str], options: Mapping[str, Any]
                          ) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel's extractor interface. An invalid questionnaire raises
    :class:`~survey_engine.errors.QuestionnaireError` listing every problem."""
    name = getattr(fileobj, "name", "<questionnaire>")
    text = fileobj.read().decode("utf-8")
    yield from messages_of(loads(text, str(name)))
