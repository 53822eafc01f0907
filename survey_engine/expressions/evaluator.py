"""Turn a checked expression tree into a Python closure and evaluate it over plain values.

The closures read two mappings, the answers so far and the contact's fields, and return a
plain value; nothing here reaches Python's ``eval``. Semantics (the contract's):

* a question not asked is :data:`~survey_engine.expressions.ast.MISSING`; every comparison
  with it is false, ``in`` and ``not in`` included, and so is ``count()`` of it;
* a special answer (``dont_know``, ``refused``) equals only itself; ordering with it is false;
  ``count()`` of it has no value either;
* a yes_no question alone is ``q == yes`` and ``not q`` is ``q == no``: both false when it
  was not asked or answered specially;
* ``and``/``or``/``not`` treat anything but a ``yes`` as false;
* a ``'YYYY-MM-DD'`` string compared with a date is that date, with anything else text.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from typing import Any

from survey_engine.expressions import ast
from survey_engine.expressions.parser import parse
from survey_engine.values import iso_date

Values = Mapping[str, Any]
Evaluator = Callable[[Values, Values], Any]

_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def compare(op: str, left: Any, right: Any) -> bool:
    """``left op right`` by the contract's rules for missing and special answers.

    A string compared with a date is read as an ISO date (``'2015-06-01'``); the checker
    allows no other text there.
    """
    if left is ast.MISSING or right is ast.MISSING:
        return False
    if isinstance(left, ast.Special) or isinstance(right, ast.Special):
        if op == "==":
            return left is right
        if op == "!=":
            return left is not right
        return False
    left, right = _as_date(left, right), _as_date(right, left)
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    try:
        return bool(_ORDERING[op](left, right))
    except TypeError:
        return False


def _equal(left: Any, right: Any) -> bool:
    """``==`` where ``yes`` is not the number 1."""
    return bool(left == right) and isinstance(left, bool) == isinstance(right, bool)


def _as_date(value: Any, other: Any) -> Any:
    """``value`` read as a date if it is text compared with a date; else unchanged."""
    if isinstance(value, str) and isinstance(other, dt.date):
        return iso_date(value) or value
    return value


def _is_set(value: Any) -> bool:
    return isinstance(value, (frozenset, set, tuple, list))


def _contains(container: Any, element: Any) -> bool:
    if element is ast.MISSING or not _is_set(container):
        return False
    if isinstance(element, ast.Special):
        return any(item is element for item in container)
    return any(compare("==", element, item) for item in container)


def _lacks(container: Any, element: Any) -> bool:
    """``not in``: false, like ``in``, when either side has no value (not asked, or a
    special answer instead of a set of options)."""
    if element is ast.MISSING or not _is_set(container):
        return False
    return not _contains(container, element)


def _is_flag(node: ast.Expr) -> bool:
    """Whether ``node`` is a name standing alone as a condition (the checker allows only
    yes_no questions there)."""
    return isinstance(node, (ast.Name, ast.ContactField))


def _compile_condition(node: ast.Expr) -> Evaluator:
    """``node`` where a condition is expected: a yes_no question alone means ``q == yes``."""
    value = _compile(node)
    if _is_flag(node):
        return lambda answers, contact: value(answers, contact) is True
    return value


def _compile(node: ast.Expr) -> Evaluator:
    if isinstance(node, ast.Name):
        ident = node.ident
        return lambda answers, contact: answers.get(ident, ast.MISSING)
    if isinstance(node, ast.ContactField):
        name = node.field
        return lambda answers, contact: contact.get(name, ast.MISSING)
    if isinstance(node, ast.Literal):
        value: Any = node.value
        return lambda answers, contact: value
    if isinstance(node, ast.ListOf):
        items = [_compile(item) for item in node.items]
        return lambda answers, contact: tuple(item(answers, contact) for item in items)
    if isinstance(node, ast.Not):
        operand = _compile(node.operand)
        if _is_flag(node.operand):
            # ``not q`` of a yes_no question is ``q == no``: false when not asked or special.
            return lambda answers, contact: operand(answers, contact) is False
        return lambda answers, contact: operand(answers, contact) is not True
    if isinstance(node, ast.BoolOp):
        left, right = _compile_condition(node.left), _compile_condition(node.right)
        if node.op == "and":
            return lambda a, c: left(a, c) is True and right(a, c) is True
        return lambda a, c: left(a, c) is True or right(a, c) is True
    if isinstance(node, ast.Compare):
        left, right, op = _compile(node.left), _compile(node.right), node.op
        return lambda a, c: compare(op, left(a, c), right(a, c))
    if isinstance(node, ast.Membership):
        element, container = _compile(node.element), _compile(node.container)
        test = _lacks if node.negated else _contains
        return lambda a, c: test(container(a, c), element(a, c))
    if isinstance(node, ast.Call):
        ident = node.argument.ident
        if node.function == "count":
            return lambda a, c: _count(a.get(ident, ast.MISSING))
        return lambda a, c: _answered(a.get(ident, ast.MISSING))
    raise TypeError(f"not an expression node: {node!r}")  # pragma: no cover


def _count(value: Any) -> Any:
    """Options chosen; no value (every comparison false) when not asked or special."""
    return len(value) if _is_set(value) else ast.MISSING


def _answered(value: Any) -> bool:
    return value is not ast.MISSING and not isinstance(value, ast.Special)


class Expression:
    """A parsed expression, ready to evaluate many times.

    :param text: the source text, kept for messages and serialization.
    """

    __slots__ = ("_function", "names", "text", "tree")

    def __init__(self, text: str, tree: ast.Expr | None = None) -> None:
        self.text = text
        self.tree = tree if tree is not None else parse(text)
        self.names = frozenset(_names(self.tree))
        self._function = _compile_condition(self.tree)

    def evaluate(self, answers: Values, contact: Values) -> Any:
        """The value of the expression for these answers and contact fields."""
        return self._function(answers, contact)

    def holds(self, answers: Values, contact: Values) -> bool:
        """Whether the condition is true (``yes``) for these answers and contact fields."""
        return self._function(answers, contact) is True

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _names(node: ast.Expr) -> set[str]:
    """Question ids the expression reads."""
    if isinstance(node, ast.Name):
        return {node.ident}
    if isinstance(node, ast.Call):
        return {node.argument.ident}
    children: list[ast.Expr] = []
    for attr in ("operand", "left", "right", "element", "container"):
        child = getattr(node, attr, None)
        if child is not None:
            children.append(child)
    children.extend(getattr(node, "items", ()))
    found: set[str] = set()
    for child in children:
        found |= _names(child)
    return found
