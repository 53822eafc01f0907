"""Rate limits of the partner API (Flask-Limiter, one limiter per application).

- ``API_RATE_LIMIT`` (``[api] rate_limit``, 120 per minute): requests per token, counted over
  every route of the API together. A request without a recognised token counts against its
  client address instead.
- ``API_FAILURE_LIMIT`` (``[api] failure_limit``, 20 per minute): refused tokens (401) per
  client address; past it, that address is answered 429 until the window passes, unless it
  presents an active token. It bounds the work a scanner can cause.

The counts use the sliding-window-counter strategy, kept in ``API_RATE_LIMIT_STORAGE``:
``memory://`` is shared by the waitress threads of one ``serve`` process; ``redis://`` shares
the counts between processes. Every answer of the API carries ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``, and a 429 ``Retry-After``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, request
from flask_limiter import Limiter
from werkzeug.wrappers.response import Response

from survey_engine.web.api.auth import Partner, authenticate

EXTENSION = "survey_engine.api.limiter"
#: The scopes the counts are kept under: one for all routes, one for refusals.
TOKEN_SCOPE = "partner-api"
FAILURE_SCOPE = "partner-api-refused-tokens"


def _address() -> str:
    return f"address:{request.remote_addr or ''}"


def token_or_address() -> str:
    """What a request counts against: its token's key, else its client address."""
    partner = authenticate()
    return f"token:{partner.key}" if isinstance(partner, Partner) else _address()


def _has_active_token() -> bool:
    return isinstance(authenticate(), Partner)


def _refused(response: Response) -> bool:
    return response.status_code == 401


def install_limits(app: Flask, bp: Blueprint) -> Limiter:
    """A limiter on ``app`` with the two limits on the routes of ``bp``."""
    limiter = Limiter(key_func=token_or_address, storage_uri=app.config["API_RATE_LIMIT_STORAGE"],
                      strategy="sliding-window-counter", headers_enabled=True,
                      key_prefix="survey-engine")
    limiter.shared_limit(app.config["API_RATE_LIMIT"], TOKEN_SCOPE)(bp)
    limiter.shared_limit(app.config["API_FAILURE_LIMIT"], FAILURE_SCOPE, key_func=_address,
                         exempt_when=_has_active_token, deduct_when=_refused)(bp)
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    return limiter
