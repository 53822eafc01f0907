"""``survey-engine campaigns``: listing, state changes and closing full quotas, as an operator
runs them; on both databases, checked against what is stored afterwards."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, select

from dialer.config import DATABASE_URL_VARIABLE
from dialer.contacts import add_contact
from dialer.db import transaction
from dialer.models import Campaign, CampaignState, ClosedQuota, Contact, ContactState
from survey_engine.cli import main
from tests.dialer import factories


def run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={DATABASE_URL_VARIABLE: url})
    return result.exit_code, result.output


def _state(engine: Engine, code: str) -> CampaignState:
    with transaction(engine) as session:
        return session.scalars(select(Campaign.state).where(Campaign.code == code)).one()


def _draft(engine: Engine) -> str:
    with transaction(engine) as session:
        return factories.campaign(session, start=False).code


def test_list_counts_contacts_per_state_highest_priority_first(
        committed: tuple[Engine, str]) -> None:
    engine, url = committed
    with transaction(engine) as session:
        quiet = factories.campaign(session, languages=["nl"], start=False)
        busy = factories.campaign(session, languages=["fr", "nl"], priority=5)
        contacts = [add_contact(session, busy, f"+3247012340{n}", "fr") for n in range(5)]
        contacts[0].state = ContactState.DONE
        contacts[1].state = ContactState.QUOTA_FULL
        contacts[2].state = ContactState.QUOTA_FULL
        contacts[3].state = ContactState.DO_NOT_CALL
        expected = [
            ["CAMPAIGN", "CLIENT", "STATE", "PRIORITY", "LANGUAGES", "WAITING", "DONE",
             "QUOTA_FULL", "DO_NOT_CALL"],
            [busy.code, busy.client.code, "running", "5", "fr,", "nl", "1", "1", "2", "1"],
            [quiet.code, quiet.client.code, "draft", "0", "nl", "0", "0", "0", "0"]]
    code, output = run(url, "campaigns", "list")
    assert code == 0, output
    assert [line.split() for line in output.splitlines()] == expected


def test_list_says_when_there_is_no_campaign(committed: tuple[Engine, str]) -> None:
    _engine, url = committed
    code, output = run(url, "campaigns", "list")
    assert code == 0
    assert "no campaigns yet" in output


def test_a_campaign_goes_through_its_states(committed: tuple[Engine, str]) -> None:
    engine, url = committed
    campaign = _draft(engine)
    for verb, shown, stored in [("start", "draft -> running", CampaignState.RUNNING),
                                ("pause", "running -> paused", CampaignState.PAUSED),
                                ("resume", "paused -> running", CampaignState.RUNNING),
                                ("finish", "running -> finished", CampaignState.FINISHED)]:
        code, output = run(url, "campaigns", verb, campaign)
        assert (code, output.strip()) == (0, f"campaign {campaign}: {shown}")
        assert _state(engine, campaign) is stored


def test_an_illegal_change_is_one_line_and_changes_nothing(
        committed: tuple[Engine, str]) -> None:
    engine, url = committed
    campaign = _draft(engine)
    for verb in ("pause", "resume"):
        code, output = run(url, "campaigns", verb, campaign)
        assert code == 1
        assert output.strip() == f"error: campaign {campaign}: cannot {verb} a draft campaign"
        assert _state(engine, campaign) is CampaignState.DRAFT
    assert run(url, "campaigns", "finish", campaign)[0] == 0
    code, output = run(url, "campaigns", "start", campaign)
    assert (code, output.strip()) == (1, f"error: campaign {campaign}: cannot start a "
                                         f"finished campaign")
    assert _state(engine, campaign) is CampaignState.FINISHED


def test_an_unknown_campaign_is_one_clear_line(committed: tuple[Engine, str]) -> None:
    _engine, url = committed
    code, output = run(url, "campaigns", "start", "NOPE")
    assert (code, output.strip()) == (1, "error: no campaign with code 'NOPE'")


def _panel(engine: Engine, tmp_path: Path) -> str:
    """A running panel campaign with two contacts in Brussels and one in Ghent."""
    with transaction(engine) as session:
        campaign = factories.regional_panel(session, tmp_path)
        for phone, region in [("+32470000001", "BXL"), ("+32470000002", "GNT"),
                              ("+32470000003", "BXL")]:
            add_contact(session, campaign, phone, "nl", fields={"region": region})
        return campaign.code


def _contact_states(engine: Engine) -> list[ContactState]:
    with transaction(engine) as session:
        return list(session.scalars(select(Contact.state).order_by(Contact.id)))


def _closed_quotas(engine: Engine) -> list[str]:
    with transaction(engine) as session:
        return list(session.scalars(select(ClosedQuota.quota_id)))


def test_close_quota_sets_aside_the_contacts_it_matches(committed: tuple[Engine, str],
                                                        tmp_path: Path) -> None:
    engine, url = committed
    campaign = _panel(engine, tmp_path)
    code, output = run(url, "campaigns", "close-quota", campaign, "brussels")
    assert code == 0, output
    assert output.strip() == f"campaign {campaign}: quota brussels closed, 2 waiting " \
                             f"contact(s) set aside"
    assert _contact_states(engine) == [ContactState.QUOTA_FULL, ContactState.WAITING,
                                       ContactState.QUOTA_FULL]
    assert _closed_quotas(engine) == ["brussels"]
    code, output = run(url, "campaigns", "close-quota", campaign, "brussels")
    assert code == 0 and "0 waiting contact(s)" in output, "closing again is harmless"


def test_close_quota_refuses_a_quota_on_answers_and_changes_nothing(
        committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, url = committed
    campaign = _panel(engine, tmp_path)
    code, output = run(url, "campaigns", "close-quota", campaign, "young")
    assert code == 1
    assert output.strip() == ("error: quota young reads answers (age): it is decided during "
                              "the interview, not before the call")
    code, output = run(url, "campaigns", "close-quota", campaign, "old")
    assert code == 1
    assert output.strip() == f"error: campaign {campaign} has no quota 'old' " \
                             f"(quotas: brussels, born_before_1970, young)"
    assert _contact_states(engine) == [ContactState.WAITING] * 3
    assert _closed_quotas(engine) == []
