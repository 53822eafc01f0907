"""The state of an interview, as plain JSON-ready data.

Everything the engine needs to resume in another request or process is here; what can be
recomputed (expression values, the next question) is not stored.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from survey_engine.errors import InterviewError

STATE_FORMAT = 1


@dataclass
class InterviewState:
    """Answers so far and where the interview stands.

    ``history`` lists the questions answered (info questions acknowledged), in order;
    ``current`` is the question being asked, None once the interview has an ``outcome``.
    ``orders`` keeps, per question, the option codes in the order they were shown.
    """

    questionnaire: str
    version: int
    language: str
    seed: str
    contact: dict[str, Any]
    quota_counts: dict[str, int] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)
    orders: dict[str, list[int]] = field(default_factory=dict)
    current: str | None = None
    outcome: str | None = None
    catalog_sha256: str | None = None

    def to_json(self) -> str:
        """The state as a JSON document (stable key order)."""
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        return json.dumps({"format": STATE_FORMAT, **data}, default=_json_default,
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> InterviewState:
        """Read a state written by :meth:`to_json`.

        :raises InterviewError: if the document is not such a state.
        """
        try:
            data = json.loads(text)
            if data.pop("format", None) != STATE_FORMAT:
                raise ValueError("unknown state format")
            return cls(**data)
        except (ValueError, TypeError) as error:
            raise InterviewError(f"not an interview state: {error}",
                                 code="bad_state") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serializable")
