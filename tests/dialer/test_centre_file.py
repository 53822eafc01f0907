"""Centre files: sites, agents, clients and campaigns from YAML, every problem at once, all or
nothing. Tests taking ``session`` run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import typing
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialer.campaigns import RETRY_NAMES
from dialer.centre_file import CentreFileError, CentreSummary, load_centre, read_centre_file
from dialer.centre_schema import END_OF_DAY, Mode, parse_days
from dialer.config import DATABASE_URL_VARIABLE
from dialer.db import make_engine, transaction
from dialer.models import (
    Agent,
    AgentExclusion,
    Campaign,
    CampaignState,
    Client,
    DialingMode,
    DoNotCall,
    LanguageLevel,
    Site,
)
from dialer.outcomes import DEFAULT_RETRY_DELAYS
from dialer.schema import upgrade
from survey_engine.cli.centre import centre
from tests.conftest import QUESTIONNAIRES, REPO
from tests.dialer import factories

SAMPLE = REPO / "samples" / "centre.yaml"
DOCS = REPO / "docs" / "centre-file.md"

#: A small valid file; tests replace parts of it.
VALID = f"""\
sites:
  - code: T-SITE
    name: Test site
    time_zone: Europe/Brussels
    hourly_pay_rate: "0.75"
    pay_currency: EUR
agents:
  - code: T-AG1
    site: T-SITE
    interface_language: nl
    languages: {{nl: native, fr: working}}
    skills: [refusal_conversion]
    shifts: ["Mon-Fri 08:00-16:00"]
clients:
  - {{code: T-CL, name: Test client}}
campaigns:
  - code: T-CAMP
    client: T-CL
    name: Test campaign
    questionnaire: {QUESTIONNAIRES / "market-study.yaml"}
    languages: [nl, fr]
    countries: [BE]
    windows: ["Mon-Fri 09:00-21:00"]
"""


def write(folder: Path, text: str, name: str = "centre.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def line_of(path: Path, marker: str) -> int:
    """The 1-based line of the first line of ``path`` holding ``marker``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if marker in line)


def refused(session: Session, path: Path) -> CentreFileError:
    with pytest.raises(CentreFileError) as caught:
        load_centre(session, path)
    assert caught.value.code == "centre_file_invalid"
    return caught.value


def codes(error: CentreFileError) -> list[tuple[int, str]]:
    return [(diagnostic.line, diagnostic.code) for diagnostic in error.diagnostics]


