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

from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config

from survey_engine.errors import InterviewError
from survey_engine.questionnaire.schema import Outcome

STATE_FORMAT = 1


@dataclass
@with_config(ConfigDict(extra="forbid"))
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
    outcome: Outcome | None = None
    catalog_sha256: str | None = None

    def to_json(self) -> str:
        """The state as a JSON document (stable key order)."""
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        return json.dumps({"format": STATE_FORMAT, **data}, default=_json_default,
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> InterviewState:
        """Read a state written by :meth:`to_json`, every field of the type it must have.

        This says nothing yet about whether the answers make sense for the questionnaire:
        :meth:`Interview.resume <survey_engine.interview.engine.Interview.resume>` replays
        them to find out.

        :raises InterviewError: if the document is not such a state.
        """
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise InterviewError(f"not an interview state: not JSON ({error})",
                                 code="bad_state") from None
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT or \
                isinstance(data.get("format"), bool):
            raise InterviewError(f"not an interview state of format {STATE_FORMAT}",
                                 code="bad_state")
        data.pop("format")
        try:
            # JSON mode: strict about types (no "1" for 1), yet a mapping may fill the class
            return _ADAPTER.validate_json(json.dumps(data), strict=True)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "state"
            raise InterviewError(f"not an interview state: {where}: {first['msg']}",
                                 code="bad_state") from None


_ADAPTER = TypeAdapter(InterviewState)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serializable")
