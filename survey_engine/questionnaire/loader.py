"""Load a questionnaire file: every problem reported in one pass, or a ready model.

The work is done in layers, each reporting all it finds before the next runs on whatever
was sound: YAML (syntax, duplicate keys, YAML 1.1 traps), structure (pydantic specs: known
keys and types), then meaning (ids, codes, languages, expressions, placeholders).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from survey_engine.errors import Diagnostic, QuestionnaireError
from survey_engine.questionnaire import semantics
from survey_engine.questionnaire.model import ContactField, Option, Question, Questionnaire, Quota
from survey_engine.questionnaire.schema import (
    IDENT_PATTERN,
    ContactFieldSpec,
    QuestionnaireSpec,
    QuestionSpec,
    QuotaSpec,
    SpecialCodes,
)
from survey_engine.questionnaire.semantics import Draft
from survey_engine.questionnaire.source import Document, read_file, read_yaml
from survey_engine.questionnaire.structure import validate
from survey_engine.questionnaire.types import REGISTRY

logger = logging.getLogger(__name__)


def load(path: str | Path) -> Questionnaire:
    """Load and validate the questionnaire file at ``path``.

    :raises QuestionnaireError: with every problem found, each as ``FILE:LINE:COLUMN``.
    """
    text, problems = read_file(path)
    if text is None:
        raise QuestionnaireError(problems)
    return loads(text, str(path))


def loads(text: str, filename: str = "<string>") -> Questionnaire:
    """Load a questionnaire from YAML text; ``filename`` is used in diagnostics.

    :raises QuestionnaireError: with every problem found.
    """
    document, problems = read_yaml(text, filename)
    if document is None:
        raise QuestionnaireError(problems)
    questionnaire = _build(document, problems)
    if problems or questionnaire is None:
        raise QuestionnaireError(problems)
    return questionnaire


def _build(document: Document, problems: list[Diagnostic]) -> Questionnaire | None:
    data = document.data
    if not isinstance(data, dict):
        problems.append(document.diagnostic((), "a questionnaire is a mapping of keys "
                                                "(questionnaire:, version:, questions: ...)",
                                            "not_mapping"))
        return None
    # Validate the top level without its lists, then each entry on its own, so that one bad
    # question does not hide the problems of the others.
    parts = {key: value for key, value in data.items()
             if key not in ("contact_fields", "questions", "quotas")}
    top = validate(document, (), {**parts, "questions": [None]}, QuestionnaireSpec, problems)
    contact_fields = _contact_fields(document, data.get("contact_fields", {}), problems)
    special_codes = (top.special_codes if top else _special_codes(data))
    semantics.check_languages(document, data, problems)
    if top is not None:
        semantics.check_special_codes(document, top, problems)
    drafts, questions = _questions(document, data.get("questions"), contact_fields,
                                   special_codes, problems)
    quotas = _quotas(document, data.get("quotas", []), drafts, contact_fields, problems)
    texts = semantics.check_texts(document, data, drafts, contact_fields, problems)
    if top is None or questions is None or quotas is None or problems:
        return None
    return Questionnaire(
        slug=top.questionnaire, version=top.version, title=top.title,
        source_language=top.source_language, languages=tuple(top.languages),
        special_codes={"dont_know": top.special_codes.dont_know,
                       "refused": top.special_codes.refused},
        contact_fields=contact_fields, questions=tuple(questions), quotas=tuple(quotas),
        intro=top.intro, closing=top.closing, filename=document.filename, texts=tuple(texts))


def _special_codes(data: dict[str, Any]) -> SpecialCodes:
    try:
        return SpecialCodes.model_validate(data.get("special_codes") or {})
    except ValueError:
        return SpecialCodes()


def _contact_fields(document: Document, raw: Any, problems: list[Diagnostic]
                    ) -> dict[str, ContactField]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(document.diagnostic(("contact_fields",), "contact_fields: expected a "
                                            "mapping of field names", "dict_type"))
        return {}
    fields: dict[str, ContactField] = {}
    for name, value in raw.items():
        path = ("contact_fields", name)
        valid_name = isinstance(name, str) and re.match(IDENT_PATTERN, name) is not None
        if not valid_name:
            problems.append(document.diagnostic(path, f"contact field {name!r}: names are "
                                                "lower-case letters, digits and '_', starting "
                                                "with a letter", "invalid_name", key=True))
        spec = validate(document, path, value, ContactFieldSpec, problems)
        if spec is None or not valid_name:
            continue
        pattern = semantics.compile_pattern(document, (*path, "pattern"), spec.pattern,
                                            problems)
        fields[name] = ContactField(name, spec.type, spec.required, pattern)
    return fields


def _questions(document: Document, raw: Any, contact_fields: dict[str, ContactField],
               special_codes: SpecialCodes, problems: list[Diagnostic]
               ) -> tuple[list[Draft], list[Question] | None]:
    """Every question entry as a draft, and the validated questions if all were sound."""
    if not isinstance(raw, list):
        return [], None  # the top-level validation already said what is wrong
    drafts: list[Draft] = []
    first_line: dict[str, int] = {}
    for index, item in enumerate(raw):
        path = ("questions", index)
        semantics.check_option_codes(document, path, item, special_codes, problems)
        question = _question(document, path, item, problems)
        draft = Draft.of(path, item, question)
        if draft.id is not None and draft.id in first_line:
            # Still checked in full below; expressions and placeholders see the first one.
            problems.append(document.diagnostic((*path, "id"), f"duplicate question id "
                                                f"{draft.id!r} (first on line "
                                                f"{first_line[draft.id]})", "duplicate_id"))
        elif draft.id is not None:
            first_line[draft.id] = document.position((*path, "id"))[0]
        if draft.question is not None:

            def report(sub: tuple[Any, ...], message: str, code: str, _path: Any = path) -> None:
                problems.append(document.diagnostic((*_path, *sub), message, code))

            draft.question.type.check(draft.question, contact_fields, report)
        drafts.append(draft)
    return drafts, semantics.check_flow(document, drafts, contact_fields, problems)


def _question(document: Document, path: tuple[Any, ...], item: Any,
              problems: list[Diagnostic]) -> Question | None:
    if not isinstance(item, dict):
        problems.append(document.diagnostic(path, "a question is a mapping (id:, type:, "
                                                  "text: ...)", "not_mapping"))
        return None
    type_name = item.get("type")
    question_type = REGISTRY.get(type_name) if isinstance(type_name, str) else None
    if question_type is None:
        if "type" not in item:
            problems.append(document.diagnostic(path, "missing key 'type'", "missing_key",
                                                key=True))
        else:
            problems.append(semantics.unknown_type(document, (*path, "type"), type_name))
        validate(document, path, {**item, "type": "x"}, QuestionSpec, [])
        return None
    spec: Any = validate(document, path, item, question_type.spec, problems)
    if spec is None:
        return None
    options = tuple(Option(code, o.label, o.exclusive, o.fixed, o.specify)
                    for code, o in getattr(spec, "options", {}).items())
    return Question(
        id=spec.id, type=question_type, text=spec.text, spec=spec,
        line=document.position(path)[0], options=options,
        allow=frozenset(getattr(spec, "allow", ())),
        end_outcome=getattr(spec, "end_outcome", None))


def _quotas(document: Document, raw: Any, drafts: list[Draft],
            contact_fields: dict[str, ContactField], problems: list[Diagnostic]
            ) -> list[Quota] | None:
    """The quotas, or None if any is unsound. Every ``when`` is checked against whatever
    the questions are, broken ones included, so its problems show in the same pass."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(document.diagnostic(("quotas",), "quotas: expected a list",
                                            "list_type"))
        return None
    scope = semantics.ScopeTable(drafts, contact_fields).at(len(drafts))
    quotas: list[Quota] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        path = ("quotas", index)
        spec = validate(document, path, item, QuotaSpec, problems)
        when_text = item.get("when") if isinstance(item, dict) else None
        when = None
        if isinstance(when_text, str) and when_text.strip():
            when = semantics.compile_condition(document, (*path, "when"), when_text.strip(),
                                               scope, problems)
        if spec is None:
            continue
        if spec.id in seen:
            problems.append(document.diagnostic((*path, "id"), f"duplicate quota id "
                                                f"{spec.id!r}", "duplicate_id"))
            continue
        seen.add(spec.id)
        if when is not None:
            quotas.append(Quota(spec.id, when, spec.max_completes))
    return quotas if len(quotas) == len(raw) else None
