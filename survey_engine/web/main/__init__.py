"""The front door: ``/`` sends each person to their own area, ``/healthz`` answers probes."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers.response import Response

from dialer.models import Role
from survey_engine.web.access import public
from survey_engine.web.principal import current_principal

bp = Blueprint("main", __name__)

#: Where each role starts.
HOME = {Role.AGENT: "agent.console", Role.SUPERVISOR: "supervisor.index",
        Role.CLIENT: "client.index", Role.ADMIN: "admin.index"}


@bp.get("/")
@public
def index() -> Response:
    """The signed-in person's own area, or the sign-in page."""
    principal = current_principal()
    return redirect(url_for(HOME[principal.role] if principal else "auth.login"))


@bp.get("/healthz")
@public
def health() -> tuple[str, int, dict[str, str]]:
    """A plain answer for load balancers and the test fixtures."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