def count(session: Session, model: type[Site | Agent | Client | Campaign]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# -- the sample --------------------------------------------------------------------------


def test_the_sample_creates_what_it_says(session: Session) -> None:
    summary = load_centre(session, SAMPLE)

    assert summary == CentreSummary(sites=2, agents=9, clients=1, campaigns=2, started=1,
                                    exclusions=3, do_not_call=1, users=4, workstations=6,
                                    pins=9)
    assert str(summary).startswith("2 sites, 9 agents, 1 client, 2 campaigns (1 started)")
    assert str(summary).endswith("4 users, 9 agent PINs, 6 workstations")
    sites = {site.code: site for site in session.scalars(select(Site))}
    assert sites["BEV"].time_zone == sites["MAR"].time_zone == "Europe/Brussels"
    assert sites["BEV"].hourly_pay_rate == Decimal("0.75")
    agent = session.scalars(select(Agent).where(Agent.code == "BEV-017")).one()
    assert agent.site.code == "BEV" and agent.interface_language == "nl"
    assert {(spoken.language, spoken.level) for spoken in agent.languages} == {
        ("nl", LanguageLevel.NATIVE), ("fr", LanguageLevel.FLUENT),
        ("tr", LanguageLevel.WORKING)}
    assert [skill.skill for skill in agent.skills] == ["refusal_conversion"]
    assert sorted(shift.weekday for shift in agent.shifts) == [0, 1, 2, 3, 4]
    night = session.scalars(select(Agent).where(Agent.code == "MAR-014")).one()
    assert sorted((s.weekday, s.start, s.end) for s in night.shifts) == [
        (4, dt.time(22), dt.time(6)), (5, dt.time(22), dt.time(6))]
    assert set(session.scalars(select(AgentExclusion.prefix).where(
        AgentExclusion.agent_id == agent.id))) == {"+32471", "+32470123456"}
    campaigns = {campaign.code: campaign for campaign in session.scalars(select(Campaign))}
    satisfaction, coffee = campaigns["LUMEN-CSAT-2025"], campaigns["COFFEE-2025"]
    assert satisfaction.state is CampaignState.RUNNING and coffee.state is CampaignState.DRAFT
    assert satisfaction.questionnaire_slug == "customer-satisfaction"
    assert Path(satisfaction.questionnaire_path) == QUESTIONNAIRES / "customer-satisfaction.yaml"
    assert satisfaction.allowed_countries == ["BE", "NL", "FR", "US", "CA"]
    assert sorted(w.weekday for w in satisfaction.windows) == [0, 1, 2, 3, 4, 5]
    assert (satisfaction.dialing_mode, coffee.dialing_mode) == (DialingMode.PROGRESSIVE,
                                                                DialingMode.PREVIEW)
    assert (satisfaction.max_call_minutes, satisfaction.no_answer_seconds) == (20, 25)
    assert {rule.outcome: rule.delay_minutes for rule in satisfaction.retry_rules} == {
        "3.12": 15, "3.13": 120, "3.14": 240, "3.16": 5, "1.2": 120}
    assert coffee.allowed_number_types == ["mobile", "fixed_line"]
    assert coffee.retry_delay("3.14") == dt.timedelta(days=1)
    assert coffee.retry_delay("2.111") == dt.timedelta(days=7)
    assert coffee.retry_delay("answering_machine") is None  # stored by code only
    assert coffee.client.code == "VELDWERK"
    assert session.get(DoNotCall, "+32470999999") is not None


def test_loading_twice_is_refused_as_exists(session: Session) -> None:
    load_centre(session, SAMPLE)

    error = refused(session, SAMPLE)

    assert {code for _, code in codes(error)} == {"exists"}
    assert len(error.diagnostics) == 18  # 2 sites, 9 agents, 1 client, 2 campaigns, 4 users
    assert (line_of(SAMPLE, "code: MAR-014"), "exists") in codes(error)
    assert count(session, Agent) == 9


# -- every problem at once, nothing stored -----------------------------------------------


def test_every_problem_is_reported_and_nothing_is_stored(session: Session,
                                                         tmp_path: Path) -> None:
    path = write(tmp_path, f"""\
        sites:
          - code: GOOD
            name: A sound site
            time_zone: Europe/Brussels
            hourly_pay_rate: 1
            pay_currency: EUR
          - code: BAD-ZONE
            name: Wrong zone
            time_zone: Europe/Bruxelles
            hourly_pay_rate: 0.5
            pay_currency: EUR
        agents:
          - code: A1
            site: GOOD
            interface_language: nl
            languages: {{nl: nativ}}
            shifts: ["Mon-Fro 08:00-16:00"]
            skils: [x]
          - code: A1
            site: GOOD
            interface_language: nl
            languages: {{nl: native}}
        clients:
          - {{code: CL, name: Client}}
        campaigns:
          - code: CAMP
            client: CL
            name: Campaign
            questionnaire: {QUESTIONNAIRES / "market-study.yaml"}
            languages: [nl, de]
            countries: [BE]
            windows: ["Mon-Fri 09:00-21:00"]
        do_not_call: [+32470999999]
        """)

    error = refused(session, path)

    assert codes(error) == [
        (9, "time_zone"),                       # create_site, on the time_zone key
        (16, "literal_error"),                  # language level 'nativ'
        (17, "day"),                            # 'Fro'
        (18, "unknown_key"),                    # skils
        (19, "duplicate_code"),                 # agent A1 again
        (30, "language"),                       # create_campaign: de not in the questionnaire
        (33, "unquoted_number"),                # do_not_call written without quotes
    ]
    assert all(str(d).startswith(f"{path}:{d.line}:{d.column}: ") for d in error.diagnostics)
    assert str(error) == "\n".join(str(d) for d in error.diagnostics)
    # the sound entries were created on the way, then rolled back with the rest
    assert count(session, Site) == count(session, Client) == count(session, Agent) == 0
    assert count(session, Campaign) == 0


def test_unknown_key_suggests_the_known_one(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("    skills:", "    skils:")
                 .replace("campaigns:", "campaign:"))

    error = refused(session, path)

    assert [(d.code, d.message) for d in error.diagnostics] == [
        ("unknown_key", "unknown key 'skils' (did you mean 'skills'?)"),
        ("unknown_key", "unknown key 'campaign' (did you mean 'campaigns'?)")]
    assert error.diagnostics[0].line == line_of(path, "skils")
    assert error.diagnostics[0].column == 5


@pytest.mark.parametrize(("spec", "code", "hint"), [
    ("Mon-Fro 08:00-16:00", "day", "did you mean 'Fri'?"),
    ("Monday 08:00-16:00", "day", "did you mean 'Mon'?"),
    ("Mon-Fri", "weekly_spec", "like 'Mon-Fri 08:00-16:00'"),
    ("Mon 8h-16h", "time", "'8h' is not a time"),
    ("Mon 08:00-24:30", "time", "00:00 to 24:00"),
    ("Mon 08:00-08:00", "empty_shift", "cannot start and end at the same time"),
])
def test_bad_day_and_time_specs(session: Session, tmp_path: Path, spec: str, code: str,
                                hint: str) -> None:
    path = write(tmp_path, VALID.replace("Mon-Fri 08:00-16:00", spec))

    error = refused(session, path)

    assert codes(error) == [(line_of(path, "shifts:"), code)]
    assert hint in error.diagnostics[0].message
    assert error.diagnostics[0].message.startswith("shifts[0]: ")


def test_a_shift_may_cross_midnight(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('"Mon-Fri 08:00-16:00"',
                                         '"sat,SUN 22:00-06:00", "Fri 18:00-24:00"'))

    load_centre(session, path)

    agent = session.scalars(select(Agent).where(Agent.code == "T-AG1")).one()
    assert sorted((s.weekday, s.start, s.end) for s in agent.shifts) == [
        (4, dt.time(18), END_OF_DAY), (5, dt.time(22), dt.time(6)),
        (6, dt.time(22), dt.time(6))]


def test_a_window_may_not_cross_midnight(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('["Mon-Fri 09:00-21:00"]',
                                         '["Sat 10:00-18:00", "Mon-Fri 20:00-02:00"]'))

    error = refused(session, path)

    assert codes(error) == [(line_of(path, "windows:"), "window_crosses_midnight")]
    assert error.diagnostics[0].message.startswith(
        "windows[1]: a calling window cannot cross midnight (it ends at or before it starts); "
        "write two: 'Mon-Fri 20:00-24:00' and 'Tue-Sat 00:00-02:00'")
    assert count(session, Campaign) == 0


def test_duplicate_codes_in_the_file(session: Session, tmp_path: Path) -> None:
    text = VALID.replace("clients:\n", "clients:\n  - {code: T-CL, name: Twice}\n")
    path = write(tmp_path, text)

    error = refused(session, path)

    assert codes(error) == [(line_of(path, "name: Test client"), "duplicate_code")]
    assert error.diagnostics[0].message == (
        f"code 'T-CL' is written twice (first on line {line_of(path, 'Twice')})")


def test_unknown_site_and_client_references(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("site: T-SITE", "site: T-SITF")
                 .replace("client: T-CL", "client: NOBODY"))

    error = refused(session, path)

    assert codes(error) == [(line_of(path, "site: T-SITF"), "unknown_site"),
                            (line_of(path, "client: NOBODY"), "unknown_client")]
    assert error.diagnostics[0].message == ("unknown site 'T-SITF': not in this file nor in the "
                                            "database; did you mean 'T-SITE'?")


def test_references_may_name_what_the_database_holds(session: Session,
                                                     tmp_path: Path) -> None:
    stored = factories.site(session)
    text = VALID.replace("site: T-SITE", f"site: {stored.code}")
    path = write(tmp_path, text[text.index("agents:"):])

    summary = load_centre(session, path)

    assert (summary.sites, summary.agents, summary.campaigns) == (0, 1, 1)
    agent = session.scalars(select(Agent).where(Agent.code == "T-AG1")).one()
    assert agent.site_id == stored.id


def test_what_the_operations_refuse_lands_on_the_key(session: Session,
                                                     tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("pay_currency: EUR", "pay_currency: EUX")
                 .replace("countries: [BE]", "countries: [BE, XX]"))

    error = refused(session, path)

    assert codes(error) == [(line_of(path, "EUX"), "currency"),
                            (line_of(path, "countries:"), "country")]
    assert (error.diagnostics[0].column, error.diagnostics[0].message) == (
        19, "site T-SITE: unknown currency 'EUX'")


def test_a_questionnaire_that_does_not_load(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace(str(QUESTIONNAIRES / "market-study.yaml"),
                                         "missing.yaml"))

    error = refused(session, path)

    assert codes(error) == [(line_of(path, "missing.yaml"), "questionnaire")]
    assert str(tmp_path / "missing.yaml") in error.diagnostics[0].message


def test_relative_questionnaire_paths_start_at_the_file(session: Session,
                                                        tmp_path: Path) -> None:
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "study.yaml").write_bytes(
        (QUESTIONNAIRES / "market-study.yaml").read_bytes())
    path = write(tmp_path, VALID.replace(str(QUESTIONNAIRES / "market-study.yaml"),
                                         "q/study.yaml"))

    load_centre(session, path)

    campaign = session.scalars(select(Campaign).where(Campaign.code == "T-CAMP")).one()
    assert Path(campaign.questionnaire_path) == tmp_path / "q" / "study.yaml"


