"""The scratch centre a simulation runs in: a faithful copy of a campaign with its agents and
contacts, or agents and contacts made up, written into a new database while the live one (on
SQLite and PostgreSQL, ``committed``) is only read."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from dialer.campaigns import create_campaign, create_client
from dialer.contacts import add_contact
from dialer.db import make_engine, transaction
from dialer.errors import DialerError
from dialer.models import (
    Base,
    Campaign,
    CampaignState,
    Contact,
    ContactPhase,
    ContactState,
    DialingMode,
    DoNotCall,
    LanguageLevel,
)
from dialer.people import create_agent
from dialer.phones import check_number
from dialer.quotas import close_full_quota
from dialer.simulation.setup import (
    AgentMix,
    ScratchCentre,
    parse_agent_mix,
    parse_language_mix,
    prepare_scratch,
    scratch_work_size,
)
from dialer.simulation.synthetic import DEFAULT_SHIFTS, EPOCH
from dialer.windows import WeeklyShift
from survey_engine.questionnaire.contact import normalize_contact
from survey_engine.questionnaire.loader import load
from tests.dialer import factories

TODAY = dt.date(2025, 6, 2)
NOW = dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC)
PANEL = """\
questionnaire: planning-panel
version: 1
title: Planning panel
source_language: nl
languages: [nl]
contact_fields:
  region: {type: text, pattern: '^(BXL|ANT)$'}
  born: {type: date, required: false}
questions:
  - id: age
    type: number
    text: Hoe oud bent u?
quotas:
  - id: brussels
    when: contact.region == "BXL"
    max_completes: 10
