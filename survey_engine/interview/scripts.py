"""Scripted interviews: walk a questionnaire through cases written in YAML, without calling
anyone, and compare the path, outcome and piped texts with what the case expects.

The script format is the contract's (``paths.yaml``): a list of cases with ``name``,
``contact``, ``answers``, optional ``rejected``, ``quota_counts``, ``path``, ``outcome``
and ``piped``. In a script, the words ``dont_know`` and ``refused`` stand for the special
answers. ``piped`` texts are written in the questionnaire's source language; a case may give
``{language: text}`` mappings instead to check other languages too.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

from survey_engine.errors import Diagnostic, ScriptError
from survey_engine.expressions.ast import SPECIALS
from survey_engine.i18n.catalog import Wording
from survey_engine.interview.engine import Interview
from survey_engine.questionnaire.model import Questionnaire
from survey_engine.questionnaire.source import Document, read_yaml
from survey_engine.questionnaire.structure import validate

MAX_STEPS = 10_000


class Case(BaseModel):
    """One scripted interview."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: StrictStr
    contact: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    rejected: dict[str, list[Any]] = {}
    quota_counts: dict[str, StrictInt] = {}
    path: list[StrictStr] | None = None
    outcome: Literal["complete", "refusal", "screened_out", "quota_full"] | None = None
    piped: dict[str, StrictStr | dict[str, StrictStr]] = {}
    seed: StrictStr | None = None


