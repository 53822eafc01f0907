"""A full quota on contact fields sets its contacts aside before anyone calls them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from dialer.contacts import add_contact
from dialer.errors import DialerError
from dialer.models import Campaign, ContactState
from dialer.quotas import close_full_quota, set_aside_for_closed_quotas
from tests.dialer import factories

NOON = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def campaign(session: Session, tmp_path: Path) -> Campaign:
    return factories.regional_panel(session, tmp_path)


def test_closing_a_contact_quota_sets_its_waiting_contacts_aside(session: Session,
                                                                 campaign: Campaign) -> None:
    brussels = [add_contact(session, campaign, f"+3247000000{n}", "nl", fields={"region": "BXL"})
                for n in range(3)]
    ghent = add_contact(session, campaign, "+32470000010", "nl", fields={"region": "GNT"})

    assert close_full_quota(session, campaign, "brussels") == 3

    assert {contact.state for contact in brussels} == {ContactState.QUOTA_FULL}
    assert ghent.state is ContactState.WAITING
    agent = factories.agent(session, factories.site(session), ["nl"])
    dispatcher = factories.SessionDispatcher(session)
    claimed = []
    while (claim := dispatcher.next_call(agent.id, NOON)) is not None:
        claimed.append(claim.contact_id)
    assert claimed == [ghent.id]


def test_stored_dates_are_compared_as_dates(session: Session, campaign: Campaign) -> None:
    old = add_contact(session, campaign, "+32470000001", "nl",
                      fields={"region": "GNT", "born": "1961-04-02"})
    young = add_contact(session, campaign, "+32470000002", "nl",
                        fields={"region": "GNT", "born": "1990-12-31"})
    unknown = add_contact(session, campaign, "+32470000003", "nl", fields={"region": "GNT"})
    assert close_full_quota(session, campaign, "born_before_1970") == 1
    assert [old.state, young.state, unknown.state] == [
        ContactState.QUOTA_FULL, ContactState.WAITING, ContactState.WAITING]


def test_a_quota_on_answers_cannot_be_applied_before_the_call(session: Session,
                                                              campaign: Campaign) -> None:
    with pytest.raises(DialerError) as refused:
        close_full_quota(session, campaign, "young")
    assert refused.value.code == "quota_needs_answers"
    with pytest.raises(DialerError) as unknown:
        close_full_quota(session, campaign, "old")
    assert unknown.value.code == "quota_unknown"


def test_a_closed_quota_also_sets_aside_contacts_that_come_later(session: Session,
                                                                 campaign: Campaign) -> None:
    assert close_full_quota(session, campaign, "brussels") == 0
    assert close_full_quota(session, campaign, "brussels") == 0, "closing twice is harmless"
    later = add_contact(session, campaign, "+32470000001", "nl", fields={"region": "BXL"})
    other = add_contact(session, campaign, "+32470000002", "nl", fields={"region": "GNT"})
    assert set_aside_for_closed_quotas(session, campaign) == 1
    assert (later.state, other.state) == (ContactState.QUOTA_FULL, ContactState.WAITING)
