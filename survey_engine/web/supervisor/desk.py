"""What the desk's views share: who is signed in, which site they see, the board and the
review reader of the application."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from dialer.board import Board
from dialer.interview_review import Reviews
from dialer.models import Role
from survey_engine.web.principal import Principal, current_principal
from survey_engine.web.supervisor import BOARD, REVIEWS


def me() -> Principal:
    """The supervisor or administrator signed in (``allow`` has checked the role)."""
    principal = current_principal()
    assert principal is not None and principal.role in (Role.SUPERVISOR, Role.ADMIN)
    return principal


def site_scope(principal: Principal) -> int | None:
    """The site a principal sees: a supervisor's own; None (every site) for an admin."""
    return None if principal.role is Role.ADMIN else principal.site_id


def board() -> Board:
    found: Board = current_app.extensions[BOARD]
    return found


def reviews() -> Reviews:
    found: Reviews = current_app.extensions[REVIEWS]
    return found


def idle() -> dt.timedelta:
    """How long a session lasts without a request."""
    return dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
