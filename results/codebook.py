"""The codebook: the variables of an export, derived from the questionnaire, and how each
takes its value from an interview record.

Every format exports the same variables in the same order:

- the interview's own: number, questionnaire version, language, agent code, AAPOR
  disposition (and whether it is final), calls placed, date, and the trace digest (position
  and hash) that vouches for it;
- the contact fields the campaign allows (``contact_<field>``), none by default;
- per question, by type (:data:`COLUMN_MAKERS`): one numeric variable for a single choice,
  scale, yes/no (1 yes, 2 no), NPS, number or verification (1 confirmed, 2 corrected); one
  0/1 variable per option of a multiple choice (``<question>_<code>``); a text or date
  variable; a text variable per option that asks for details (``<question>_<code>_text``);
  the corrected value of a verified contact field (``<question>_value``) when the campaign
  allows that field.

Special answers (don't know, refused) are their codes (``special_codes`` of the
questionnaire, 98 and 99 by default), declared missing, in the question's own variable when
no real answer can take that code; otherwise (multiple choices, texts, dates, numbers whose
range holds the codes) in a variable of their own, ``<question>_special``. A question not
asked is empty (system-missing).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dialer.outcomes import DISPOSITIONS
from results.errors import ResultsError
from results.labels import Labels
from results.records import InterviewRecord
from survey_engine.questionnaire.model import Question

#: A cell: empty (None), a code or count, a number, a text or a date.
Cell = int | Decimal | str | dt.date | None
#: Names SPSS reserves; a variable may not be called so.
RESERVED = frozenset({"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR",
                      "TO", "WITH"})
MAX_NAME_BYTES = 64


class Kind(enum.Enum):
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"


class Measure(enum.Enum):
    """SPSS's measurement levels."""

    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    SCALE = "scale"


@dataclass(frozen=True)
class Variable:
    """One exported variable."""

    name: str
    label: str
    kind: Kind
    measure: Measure
    cell: Callable[[InterviewRecord], Cell] = field(repr=False, compare=False)
    #: Value labels, by code.
    values: Mapping[int | str, str] = field(default_factory=dict)
    #: Codes declared missing (special answers).
    missing: tuple[int, ...] = ()
    question: str | None = None
    #: For the 0/1 variable of one option of a multiple choice: that option's code.
    option_code: int | None = None
    #: The longest text the variable may hold, when the questionnaire bounds it.
    max_length: int | None = None
    #: Whole numbers only (counts, codes, integer questions).
    integer: bool = True
    #: The end of ``label`` that tells this variable from its question's others (": option",
    #: " (special answer)"): a format that must shorten the label shortens what comes before.
    tail: str = ""


@dataclass(frozen=True)
class Codebook:
    """The variables of an export, in order."""

    variables: tuple[Variable, ...]
    language: str

    def row(self, record: InterviewRecord) -> list[Cell]:
        """The cells of one interview, in variable order."""
        return [variable.cell(record) for variable in self.variables]

    @property
    def names(self) -> list[str]:
        return [variable.name for variable in self.variables]


def build_codebook(labels: Labels, contact_fields: Sequence[str]) -> Codebook:
    """The variables of an export of ``labels.questionnaire`` with labels in their language.

    :param contact_fields: the contact fields the campaign lets exports carry.
    :raises ResultsError: ``unsupported_question_type`` for a type no column maker knows;
        ``variable_name`` for a name SPSS cannot take or two variables of one name.
    """
    _ = labels.gettext
    variables = list(_interview_variables(labels))
    variables += [Variable(f"contact_{name}", _("Contact field %(field)s") % {"field": name},
                           Kind.TEXT, Measure.NOMINAL, _contact_cell(name))
                  for name in contact_fields]
    for question in labels.questionnaire.questions:
        maker = COLUMN_MAKERS.get(question.type_name)
        if maker is None:
            raise ResultsError("unsupported_question_type",
                               f"question {question.id}: no export knows the question type "
                               f"{question.type_name!r}")
        variables += maker(question, labels, frozenset(contact_fields))
    _check_names(variables)
    return Codebook(tuple(variables), labels.language)


def _check_names(variables: Sequence[Variable]) -> None:
    seen: dict[str, Variable] = {}
    for variable in variables:
        name = variable.name
        if len(name.encode()) > MAX_NAME_BYTES or name.upper() in RESERVED:
            raise ResultsError("variable_name", f"variable {name!r} (question "
                               f"{variable.question}) cannot be exported: names are at most "
                               f"{MAX_NAME_BYTES} bytes and not one of {sorted(RESERVED)}")
        if name.lower() in seen:
            other = seen[name.lower()]
            raise ResultsError("variable_name", f"two variables are called {name!r} (from "
                               f"{other.question or 'the interview'} and "
                               f"{variable.question or 'the interview'}): rename a question")
        seen[name.lower()] = variable


# --- the interview's own variables ------------------------------------------------------

