"""Campaign control: start, pause and resume any campaign of the centre.

Campaigns are not a site's: agents of every site call for them. So every supervisor (and
every administrator) may start, pause and resume every campaign; each change is traced in the
campaign's chain with who and why (:mod:`dialer.campaign_control`). Finishing a campaign, which
cannot be undone, is not offered on the desk.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers.response import Response

from dialer.campaign_control import change_campaign
from dialer.campaigns import campaign_overview
from dialer.db import transaction
from dialer.errors import DialerError
from dialer.models import Campaign, CampaignState
from survey_engine.web.access import allow, any_campaign
from survey_engine.web.services import services
from survey_engine.web.supervisor import STAFF, bp
from survey_engine.web.supervisor.desk import me
from survey_engine.web.supervisor.forms import CampaignForm
from survey_engine.web.supervisor.labels import CAMPAIGN_STATES, CONTACT_STATES

#: The buttons each state offers.
OFFERED = {CampaignState.DRAFT: ("start",), CampaignState.RUNNING: ("pause",),
           CampaignState.PAUSED: ("resume",), CampaignState.FINISHED: ()}


def _render(forms: dict[int, CampaignForm] | None = None, status: int = 200) -> Any:
    with transaction(services().engine) as session:
        campaigns = campaign_overview(session)
    given = forms or {}
    return render_template("supervisor/campaigns.html", campaigns=campaigns,
                           forms={c.id: given.get(c.id) or CampaignForm() for c in campaigns},
                           offered=OFFERED, states=CAMPAIGN_STATES,
                           contact_states=CONTACT_STATES), status


@bp.get("/campaigns")
@allow(*STAFF)
def campaigns() -> Any:
    """Every campaign of the centre, with its state and the changes it may make."""
    return _render()


@bp.post("/campaigns/<int:campaign_id>/state")
@allow(*STAFF, owns=any_campaign)
def campaign_state(campaign_id: int) -> Response | Any:
    """Start, pause or resume the campaign; a change its state does not allow changes
    nothing and says why."""
    form = CampaignForm()
    if not form.validate():
        return _render({campaign_id: form}, 422)
    verb = form.pressed() or ""
    try:
        with transaction(services().writer) as session:
            state = change_campaign(session, campaign_id, verb, me().actor,
                                    (form.reason.data or "").strip())
    except DialerError as error:
        if error.code != "illegal_state_change":
            raise
        form.form_errors.append(_("This campaign cannot make that change now (it is %(state)s).",
                                  state=_state_now(campaign_id)))
        return _render({campaign_id: form}, 409)
    services().dispatcher.forget_roster()
    flash(_("The campaign is %(state)s.", state=CAMPAIGN_STATES[state]), "info")
    return redirect(url_for("supervisor.campaigns"))


def _state_now(campaign_id: int) -> str:
    with transaction(services().engine) as session:
        found = session.get(Campaign, campaign_id)
        assert found is not None  # any_campaign found it
        return str(CAMPAIGN_STATES[found.state])