@dataclass
class CaseResult:
    """What happened in one case, and whether it matched the expectations."""

    name: str
    path: list[str] = field(default_factory=list)
    outcome: str | None = None
    rejected: list[dict[str, Any]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    failure: str | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None

    def as_dict(self) -> dict[str, Any]:
        """The contract's JSON form of the result (plus ``failure`` when it failed)."""
        data: dict[str, Any] = {"name": self.name, "path": self.path, "outcome": self.outcome,
                                "rejected": self.rejected, "texts": self.texts,
                                "passed": self.passed}
        if self.failure is not None:
            data["failure"] = self.failure
        return data


def load_cases(path: str | Path, questionnaire: Questionnaire | None = None) -> list[Case]:
    """Read a script file; with ``questionnaire``, also check that every question, contact
    field, quota and language the cases name exists in it.

    :raises ScriptError: listing every problem as ``FILE:LINE:COLUMN: message``.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ScriptError(f"{name}: cannot read: {reason}",
                          [Diagnostic(name, 1, 1, f"cannot read: {reason}", "unreadable")]
                          ) from None
    document, problems = read_yaml(text, name)
    cases: list[Case] = []
    if document is not None:
        if not isinstance(document.data, list):
            problems.append(document.diagnostic((), "a script is a list of cases (- name: ...)",
                                                "not_list"))
        else:
            for index, item in enumerate(document.data):
                case = validate(document, (index,), item, Case, problems)
                if case is not None:
                    cases.append(case)
                    if questionnaire is not None:
                        problems += _references(document, index, case, questionnaire)
    if problems:
        raise ScriptError("\n".join(str(p) for p in sorted(problems)), problems)
    return cases


def _references(document: Document, index: int, case: Case, questionnaire: Questionnaire
                ) -> list[Diagnostic]:
    """What case ``index`` names that ``questionnaire`` does not have: a typo in a script
    would otherwise make a case pass or fail for the wrong reason."""
    problems: list[Diagnostic] = []
    questions = [question.id for question in questionnaire.questions]
    answerable = {question.id for question in questionnaire.questions
                  if question.takes_answer}

    def unknown(section: str, names: Any, known: Any, what: str) -> None:
        for key in names:
            if key not in known:
                hint = difflib.get_close_matches(str(key), [str(k) for k in known], n=1)
                problems.append(document.diagnostic(
                    (index, section, key), f"{section}: {key!r} is not {what} in "
                    f"{questionnaire.slug}" + (f" (did you mean {hint[0]!r}?)" if hint else ""),
                    "unknown_reference", key=True))

    unknown("answers", case.answers, answerable, "a question that takes an answer")
    unknown("rejected", case.rejected, answerable, "a question that takes an answer")
    unknown("piped", case.piped, questions, "a question")
    unknown("contact", case.contact, questionnaire.contact_fields, "a contact field")
    unknown("quota_counts", case.quota_counts, [quota.id for quota in questionnaire.quotas],
            "a quota")
    for position, ident in enumerate(case.path or []):
        if ident not in questions:
            problems.append(document.diagnostic(
                (index, "path", position), f"path: {ident!r} is not a question in "
                f"{questionnaire.slug}", "unknown_reference"))
    for ident, texts in case.piped.items():
        if isinstance(texts, dict):
            unknown_languages = [lang for lang in texts if lang not in questionnaire.languages]
            for lang in unknown_languages:
                problems.append(document.diagnostic(
                    (index, "piped", ident, lang), f"piped: {questionnaire.slug} is not "
                    f"offered in {lang!r} (offered: {', '.join(questionnaire.languages)})",
                    "unknown_reference", key=True))
    return problems


def _engine_value(value: Any) -> Any:
    """A script value as the engine takes it: the words dont_know/refused become specials."""
    if isinstance(value, str) and value in SPECIALS:
        return SPECIALS[value]
    return value


def run_case(questionnaire: Questionnaire, wording: Wording, case: Case) -> CaseResult:
    """Walk one case and compare it with its expectations."""
    result = CaseResult(case.name)
    try:
        interview = Interview.start(questionnaire, wording, case.contact,
                                    seed=case.seed or case.name,
                                    quota_counts=case.quota_counts)
    except Exception as error:  # a bad contact is the case's fault; report, do not crash
        result.failure = f"cannot start: {error}"
        return result
    pending_rejections = {key: list(values) for key, values in case.rejected.items()}
    for _ in range(MAX_STEPS):
        prompt = interview.current()
        if prompt is None:
            break
        ident = prompt.question_id
        result.texts[ident] = prompt.text
        for value in pending_rejections.pop(ident, []):
            step = interview.answer(_engine_value(value))
            if step.accepted:
                result.failure = f"{ident}: {value!r} was accepted but should be refused"
                break
            result.rejected.append({"question": ident, "value": value,
                                    "message": step.message})
        if result.failure:
            break
        question = questionnaire.question(ident)
        if not question.takes_answer:
            interview.answer(None)
            continue
        if ident not in case.answers:
            result.failure = f"{ident} was asked but the case gives no answer for it"
            break
        step = interview.answer(_engine_value(case.answers[ident]))
        if not step.accepted:
            result.failure = f"{ident}: the answer {case.answers[ident]!r} was refused: " \
                             f"{step.message}"
            break
    result.path = interview.path
    result.outcome = interview.outcome
    if result.failure is None:
        result.failure = _compare(case, result, questionnaire, wording.language,
                                  sorted(pending_rejections))
    return result


def _compare(case: Case, result: CaseResult, questionnaire: Questionnaire, language: str,
             never_asked: list[str]) -> str | None:
    """The first difference from the case's expectations, or None."""
    if case.path is not None and result.path != case.path:
        return _path_difference(case.path, result.path)
    if case.outcome is not None and result.outcome != case.outcome:
        return f"outcome: expected {case.outcome}, got {result.outcome}"
    if never_asked:
        return f"rejected answers were scripted for {', '.join(never_asked)}, never asked"
    for ident, expected in case.piped.items():
        if isinstance(expected, dict):
            text = expected.get(language)
        else:
            text = expected if language == questionnaire.source_language else None
        if text is None:
            continue
        if ident not in result.texts:
            return f"piped: {ident} was never asked"
        if result.texts[ident] != text:
            return f"piped {ident}: expected {text!r}, got {result.texts[ident]!r}"
    return None


def _path_difference(expected: list[str], actual: list[str]) -> str:
    for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
        if want != got:
            return f"path differs at step {index + 1}: expected {want}, got {got} " \
                   f"(path so far: {' > '.join(actual[:index])})"
    if len(actual) < len(expected):
        return f"path stops after {actual[-1] if actual else 'nothing'}; expected " \
               f"{' > '.join(expected[len(actual):])} next"
    return f"path goes on past {expected[-1] if expected else 'nothing'}: " \
           f"{' > '.join(actual[len(expected):])}"


def run_script(questionnaire: Questionnaire, wording: Wording, cases: list[Case]
               ) -> list[CaseResult]:
    """Run every case."""
    return [run_case(questionnaire, wording, case) for case in cases]


__all__ = ["Case", "CaseResult", "Diagnostic", "load_cases", "run_case", "run_script"]