def _interview_variables(labels: Labels) -> list[Variable]:
    _ = labels.gettext
    dispositions: dict[int | str, str] = {code: item.label
                                          for code, item in DISPOSITIONS.items()}
    return [
        Variable("interview_id", _("Interview number"), Kind.NUMBER, Measure.NOMINAL,
                 lambda r: r.interview_id),
        Variable("questionnaire_version", _("Questionnaire version"), Kind.NUMBER,
                 Measure.NOMINAL, lambda r: r.version),
        Variable("language", _("Interview language"), Kind.TEXT, Measure.NOMINAL,
                 lambda r: r.language),
        Variable("agent", _("Agent code"), Kind.TEXT, Measure.NOMINAL, lambda r: r.agent),
        Variable("aapor", _("AAPOR disposition code"), Kind.TEXT, Measure.NOMINAL,
                 lambda r: r.disposition, values=dispositions),
        Variable("aapor_final", _("AAPOR disposition is final"), Kind.NUMBER,
                 Measure.NOMINAL, lambda r: int(r.final),
                 values={0: _("still in the field"), 1: _("final")}),
        Variable("attempts", _("Calls placed"), Kind.NUMBER, Measure.SCALE,
                 lambda r: r.attempts),
        Variable("interview_date", _("Date of the interview's last answer (UTC)"), Kind.DATE,
                 Measure.SCALE, lambda r: r.updated_at.date()),
        Variable("trace_seq", _("Call trace position that vouches for the interview"),
                 Kind.NUMBER, Measure.SCALE, lambda r: r.trace_seq),
        Variable("trace_digest", _("Call trace hash (SHA-256) at that position"), Kind.TEXT,
                 Measure.NOMINAL, lambda r: r.trace_hash, max_length=64),
    ]


def _contact_cell(name: str) -> Callable[[InterviewRecord], Cell]:
    def cell(record: InterviewRecord) -> Cell:
        value = record.contact.get(name)
        return None if value is None or value == "" else str(value)
    return cell


# --- reading stored answers -------------------------------------------------------------

def _special_name(stored: Any) -> str | None:
    if isinstance(stored, Mapping) and set(stored) == {"special"}:
        return str(stored["special"])
    return None


def _special_codes(question: Question, labels: Labels) -> dict[str, int]:
    """The special answers the question allows, by name, with their codes."""
    codes = labels.questionnaire.special_codes
    return {name: codes[name] for name in ("dont_know", "refused") if name in question.allow}


def _special_labels(question: Question, labels: Labels) -> dict[int | str, str]:
    words = {"dont_know": labels.gettext("don't know"), "refused": labels.gettext("refused")}
    return {code: words[name] for name, code in _special_codes(question, labels).items()}


def _stored(record: InterviewRecord, question: Question) -> Any:
    return record.answers.get(question.id)


def _code_cell(question: Question, specials: Mapping[str, int], inline: bool,
               read: Callable[[Any], Cell]) -> Callable[[InterviewRecord], Cell]:
    """A cell reading the question's answer with ``read``; a special answer gives its code
    when ``inline``, else nothing (its own variable has it)."""
    def cell(record: InterviewRecord) -> Cell:
        stored = _stored(record, question)
        if stored is None:
            return None
        name = _special_name(stored)
        if name is not None:
            return specials.get(name) if inline else None
        return read(stored)
    return cell


def _special_variable(question: Question, labels: Labels) -> Variable:
    specials = _special_codes(question, labels)

    def cell(record: InterviewRecord) -> Cell:
        name = _special_name(_stored(record, question))
        return None if name is None else specials.get(name)
    _ = labels.gettext
    special = _("special answer")
    tail = f" ({special})"
    return Variable(f"{question.id}_special", labels.question(question) + tail, Kind.NUMBER,
                    Measure.NOMINAL, cell, values=_special_labels(question, labels),
                    question=question.id, tail=tail)


def _main(question: Question, labels: Labels, kind: Kind, measure: Measure,
          read: Callable[[Any], Cell], domain: set[int] | None,
          values: Mapping[int | str, str] | None = None, **more: Any) -> list[Variable]:
    """The question's variable, with its specials inline when ``domain`` (the codes real
    answers may take; None if unbounded) cannot hold them, else in a variable of their own."""
    specials = _special_codes(question, labels)
    inline = kind is Kind.NUMBER and domain is not None \
        and not set(specials.values()) & domain
    labelled = dict(values or {})
    missing: tuple[int, ...] = ()
    if inline:
        labelled.update(_special_labels(question, labels))
        missing = tuple(specials.values())
    variables = [Variable(question.id, labels.question(question), kind, measure,
                          _code_cell(question, specials, inline, read), values=labelled,
                          missing=missing, question=question.id, **more)]
    if specials and not inline:
        variables.append(_special_variable(question, labels))
    return variables