"""


@pytest.fixture
def source(committed: tuple[Engine, str]) -> Engine:
    return committed[0]


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'scratch' / 'centre.sqlite3'}")
    yield engine
    engine.dispose()


def rows(engine: Engine, name: str) -> list[dict[str, Any]]:
    """Every row of a table, in key order."""
    table = Base.metadata.tables[name]
    with engine.connect() as connection:
        found = connection.execute(select(table).order_by(*table.primary_key.columns))
        return [dict(row) for row in found.mappings()]


def without(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key not in keys}


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {name: connection.scalar(select(func.count()).select_from(table)) or 0
                for name, table in Base.metadata.tables.items()}


def panel_campaign(session: Session, folder: Path, code: str = "PLAN-1") -> Campaign:
    """A draft campaign over :data:`PANEL` with every setting away from its default."""
    path = folder / "planning-panel.yaml"
    path.write_text(PANEL, encoding="utf-8")
    campaign = create_campaign(
        session, create_client(session, f"CL-{code}", "Planning client"), code, "Plan", path,
        languages=["nl"], allowed_countries=["BE", "NL"], windows=factories.WEEKDAYS_9_TO_21,
        retry_delays={"3.12": dt.timedelta(minutes=15), "3.13": dt.timedelta(hours=2)},
        max_attempts=4, priority=3, allowed_number_types=["mobile"],
        minimum_language_level=LanguageLevel.WORKING, skip_public_holidays=False)
    campaign.dialing_mode = DialingMode.PREVIEW
    campaign.max_call_minutes = 12
    campaign.no_answer_seconds = 25
    session.flush()
    return campaign


def live_centre(engine: Engine, folder: Path) -> str:
    """A live database: two sites, active and inactive agents, a draft campaign with a closed
    quota, contacts in every state and phase, and another campaign beside it."""
    with transaction(engine) as session:
        brussels, amsterdam = factories.site(session), factories.site(session, "Europe/Amsterdam")
        idle = factories.site(session, "Europe/Paris")
        night = [(day, dt.time(22), dt.time(6)) for day in range(5)]
        first = create_agent(session, brussels, "BEV-001", "fr",
                             {"nl": LanguageLevel.NATIVE, "fr": LanguageLevel.FLUENT},
                             skills=["refusal_conversion", "supervision"],
                             shifts=factories.WEEKDAYS_9_TO_21)
        second = create_agent(session, amsterdam, "AMS-002", "nl",
                              {"tr": LanguageLevel.NATIVE, "nl": LanguageLevel.WORKING},
                              shifts=night)
        second.ready_since = NOW
        gone = create_agent(session, idle, "GONE-003", "nl", {"nl": LanguageLevel.NATIVE})
        gone.active = False
        campaign = panel_campaign(session, folder)
        def contact(phone: str, region: str = "ANT", **state: Any) -> Contact:
            made = add_contact(session, campaign, phone, "nl", fields={"region": region},
                               due_at=NOW)
            for key, value in state.items():
                setattr(made, key, value)
            return made
        contact("+32470000001")
        contact("+32470000002", phase=int(ContactPhase.RETRY), attempts=2, disposition="3.12",
                due_at=NOW + dt.timedelta(hours=2))
        contact("+31612000003", phase=int(ContactPhase.APPOINTMENT), attempts=1,
                appointment_agent_id=first.id, due_at=NOW + dt.timedelta(days=1))
        contact("+32470000004", held_by_agent_id=second.id,
                lease_until=NOW + dt.timedelta(minutes=5), due_at=NOW + dt.timedelta(minutes=5))
        contact("+32470000005", state=ContactState.DONE, disposition="1.1", attempts=3)
        contact("+32470000006", region="BXL")  # set aside by the closed quota below
        contact("+32470000007", phase=int(ContactPhase.CONVERSION), attempts=1)
        session.flush()
        close_full_quota(session, campaign, "brussels")
        # listed after its import (claims check the list at dial time), and another number
        session.add_all([DoNotCall(phone_e164="+32470000007", reason="asked", added_at=NOW),
                         DoNotCall(phone_e164="+32470999999", reason="other", added_at=NOW)])
        other = factories.campaign(session)
        add_contact(session, other, "+32470000001", "nl")
        return campaign.code


def agents_by_code(engine: Engine) -> dict[str, dict[str, Any]]:
    """Agents with their site, languages, skills and shifts, by code."""
    sites = {row["id"]: without(row, "id") for row in rows(engine, "sites")}
    found = {}
    for agent in rows(engine, "agents"):
        mine = [row for row in rows(engine, "agent_languages") if row["agent_id"] == agent["id"]]
        found[agent["code"]] = without(agent, "id", "site_id") | {
            "site": sites[agent["site_id"]],
            "languages": {row["language"]: row["level"] for row in mine},
            "skills": {row["skill"] for row in rows(engine, "agent_skills")
                       if row["agent_id"] == agent["id"]},
            "shifts": {(row["weekday"], row["start"], row["end"])
                       for row in rows(engine, "shifts") if row["agent_id"] == agent["id"]}}
    return found


def contacts_by_phone(engine: Engine, campaign_code: str) -> dict[str, dict[str, Any]]:
    """The campaign's waiting contacts with their group and appointment agent, by number."""
    [campaign] = [row for row in rows(engine, "campaigns") if row["code"] == campaign_code]
    groups = {row["id"]: row for row in rows(engine, "dispatch_groups")}
    codes = {row["id"]: row["code"] for row in rows(engine, "agents")}
    return {row["phone_e164"]: without(row, "id", "campaign_id", "group_id",
                                       "appointment_agent_id") | {
                "group": (groups[row["group_id"]]["language"],
                          groups[row["group_id"]]["time_zone"],
                          groups[row["group_id"]]["country"]),
                "appointment_agent": codes.get(row["appointment_agent_id"])}
            for row in rows(engine, "contacts")
            if row["campaign_id"] == campaign["id"] and row["state"] is ContactState.WAITING}


