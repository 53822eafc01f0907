"""Static checks of an expression against what the questionnaire declares.

Run when a questionnaire is loaded, so that an author learns of a misspelt name, a
comparison that can never be true, or an option code that does not exist before a single
call is made. Every problem is reported, not only the first.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from survey_engine.errors import ExpressionError
from survey_engine.expressions import ast
from survey_engine.values import iso_date


class Kind(enum.Enum):
    """What sort of value a name or literal stands for."""

    BOOL = "yes/no"
    NUMBER = "number"
    CHOICE = "option code"
    CODES = "set of option codes"
    TEXT = "text"
    DATE = "date"
    SPECIAL = "special answer"

    @property
    def named(self) -> str:
        """The kind with its article, for messages: "a number", "an option code"."""
        return ("an " if self.value[0] in "aeiou" else "a ") + self.value


NUMERIC = {Kind.NUMBER, Kind.CHOICE}


@dataclass(frozen=True)
class Symbol:
    """What the checker knows of a question or contact field."""

    kind: Kind | None
    description: str
    codes: frozenset[int] = frozenset()
    specials: frozenset[str] = frozenset()


@dataclass
class Scope:
    """The names an expression may use: earlier questions and declared contact fields.

    ``later`` holds ids of questions that exist but come after the expression, and
    ``no_answer`` those (info) that have no answer, so that errors can say so instead of
    merely "unknown".
    """

    questions: Mapping[str, Symbol]
    contact_fields: Mapping[str, Symbol]
    later: Container[str] = field(default_factory=set)
    no_answer: Container[str] = field(default_factory=set)


def check(expr: ast.Expr, scope: Scope) -> list[ExpressionError]:
    """Every problem in ``expr`` under ``scope``; an empty list means it is sound."""
    checker = _Checker(scope)
    kind = checker.kind_of(expr)
    if kind is not None and kind is not Kind.BOOL:
        checker.fail(f"the expression must be a condition (yes or no), not {kind.named}",
                     expr, "expression_not_condition")
    return checker.errors


def _suggest(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _literal_kind(value: object) -> Kind:
    if isinstance(value, bool):
        return Kind.BOOL
    if isinstance(value, (int, Decimal)):
        return Kind.NUMBER
    if isinstance(value, ast.Special):
        return Kind.SPECIAL
    return Kind.TEXT


def _date_hint(left: Kind, right: Kind) -> str:
    if Kind.DATE in (left, right) and left is not right:
        return " (a date compares with a date question, a date contact field or a " \
               "'YYYY-MM-DD' literal)"
    return ""


class _Checker:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.errors: list[ExpressionError] = []

    def fail(self, message: str, node: ast.Expr, code: str) -> None:
        self.errors.append(ExpressionError(message, node.offset, code))

    def symbol(self, node: ast.Expr) -> Symbol | None:
        if isinstance(node, ast.Name):
            return self.scope.questions.get(node.ident)
        if isinstance(node, ast.ContactField):
            return self.scope.contact_fields.get(node.field)
        return None

    def kind_of(self, node: ast.Expr) -> Kind | None:
        """The kind of ``node``, or None when an error was already reported for it."""
        handler: Callable[[ast.Expr], Kind | None] = getattr(self, "_" + type(node).__name__)
        return handler(node)

    # --- leaves -------------------------------------------------------------------------
    def _Name(self, node: ast.Name) -> Kind | None:
        symbol = self.scope.questions.get(node.ident)
        if symbol is not None:
            return symbol.kind
        if node.ident in self.scope.no_answer:
            message = f"{node.ident!r} is an info question: it has no answer to test"
        elif node.ident in self.scope.later:
            message = f"{node.ident!r} is asked later; only earlier questions can be used here"
        else:
            candidates = list(self.scope.questions)
            message = f"unknown question {node.ident!r}{_suggest(node.ident, candidates)}"
        self.fail(message, node, "unknown_name")
        return None

    def _ContactField(self, node: ast.ContactField) -> Kind | None:
        symbol = self.scope.contact_fields.get(node.field)
        if symbol is not None:
            return symbol.kind
        candidates = list(self.scope.contact_fields)
        self.fail(f"contact.{node.field} is not a declared contact field"
                  f"{_suggest(node.field, candidates)}", node, "unknown_contact_field")
        return None

    def _Literal(self, node: ast.Literal) -> Kind | None:
        return _literal_kind(node.value)

    def _ListOf(self, node: ast.ListOf) -> Kind | None:
        self.fail("a list [...] can only stand on the right of 'in'", node, "misplaced_list")
        return None

    def _Call(self, node: ast.Call) -> Kind | None:
        kind = self.kind_of(node.argument)
        if node.function == "answered":
            return Kind.BOOL
        if kind is not None and kind is not Kind.CODES:
            self.fail(f"count() takes a multi_choice question; {node.argument.ident!r} is "
                      f"{kind.named}", node.argument, "count_needs_multi_choice")
        return Kind.NUMBER

    # --- logic --------------------------------------------------------------------------
    def _condition(self, node: ast.Expr) -> None:
        kind = self.kind_of(node)
        if kind is not None and kind is not Kind.BOOL:
            hint = ""
            if isinstance(node, ast.Name):
                hint = f" (compare it, for example {node.ident} == ...)"
            self.fail(f"'and', 'or' and 'not' need conditions; this is {kind.named}{hint}",
                      node, "expression_not_condition")

    def _Not(self, node: ast.Not) -> Kind:
        self._condition(node.operand)
        return Kind.BOOL

    def _BoolOp(self, node: ast.BoolOp) -> Kind:
        self._condition(node.left)
        self._condition(node.right)
        return Kind.BOOL

    # --- comparisons --------------------------------------------------------------------
    def _Compare(self, node: ast.Compare) -> Kind:
        left, right = self.kind_of(node.left), self.kind_of(node.right)
        if left is None or right is None:
            return Kind.BOOL
        if Kind.SPECIAL in (left, right):
            self._check_special(node, left, right)
        elif node.op in ("==", "!="):
            self._check_equality(node, left, right)
        else:
            self._check_ordering(node, left, right)
        return Kind.BOOL

    def _check_special(self, node: ast.Compare, left: Kind, right: Kind) -> None:
        if node.op not in ("==", "!="):
            self.fail(f"dont_know and refused are never {node.op} anything; use == or !=",
                      node, "special_ordering")
            return
        subject, literal = (node.left, node.right) if right is Kind.SPECIAL else (node.right,
                                                                                   node.left)
        symbol = self.symbol(subject)
        if symbol is None or not isinstance(literal, ast.Literal) or \
                not isinstance(literal.value, ast.Special):
            return
        name = literal.value.name
        if name not in symbol.specials:
            self.fail(f"{symbol.description} never takes the answer {name} (add it to its "
                      "'allow' list)", literal, "special_not_allowed")

    def _check_equality(self, node: ast.Compare, left: Kind, right: Kind) -> None:
        if Kind.CODES in (left, right):
            self.fail("a multi_choice answer is a set of options: test it with "
                      "'CODE in QUESTION' or count(QUESTION)", node, "compare_multi_choice")
            return
        if not self._compatible(node.left, left, node.right, right):
            self.fail(f"cannot compare {left.named} with {right.named}"
                      f"{_date_hint(left, right)}", node,
                      "compare_types")

    def _check_ordering(self, node: ast.Compare, left: Kind, right: Kind) -> None:
        ordered = ({left, right} <= NUMERIC) or (
            Kind.DATE in (left, right) and self._compatible(node.left, left, node.right, right))
        if not ordered:
            self.fail(f"{node.op} compares numbers or dates, not {left.named} with "
                      f"{right.named}{_date_hint(left, right)}", node, "compare_types")

    def _compatible(self, left_node: ast.Expr, left: Kind, right_node: ast.Expr,
                    right: Kind) -> bool:
        if left in NUMERIC and right in NUMERIC:
            self._check_codes(left_node, right_node)
            self._check_codes(right_node, left_node)
            return True
        if Kind.DATE in (left, right) and Kind.TEXT in (left, right):
            literal = right_node if right is Kind.TEXT else left_node
            if isinstance(literal, ast.Literal) and iso_date(str(literal.value)) is not None:
                return True
            self.fail("a date compares with another date or a 'YYYY-MM-DD' literal",
                      literal, "compare_types")
            return True
        return left == right

    def _check_codes(self, subject: ast.Expr, literal: ast.Expr) -> None:
        """A choice question compared with a number: that number must be one of its codes."""
        symbol = self.symbol(subject)
        if symbol is None or symbol.kind not in (Kind.CHOICE, Kind.CODES):
            return
        if not isinstance(literal, ast.Literal) or isinstance(literal.value, bool):
            return
        if literal.value not in symbol.codes:
            codes = ", ".join(str(c) for c in sorted(symbol.codes))
            self.fail(f"{symbol.description} has no option {literal.value} (its codes: "
                      f"{codes})", literal, "unknown_option_code")

    def _Membership(self, node: ast.Membership) -> Kind:
        element = self.kind_of(node.element)
        container = node.container
        if isinstance(container, ast.ListOf):
            for item in container.items:
                kind = self.kind_of(item)
                if element is None or kind is None:
                    continue
                if kind is Kind.SPECIAL:
                    continue
                if not self._compatible(node.element, element, item, kind):
                    self.fail(f"cannot compare {element.named} with {kind.named}"
                              f"{_date_hint(element, kind)}", item,
                              "compare_types")
            return Kind.BOOL
        kind = self.kind_of(container)
        if kind is None or element is None:
            return Kind.BOOL
        if kind is not Kind.CODES:
            self.fail(f"'in' needs a list [...] or a multi_choice question on its right, not "
                      f"{kind.named}", container, "membership_container")
        elif element not in NUMERIC:
            self.fail(f"a multi_choice answer holds option codes, not {element.named}",
                      node.element, "compare_types")
        else:
            self._check_codes(container, node.element)
        return Kind.BOOL