def test_duplicates_inside_an_entry(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace(
        '["Mon-Fri 08:00-16:00"]', '["Mon-Fri 08:00-16:00", "Fri 08:00-12:00"]\n'
        '    exclusions: ["+32 471", "+32471"]'))

    error = refused(session, path)

    assert codes(error) == [(line_of(path, "shifts:"), "duplicate_shift"),
                            (line_of(path, "exclusions:"), "duplicate_exclusion")]
    assert error.diagnostics[0].message == "shifts[0] already starts on Fri at 08:00"


def test_an_unreadable_file(session: Session, tmp_path: Path) -> None:
    assert codes(refused(session, tmp_path / "none.yaml")) == [(1, "no_file")]
    assert codes(refused(session, write(tmp_path, "sites: [\n"))) == [(2, "yaml_syntax")]
    assert codes(refused(session, write(tmp_path, "- a\n"))) == [(1, "not_mapping")]


# -- dialing settings and retry delays ---------------------------------------------------


def campaign_of(session: Session) -> Campaign:
    return session.scalars(select(Campaign).where(Campaign.code == "T-CAMP")).one()


def test_dialing_settings_and_retry_keys_are_loaded(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, VALID + """\
    dialing_mode: preview
    max_call_minutes: 45
    no_answer_seconds: 20
    retry_delays:
      busy: 10m
      "2.111": 5d
      break_off: 1h
      "1.2": 2h
      " no_answer ": 1d
""")

    load_centre(session, path)

    campaign = campaign_of(session)
    assert campaign.dialing_mode is DialingMode.PREVIEW
    assert (campaign.max_call_minutes, campaign.no_answer_seconds) == (45, 20)
    assert {rule.outcome: rule.delay_minutes for rule in campaign.retry_rules} == {
        "3.12": 10, "2.111": 5 * 24 * 60, "2.12": 60, "1.2": 120, "3.13": 24 * 60}