def _specify_variables(question: Question, labels: Labels) -> list[Variable]:
    variables = []
    for option in question.options:
        if not option.specify:
            continue

        def cell(record: InterviewRecord, code: int = option.code) -> Cell:
            stored = _stored(record, question)
            items = stored if isinstance(stored, list) else [stored]
            for item in items:
                if isinstance(item, Mapping) and item.get("code") == code:
                    return str(item.get("specify", ""))
            return None
        tail = f": {labels.option(question, option.code)}"
        variables.append(Variable(f"{question.id}_{option.code}_text",
                                  labels.question(question) + tail, Kind.TEXT,
                                  Measure.NOMINAL, cell, question=question.id, tail=tail))
    return variables


def _code_of(stored: Any) -> Cell:
    return int(stored["code"]) if isinstance(stored, Mapping) else int(stored)


# --- one column maker per question type -------------------------------------------------

ColumnMaker = Callable[[Question, Labels, frozenset[str]], list[Variable]]


def _choice(question: Question, labels: Labels, _fields: frozenset[str]) -> list[Variable]:
    measure = Measure.ORDINAL if question.type_name == "scale" else Measure.NOMINAL
    values: dict[int | str, str] = {option.code: labels.option(question, option.code)
                                    for option in question.options}
    return [*_main(question, labels, Kind.NUMBER, measure, _code_of,
                   {option.code for option in question.options}, values),
            *_specify_variables(question, labels)]


def _multi_choice(question: Question, labels: Labels, _fields: frozenset[str]
                  ) -> list[Variable]:
    _ = labels.gettext
    variables = []
    for option in question.options:
        def cell(record: InterviewRecord, code: int = option.code) -> Cell:
            stored = _stored(record, question)
            if not isinstance(stored, list):
                return None  # not asked, or a special answer
            return int(any(_code_of(item) == code for item in stored))
        tail = f": {labels.option(question, option.code)}"
        variables.append(Variable(
            f"{question.id}_{option.code}", labels.question(question) + tail,
            Kind.NUMBER, Measure.NOMINAL, cell, values={0: _("not chosen"), 1: _("chosen")},
            question=question.id, option_code=option.code, tail=tail))
    if _special_codes(question, labels):
        variables.append(_special_variable(question, labels))
    return variables + _specify_variables(question, labels)


def _yes_no(question: Question, labels: Labels, _fields: frozenset[str]) -> list[Variable]:
    _ = labels.gettext
    return _main(question, labels, Kind.NUMBER, Measure.NOMINAL,
                 lambda stored: 1 if stored is True else 2, {1, 2},
                 {1: _("yes"), 2: _("no")})


def _nps(question: Question, labels: Labels, _fields: frozenset[str]) -> list[Variable]:
    return _main(question, labels, Kind.NUMBER, Measure.SCALE, int, set(range(11)))


def _number(question: Question, labels: Labels, _fields: frozenset[str]) -> list[Variable]:
    spec = question.spec
    domain: set[int] | None = None  # unbounded: any code could be a real answer
    if spec.min is not None and spec.max is not None:
        # The special codes a real answer could take (none: they go inline).
        codes = set(_special_codes(question, labels).values())
        domain = {code for code in codes if spec.min <= code <= spec.max}
    return _main(question, labels, Kind.NUMBER, Measure.SCALE,
                 lambda stored: Decimal(stored) if isinstance(stored, str) else int(stored),
                 domain, integer=bool(spec.integer))


def _text(question: Question, labels: Labels, _fields: frozenset[str]) -> list[Variable]:
    return _main(question, labels, Kind.TEXT, Measure.NOMINAL, str, None,
                 max_length=getattr(question.spec, "max_length", None))


def _date(question: Question, labels: Labels, _fields: frozenset[str]) -> list[Variable]:
    return _main(question, labels, Kind.DATE, Measure.SCALE,
                 lambda stored: dt.date.fromisoformat(stored), None)


def _verify(question: Question, labels: Labels, fields: frozenset[str]) -> list[Variable]:
    _ = labels.gettext
    variables = _main(question, labels, Kind.NUMBER, Measure.NOMINAL,
                      lambda stored: 2 if "corrected" in stored else 1, {1, 2},
                      {1: _("confirmed"), 2: _("corrected")})
    name = question.spec.field
    if name in fields:
        def cell(record: InterviewRecord) -> Cell:
            stored = _stored(record, question)
            if isinstance(stored, Mapping) and "corrected" in stored:
                return str(stored["corrected"])
            return None
        corrected = _("corrected value")
        tail = f" ({corrected})"
        variables.append(Variable(f"{question.id}_value", labels.question(question) + tail,
                                  Kind.TEXT, Measure.NOMINAL, cell, question=question.id,
                                  tail=tail))
    return variables


def _info(question: Question, labels: Labels, _fields: frozenset[str]) -> list[Variable]:
    return []


#: How each question type becomes variables; a new question type adds its maker here.
COLUMN_MAKERS: dict[str, ColumnMaker] = {
    "single_choice": _choice, "scale": _choice, "multi_choice": _multi_choice,
    "yes_no": _yes_no, "nps": _nps, "number": _number, "text": _text, "date": _date,
    "verify": _verify, "info": _info,
}
