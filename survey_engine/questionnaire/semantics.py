"""Rules that span several values of a questionnaire: languages, codes, expressions, texts.

Each check appends diagnostics and returns what it could build; the loader decides whether
the questionnaire as a whole is sound.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import re
from collections.abc import Collection, Container, Iterator, Mapping
from typing import Any

from babel import Locale, UnknownLocaleError

from survey_engine.errors import Diagnostic, ExpressionError
from survey_engine.expressions import Expression, Kind, Scope, Symbol, check, parse
from survey_engine.expressions.parser import KEYWORDS
from survey_engine.questionnaire.model import ContactField, Question, TranslatableText
from survey_engine.questionnaire.placeholders import scan_template, unknown_names
from survey_engine.questionnaire.schema import QuestionnaireSpec, SpecialCodes
from survey_engine.questionnaire.source import Document, Path
from survey_engine.questionnaire.types import REGISTRY
from survey_engine.questionnaire.types.verify import field_kind

_FIELD_KIND = {"text": Kind.TEXT, "email": Kind.TEXT, "phone": Kind.TEXT, "date": Kind.DATE,
               "number": Kind.NUMBER}


#: Codes BCP 47 reserves for what is not one language a questionnaire can be fielded in.
_NOT_A_LANGUAGE = {"und": "undetermined", "mul": "multiple languages",
                   "zxx": "no linguistic content", "mis": "uncoded languages"}
_KNOWN = "(BCP 47: fr, nl, sq, ru, tr, pt-BR...)"


def language_problem(code: str) -> str | None:
    """Why ``code`` cannot be a questionnaire language; None when it is a BCP 47 tag that
    CLDR knows, written in canonical case (``en``, ``pt-BR``, ``zh-Hant``)."""
    canonical = None
    if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", code):
        meaning = _NOT_A_LANGUAGE.get(code.split("-")[0].lower())
        if meaning is not None:
            return f"{code!r} ({meaning}) is not a language a questionnaire can be fielded in"
        with contextlib.suppress(ValueError, UnknownLocaleError):
            canonical = str(Locale.parse(code, sep="-")).replace("_", "-")
    if canonical is None or canonical.lower() != code.lower():
        return f"{code!r} is not a known language code {_KNOWN}"
    if canonical != code:
        return f"{code!r}: write {canonical!r} (language codes are case-sensitive here)"
    return None


def language_is_valid(code: str) -> bool:
    """Whether ``code`` is a canonical BCP 47 language tag that CLDR knows."""
    return language_problem(code) is None


def check_languages(document: Document, data: dict[str, Any],
                    problems: list[Diagnostic]) -> None:
    """Every language code (as written) is valid, listed once, and the source language is
    among them. Values of the wrong type are left to the structural check."""
    languages = data.get("languages")
    languages = languages if isinstance(languages, list) else []
    seen: set[str] = set()
    for index, code in enumerate(languages):
        if not isinstance(code, str):
            continue
        problem = language_problem(code)
        if problem is not None:
            problems.append(document.diagnostic(("languages", index), problem,
                                                "invalid_language"))
        elif code in seen:
            problems.append(document.diagnostic(("languages", index), f"{code!r} is listed "
                                                "twice", "duplicate_language"))
        seen.add(code)
    source = data.get("source_language")
    if not isinstance(source, str):
        return
    problem = language_problem(source)
    if problem is not None:
        problems.append(document.diagnostic(("source_language",), problem,
                                            "invalid_language"))
    elif languages and source not in languages:
        problems.append(document.diagnostic(("source_language",), f"source_language "
                                            f"{source!r} must also be listed in languages",
                                            "source_not_listed"))


def check_special_codes(document: Document, spec: QuestionnaireSpec,
                        problems: list[Diagnostic]) -> None:
    """``dont_know`` and ``refused`` need codes of their own."""
    if spec.special_codes.dont_know == spec.special_codes.refused:
        problems.append(document.diagnostic(("special_codes", "refused"), "dont_know and "
                                            "refused must have different codes",
                                            "special_codes_clash"))


def check_option_codes(document: Document, path: Path, item: Any,
                       codes: SpecialCodes, problems: list[Diagnostic]) -> None:
    """Option codes (as written, even in an otherwise broken question) may not be negative
    nor take a special code's number."""
    options = item.get("options") if isinstance(item, dict) else None
    if not isinstance(options, dict):
        return
    special = {codes.dont_know: "dont_know", codes.refused: "refused"}
    for code in options:
        if not isinstance(code, int):
            continue
        where = (*path, "options", code)
        if code in special:
            problems.append(document.diagnostic(
                where, f"option code {code} clashes with the special code "
                f"{special[code]} ({code})", "code_clash", key=True))
        elif code < 0:
            problems.append(document.diagnostic(where, f"option code {code} is "
                                                "negative", "negative_code", key=True))


