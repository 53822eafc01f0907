"""Campaigns started, paused and resumed by a person: the state machine decides, the change is
traced in the campaign's chain with who and why, and an illegal change changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from dialer.campaign_control import change_campaign
from dialer.db import transaction
from dialer.errors import DialerError, NotFound
from dialer.models import Campaign, CampaignState, TraceEvent
from dialer.trace import verify_chain
from tests.dialer.callflow import build


def _events(engine: Engine, campaign_id: int) -> list[tuple[str, str, dict[str, str]]]:
    with transaction(engine) as session:
        return [(event.kind, event.actor, event.data) for event in session.scalars(
            select(TraceEvent).where(TraceEvent.campaign_id == campaign_id)
            .order_by(TraceEvent.seq))]


def test_pause_and_resume_are_traced_with_who_and_why(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[("+32470000001", "tr")])
    with transaction(centre.engine) as session:
        state = change_campaign(session, centre.campaign_id, "pause", "supervisor:S1",
                                "client asked")
    assert state is CampaignState.PAUSED
    with transaction(centre.engine) as session:
        change_campaign(session, centre.campaign_id, "resume", "admin:A1")
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None and campaign.state is CampaignState.RUNNING
        assert verify_chain(session, centre.campaign_id).fault is None
    assert _events(centre.engine, centre.campaign_id)[-2:] == [
        ("campaign_paused", "supervisor:S1",
         {"from": "running", "to": "paused", "reason": "client asked"}),
        ("campaign_resumed", "admin:A1", {"from": "paused", "to": "running", "reason": ""})]


@pytest.mark.parametrize(("verb", "code"), [("start", "illegal_state_change"),
                                            ("resume", "illegal_state_change"),
                                            ("finish", "bad_change"),
                                            ("delete", "bad_change")])
def test_a_change_that_is_not_allowed_changes_nothing(committed: tuple[Engine, str],
                                                      verb: str, code: str) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[("+32470000001", "tr")])
    events = _events(centre.engine, centre.campaign_id)
    with pytest.raises(DialerError) as refused, transaction(centre.engine) as session:
        change_campaign(session, centre.campaign_id, verb, "supervisor:S1")
    assert refused.value.code == code
    with transaction(centre.engine) as session:
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None and campaign.state is CampaignState.RUNNING
    assert _events(centre.engine, centre.campaign_id) == events


def test_nobody_named_or_no_such_campaign(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=[("+32470000001", "tr")])
    with pytest.raises(DialerError) as refused, transaction(centre.engine) as session:
        change_campaign(session, centre.campaign_id, "pause", "  ")
    assert refused.value.code == "bad_change"
    with pytest.raises(NotFound) as missing, transaction(centre.engine) as session:
        change_campaign(session, 987654, "pause", "supervisor:S1")
    assert missing.value.code == "campaign_not_found"
