"""The expression language of ``show_if``, ``end_if`` and quota ``when``.

:func:`parse` builds a tree, :func:`check` validates it against a questionnaire's names,
:class:`Expression` evaluates it over plain values.
"""

from survey_engine.expressions.ast import DONT_KNOW, MISSING, REFUSED, Special
from survey_engine.expressions.checker import Kind, Scope, Symbol, check
from survey_engine.expressions.evaluator import Expression, compare
from survey_engine.expressions.parser import parse

__all__ = ["DONT_KNOW", "MISSING", "REFUSED", "Expression", "Kind", "Scope", "Special",
           "Symbol", "check", "compare", "parse"]
