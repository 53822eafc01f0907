"""Who is calling the partner API: the token in ``Authorization: Bearer TOKEN``, and nothing
else. A browser's session cookie authenticates nobody here, whatever role it signs in, and
the API takes no forms, so CSRF does not apply (the blueprint is exempt from it).

The token is recognised once per request (:func:`authenticate`, kept in ``flask.g``): the
rate limiter asks first, to count the request against the token, then the view's
:func:`token_required` refuses the request if the token was missing or refused. The token's
text is never logged; only its public key is.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import g, request

from dialer.db import transaction
from dialer.models import utc_now
from results.errors import ResultsError
from results.partner_tokens import needs_touch, recognise, touch
from survey_engine.web.access import ROLES
from survey_engine.web.api.errors import ApiError
from survey_engine.web.services import services

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
#: Set on a view that needs a partner token; the access matrix reads it.
TOKEN_REQUIRED = "partner_token_required"
_AUTHENTICATION = "partner_authentication"


@dataclass(frozen=True)
class Partner:
    """A recognised token: its id and key, its name, expiry and campaigns' codes."""

    token_id: int
    key: str
    name: str
    expires_at: dt.datetime
    campaigns: tuple[str, ...]


def presented_token() -> str:
    """The token of ``Authorization: Bearer TOKEN``.

    :raises ApiError: ``token_missing`` without such a header.
    """
    scheme, _, text = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not text.strip():
        raise ApiError("token_missing")
    return text.strip()


def authenticate() -> Partner | ApiError:
    """The partner of this request, or why there is none (once per request)."""
    if _AUTHENTICATION not in g:
        setattr(g, _AUTHENTICATION, _authenticate())
    found: Partner | ApiError = getattr(g, _AUTHENTICATION)
    return found


def _authenticate() -> Partner | ApiError:
    now = utc_now()
    try:
        text = presented_token()
        with transaction(services().engine) as session:
            token = recognise(session, text, now)
            partner = Partner(token.id, token.key, token.name, token.expires_at,
                              tuple(campaign.code for campaign in token.campaigns))
            stale = needs_touch(token, now)
    except ApiError as refused:
        return refused
    except ResultsError as refused:
        logger.info("partner token refused: %s", refused.code)
        return ApiError(refused.code)
    if stale:
        with transaction(services().writer) as session:
            touch(session, partner.token_id, now)
    return partner


def current_partner() -> Partner:
    """The partner of this request.

    :raises ApiError: the token is missing or refused (401).
    """
    found = authenticate()
    if isinstance(found, ApiError):
        raise found
    return found


def token_required(view: F) -> F:
    """Let only requests with an active partner token run the view. No signed-in role may:
    the view's declared roles are none (:func:`survey_engine.web.access.refuse_undeclared`
    sees an access rule)."""

    @functools.wraps(view)
    def checked(**arguments: Any) -> Any:
        current_partner()
        return view(**arguments)

    setattr(checked, ROLES, frozenset())
    setattr(checked, TOKEN_REQUIRED, True)
    return checked  # type: ignore[return-value]
