"""The partner API (issue 6): JSON under ``/api/v1`` for partners holding a bearer token
scoped to campaigns — the token's campaigns, their settled interviews page by page with a
cursor (the records of the JSON Lines export), their AAPOR rates, and the OpenAPI
description at ``/api/v1/openapi.json``. docs/api.md describes it for partners.

- :mod:`.auth`: the bearer token, and nothing else, authenticates (no cookie, no CSRF);
- :mod:`.limits`: rate limits per token and per address (Flask-Limiter);
- :mod:`.errors`: one mapping of refusals to JSON;
- :mod:`.schemas`, :mod:`.openapi`: the bodies and the description generated from them;
- :mod:`.views`: the routes;
- :mod:`.tokens_page`: ``/admin/api-tokens``, where administrators issue and revoke tokens.

Tokens are issued and revoked there or with ``survey-engine api token``
(:mod:`results.partner_tokens`).
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    """Register the API on ``app``: its settings, routes, JSON errors and rate limits.

    :raises DialerError: ``config`` for a wrong ``[api]`` setting.
    """
    from pathlib import Path

    from survey_engine.web.api import views  # noqa: F401  (the routes)
    from survey_engine.web.api.config import api_settings, check_limits
    from survey_engine.web.api.errors import install
    from survey_engine.web.api.limits import install_limits
    from survey_engine.web.api.tokens_page import bp as tokens_page
    from survey_engine.web.extensions import csrf

    for key, value in api_settings(Path(app.config["SURVEY_INSTANCE"])).items():
        app.config.setdefault(key, value)
    check_limits(app.config)
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.register_blueprint(tokens_page)
    install(app)
    install_limits(app, bp)