# --- copying a campaign ----------------------------------------------------------------------
def test_a_copy_is_faithful(source: Engine, scratch: Engine, tmp_path: Path) -> None:
    code = live_centre(source, tmp_path)
    steps: list[int] = []
    centre = prepare_scratch(source, scratch, code, progress=steps.append)

    [live] = [row for row in rows(source, "campaigns") if row["code"] == code]
    [copy] = rows(scratch, "campaigns")
    assert (centre.campaign_id, centre.campaign_code) == (copy["id"], code)
    assert live["state"] is CampaignState.DRAFT and copy["state"] is CampaignState.RUNNING
    assert without(copy, "id", "client_id", "state") == without(live, "id", "client_id", "state")
    [client] = rows(scratch, "clients")
    assert without(client, "id") == without(
        next(row for row in rows(source, "clients") if row["id"] == live["client_id"]), "id")
    for name, keys in (("calling_windows", ("id", "campaign_id")),
                       ("retry_rules", ("campaign_id",)), ("closed_quotas", ("campaign_id",))):
        assert [without(row, *keys) for row in rows(scratch, name)] == [
            without(row, *keys) for row in rows(source, name) if row["campaign_id"] == live["id"]]
    assert len(rows(scratch, "calling_windows")) == 6 and len(rows(scratch, "retry_rules")) == 2
    assert [row["quota_id"] for row in rows(scratch, "closed_quotas")] == ["brussels"]

    live_agents = agents_by_code(source)
    copied = agents_by_code(scratch)
    assert sorted(copied) == ["AMS-002", "BEV-001"]  # the inactive agent stays behind
    assert live_agents["AMS-002"]["ready_since"] == NOW and copied["AMS-002"]["ready_since"] is None
    for code_ in copied:
        assert without(copied[code_], "ready_since") == without(live_agents[code_], "ready_since")
    assert copied["BEV-001"]["skills"] == {"refusal_conversion", "supervision"}
    assert copied["AMS-002"]["shifts"] == {(day, dt.time(22), dt.time(6)) for day in range(5)}
    assert sorted(row["code"] for row in rows(scratch, "sites")) == sorted(
        live_agents[code_]["site"]["code"] for code_ in copied)
    assert set(centre.agent_ids) == {row["id"] for row in rows(scratch, "agents")}

    waiting = contacts_by_phone(source, code)
    assert sorted(waiting) == ["+31612000003", "+32470000001", "+32470000002", "+32470000004",
                               "+32470000007"]
    scratch_contacts = contacts_by_phone(scratch, code)
    assert sorted(scratch_contacts) == sorted(waiting)
    claim = ("held_by_agent_id", "lease_until")
    for phone, contact in waiting.items():
        assert without(scratch_contacts[phone], *claim) == without(contact, *claim), phone
        assert scratch_contacts[phone]["held_by_agent_id"] is None
        assert scratch_contacts[phone]["lease_until"] is None
    assert waiting["+32470000004"]["held_by_agent_id"] is not None
    assert scratch_contacts["+31612000003"]["appointment_agent"] == "BEV-001"
    assert scratch_contacts["+31612000003"]["group"] == ("nl", "Europe/Amsterdam", "NL")
    assert {(row["language"], row["time_zone"], row["country"])
            for row in rows(scratch, "dispatch_groups")} == {
        (row["language"], row["time_zone"], row["country"])
        for row in rows(source, "dispatch_groups") if row["campaign_id"] == live["id"]}
    assert rows(scratch, "do_not_call") == [row for row in rows(source, "do_not_call")
                                            if row["phone_e164"] == "+32470000007"]

    assert centre.contacts == len(waiting) == sum(steps) == scratch_work_size(source, code)
    assert centre.set_aside == 0
    for name in ("attempts", "interviews", "trace_events", "agent_exclusions"):
        assert rows(scratch, name) == []


@pytest.mark.parametrize("options", [{}, {"agents": AgentMix({"nl": 3}), "contacts": 50}],
                         ids=["copy", "made_up"])
