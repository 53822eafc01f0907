"""The live board and the stop-all-dialing switch.

``/supervisor/`` renders the whole board on the server (it works without script); the static
``board.js`` then asks ``/supervisor/board.json`` every second for the same rows, already in
the supervisor's language, and writes them into the page. Polling rather than Server-Sent
Events: waitress gives each open response a thread of its few, so every board open would hold
one for as long as it stays open.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from werkzeug.wrappers.response import Response

from dialer.board import AgentState, Snapshot
from dialer.db import transaction
from dialer.dialing_switch import resume_dialing, stop_dialing
from dialer.models import ContactState
from survey_engine.web.access import allow
from survey_engine.web.agent.labels import clock, language_name
from survey_engine.web.services import services
from survey_engine.web.supervisor import STAFF, bp
from survey_engine.web.supervisor.desk import board, idle, me, site_scope
from survey_engine.web.supervisor.forms import DialingForm
from survey_engine.web.supervisor.labels import (
    AGENT_STATES,
    CAMPAIGN_STATES,
    disposition_label,
    refusal_label,
)

#: How often the page asks for the board, in milliseconds (the page says it to the script).
POLL_MS = 1000


def _count(value: int) -> str:
    return str(format_decimal(value))


def _when(instant: Any) -> str:
    return clock(instant, None) if instant is not None else ""


def board_rows(snapshot: Snapshot) -> dict[str, Any]:
    """The board as rows of texts, in the reader's language: what the page shows and the
    JSON the script reads. Numbers are masked ones only."""
    switch = snapshot.switch
    dialing = {"stopped": switch.stopped,
               "text": _("All dialing is stopped.") if switch.stopped else _("Dialing is on."),
               "detail": _("%(by)s, %(when)s: %(reason)s", by=switch.changed_by,
                           when=_when(switch.changed_at), reason=switch.reason or "—")
               if switch.changed_by else ""}
    return {
        "at": _when(snapshot.at), "dialing": dialing,
        "agents": [{"code": agent.code, "site": agent.site_code, "state": agent.state.value,
                    "state_label": str(AGENT_STATES[agent.state]),
                    "since": _when(agent.since), "campaign": agent.campaign_code or "",
                    "href": url_for("supervisor.agent", agent_id=agent.id)}
                   for agent in snapshot.agents],
        "calls": [{"attempt": str(call.attempt_id), "agent": call.agent_code,
                   "campaign": call.campaign_code, "language": language_name(call.language),
                   "number": call.masked_number,
                   "stage": str(AGENT_STATES[call.stage]), "since": _when(call.since)}
                  for call in snapshot.calls],
        "campaigns": [{"code": campaign.code, "name": campaign.name,
                       "client": campaign.client_code,
                       "state": str(CAMPAIGN_STATES[campaign.state]),
                       "total": _count(campaign.total),
                       "waiting": _count(campaign.contacts[ContactState.WAITING]),
                       "settled": f"{campaign.settled_percent} %",
                       "outcomes": " · ".join(f"{disposition_label(code)}: {_count(count)}"
                                              for code, count in campaign.outcomes.items())
                       or "—"}
                      for campaign in snapshot.campaigns],
        "backlog": [{"language": language_name(line.language), "waiting": _count(line.waiting),
                     "due": _count(line.due), "unserved": _count(line.unserved)}
                    for line in snapshot.backlog],
        "refused": [{"at": _when(line.at), "agent": line.agent_code,
                     "campaign": line.campaign_code, "reason": refusal_label(line.reason)}
                    for line in snapshot.refused],
        "waiting": sum(agent.state is AgentState.WAITING for agent in snapshot.agents),
    }


def _snapshot() -> Snapshot:
    return board().snapshot(site_scope(me()), idle())


@bp.get("/")
@allow(*STAFF)
def index() -> Any:
    """The live board of the supervisor's site (every site's, for an administrator)."""
    return _render(DialingForm())


def _render(form: DialingForm, status: int = 200) -> Any:
    return render_template("supervisor/index.html", rows=board_rows(_snapshot()), form=form,
                           poll_ms=POLL_MS), status


@bp.get("/board.json")
@allow(*STAFF)
def board_json() -> Response:
    """The board's rows, for the page's script."""
    return jsonify(board_rows(_snapshot()))


@bp.post("/dialing")
@allow(*STAFF)
def dialing() -> Any:
    """Stop all dialing at once, in every dialer process (with the calls going on, if asked),
    or resume it; traced in every campaign's chain with who and why."""
    form = DialingForm()
    if not form.validate():
        return _render(form, 422)
    reason = (form.reason.data or "").strip()
    work, stopping = services(), form.pressed() == "stop"
    end_calls = stopping and bool(form.end_live_calls.data)
    with transaction(work.writer) as session:
        if stopping:
            stop_dialing(session, me().actor, reason, end_live_calls=end_calls)
        else:
            resume_dialing(session, me().actor, reason)
    if not stopping:
        flash(_("Dialing is resumed."), "info")
        return redirect(url_for("supervisor.index"))
    flash(_("All dialing is stopped, in every dialer process."), "warning")
    if end_calls:  # at once here; every worker hangs up its own calls at its next pass
        ended = work.desk.stop_all_dialing()
        flash(ngettext("%(num)d call going on was hung up.",
                       "%(num)d calls going on were hung up.", len(ended)), "warning")
    return redirect(url_for("supervisor.index"))
