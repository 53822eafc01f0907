"""Babel extraction method for questionnaires (entry point ``questionnaire``).

Registered under ``babel.extractors`` so that ``pybabel extract -F mapping.cfg`` works too,
with a mapping line such as ``[questionnaire: questionnaires/*.yaml]``. Each text becomes a
``pgettext`` message whose context names the questionnaire and the field
(``energy-satisfaction/nps_why/text``), with a translator comment giving the question type
and its placeholders.

A pattern such as ``**.yaml`` also matches scripted interviews (``NAME.interviews.yaml``,
whose top level is a list of cases): they hold nothing to translate and are skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from survey_engine.errors import Diagnostic, QuestionnaireError
from survey_engine.questionnaire.loader import loads
from survey_engine.questionnaire.model import Questionnaire
from survey_engine.questionnaire.source import read_yaml

Message = tuple[int, str, tuple[str, str], list[str]]


class ExtractionError(QuestionnaireError):
    """A file given to the extractor is neither a questionnaire that loads nor a script.

    The message names the file and lists every problem as ``FILE:LINE:COLUMN: message``,
    as ``survey-engine validate`` would; ``diagnostics`` holds them.
    """

    code = "extraction_failed"

    def __init__(self, filename: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(diagnostics)
        self.message = (f"no messages extracted from {filename}: it is not a valid "
                        f"questionnaire\n{self.message}")


def messages_of(questionnaire: Questionnaire) -> Iterator[Message]:
    """(line, function, (context, text), comments) for every translatable text."""
    for item in questionnaire.texts:
        yield item.line, "pgettext", (item.context, item.text), [item.comment]


def extract_questionnaire(fileobj: IO[bytes], keywords: Collection[str],
                          comment_tags: Collection[str], options: Mapping[str, Any]
                          ) -> Iterator[Message]:
    """Babel's extractor interface: the messages of one questionnaire file.

    A script file (a YAML list at the top) yields nothing.

    :raises ExtractionError: if the file is not a valid questionnaire, listing every problem.
    """
    name = str(getattr(fileobj, "name", "<questionnaire>"))
    raw = fileobj.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise ExtractionError(name, [Diagnostic(
            name, line, column, f"not UTF-8 text ({error.reason} at byte {error.start})",
            "encoding")]) from None
    try:
        questionnaire = loads(text, name)
    except QuestionnaireError as error:
        if _is_script(text, name):
            return
        raise ExtractionError(name, error.diagnostics) from None
    yield from messages_of(questionnaire)


def _is_script(text: str, filename: str) -> bool:
    """Whether ``text`` is a scripted-interview file: a YAML list of cases."""
    document, _ = read_yaml(text, filename)
    return document is not None and isinstance(document.data, list)