def test_dialing_settings_have_defaults(session: Session, tmp_path: Path) -> None:
    load_centre(session, write(tmp_path, VALID))

    campaign = campaign_of(session)
    assert campaign.dialing_mode is DialingMode.PROGRESSIVE
    assert (campaign.max_call_minutes, campaign.no_answer_seconds) == (30, 30)
    assert campaign.retry_rules == []  # dialer.outcomes' defaults apply


def test_unquoted_codes_are_refused_where_they_stand(session: Session,
                                                     tmp_path: Path) -> None:
    path = write(tmp_path, VALID + """\
    retry_delays:
      3.12: 15m
      3.10: 1h
      busy: 5m
      "3.13": 2h
""")

    error = refused(session, path)

    assert codes(error) == [(line_of(path, "3.12:"), "unquoted_code"),
                            (line_of(path, "3.10:"), "unquoted_code")]
    assert [d.column for d in error.diagnostics] == [7, 7]
    assert [d.message for d in error.diagnostics] == [
        'retry key 3.12: write AAPOR codes in quotes, e.g. "3.12" (unquoted, YAML reads a '
        "number: 3.10 would be 3.1)",
        'retry key 3.10: write AAPOR codes in quotes, e.g. "3.10" (unquoted, YAML reads a '
        "number: 3.10 would be 3.1)"]
    assert count(session, Campaign) == 0


