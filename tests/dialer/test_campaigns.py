"""Sites, agents and campaigns are created checked; a campaign's state changes only through its
methods, which refuse an illegal change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from dialer.campaigns import (
    campaign_by_code,
    campaign_questionnaire,
    create_campaign,
    create_client,
)
from dialer.errors import DialerError, IllegalStateChange, NotFound
from dialer.models import CampaignState, LanguageLevel
from dialer.people import create_agent, create_site
from tests.conftest import QUESTIONNAIRES
from tests.dialer import factories

SATISFACTION = QUESTIONNAIRES / "customer-satisfaction.yaml"
WINDOWS = [(0, dt.time(9), dt.time(21))]


def test_a_campaign_moves_only_along_its_states(session: Session) -> None:
    campaign = factories.campaign(session, start=False)
    assert campaign.state is CampaignState.DRAFT
    for illegal in (campaign.pause, campaign.resume):
        with pytest.raises(IllegalStateChange) as refused:
            illegal()
        assert refused.value.code == "illegal_state_change"
        assert campaign.state is CampaignState.DRAFT
    campaign.start()
    campaign.pause()
    campaign.resume()
    assert campaign.state is CampaignState.RUNNING
    with pytest.raises(IllegalStateChange):
        campaign.start()
    campaign.finish()
    for verb in (campaign.start, campaign.pause, campaign.resume, campaign.finish):
        with pytest.raises(IllegalStateChange):
            verb()
    assert campaign.state is CampaignState.FINISHED


def test_the_state_survives_the_database(session: Session) -> None:
    code = factories.campaign(session).code
    session.expire_all()
    assert campaign_by_code(session, code).state is CampaignState.RUNNING


def test_retry_delays_are_kept_per_outcome(session: Session) -> None:
    client = create_client(session, "C1", "Client")
    campaign = create_campaign(session, client, "R1", "Retries", SATISFACTION,
                               languages=["nl"], allowed_countries=["BE"], windows=WINDOWS,
                               retry_delays={"busy": dt.timedelta(minutes=15),
                                             "no_answer": dt.timedelta(hours=2)})
    assert campaign.retry_delay("busy") == dt.timedelta(minutes=15)
    assert campaign.retry_delay("no_answer") == dt.timedelta(hours=2)
    assert campaign.retry_delay("refusal") is None


@pytest.mark.parametrize(("options", "code"), [
    ({"languages": ["nl", "de"]}, "language"),
    ({"languages": []}, "language"),
    ({"allowed_countries": ["BE", "XX"]}, "country"),
    ({"allowed_number_types": ["mobile", "satellite"]}, "number_type"),
    ({"windows": [(0, dt.time(21), dt.time(9))]}, "window"),
    ({"windows": [(7, dt.time(9), dt.time(21))]}, "window"),
    ({"max_attempts": 0}, "max_attempts"),
    ({"retry_delays": {"busy": dt.timedelta(minutes=-5)}}, "retry"),
    ({"retry_delays": {"busy": dt.timedelta(seconds=90)}}, "retry"),
])
def test_campaigns_are_refused_with_a_reason(session: Session, options: dict[str, object],
                                             code: str) -> None:
    arguments: dict[str, object] = {"languages": ["nl"], "allowed_countries": ["BE"],
                                    "windows": WINDOWS, **options}
    with pytest.raises(DialerError) as refused:
        create_campaign(session, create_client(session, "C2", "Client"), "BAD", "Bad",
                        SATISFACTION, **arguments)  # type: ignore[arg-type]
    assert refused.value.code == code


def test_a_broken_questionnaire_is_refused_with_its_own_location(session: Session,
                                                                 tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("questionnaire: x\nversion: one\n", encoding="utf-8")
    with pytest.raises(DialerError) as refused:
        create_campaign(session, create_client(session, "C3", "Client"), "B", "B", broken,
                        languages=["nl"], allowed_countries=["BE"], windows=WINDOWS)
    assert refused.value.code == "questionnaire"
    assert f"{broken}:2:" in refused.value.message
    missing = tmp_path / "missing.yaml"
    with pytest.raises(DialerError) as absent:
        create_campaign(session, create_client(session, "C4", "Client"), "M", "M", missing,
                        languages=["nl"], allowed_countries=["BE"], windows=WINDOWS)
    assert absent.value.code == "questionnaire" and str(missing) in absent.value.message


def test_a_campaign_refuses_a_questionnaire_file_that_changed_version(session: Session,
                                                                      tmp_path: Path) -> None:
    path = tmp_path / "survey.yaml"
    text = SATISFACTION.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    campaign = create_campaign(session, create_client(session, "C5", "Client"), "V", "V", path,
                               languages=["nl"], allowed_countries=["BE"], windows=WINDOWS)
    assert campaign_questionnaire(campaign).version == campaign.questionnaire_version
    path.write_text(text.replace("\nversion: 1\n", "\nversion: 2\n", 1), encoding="utf-8")
    with pytest.raises(DialerError) as refused:
        campaign_questionnaire(campaign)
    assert refused.value.code == "questionnaire_changed"


@pytest.mark.parametrize(("time_zone", "rate", "currency", "code"), [
    ("Europe/Bruxelles", "0.75", "EUR", "time_zone"),
    ("Europe/Brussels", "-1", "EUR", "pay_rate"),
    ("Europe/Brussels", "0.75", "EURO", "currency"),
])
def test_sites_are_refused_with_a_reason(session: Session, time_zone: str, rate: str,
                                         currency: str, code: str) -> None:
    with pytest.raises(DialerError) as refused:
        create_site(session, "S", "Site", time_zone, Decimal(rate), currency)
    assert refused.value.code == code


def test_the_pay_rate_is_the_sites_own(session: Session) -> None:
    beveren = create_site(session, "BEV", "Beveren", "Europe/Brussels", Decimal("0.75"), "EUR")
    other = create_site(session, "OTH", "Other", "Europe/Brussels", Decimal("1.10"), "EUR")
    session.expire_all()
    assert (beveren.hourly_pay_rate, other.hourly_pay_rate) == (Decimal("0.75"),
                                                                 Decimal("1.10"))


def test_agents_need_a_language_and_valid_shifts(session: Session) -> None:
    site = factories.site(session)
    with pytest.raises(DialerError) as mute:
        create_agent(session, site, "A1", "nl", {})
    assert mute.value.code == "no_language"
    with pytest.raises(DialerError) as empty:
        create_agent(session, site, "A2", "nl", {"nl": LanguageLevel.NATIVE},
                     shifts=[(0, dt.time(8), dt.time(8))])
    assert empty.value.code == "shift"
    night = create_agent(session, site, "A3", "nl", {"nl": LanguageLevel.FLUENT},
                         skills=["refusal_conversion"], shifts=[(0, dt.time(22), dt.time(6))])
    assert [(spoken.language, spoken.level) for spoken in night.languages] == [
        ("nl", LanguageLevel.FLUENT)]
    assert [(shift.weekday, shift.start, shift.end) for shift in night.shifts] == [
        (0, dt.time(22), dt.time(6))]
    assert [skill.skill for skill in night.skills] == ["refusal_conversion"]


def test_unknown_codes_are_not_found(session: Session) -> None:
    with pytest.raises(NotFound) as missing:
        campaign_by_code(session, "NOPE")
    assert missing.value.code == "campaign_not_found"
