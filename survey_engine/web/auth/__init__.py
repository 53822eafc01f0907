"""Signing in and out: staff and clients with login and password, agents with code and PIN."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)

from survey_engine.web.auth import views  # noqa: E402,F401  (registers the routes)


@bp.app_context_processor
def _sign_out_form() -> dict[str, object]:
    """The sign-out button every page shows to a signed-in person."""
    from survey_engine.web.auth.forms import LogoutForm

    return {"logout_form": LogoutForm}