def test_the_source_is_only_read(source: Engine, scratch: Engine, tmp_path: Path,
                                 options: dict[str, Any]) -> None:
    code = live_centre(source, tmp_path)
    before = row_counts(source)
    snapshot = {name: rows(source, name) for name in ("campaigns", "contacts", "agents")}
    prepare_scratch(source, scratch, code, today=TODAY, **options)
    assert row_counts(source) == before
    assert {name: rows(source, name) for name in snapshot} == snapshot
    with transaction(source) as session:  # and it is still writable (no query_only left on)
        campaign = session.scalars(select(Campaign).where(Campaign.code == code)).one()
        add_contact(session, campaign, "+32470000099", "nl", fields={"region": "ANT"})


def test_a_closed_quota_sets_synthetic_contacts_aside(source: Engine, scratch: Engine,
                                                      tmp_path: Path) -> None:
    code = live_centre(source, tmp_path)
    centre = prepare_scratch(source, scratch, code, contacts=200, seed=3, today=TODAY)
    contacts = rows(scratch, "contacts")
    brussels = [row for row in contacts if row["fields"]["region"] == "BXL"]
    assert 50 < len(brussels) < 150 and centre.set_aside == len(brussels)
    assert {row["state"] for row in brussels} == {ContactState.QUOTA_FULL}
    assert {row["state"] for row in contacts if row not in brussels} == {ContactState.WAITING}


# --- agents made up ----------------------------------------------------------------------------
def on_shift(shifts: set[tuple[int, dt.time, dt.time]], day: int, hour: int) -> bool:
    moment = dt.datetime(2025, 6, 2 + day, hour, 30)  # 2 June 2025 is a Monday
    return any(WeeklyShift(*shift).contains(moment) for shift in shifts)


def test_a_mix_makes_its_agents_around_the_clock(source: Engine, scratch: Engine) -> None:
    with transaction(source) as session:
        factories.site(session, "Europe/Istanbul")  # the first site gives its zone
        factories.site(session, "Europe/Tirane")
        factories.agent(session, factories.site(session), ["nl"], code="LIVE-1")
        code = factories.campaign(session, start=False).code
    mix = parse_agent_mix("sq=10,tr=20,nl=80,fr=75,ru=15")
    centre = prepare_scratch(source, scratch, code, agents=mix, contacts=0)

    agents = agents_by_code(scratch)
    assert len(agents) == len(centre.agent_ids) == 200 and "LIVE-1" not in agents
    assert Counter(code_.split("-")[1] for code_ in agents) == {
        "SQ": 10, "TR": 20, "NL": 80, "FR": 75, "RU": 15}
    assert {"SIM-SQ-001", "SIM-SQ-010", "SIM-NL-080"} <= set(agents)
    [site] = rows(scratch, "sites")
    assert (site["code"], site["time_zone"]) == ("SIM", "Europe/Istanbul")
    for code_, agent in agents.items():
        language = code_.split("-")[1].lower()
        assert agent["interface_language"] == language and agent["active"]
        assert agent["languages"] == {language: LanguageLevel.NATIVE}
        converts = int(code_[-3:]) % 10 == 1  # the 1st, 11th, 21st... of each language
        assert agent["skills"] == ({"refusal_conversion"} if converts else set())
    assert sum(bool(agent["skills"]) for agent in agents.values()) == 1 + 2 + 8 + 8 + 2
    for language in ("SQ", "TR", "NL", "FR", "RU"):
        staff = [agent["shifts"] for code_, agent in agents.items() if f"-{language}-" in code_]
        assert all(len(shifts) == 7 for shifts in staff)
        assert Counter(len({(start, end) for _, start, end in shifts}) for shifts in staff) \
            == {1: len(staff)}  # one shift a day, the same every day
        for day in range(7):
            for hour in range(24):  # the default shifts cover the whole day
                assert any(on_shift(shifts, day, hour) for shifts in staff), \
                    (language, day, hour)


