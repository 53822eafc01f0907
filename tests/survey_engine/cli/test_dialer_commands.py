"""The dialer's commands as an operator uses them: db, contacts, dispatch; on both databases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from dialer.config import DATABASE_URL_VARIABLE
from dialer.contacts import add_contact
from dialer.db import make_engine, transaction
from dialer.models import AgentExclusion, Campaign, Contact, DoNotCall
from dialer.people import agent_by_code
from dialer.schema import current_revision, head_revision
from dialer.windows import is_public_holiday, local_time
from survey_engine.cli import main
from survey_engine.cli.demo_centre import demo_moments
from tests.conftest import IN_CI
from tests.dialer import factories
from tests.dialer.databases import BACKENDS, database_url, drop_schema, postgres_problem

NIGHT_IN_BRUSSELS = "2026-11-24T02:00+01:00"
#: The same instant, for a real claim "now" under time_machine.
NIGHT_IN_BRUSSELS_UTC = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


def run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={DATABASE_URL_VARIABLE: url})
    return result.exit_code, result.output


@pytest.mark.parametrize("backend", BACKENDS)
def test_db_upgrade_creates_then_reports_up_to_date(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql" and (problem := postgres_problem()):
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    url, schema = database_url(backend, tmp_path)
    try:
        code, output = run(url, "db", "status")
        assert code == 1 and "none (empty)" in output
        code, output = run(url, "db", "upgrade")
        assert code == 0 and "empty ->" in output
        engine = make_engine(url)
        assert current_revision(engine) == head_revision(engine)
        engine.dispose()
        code, output = run(url, "db", "upgrade")
        assert code == 0 and "already at revision" in output
        assert run(url, "db", "status")[0] == 0
    finally:
        if schema:
            drop_schema(schema)


def test_commands_refuse_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    code, output = run(f"sqlite:///{tmp_path / 'empty.sqlite3'}", "contacts", "do-not-call",
                       "+32470123456")
    assert code == 1
    assert "run `survey-engine db upgrade` first" in output


def _centre(engine: Engine) -> str:
    """A running campaign with contacts in Brussels and Montréal, and a night-shift agent."""
    with transaction(engine) as session:
        site = factories.site(session)
        campaign = factories.campaign(session, windows=factories.WEEKDAYS_9_TO_21)
        add_contact(session, campaign, "+32470123467", "fr")
        add_contact(session, campaign, "+15143981234", "fr")
        add_contact(session, campaign, "+32470123468", "tr")
        agent = factories.agent(session, site, ["fr"], shifts=[(0, dt.time(22), dt.time(6))])
        return agent.code


def _holds(engine: Engine) -> list[tuple[int | None, dt.datetime | None]]:
    """Who holds each contact and until when, in contact order."""
    with transaction(engine) as session:
        return [(row.held_by_agent_id, row.lease_until) for row in session.execute(
            select(Contact.held_by_agent_id, Contact.lease_until).order_by(Contact.id))]


def test_dispatch_next_at_an_instant_is_a_preview_that_holds_nothing(
        committed: tuple[Engine, str]) -> None:
    engine, url = committed
    agent = _centre(engine)
    code, first = run(url, "dispatch", "next", agent, "--at", NIGHT_IN_BRUSSELS)
    assert code == 0, first
    assert "+1 5••-•••-••34" in first and "3981234" not in first
    assert "(preview at 2026-11-24 01:00:00 UTC: nothing claimed)" in first
    code, second = run(url, "dispatch", "next", agent, "--at", NIGHT_IN_BRUSSELS)
    assert (code, second) == (0, first), "nothing was held: the same contact again"
    assert _holds(engine) == [(None, None)] * 3


def test_dispatch_next_count_previews_several_contacts_in_order(
        committed: tuple[Engine, str]) -> None:
    engine, url = committed
    agent = _centre(engine)
    with transaction(engine) as session:
        add_contact(session, session.scalars(select(Campaign)).one(), "+15143985678", "fr")
    code, output = run(url, "dispatch", "next", agent, "--at", NIGHT_IN_BRUSSELS,
                       "--count", "5")
    assert code == 0, output
    lines = output.splitlines()
    assert len(lines) == 2, "only the two in Montréal are callable"
    assert all("  +1 5••-•••-••" in line and line.endswith("nothing claimed)") for line in lines)
    assert lines[0] != lines[1]
    assert _holds(engine) == [(None, None)] * 4
    code, output = run(url, "dispatch", "next", agent, "--count", "2")
    assert code == 2 and "--count needs --at" in output


def test_dispatch_next_previews_an_agent_off_shift_as_nothing_to_call(
        committed: tuple[Engine, str]) -> None:
    engine, url = committed
    agent = _centre(engine)
    code, output = run(url, "dispatch", "next", agent, "--at", "2026-11-24T12:00+01:00")
    assert code == 3
    assert output.strip() == f"agent {agent} is off shift at 2026-11-24 11:00:00 UTC"


def test_dispatch_next_claims_for_real_now_and_exits_3_when_nobody_is_left(
        committed: tuple[Engine, str]) -> None:
    engine, url = committed
    agent = _centre(engine)
    with transaction(engine) as session:
        agent_id = agent_by_code(session, agent).id
    with time_machine.travel(NIGHT_IN_BRUSSELS_UTC, tick=False):
        code, output = run(url, "dispatch", "next", agent)
        assert code == 0, output
        assert "+1 5••-•••-••34" in output and "3981234" not in output
        assert "held until 2026-11-24 01:10:00 UTC" in output
        lease_end = NIGHT_IN_BRUSSELS_UTC + dt.timedelta(minutes=10)
        assert _holds(engine) == [(None, None), (agent_id, lease_end), (None, None)]
        code, output = run(url, "dispatch", "next", agent)
        assert code == 3 and "nobody to call now" in output


def test_dispatch_next_refuses_a_real_claim_off_shift(committed: tuple[Engine, str]) -> None:
    engine, url = committed
    agent = _centre(engine)
    with time_machine.travel(dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC), tick=False):
        code, output = run(url, "dispatch", "next", agent)
    assert code == 1
    assert output.strip() == f"error: agent {agent} is not on shift now"
    assert _holds(engine) == [(None, None)] * 3


def test_dispatch_backlog_lists_languages_without_agents(committed: tuple[Engine, str]) -> None:
    engine, url = committed
    _centre(engine)
    code, output = run(url, "dispatch", "backlog", "--at", "2026-11-24T12:00+01:00")
    assert code == 0
    assert output.splitlines() == ["fr\t1", "tr\t1"], "Montréal (06:00) is not callable yet"


def test_unknown_agent_is_one_clear_line(committed: tuple[Engine, str]) -> None:
    _engine, url = committed
    code, output = run(url, "dispatch", "next", "NOBODY")
    assert code == 1
    assert output.strip() == "error: no agent with code 'NOBODY'"


def test_do_not_call_and_exclusions_are_stored(committed: tuple[Engine, str]) -> None:
    engine, url = committed
    agent = _centre(engine)
    assert run(url, "contacts", "do-not-call", "+32470123467", "--reason", "asked")[0] == 0
    code, output = run(url, "contacts", "exclude", agent, "+32 471", "+15143981234")
    assert code == 0, output
    code, output = run(url, "contacts", "exclude", agent, "+32 471", "+32 (0)471")
    assert (code, output.strip()) == (0, f"agent {agent}: 1 exclusion(s) in place")
    code, output = run(url, "contacts", "exclude", agent, "0471")
    assert code == 1 and "international form" in output
    code, output = run(url, "contacts", "exclude", agent, "+32 0471")
    assert code == 1 and "national prefix 0" in output
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(DoNotCall)) == 1
        prefixes = set(session.scalars(select(AgentExclusion.prefix)))
    assert prefixes == {"+32471", "+15143981234"}
    code, output = run(url, "dispatch", "next", agent, "--at", NIGHT_IN_BRUSSELS)
    assert code == 3, "the only contact callable at night is excluded for this agent"


def test_demo_loads_the_samples_once_and_shows_the_night_shift(tmp_path: Path) -> None:
    env = {"SURVEY_ENGINE_INSTANCE": str(tmp_path), DATABASE_URL_VARIABLE: ""}
    first = CliRunner().invoke(main, ["demo", "--tour"], env=env)
    assert first.exit_code == 0, first.output
    assert (tmp_path / "survey-engine.sqlite3").is_file()
    assert "imported 16 contacts into LUMEN-CSAT-2025" in first.output
    night = first.output.split("20:00 in New York):")[1].split("14:00 in Brussels")[0]
    assert "BEV-031 (speaks en, nl, sq) is given: +1 " in night
    assert "+32" not in night, "nobody in Europe is called at 02:00"
    assert "no agent on shift speaks their language: fr: 2" in night
    again = CliRunner().invoke(main, ["demo", "--tour"], env=env)
    assert again.exit_code == 0
    assert "loaded already" in again.output
    assert again.output.split("20:00 in New York):")[1].split("\n")[1] == night.split("\n")[1]


@pytest.mark.parametrize("today", [
    dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC),
    dt.datetime(2027, 3, 16, 9, 0, tzinfo=dt.UTC),   # New York on summer time, Brussels not yet
    dt.datetime(2027, 10, 26, 9, 0, tzinfo=dt.UTC),  # Brussels back on winter time, New York not
    dt.datetime(2027, 1, 12, 9, 0, tzinfo=dt.UTC),   # next Monday is Martin Luther King Day
])
def test_the_demo_night_is_new_yorks_monday_evening_on_any_date(today: dt.datetime) -> None:
    night, afternoon = demo_moments(today)
    in_new_york = local_time(night, "America/New_York")
    in_brussels = local_time(night, "Europe/Brussels")
    assert (in_new_york.weekday(), in_new_york.time()) == (0, dt.time(20))
    assert in_brussels.weekday() == 1 and 1 <= in_brussels.hour <= 3
    assert not is_public_holiday("US", in_new_york.date())
    assert night > today and afternoon - night < dt.timedelta(hours=14)


def test_the_demo_shows_new_york_at_night_when_only_one_side_changed_its_clocks(
        tmp_path: Path) -> None:
    env = {"SURVEY_ENGINE_INSTANCE": str(tmp_path), DATABASE_URL_VARIABLE: ""}
    with time_machine.travel(dt.datetime(2027, 3, 16, 9, 0, tzinfo=dt.UTC), tick=False):
        result = CliRunner().invoke(main, ["demo", "--tour"], env=env)
    assert result.exit_code == 0, result.output
    night = result.output.split("20:00 in New York):")[1].split("in Brussels")[0]
    assert "01:00" in result.output.split("20:00 in New York):")[0].splitlines()[-1]
    assert "BEV-031 (speaks en, nl, sq) is given: +1 " in night
