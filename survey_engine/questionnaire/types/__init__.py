"""Question types: small classes registered by name; the YAML ``type:`` picks one.

Each type says which keys it accepts (a pydantic spec), what its answers are, how to read
an answer typed at a keyboard, how an answer reads when piped into a later text, and what
kind of value expressions see.
"""

from __future__ import annotations

from survey_engine.questionnaire.types import choice, scalar, verify  # noqa: F401  registers
from survey_engine.questionnaire.types.base import (
    REGISTRY,
    AnswerContext,
    AnswerRefused,
    QuestionType,
    Reporter,
    register,
)

__all__ = ["REGISTRY", "AnswerContext", "AnswerRefused", "QuestionType", "Reporter",
           "register"]