def test_a_mix_spreads_agents_evenly_over_its_shifts(source: Engine, scratch: Engine) -> None:
    with transaction(source) as session:
        code = factories.campaign(session).code
    mix = parse_agent_mix("nl=7, de=2 ; shift=06:00-14:00 ; shift=14:00-24:00")
    prepare_scratch(source, scratch, code, agents=mix, contacts=0)
    agents = agents_by_code(scratch)
    [site] = rows(scratch, "sites")
    assert site["time_zone"] == "Europe/Brussels"  # no site in the source
    early = {(day, dt.time(6), dt.time(14)) for day in range(7)}
    late = {(day, dt.time(14), dt.time(0)) for day in range(7)}
    assert Counter("early" if agent["shifts"] == early else "late" if agent["shifts"] == late
                   else "other" for agent in agents.values()) == {"early": 4 + 1, "late": 3 + 1}
    assert agents["SIM-DE-001"]["languages"] == {"de": LanguageLevel.NATIVE}


def test_an_agent_without_an_interface_in_its_language_works_in_english(
        source: Engine, scratch: Engine) -> None:
    with transaction(source) as session:
        code = factories.campaign(session).code
    prepare_scratch(source, scratch, code, agents=AgentMix({"it": 1}), contacts=0)
    agent = agents_by_code(scratch)["SIM-IT-001"]
    assert agent["interface_language"] == "en"
    assert agent["languages"] == {"it": LanguageLevel.NATIVE, "en": LanguageLevel.BASIC}


# --- contacts made up --------------------------------------------------------------------------
def test_synthetic_contacts_are_valid_unique_and_follow_the_weights(
        source: Engine, scratch: Engine) -> None:
    with transaction(source) as session:
        campaign = factories.campaign(session, start=False)
        code, countries = campaign.code, list(campaign.allowed_countries)
        types, path = list(campaign.allowed_number_types), campaign.questionnaire_path
    weights = parse_language_mix("nl=50,FR=30,tr=20")
    centre = prepare_scratch(source, scratch, code, contacts=5000, languages=weights, seed=7,
                             today=TODAY)
    assert centre.contacts == 5000

    contacts = contacts_by_phone(scratch, code)
    assert len(contacts) == 5000  # unique numbers
    declared = load(Path(path)).contact_fields
    for phone, contact in contacts.items():
        number = check_number(phone, allowed_countries=countries, allowed_types=types)
        language, zone, country = contact["group"]
        assert number.country == country and country in countries
        assert number.time_zones == (zone,)
        assert number.masked == contact["masked_number"]
        normalize_contact(declared, contact["fields"])
        assert (contact["phase"], contact["attempts"], contact["due_at"]) == (
            int(ContactPhase.FRESH), 0, EPOCH)
    assert {contact["group"][2] for contact in contacts.values()} == set(countries)
    languages = Counter(contact["group"][0] for contact in contacts.values())
    assert set(languages) == {"nl", "fr", "tr"}
    for language, share in (("nl", 0.5), ("fr", 0.3), ("tr", 0.2)):
        spread = 4 * (share * (1 - share) / 5000) ** 0.5  # four standard deviations
        assert abs(languages[language] / 5000 - share) < spread, languages


def synthetic(engine: Engine) -> list[tuple[Any, ...]]:
    groups = {row["id"]: (row["language"], row["time_zone"]) for row in
              rows(engine, "dispatch_groups")}
    return [(row["phone_e164"], groups[row["group_id"]], row["fields"])
            for row in rows(engine, "contacts")]


def test_synthetic_contacts_are_the_same_for_a_seed(source: Engine, tmp_path: Path) -> None:
    with transaction(source) as session:
        code = factories.campaign(session, questionnaire="customer-file-verification.yaml").code
    made = []
    for number, seed in enumerate((11, 11, 12)):
        target = make_engine(f"sqlite:///{tmp_path / f'scratch-{number}.sqlite3'}")
        prepare_scratch(source, target, code, contacts=300, seed=seed, today=TODAY)
        made.append(synthetic(target))
        target.dispose()
    assert made[0] == made[1] and made[0] != made[2]
    assert all(fields["phone"] == phone for phone, _, fields in made[0])


