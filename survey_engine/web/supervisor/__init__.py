"""The supervisor desk: the live board with the stop-all-dialing switch, campaign control,
quality review of interviews and agent management.

Supervisors see and manage their own site's agents and the interviews those agents made;
campaigns are the centre's (every site's agents call for them), so every supervisor controls
them all. Administrators see every site. docs/web.md, "The supervisor desk", describes it.
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from dialer.board import Board
from dialer.interview_review import Reviews
from dialer.models import Role
from survey_engine.web.services import EXTENSION

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
STAFF = (Role.SUPERVISOR, Role.ADMIN)
#: Keys of what the desk adds to the application's extensions.
BOARD, REVIEWS = "survey_engine.board", "survey_engine.reviews"


@bp.record_once
def _readers(state: BlueprintSetupState) -> None:
    """The board and the review reader, one per application (their caches are shared by its
    requests)."""
    services = state.app.extensions[EXTENSION]
    state.app.extensions[BOARD] = Board(services.engine, services.dispatcher)
    state.app.extensions[REVIEWS] = Reviews(services.engine)


from survey_engine.web.supervisor import (  # noqa: E402,F401  (register the routes)
    agents,
    board,
    campaigns,
    review,
)
