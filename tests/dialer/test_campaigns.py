"""Sites, agents and campaigns are created checked; a campaign's state changes only through its
methods, which refuse an illegal change; retry delays are kept by AAPOR code, whether given by
code or by name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.campaigns import (
    RETRY_NAMES,
    campaign_by_code,
    campaign_questionnaire,
    create_campaign,
    create_client,
    retry_code,
)
from dialer.errors import DialerError, IllegalStateChange, NotFound
from dialer.models import Campaign, CampaignState, Client, DialingMode, LanguageLevel
from dialer.outcomes import (
    DEFAULT_RETRY_DELAYS,
    DISPOSITIONS,
    CallEnding,
    Final,
    Retry,
    attempt_disposition,
    next_step,
)
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


def new_campaign(session: Session, **options: object) -> Campaign:
    """A campaign CAMP of a new client over the satisfaction questionnaire, with
    ``options``."""
    arguments: dict[str, object] = {"languages": ["nl"], "allowed_countries": ["BE"],
                                    "windows": WINDOWS, **options}
    client = create_client(session, f"CL{len(session.scalars(select(Client)).all())}", "Client")
    return create_campaign(session, client, "CAMP", "Campaign", SATISFACTION,
                           **arguments)  # type: ignore[arg-type]


def test_retry_delays_are_kept_by_aapor_code(session: Session) -> None:
    client = create_client(session, "C1", "Client")
    campaign = create_campaign(session, client, "R1", "Retries", SATISFACTION,
                               languages=["nl"], allowed_countries=["BE"], windows=WINDOWS,
                               retry_delays={"busy": dt.timedelta(minutes=15),
                                             "no_answer": dt.timedelta(hours=2),
                                             "refusal": dt.timedelta(days=5),
                                             "break_off": dt.timedelta(hours=6),
                                             "1.2": dt.timedelta(hours=1),
                                             "4.33": dt.timedelta(days=2)})
    session.expire_all()
    assert {rule.outcome: rule.delay_minutes for rule in campaign.retry_rules} == {
        "3.12": 15, "3.13": 120, "2.111": 5 * 24 * 60, "2.12": 360, "1.2": 60,
        "4.33": 2 * 24 * 60}
    assert campaign.retry_delay("3.12") == dt.timedelta(minutes=15)
    assert campaign.retry_delay("busy") is None  # names are read, codes are stored
    assert campaign.retry_delay("3.14") is None  # not given: the default applies


def test_the_campaigns_delays_replace_the_defaults_code_by_code(session: Session) -> None:
    campaign = create_campaign(session, create_client(session, "C1", "Client"), "R2", "R",
                               SATISFACTION, languages=["nl"], allowed_countries=["BE"],
                               windows=WINDOWS,
                               retry_delays={"busy": dt.timedelta(hours=1),
                                             "no_agent_for_language": dt.timedelta(days=1)})
    delays = {rule.outcome: dt.timedelta(minutes=rule.delay_minutes)
              for rule in campaign.retry_rules}  # as dialer.scheduling reads them
    assert next_step("3.12", attempts_made=1, max_attempts=6, delays=delays) == Retry(
        dt.timedelta(hours=1))
    assert next_step("3.13", attempts_made=1, max_attempts=6, delays=delays) == Retry(
        DEFAULT_RETRY_DELAYS["3.13"])
    assert next_step("2.333", attempts_made=1, max_attempts=6) == Final("2.333")
    assert next_step("2.333", attempts_made=1, max_attempts=6, delays=delays) == Retry(
        dt.timedelta(days=1))


def test_retry_names_are_the_endings_with_one_retried_code() -> None:
    assert RETRY_NAMES["busy"] == "3.12" and RETRY_NAMES["no_answer"] == "3.13"
    assert RETRY_NAMES["refusal"] == "2.111"  # the first, soft refusal
    assert RETRY_NAMES["break_off"] == "2.12"
    assert RETRY_NAMES["respondent_unavailable"] == "2.21"
    assert "appointment" not in RETRY_NAMES
    for name, code in RETRY_NAMES.items():
        assert attempt_disposition(CallEnding(name)) == code
        assert not DISPOSITIONS[code].final_at_once
        assert retry_code(name) == retry_code(code) == code
    assert len(set(RETRY_NAMES.values())) == len(RETRY_NAMES)  # one name per code
    # every code retried by default can be named, or written as a code (1.2, partial)
    assert set(DEFAULT_RETRY_DELAYS) - set(RETRY_NAMES.values()) == {"1.2"}


@pytest.mark.parametrize(("key", "says"), [
    ("bussy", "unknown retry key 'bussy' (did you mean 'busy'?)"),
    ("3.17", "write an AAPOR disposition code such as 3.12 or 2.111, or one of the names busy, "
             "no_answer, answering_machine,"),
    ("Busy", "did you mean 'busy'?"),
    (" 3.12", "unknown retry key ' 3.12'"),
    ("appointment", "appointment is not a retry key: an appointment is called back at the time "
                    "agreed with the respondent"),
    ("1.1", "a retry delay after 1.1 (Complete) would never be used"),
    ("4.31", "a retry delay after 4.31 (Non-working number) would never be used"),
    ("complete", "a retry delay after complete (1.1, Complete) would never be used"),
    ("quota_full", "(4.80, Quota filled)"),
])
def test_retry_keys_are_refused_with_what_is_accepted(key: str, says: str) -> None:
    with pytest.raises(DialerError) as refused:
        retry_code(key)
    assert refused.value.code == "retry"
    assert says in refused.value.message


def test_two_keys_for_one_code_are_refused(session: Session) -> None:
    with pytest.raises(DialerError) as refused:
        new_campaign(session, retry_delays={"busy": dt.timedelta(minutes=5),
                                            "3.12": dt.timedelta(minutes=9)})
    assert refused.value.code == "retry"
    assert refused.value.message == ("campaign CAMP: retry keys 'busy' and '3.12' both name "
                                     "3.12 (Always busy); keep one")


def test_dialing_settings_have_defaults(session: Session) -> None:
    campaign = factories.campaign(session)
    session.expire_all()
    assert campaign.dialing_mode is DialingMode.PROGRESSIVE
    assert (campaign.max_call_minutes, campaign.no_answer_seconds) == (30, 30)


@pytest.mark.parametrize("mode", ["preview", DialingMode.PREVIEW])
def test_dialing_settings_are_kept(session: Session, mode: DialingMode | str) -> None:
    code = create_campaign(session, create_client(session, "C6", "Client"), "P", "Preview",
                           SATISFACTION, languages=["nl"], allowed_countries=["BE"],
                           windows=WINDOWS, dialing_mode=mode, max_call_minutes=1440,
                           no_answer_seconds=5).code
    session.expire_all()
    campaign = campaign_by_code(session, code)
    assert campaign.dialing_mode is DialingMode.PREVIEW
    assert (campaign.max_call_minutes, campaign.no_answer_seconds) == (1440, 5)


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
    ({"retry_delays": {"bussy": dt.timedelta(minutes=5)}}, "retry"),
    ({"retry_delays": {"3.99": dt.timedelta(minutes=5)}}, "retry"),
    ({"retry_delays": {"appointment": dt.timedelta(hours=1)}}, "retry"),
    ({"retry_delays": {"4.31": dt.timedelta(days=1)}}, "retry"),
    ({"retry_delays": {"respondent_unavailable": dt.timedelta(hours=1),
                       "2.21": dt.timedelta(hours=2)}}, "retry"),
    ({"dialing_mode": "predictive"}, "dialing_mode"),
    ({"dialing_mode": "PREVIEW"}, "dialing_mode"),
    ({"max_call_minutes": 0}, "max_call_minutes"),
    ({"max_call_minutes": 1441}, "max_call_minutes"),
    ({"max_call_minutes": 30.0}, "max_call_minutes"),
    ({"max_call_minutes": True}, "max_call_minutes"),
    ({"no_answer_seconds": 4}, "no_answer_seconds"),
    ({"no_answer_seconds": 301}, "no_answer_seconds"),
])
def test_campaigns_are_refused_with_a_reason(session: Session, options: dict[str, object],
                                             code: str) -> None:
    with pytest.raises(DialerError) as refused:
        new_campaign(session, **options)
    assert refused.value.code == code
    assert refused.value.message.startswith("campaign CAMP: ")


def test_refusals_name_what_is_allowed(session: Session) -> None:
    with pytest.raises(DialerError) as mode:
        new_campaign(session, dialing_mode="predictive")
    assert mode.value.message == (
        "campaign CAMP: unknown dialing mode 'predictive'; it is preview or progressive (there "
        "is no predictive mode: an answered call always has an agent)")
    with pytest.raises(DialerError) as ringing:
        new_campaign(session, no_answer_seconds=2)
    assert ringing.value.message == ("campaign CAMP: no_answer_seconds must be a whole number "
                                     "of seconds from 5 to 300, not 2")


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