def compile_pattern(document: Document, path: Path, pattern: str | None,
                    problems: list[Diagnostic]) -> re.Pattern[str] | None:
    """The compiled regular expression, or None (with a problem if it does not compile)."""
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as error:
        problems.append(document.diagnostic(path, f"pattern: {error.msg}", "invalid_pattern",
                                            offset=error.pos or 0))
        return None


def unknown_type(document: Document, path: Path, name: Any) -> Diagnostic:
    """The diagnostic for a ``type:`` that no registered question type has."""
    close = difflib.get_close_matches(str(name), list(REGISTRY), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    known = ", ".join(sorted(REGISTRY))
    return document.diagnostic(path, f"unknown question type {name!r}{hint}; known: {known}",
                               "unknown_type")


@dataclasses.dataclass(frozen=True)
class Draft:
    """A question entry as far as it could be read: the validated question, or only what the
    raw entry says, so that a broken question still lends its name to later expressions
    instead of causing a cascade of "unknown question" errors."""

    path: Path
    id: str | None
    type_name: str | None
    question: Question | None
    raw: Any

    @classmethod
    def of(cls, path: Path, raw: Any, question: Question | None) -> Draft:
        if question is not None:
            return cls(path, question.id, question.type_name, question, raw)
        item = raw if isinstance(raw, dict) else {}
        ident = item.get("id") if isinstance(item.get("id"), str) else None
        kind = item.get("type") if isinstance(item.get("type"), str) else None
        return cls(path, ident, kind, None, raw)

    def field(self, key: str) -> Any:
        """A key of the entry: from the validated spec when there is one, else as written."""
        if self.question is not None:
            return getattr(self.question.spec, key, None)
        return self.raw.get(key) if isinstance(self.raw, dict) else None

    @property
    def takes_answer(self) -> bool:
        return self.type_name != "info"


def symbol_of(draft: Draft, contact_fields: dict[str, ContactField]) -> Symbol | None:
    """What expressions know of a question; None for one without an answer. A question that
    did not validate gets a symbol of unknown kind, which draws no further errors."""
    question = draft.question
    if question is None:
        question_type = REGISTRY.get(draft.type_name or "")
        if question_type is not None and question_type.kind is None:
            return None
        return Symbol(None, f"question {draft.id!r}")
    kind = question.type.kind
    if kind is None:
        return None
    if question.type_name == "verify":
        field = contact_fields.get(question.spec.field)
        kind = field_kind(field) if field is not None else Kind.TEXT
    codes = frozenset(option.code for option in question.options)
    return Symbol(kind, f"question {question.id!r}", codes, question.allow)


class ScopeTable:
    """The symbols of every question, computed once; :meth:`at` gives the scope of an
    expression placed after the first ``upto`` questions without copying anything."""

    def __init__(self, drafts: list[Draft], contact_fields: dict[str, ContactField]) -> None:
        self.position: dict[str, int] = {}
        self.symbols: dict[str, Symbol | None] = {}
        for index, draft in enumerate(drafts):
            if draft.id is not None and draft.id not in self.position:
                self.position[draft.id] = index
                self.symbols[draft.id] = symbol_of(draft, contact_fields)
        self.fields = {name: Symbol(_FIELD_KIND[f.type], f"contact.{name}")
                       for name, f in contact_fields.items()}

    def at(self, upto: int) -> Scope:
        return Scope(_Earlier(self, upto), self.fields, _Later(self, upto),
                     _WithoutAnswer(self, upto))


class _Earlier(Mapping[str, Symbol]):
    """Questions before position ``upto`` that have an answer."""

    def __init__(self, table: ScopeTable, upto: int) -> None:
        self.table, self.upto = table, upto

    def __getitem__(self, ident: str) -> Symbol:
        symbol = self.table.symbols.get(ident)
        if symbol is None or self.table.position[ident] >= self.upto:
            raise KeyError(ident)
        return symbol

    def __iter__(self) -> Iterator[str]:
        return (ident for ident in self.table.symbols if ident in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Later(Container[str]):
    def __init__(self, table: ScopeTable, upto: int) -> None:
        self.table, self.upto = table, upto

    def __contains__(self, ident: object) -> bool:
        return self.table.position.get(str(ident), -1) >= self.upto


class _WithoutAnswer(Container[str]):
    def __init__(self, table: ScopeTable, upto: int) -> None:
        self.table, self.upto = table, upto

    def __contains__(self, ident: object) -> bool:
        key = str(ident)
        return key in self.table.symbols and self.table.symbols[key] is None and \
            self.table.position[key] < self.upto


def compile_condition(document: Document, path: Path, text: str, scope: Scope,
                      problems: list[Diagnostic]) -> Expression | None:
    """Parse and check one condition; report every problem at its column."""
    text, lead = text.strip(), document.leading_blanks(path)
    try:
        tree = parse(text)
    except ExpressionError as error:
        problems.append(document.diagnostic(path, f"{path[-1]}: {error.message}", error.code,
                                            offset=error.offset + lead))
        return None
    found = check(tree, scope)
    for problem in found:
        problems.append(document.diagnostic(path, f"{path[-1]}: {problem.message}",
                                            problem.code, offset=problem.offset + lead))
    return None if found else Expression(text, tree)


def check_flow(document: Document, drafts: list[Draft],
               contact_fields: dict[str, ContactField], problems: list[Diagnostic]
               ) -> list[Question] | None:
    """Compile each question's ``show_if``/``end_if`` against the questions before it.

    Broken questions are checked too (as written), so one pass reports everything.
    """
    result: list[Question] = []
    sound = True
    table = ScopeTable(drafts, contact_fields)
    for index, draft in enumerate(drafts):
        path = draft.path
        if draft.id in KEYWORDS:
            problems.append(document.diagnostic((*path, "id"), f"{draft.id!r} is a word "
                                                "of the expression language; choose another "
                                                "id", "reserved_id"))
            sound = False
        conditions: dict[str, Expression | None] = {"show_if": None, "end_if": None}
        for key, upto in (("show_if", index), ("end_if", index + 1)):
            text = draft.field(key)
            if not isinstance(text, str) or not text.strip():
                continue
            conditions[key] = compile_condition(document, (*path, key), text, table.at(upto),
                                                problems)
            sound = sound and conditions[key] is not None
        end_if, end_outcome = draft.field("end_if"), draft.field("end_outcome")
        if end_if is not None and end_outcome is None:
            problems.append(document.diagnostic((*path, "end_if"), "end_if needs an "
                                                "end_outcome (refusal, screened_out or "
                                                "quota_full)", "end_outcome_missing",
                                                key=True))
            sound = False
        elif end_if is None and end_outcome is not None:
            problems.append(document.diagnostic((*path, "end_outcome"), "end_outcome without "
                                                "end_if: say when the interview ends",
                                                "end_if_missing", key=True))
            sound = False
        if draft.question is None:
            sound = False
            continue
        result.append(dataclasses.replace(draft.question, show_if=conditions["show_if"],
                                          end_if=conditions["end_if"]))
    return result if sound else None


def _options_of(draft: Draft) -> list[tuple[int, str]]:
    """(code, label) pairs of a question, as validated or as written."""
    if draft.question is not None:
        return [(option.code, option.label) for option in draft.question.options]
    raw = draft.field("options")
    pairs: list[tuple[int, str]] = []
    if isinstance(raw, dict):
        for code, value in raw.items():
            label = value.get("label") if isinstance(value, dict) else value
            if isinstance(code, int) and isinstance(label, str):
                pairs.append((code, label.strip()))
    return pairs


def check_texts(document: Document, data: dict[str, Any], drafts: list[Draft],
                contact_fields: dict[str, ContactField], problems: list[Diagnostic]
                ) -> list[TranslatableText]:
    """Check every ``{placeholder}`` and list the texts to translate, with their contexts."""
    slug = str(data.get("questionnaire", ""))
    texts: list[TranslatableText] = []
    fields = {f"contact.{name}" for name in contact_fields}
    every_question = {d.id for d in drafts if d.id is not None and d.takes_answer}

    def add(path: Path, context: str, text: Any, what: str, allowed: set[str],
            later: Collection[str] = ()) -> None:
        if not isinstance(text, str) or not text.strip():
            return
        text, lead = text.strip(), document.leading_blanks(path)
        template, broken = scan_template(text)
        for problem in broken + unknown_names(template, allowed, later):
            problems.append(document.diagnostic(path, f"{path[-1]}: {problem}", problem.code,
                                                offset=problem.offset + lead))
        if broken:
            return
        names = sorted(template.names)
        note = f"{what}; placeholders: {', '.join('{' + n + '}' for n in names)}" if names \
            else what
        line = document.position(path)[0]
        texts.append(TranslatableText(f"{slug}/{context}", text, line, note,
                                      frozenset(template.names)))

    add(("title",), "title", data.get("title"), "questionnaire title", set())
    add(("intro",), "intro", data.get("intro"), "introduction read at the start", fields)
    earlier: set[str] = set()
    for draft in drafts:
        allowed = fields | earlier
        later = every_question - earlier - {draft.id}
        kind = draft.type_name or "question"
        add((*draft.path, "text"), f"{draft.id}/text", draft.field("text"),
            f"{kind} question", allowed, later)
        for code, label in _options_of(draft):
            add((*draft.path, "options", code), f"{draft.id}/options/{code}", label,
                f"option {code} of {kind} question {draft.id}", allowed, later)
        if draft.takes_answer and draft.id is not None:
            earlier.add(draft.id)
    add(("closing",), "closing", data.get("closing"), "closing read at the end",
        fields | every_question)
    return texts
