"""A committed centre with settled interviews and partner tokens, for the partner-API tests:
the sample customer-satisfaction campaign (a Russian and a Dutch complete, a refusal, a
break-off; the customer number exported), a second campaign, a token for each, and the
application on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine

from dialer.db import transaction
from dialer.models import utc_now
from results.partner_tokens import issue_token
from survey_engine.web import create_app
from tests.dialer import factories
from tests.dialer.callflow import Centre
from tests.results.scenario import (
    BREAK_OFF,
    COMPLETE_NL,
    COMPLETE_RU,
    REFUSAL,
    centre_with,
    interview,
)
from tests.web.centre import UNLIMITED


@dataclass
class ApiCentre:
    """The centre, its campaigns' codes, and a token text for each campaign."""

    centre: Centre
    url: str
    code: str
    other_code: str
    token: str
    other_token: str

    @property
    def engine(self) -> Engine:
        return self.centre.engine

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}


def build_api_centre(engine: Engine, url: str, *, spare_contacts: int = 0) -> ApiCentre:
    """The centre of the module docstring; ``spare_contacts`` more Dutch contacts wait."""
    centre = centre_with(engine, ["ru", "nl", "nl", "nl"] + ["nl"] * spare_contacts,
                         export_fields=["customer_number"])
    interview(centre, "RU1", COMPLETE_RU)
    interview(centre, "NL1", COMPLETE_NL)
    interview(centre, "NL1", REFUSAL)
    interview(centre, "NL2", BREAK_OFF)
    now = utc_now()
    with transaction(engine) as session:
        other = factories.campaign(session)
        other_code = other.code
        token = issue_token(session, "partner", [centre.campaign_code], "cli:test", now).text
        other_token = issue_token(session, "other partner", [other_code], "cli:test",
                                  now).text
    return ApiCentre(centre, url, centre.campaign_code, other_code, token, other_token)


def api_app(centre: ApiCentre, instance: Path, *, unlimited: bool = True, **config: Any
            ) -> Flask:
    """The application on the centre, without rate limits unless ``unlimited`` is false
    (then the instance's ``[api]`` settings apply); ``config`` overrides."""
    limits = {"API_RATE_LIMIT": UNLIMITED, "API_FAILURE_LIMIT": UNLIMITED} if unlimited else {}
    return create_app({"TESTING": True, "SURVEY_DATABASE_URL": centre.url,
                       "SECRET_KEY": "test-secret", "SECURE_COOKIES": False,
                       "SURVEY_INSTANCE": str(instance), **limits, **config})
