"""The agent console: ready and pause, the call in progress with its interview, the end of
the call, and the agent's own hours, completes and earnings."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("agent", __name__, url_prefix="/agent")

from survey_engine.web.agent import views  # noqa: E402,F401  (registers the routes)
from survey_engine.web.agent.labels import (  # noqa: E402
    clock,
    language_name,
    outcome_label,
    weekday_name,
)

for _helper in (clock, language_name, outcome_label, weekday_name):
    bp.add_app_template_global(_helper)
