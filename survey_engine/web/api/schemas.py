"""The partner API's request and response bodies as pydantic models: the views are validated
against them and the OpenAPI description is generated from them (:mod:`.openapi`), so the
description cannot drift from what is served.

:class:`InterviewDocument` is the record of the JSON Lines export
(:func:`results.exporters.jsonl.interview_document`), field for field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dialer.models import CampaignState
from results.feed import MAX_PAGE
from results.rates import RATE_NAMES

#: The largest cursor accepted: a trace position is a (signed 32-bit) INTEGER column.
MAX_CURSOR = 2**31 - 1


class Strict(BaseModel):
    """Responses carry exactly their documented fields."""

    model_config = ConfigDict(extra="forbid")


class Error(Strict):
    """Every refusal: a stable code for programs, a message for people."""

    code: str = Field(description="Stable: programs test this (docs/api.md lists them).",
                      examples=["token_revoked"])
    message: str = Field(description="For people; its wording may change.")


class QuestionnaireVersion(Strict):
    slug: str
    version: int


class Outcome(Strict):
    aapor: str = Field(description="The case's AAPOR disposition code, e.g. 1.1.")
    label: str | None = Field(description="The disposition in words (English).")
    final: bool = Field(description="Whether the case is settled (always true in the feed).")
    questionnaire: str | None = Field(
        description="The questionnaire's own outcome: complete, refusal, screened_out, "
                    "quota_full, or null.")


class TraceDigest(Strict):
    seq: int | None = Field(description="Position of the last trace event of the contact.")
    hash: str | None = Field(description="The chain hash at that event: it vouches for "
                                         "every answer and outcome of the interview.")


class InterviewDocument(Strict):
    """One interview, exactly as a line of the JSON Lines export."""

    interview: int
    questionnaire: QuestionnaireVersion
    language: str
    agent: str | None = Field(description="The pseudonymous code of the agent.")
    outcome: Outcome
    attempts: int = Field(description="Calls placed to the contact.")
    started_at: dt.datetime
    updated_at: dt.datetime
    trace: TraceDigest
    contact: dict[str, Any] = Field(
        description="The contact fields the campaign exports (never the phone number).")
    answers: dict[str, Any] = Field(
        description="Answers by question name, as stored: option codes, numbers, texts, "
                    "dates; a special answer as {\"special\": name, \"code\": code}.")


class InterviewPage(Strict):
    """A page of the feed of settled interviews."""

    campaign: str
    items: list[InterviewDocument] = Field(
        description="Interviews in the order they were settled, none repeated.")
    next_after: int = Field(ge=0, le=MAX_CURSOR,
                            description="Pass it as `after` to get what follows.")
    has_more: bool = Field(description="Whether the page was full: more may be waiting now. "
                                       "When false, the partner is up to date for now.")


class FeedQuery(BaseModel):
    """Where a page starts and how long it is."""

    after: int = Field(0, ge=0, le=MAX_CURSOR,
                       description="The cursor: `next_after` of the previous page; 0 at first.")
    limit: int = Field(100, ge=1, le=MAX_PAGE, description="At most this many interviews.")


class TokenInfo(Strict):
    key: str = Field(description="The token's public key (its name in the centre's lists).")
    name: str
    expires_at: dt.datetime


class CampaignLinks(Strict):
    interviews: str
    rates: str


class CampaignSummary(Strict):
    code: str
    name: str
    state: CampaignState
    questionnaire: QuestionnaireVersion
    links: CampaignLinks


class CampaignList(Strict):
    """The campaigns the token may read."""

    token: TokenInfo
    campaigns: list[CampaignSummary]


class GroupCountsBody(Strict):
    """Cases per AAPOR rate group."""

    I: int  # noqa: E741  (AAPOR's own letters)
    P: int
    R: int
    NC: int
    O: int  # noqa: E741
    UH: int
    UO: int
    NE: int


class Rates(Strict):
    """AAPOR outcome rates of the campaign's cases (interim while it is in the field)."""

    campaign: str
    cases: int
    counts: GroupCountsBody
    codes: dict[str, int] = Field(description="Cases per AAPOR disposition code.")
    e: float | None = Field(description="The estimated share of eligible cases among those "
                                        "of unknown eligibility (proportional method).")
    rates: dict[str, float | None] = Field(
        description=f"{', '.join(RATE_NAMES)}: fractions between 0 and 1, null when the "
                    "denominator is zero.")