def test_retry_keys_are_checked_without_the_database(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + """\
    retry_delays:
      bussy: 15m
      no_answer: 2h
      "3.13": 3h
      appointment: 1d
      "1.1": 1d
      complete: 1d
      "3.99": 1h
""")

    draft = read_centre_file(path)

    assert [(d.line, d.column, d.code) for d in draft.problems] == [
        (line_of(path, "bussy"), 7, "retry"),
        (line_of(path, '"3.13"'), 7, "duplicate_retry_delay"),
        (line_of(path, "appointment"), 7, "retry"),
        (line_of(path, '"1.1"'), 7, "retry"),
        (line_of(path, "complete"), 7, "retry"),
        (line_of(path, '"3.99"'), 7, "retry")]
    messages = [d.message for d in draft.problems]
    assert messages[0].startswith("unknown retry key 'bussy' (did you mean 'busy'?): write an "
                                  "AAPOR disposition code such as 3.12 or 2.111, or one of the "
                                  "names busy, no_answer, answering_machine, ")
    assert messages[1] == (f"retry key '3.13' names 3.13 (No answer), as 'no_answer' does "
                           f"(first on line {line_of(path, 'no_answer: 2h')})")
    assert messages[2].startswith("appointment is not a retry key")
    assert messages[3].startswith("a retry delay after 1.1 (Complete) would never be used")
    assert draft.campaigns[0].spec is None  # not handed to the database


def test_the_database_never_sees_a_refused_retry_key(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, VALID + """\
    retry_delays: {busy: 15m, "3.12": 20m}
""")

    error = refused(session, path)

    assert codes(error) == [(line_of(path, "retry_delays"), "duplicate_retry_delay")]
    assert count(session, Campaign) == 0


@pytest.mark.parametrize(("setting", "at", "code", "says"), [
    ("dialing_mode: predictive", "predictive", "literal_error",
     "dialing_mode: 'predictive' is not one of 'preview' or 'progressive'"),
    ("dialing_mode: Preview", "Preview", "literal_error", "(did you mean 'preview'?)"),
    ("max_call_minutes: 0", "0", "max_call_minutes",
     "campaign T-CAMP: max_call_minutes must be a whole number of minutes from 1 to 1440, "
     "not 0"),
    ("max_call_minutes: 1.5", "1.5", "int_type", "max_call_minutes: expected a whole number"),
    ("no_answer_seconds: 400", "400", "no_answer_seconds",
     "no_answer_seconds must be a whole number of seconds from 5 to 300, not 400"),
    ('no_answer_seconds: "30"', '"30"', "int_type", "no_answer_seconds: expected a whole number"),
    ("retry_delays: {busy: 15 minutes}", "15", "delay",
     "write a delay as minutes, hours or days"),
    ("retry_delays: [busy]", "[", "dict_type", "retry_delays: expected a mapping"),
])
def test_bad_dialing_settings(session: Session, tmp_path: Path, setting: str, at: str,
                              code: str, says: str) -> None:
    path = write(tmp_path, VALID + f"    {setting}\n")

    error = refused(session, path)

    assert codes(error) == [(line_of(path, setting), code)]
    assert says in error.diagnostics[0].message
    assert error.diagnostics[0].column == len("    ") + setting.index(at) + 1  # on the value