def test_synthetic_numbers_leave_out_the_do_not_call_list(source: Engine,
                                                          tmp_path: Path) -> None:
    with transaction(source) as session:
        code = factories.campaign(session).code
    first = make_engine(f"sqlite:///{tmp_path / 'first.sqlite3'}")
    prepare_scratch(source, first, code, contacts=20, seed=5, today=TODAY)
    listed = synthetic(first)[3][0]
    first.dispose()
    with transaction(source) as session:
        session.add(DoNotCall(phone_e164=listed, reason="asked", added_at=NOW))
    second = make_engine(f"sqlite:///{tmp_path / 'second.sqlite3'}")
    centre = prepare_scratch(source, second, code, contacts=20, seed=5, today=TODAY)
    phones = [phone for phone, _, _ in synthetic(second)]
    second.dispose()
    assert centre.contacts == len(phones) == 20 and listed not in phones


@pytest.mark.parametrize(("options", "code"), [
    ({"languages": {"sq": 1.0}}, "language_mix"),
    ({"languages": {"nl": 0.0}}, "language_mix"),
    ({"contacts": -1}, "contacts"),
    ({"countries": ("RU",), "types": ["mobile"]}, "no_synthetic_numbers"),
])
def test_contacts_that_cannot_be_made_are_refused(source: Engine, scratch: Engine,
                                                  options: dict[str, Any], code: str) -> None:
    options = dict(options)
    with transaction(source) as session:
        campaign = factories.campaign(session, countries=options.pop("countries", ("BE",)))
        campaign.allowed_number_types = options.pop("types", campaign.allowed_number_types)
        campaign_code = campaign.code
    with pytest.raises(DialerError) as refused:
        prepare_scratch(source, scratch, campaign_code, contacts=options.pop("contacts", 10),
                        **options)
    assert refused.value.code == code
    # nothing half-written: the empty schema is left (or none, for a refused count), and the
    # target takes a preparation again
    if code != "contacts":
        assert sum(row_counts(scratch).values()) == 0
    assert prepare_scratch(source, scratch, campaign_code, contacts=0).contacts == 0


# --- refusals --------------------------------------------------------------------------------
def test_a_target_that_is_not_empty_is_refused(source: Engine, scratch: Engine,
                                               tmp_path: Path) -> None:
    code = live_centre(source, tmp_path)
    before = row_counts(source)
    with pytest.raises(DialerError) as refused:
        prepare_scratch(source, source, code)  # the live database itself
    assert refused.value.code == "scratch_not_empty"
    assert row_counts(source) == before

    assert isinstance(prepare_scratch(source, scratch, code), ScratchCentre)
    with pytest.raises(DialerError) as again:
        prepare_scratch(source, scratch, code)
    assert again.value.code == "scratch_not_empty"

    other = make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with other.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    with pytest.raises(DialerError) as foreign:
        prepare_scratch(source, other, code)
    assert foreign.value.code == "scratch_not_empty" and "notes" in foreign.value.message
    other.dispose()


def test_an_unknown_or_finished_campaign_is_refused(source: Engine, scratch: Engine) -> None:
    with transaction(source) as session:
        campaign = factories.campaign(session)
        campaign.finish()
        finished = campaign.code
    for code, expected in (("NOPE", "campaign_not_found"), (finished, "campaign_finished")):
        with pytest.raises(DialerError) as refused:
            prepare_scratch(source, scratch, code)
        assert refused.value.code == expected


