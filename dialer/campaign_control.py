"""Starting, pausing and resuming a campaign by a person, traced in the campaign's chain.

The change itself is the campaign's state machine (:meth:`Campaign.start` and the rest, which
refuse an illegal change with ``illegal_state_change``); this adds who made it, when and why,
as an event of the campaign's chain (``campaign_started``, ``campaign_paused``,
``campaign_resumed``), so a supervisor's pause is as accountable as a call. Finishing a
campaign is not offered here: it cannot be undone, and stays with the administration
(``survey-engine campaigns finish``).

Operations flush, never commit (STYLE 4).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from dialer import trace
from dialer.errors import DialerError, NotFound
from dialer.models import Campaign, CampaignState, utc_now

logger = logging.getLogger(__name__)

#: The changes a person may make here, with the event each is traced as.
VERBS = {"start": "campaign_started", "pause": "campaign_paused",
         "resume": "campaign_resumed"}


def change_campaign(session: Session, campaign_id: int, verb: str, by: str, reason: str = "",
                    *, now: dt.datetime | None = None) -> CampaignState:
    """Start, pause or resume a campaign, and trace it.

    :param verb: ``start``, ``pause`` or ``resume``.
    :param by: who (``supervisor:LOGIN``, ``admin:LOGIN``).
    :returns: the campaign's new state.
    :raises NotFound: ``campaign_not_found``.
    :raises DialerError: ``bad_change`` (an unknown verb, nobody named);
        ``illegal_state_change`` for a change the state machine refuses (nothing changes).
    """
    if verb not in VERBS:
        raise DialerError("bad_change", f"{verb!r} is not one of {', '.join(VERBS)}")
    if not by.strip():
        raise DialerError("bad_change", "say who changes the campaign")
    campaign = session.get(Campaign, campaign_id, with_for_update=True)
    if campaign is None:
        raise NotFound("campaign_not_found", f"there is no campaign {campaign_id}")
    was = campaign.state
    getattr(campaign, verb)()
    session.flush()
    moment = now or utc_now()
    trace.defer(session, campaign.id, [trace.Entry(
        VERBS[verb], by.strip()[:60], moment,
        data={"from": was.value, "to": campaign.state.value, "reason": reason.strip()[:200]})])
    logger.info("%s: campaign %s %s -> %s", by, campaign.code, was.value,
                campaign.state.value)
    return campaign.state
