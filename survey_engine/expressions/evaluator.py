"""Turn a checked expression tree into a Python closure and evaluate it over plain values.

The closures read two mappings, the answers so far and the contact's fields, and return a
plain value; nothing here reaches Python's ``eval``. Semantics (the contract's):

* a question not asked is :data:`~survey_engine.expressions.ast.MISSING`; every comparison
  with it is false;
* a special answer (``dont_know``, ``refused``) equals only itself; ordering with it is false;
* ``and``/``or``/``not`` treat anything but a ``yes`` as false.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from survey_engine.expressions import ast
from survey_engine.expressions.checker import iso_date
from survey_engine.expressions.parser import parse

Values = Mapping[str, Any]
Evaluator = Callable[[Values, Values], Any]

_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def compare(op: str, left: Any, right: Any) -> bool:
    """``left op right`` by the contract's rules for missing and special answers."""
    if left is ast.MISSING or right is ast.MISSING:
        return False
    if isinstance(left, ast.Special) or isinstance(right, ast.Special):
        if op == "==":
            return left is right
        if op == "!=":
            return left is not right
        return False
    if op == "==":
        return bool(left == right) and isinstance(left, bool) == isinstance(right, bool)
    if op == "!=":
        return not (bool(left == right) and isinstance(left, bool) == isinstance(right, bool))
    try:
        return bool(_ORDERING[op](left, right))
    except TypeError:
        return False


def _contains(container: Any, element: Any) -> bool:
    if element is ast.MISSING or not isinstance(container, (frozenset, set, tuple, list)):
        return False
    if isinstance(element, ast.Special):
        return any(item is element for item in container)
    return any(compare("==", element, item) for item in container)


def _compile(node: ast.Expr, dates: bool = False) -> Evaluator:
    if isinstance(node, ast.Name):
        ident = node.ident
        return lambda answers, contact: answers.get(ident, ast.MISSING)
    if isinstance(node, ast.ContactField):
        name = node.field
        return lambda answers, contact: contact.get(name, ast.MISSING)
    if isinstance(node, ast.Literal):
        value: Any = node.value
        if dates and isinstance(value, str):
            value = iso_date(value) or value
        return lambda answers, contact: value
    if isinstance(node, ast.ListOf):
        items = [_compile(item, dates) for item in node.items]
        return lambda answers, contact: tuple(item(answers, contact) for item in items)
    if isinstance(node, ast.Not):
        operand = _compile(node.operand)
        return lambda answers, contact: operand(answers, contact) is not True
    if isinstance(node, ast.BoolOp):
        left, right = _compile(node.left), _compile(node.right)
        if node.op == "and":
            return lambda a, c: left(a, c) is True and right(a, c) is True
        return lambda a, c: left(a, c) is True or right(a, c) is True
    if isinstance(node, ast.Compare):
        with_dates = _mentions_date(node)
        left, right, op = _compile(node.left, with_dates), _compile(node.right, with_dates), node.op
        return lambda a, c: compare(op, left(a, c), right(a, c))
    if isinstance(node, ast.Membership):
        element, container = _compile(node.element), _compile(node.container)
        if node.negated:
            def not_in(a: Values, c: Values) -> bool:
                value = element(a, c)
                return value is not ast.MISSING and not _contains(container(a, c), value)
            return not_in
        return lambda a, c: _contains(container(a, c), element(a, c))
    if isinstance(node, ast.Call):
        ident = node.argument.ident
        if node.function == "count":
            return lambda a, c: _count(a.get(ident, ast.MISSING))
        return lambda a, c: _answered(a.get(ident, ast.MISSING))
    raise TypeError(f"not an expression node: {node!r}")  # pragma: no cover


def _mentions_date(node: ast.Compare) -> bool:
    """Whether a string literal in this comparison should be read as an ISO date."""
    return any(isinstance(side, (ast.Name, ast.ContactField)) for side in (node.left, node.right))


def _count(value: Any) -> int:
    return len(value) if isinstance(value, (frozenset, set, tuple, list)) else 0


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
        self._function = _compile(self.tree)

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