# --- mixes written by people -----------------------------------------------------------------
def test_an_agent_mix_is_read() -> None:
    mix = parse_agent_mix(" sq=10, TR=20 ,nl=80,fr=75,ru=15 ")
    assert dict(mix.counts) == {"sq": 10, "tr": 20, "nl": 80, "fr": 75, "ru": 15}
    assert mix.shifts == DEFAULT_SHIFTS
    assert [roster[0][1:] for roster in mix.rosters()] == [
        (dt.time(6), dt.time(14)), (dt.time(14), dt.time(22)), (dt.time(22), dt.time(6))]
    night = parse_agent_mix("nl=3;shift=22:00-06:00")
    assert night.rosters() == [tuple((day, dt.time(22), dt.time(6)) for day in range(7))]
    two = parse_agent_mix("nl=3;shift=08:00-16:00,16:00-24:00")
    assert len(two.rosters()) == 2 and len(two.shifts) == 14


@pytest.mark.parametrize(("text", "part"), [
    ("", "empty"),
    ("sq=10,,tr=5", "empty"),
    ("sq", "'sq'"),
    ("sq:10", "'sq:10'"),
    ("sq=ten", "'sq=ten'"),
    ("sq=0", "'sq=0'"),
    ("sq=-3", "'sq=-3'"),
    ("sq=2.5", "'sq=2.5'"),
    ("sq=1,nl=2,SQ=3", "sq is given twice"),
    ("albanian=10", "'albanian'"),
    ("sq=5001", "5,001 agents"),
    ("sq=3000,nl=2001", "5,001 agents"),
    ("sq=10;shifts=08:00-16:00", "'shifts'"),
    ("sq=10;shift=8-16", "'8-16'"),
    ("sq=10;shift=08:00-08:00", "same time"),
    ("sq=10;shift=25:00-06:00", "no such time"),
    ("sq=10;shift=08:00-16:60", "no such time"),
    ("sq=10;shift=08:00-16:00;shift=08:00-16:00", "given twice"),
    ("shift=08:00-16:00", "no language"),
])
def test_a_malformed_agent_mix_is_refused(text: str, part: str) -> None:
    with pytest.raises(DialerError) as refused:
        parse_agent_mix(text)
    assert refused.value.code == "agent_mix"
    assert part in refused.value.message


@pytest.mark.parametrize("counts", [{}, {"nl": 0}, {"nl": True}, {"Dutch!": 2},
                                    {"nl": 4000, "fr": 1001}])
def test_an_agent_mix_checks_itself(counts: dict[str, Any]) -> None:
    with pytest.raises(DialerError) as refused:
        AgentMix(counts)
    assert refused.value.code == "agent_mix"
    with pytest.raises(DialerError):
        AgentMix({"nl": 1}, shifts=[(7, dt.time(8), dt.time(16))])


def test_a_language_mix_is_read() -> None:
    assert parse_language_mix("nl=40,fr=35, TR=10,ru=8,sq=7%") == {
        "nl": 40.0, "fr": 35.0, "tr": 10.0, "ru": 8.0, "sq": 7.0}
    assert parse_language_mix("nl=0.5,fr=0") == {"nl": 0.5, "fr": 0.0}


@pytest.mark.parametrize(("text", "part"), [
    ("", "empty"), ("nl=40,", "empty"), ("nl", "'nl'"), ("nl=many", "'nl=many'"),
    ("nl=-1", "'nl=-1'"), ("nl=nan", "'nl=nan'"), ("nl=inf", "'nl=inf'"),
    ("nl=1,nl=2", "given twice"), ("nl=0,fr=0", "no weight above 0"), ("dutch=3", "'dutch'"),
])
def test_a_malformed_language_mix_is_refused(text: str, part: str) -> None:
    with pytest.raises(DialerError) as refused:
        parse_language_mix(text)
    assert refused.value.code == "language_mix"
    assert part in refused.value.message


def test_the_default_shifts_cover_every_hour_of_the_week() -> None:
    shifts = set(DEFAULT_SHIFTS)
    assert all(on_shift(shifts, day, hour) for day in range(7) for hour in range(24))
    assert not on_shift({(0, dt.time(6), dt.time(14))}, 0, 14)
