"""Questions answered by picking options: single_choice, scale and multi_choice.

A chosen option is stored by its integer code (``{"code": c, "specify": text}`` for an
option that asks for details); labels are never matched, so case rules of any language
(Turkish dotted and dotless i) cannot confuse answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.lists import format_list

from survey_engine.expressions import Kind
from survey_engine.questionnaire.model import ContactField, Question
from survey_engine.questionnaire.schema import ChoiceSpec, MultiChoiceSpec
from survey_engine.questionnaire.types.base import AnswerContext, QuestionType, Reporter, register


def _code_and_specify(value: Any) -> tuple[Any, Any]:
    if isinstance(value, Mapping):
        return value.get("code"), value.get("specify")
    return value, None


def _is_code(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def code_of(stored: Any) -> int:
    """The option code of one stored choice."""
    return int(stored["code"]) if isinstance(stored, Mapping) else int(stored)


class _Choice(QuestionType):
    kind = Kind.CHOICE
    has_options = True
    spec = ChoiceSpec

    def check(self, question: Question, contact_fields: Mapping[str, ContactField],
              report: Reporter) -> None:
        options = question.options
        if question.spec.randomize:
            for index, option in enumerate(options):
                if option.fixed and not all(later.fixed for later in options[index + 1:]):
                    report(("options", option.code),
                           "fixed options stay at the end of a shuffled list: move option "
                           f"{option.code} after the others", "fixed_not_at_end")
        if self.kind is Kind.CHOICE:  # multi_choice has its own rules for 'exclusive'
            for option in options:
                if option.exclusive:
                    report(("options", option.code, "exclusive"),
                           f"'exclusive' applies to multi_choice options; a {self.name} "
                           "question takes one answer anyway", "exclusive_single")

    def _one(self, question: Question, value: Any, context: AnswerContext) -> Any:
        code, specify = _code_and_specify(value)
        option = question.option(code) if _is_code(code) else None
        if option is None:
            raise context.refuse(context.gettext("Please choose one of the options read out."))
        if option.specify:
            if not isinstance(specify, str) or not specify.strip():
                raise context.refuse(context.gettext("Please say what “%(label)s” is."),
                                     label=context.label(question, option.code))
            return {"code": option.code, "specify": specify.strip()}
        if specify is not None:
            raise context.refuse(context.gettext("“%(label)s” takes no details."),
                                 label=context.label(question, option.code))
        return option.code

    def validate(self, question: Question, value: Any, context: AnswerContext) -> Any:
        return self._one(question, value, context)

    def value_of(self, question: Question, stored: Any, context: AnswerContext) -> Any:
        return code_of(stored)

    def parse_text(self, question: Question, text: str, context: AnswerContext) -> Any:
        """``3``; or ``6: at a fair`` for an option whose details are asked (``specify``)."""
        code, _, details = text.partition(":")
        chosen = _code_or_text(code.strip())
        return {"code": chosen, "specify": details.strip()} if _ else chosen

    def pipe(self, question: Question, stored: Any, context: AnswerContext) -> str:
        if isinstance(stored, Mapping):
            return str(stored["specify"])
        return context.label(question, int(stored))


@register
class SingleChoice(_Choice):
    name = "single_choice"


@register
class Scale(_Choice):
    name = "scale"


@register
class MultiChoice(_Choice):
    name = "multi_choice"
    kind = Kind.CODES
    spec = MultiChoiceSpec

    def check(self, question: Question, contact_fields: Mapping[str, ContactField],
              report: Reporter) -> None:
        super().check(question, contact_fields, report)
        spec = question.spec
        count = len(question.options)
        if spec.max_selected is not None and spec.min_selected > spec.max_selected:
            report(("min_selected",), f"min_selected ({spec.min_selected}) is above "
                   f"max_selected ({spec.max_selected})", "min_above_max")
        if spec.min_selected > count:
            report(("min_selected",), f"min_selected ({spec.min_selected}) is more than the "
                   f"{count} options", "min_above_options")
        if spec.max_selected is not None and spec.max_selected > count:
            report(("max_selected",), f"max_selected ({spec.max_selected}) is more than the "
                   f"{count} options", "max_above_options")
        if spec.min_selected > 1:
            for option in question.options:
                if option.exclusive:
                    report(("options", option.code, "exclusive"),
                           f"option {option.code} is exclusive, so choosing it means one "
                           f"answer, but min_selected is {spec.min_selected}: it could never "
                           "be chosen", "exclusive_below_min")

    def validate(self, question: Question, value: Any, context: AnswerContext) -> Any:
        items = [value] if not isinstance(value, (list, tuple)) else list(value)
        spec = question.spec
        chosen = [self._one(question, item, context) for item in items]
        codes = [code_of(item) for item in chosen]
        if len(set(codes)) != len(codes):
            raise context.refuse(context.gettext("The same option was given twice."))
        for code in codes:
            option = question.option(code)
            if option is not None and option.exclusive and len(codes) > 1:
                raise context.refuse(
                    context.gettext("“%(label)s” cannot be combined with other answers."),
                    label=context.label(question, code))
        if len(codes) < spec.min_selected:
            raise context.refuse(context.ngettext(
                "Please choose at least %(count)d option.",
                "Please choose at least %(count)d options.", spec.min_selected),
                count=spec.min_selected)
        if spec.max_selected is not None and len(codes) > spec.max_selected:
            raise context.refuse(context.ngettext(
                "Please choose at most %(count)d option.",
                "Please choose at most %(count)d options.", spec.max_selected),
                count=spec.max_selected)
        return chosen

    def value_of(self, question: Question, stored: Any, context: AnswerContext) -> Any:
        return frozenset(code_of(item) for item in stored)

    def parse_text(self, question: Question, text: str, context: AnswerContext) -> Any:
        """``1 3`` or ``1,3``; ``1 3 6: at a fair`` gives the details of the last code."""
        codes, _, details = text.partition(":")
        chosen: list[Any] = [_code_or_text(part) for part in codes.replace(",", " ").split()]
        if _ and chosen:
            chosen[-1] = {"code": chosen[-1], "specify": details.strip()}
        return chosen

    def pipe(self, question: Question, stored: Any, context: AnswerContext) -> str:
        words = [str(item["specify"]) if isinstance(item, Mapping)
                 else context.label(question, int(item)) for item in stored]
        return format_list(words, locale=context.locale)


def _code_or_text(typed: str) -> int | str:
    """An option code typed at a keyboard (ASCII digits only: '²' is a digit to Python but
    not a code), or the text as typed, which validation then refuses."""
    return int(typed) if typed.isascii() and typed.isdigit() else typed
