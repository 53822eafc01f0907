"""The routes of the partner API. Each checks the token (:func:`.auth.token_required`), is
validated and described by spectree (:mod:`.openapi`), reads in one snapshot and returns
JSON."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from flask import jsonify, request, url_for
from werkzeug.wrappers.response import Response

from dialer.campaigns import campaign_questionnaire
from dialer.models import Campaign, PartnerToken
from results.cases import iter_cases, rate_table
from results.exporters.jsonl import interview_document
from results.feed import interviews_since
from results.partner_tokens import campaign_of_token
from results.rates import RATE_NAMES, GroupCounts
from results.records import snapshot
from survey_engine.web.access import public
from survey_engine.web.api import bp
from survey_engine.web.api.auth import current_partner, token_required
from survey_engine.web.api.errors import register
from survey_engine.web.api.openapi import description, responses, spec
from survey_engine.web.api.schemas import (
    CampaignList,
    FeedQuery,
    InterviewPage,
    Rates,
)
from survey_engine.web.services import services

TAG = "partner"
CODE = "<string(minlength=1, maxlength=40):code>"
CODE_DESCRIPTION = {"code": "The campaign's code, as the campaign list gives it."}
register(bp)


@bp.get("/campaigns")
@token_required
@spec.validate(resp=responses(CampaignList), tags=[TAG], operation_id="listCampaigns")
def campaigns() -> Response:
    """The campaigns this token may read.

    With the token's own key, name and expiry, and each campaign's links.
    """
    partner = current_partner()
    with snapshot(services().engine) as session:
        token = session.get(PartnerToken, partner.token_id)
        assert token is not None
        listed = [_summary(campaign) for campaign in token.campaigns]
    return jsonify(token={"key": partner.key, "name": partner.name,
                          "expires_at": partner.expires_at.isoformat()},
                   campaigns=listed)


def _summary(campaign: Campaign) -> dict[str, Any]:
    return {"code": campaign.code, "name": campaign.name, "state": campaign.state.value,
            "questionnaire": {"slug": campaign.questionnaire_slug,
                              "version": campaign.questionnaire_version},
            "links": {"interviews": url_for("api.interviews", code=campaign.code),
                      "rates": url_for("api.rates", code=campaign.code)}}


@bp.get(f"/campaigns/{CODE}/interviews")
@token_required
@spec.validate(query=FeedQuery, resp=responses(InterviewPage, 400, 404), tags=[TAG],
               operation_id="pullInterviews", path_parameter_descriptions=CODE_DESCRIPTION)
def interviews(code: str) -> Response:
    """Settled interviews after a cursor, in the order they were settled.

    Start with `after=0`; keep `next_after` and pass it as `after` next time. An interview
    comes exactly once, even while interviews keep completing. An empty page keeps the
    cursor where it was. Each item is the record of the JSON Lines export.
    """
    query: FeedQuery = request.context.query  # type: ignore[attr-defined]  # spectree's
    partner = current_partner()
    with snapshot(services().engine) as session:
        campaign = campaign_of_token(session, partner.token_id, code)
        page = interviews_since(session, campaign, query.after, query.limit)
        codes = special_codes(campaign) if page.items else {}
        items = [interview_document(item.record, codes) for item in page.items]
    return jsonify(campaign=code, items=items, next_after=page.next_after,
                   has_more=len(items) == query.limit)


@bp.get(f"/campaigns/{CODE}/rates")
@token_required
@spec.validate(resp=responses(Rates, 404), tags=[TAG], operation_id="campaignRates",
               path_parameter_descriptions=CODE_DESCRIPTION)
def rates(code: str) -> Response:
    """AAPOR outcome rates of the campaign, over all its cases.

    Interim while the campaign is in the field: a case's code is its final disposition once
    settled, else its latest one. `e` is estimated by the proportional method.
    """
    partner = current_partner()
    with snapshot(services().engine) as session:
        campaign = campaign_of_token(session, partner.token_id, code)
        rows = rate_table(iter_cases(session, campaign.id), dimensions=())
    if not rows:  # a campaign without contacts: no case, no rate
        return jsonify(campaign=code, cases=0, counts=dataclasses.asdict(GroupCounts()),
                       codes={}, e=None, rates=dict.fromkeys(RATE_NAMES))
    row = rows[0]
    return jsonify(campaign=code, cases=row.cases, counts=dataclasses.asdict(row.counts),
                   codes=row.codes, e=_number(row.e),
                   rates={name: _number(rate) for name, rate in row.rates.items()})


def _number(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API (open to everyone)."""
    return jsonify(description())


def special_codes(campaign: Campaign) -> Mapping[str, int]:
    """The codes of the special answers (don't know, refused) of the campaign's
    questionnaire; the file is read again only when it changes.

    :raises DialerError: ``questionnaire``, ``questionnaire_changed``.
    """
    path = campaign.questionnaire_path
    try:
        changed = os.stat(path).st_mtime_ns
    except OSError:
        changed = -1  # campaign_questionnaire names the problem
    key = (path, changed, campaign.questionnaire_slug, campaign.questionnaire_version)
    found = _SPECIAL_CODES.get(key)
    if found is None:
        found = _SPECIAL_CODES[key] = dict(campaign_questionnaire(campaign).special_codes)
    return found


#: Special codes by questionnaire file, its modification time, slug and version.
_SPECIAL_CODES: dict[tuple[str, int, str, int], Mapping[str, int]] = {}