def test_the_dialing_modes_are_the_models() -> None:
    assert set(typing.get_args(Mode)) == {mode.value for mode in DialingMode}


def test_the_documented_retry_keys_are_the_codes() -> None:
    rows = re.findall(r"^\| (`\w+`|—) \| `([0-9.]+)` \| [^|]+ \| ([^|]+) \|$",
                      DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    named = {name.strip("`"): code for name, code, _ in rows if name != "—"}
    assert named == dict(RETRY_NAMES)
    units = {"m": "minutes", "h": "hours", "d": "days"}
    documented = {code: dt.timedelta(**{units[delay[-1]]: int(delay[:-1])})
                  for _, code, delay in rows if re.fullmatch(r"[0-9]+[mhd]", delay)}
    assert documented == dict(DEFAULT_RETRY_DELAYS)


def test_reading_alone_needs_no_database(tmp_path: Path) -> None:
    draft = read_centre_file(write(tmp_path, VALID))

    assert draft.problems == []
    assert [entry.spec.code for entry in draft.agents if entry.spec] == ["T-AG1"]


@pytest.mark.parametrize(("text", "days"), [
    ("Mon", (0,)), ("mon-FRI", (0, 1, 2, 3, 4)), ("Sat,Sun", (5, 6)),
    ("Fri-Mon", (0, 4, 5, 6)), ("Mon, Wed", (0, 2)),
])
def test_day_specs(text: str, days: tuple[int, ...]) -> None:
    assert parse_days(text) == days


# -- the command line --------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite file that the CLI finds through the environment."""
    url = f"sqlite:///{tmp_path / 'centre.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    return url


def test_cli_loads_the_sample(database: str) -> None:
    runner = CliRunner()

    dry = runner.invoke(centre, ["load", "--dry-run", str(SAMPLE)])
    result = runner.invoke(centre, ["load", str(SAMPLE)])

    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("would load 2 sites, 9 agents, 1 client, 2 campaigns")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("loaded 2 sites, 9 agents, 1 client, 2 campaigns")
    engine = make_engine(database)
    with transaction(engine) as session:
        assert count(session, Agent) == 9  # once: the dry run stored nothing
    engine.dispose()


def test_cli_reports_problems_and_exits_1(database: str, tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("Mon-Fri 08:00-16:00", "Mon-Fro 08:00-16:00")
                 .replace("client: T-CL", "client: NOBODY"))

    result = CliRunner().invoke(centre, ["load", str(path)])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:{line_of(path, 'Mon-Fro')}:14: shifts[0]: unknown day 'Fro' (days are Mon Tue "
        "Wed Thu Fri Sat Sun; did you mean 'Fri'?), got 'Mon-Fro 08:00-16:00'",
        f"{path}:{line_of(path, 'NOBODY')}:13: unknown client 'NOBODY': not in this file nor "
        "in the database",
        "nothing stored: 2 problems"]
    engine = make_engine(database)
    with transaction(engine) as session:
        assert count(session, Site) == 0
    engine.dispose()


def test_cli_refuses_a_database_that_is_not_migrated(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATABASE_URL_VARIABLE, f"sqlite:///{tmp_path / 'empty.sqlite3'}")

    result = CliRunner().invoke(centre, ["load", str(SAMPLE)])

    assert result.exit_code == 1
    assert "run `survey-engine db upgrade` first" in result.stderr
    assert result.stdout == ""
