"""``survey-engine simulate`` as a supervisor planning shifts uses it: a scratch copy, a report
per language, JSON for tools, and the live database left untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from dialer.centre_file import load_centre_file
from dialer.config import DATABASE_URL_VARIABLE, INSTANCE_VARIABLE
from dialer.db import make_engine, transaction
from dialer.importing import import_contacts
from dialer.models import Attempt, Contact, TraceEvent
from dialer.schema import upgrade
from survey_engine.cli import main
from tests.conftest import REPO

CAMPAIGN = "LUMEN-CSAT-2025"
START = "2026-11-24T00:00+01:00"


@pytest.fixture
def live(tmp_path: Path) -> tuple[Engine, dict[str, str]]:
    """A live SQLite centre with the samples, and the environment that points at it."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    load_centre_file(engine, REPO / "samples" / "centre.yaml")
    import_contacts(engine, CAMPAIGN, REPO / "samples" / "lumen-contacts.csv")
    return engine, {DATABASE_URL_VARIABLE: url, INSTANCE_VARIABLE: str(tmp_path / "instance")}


def _counts(engine: Engine) -> tuple[int, int, int]:
    with transaction(engine) as session:
        return tuple(session.scalar(select(func.count()).select_from(table)) or 0
                     for table in (Attempt, TraceEvent, Contact))  # type: ignore[return-value]


def test_a_simulation_reports_per_language_and_leaves_the_centre_alone(
        live: tuple[Engine, dict[str, str]], tmp_path: Path) -> None:
    engine, env = live
    before = _counts(engine)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, [
        "simulate", "--campaign", CAMPAIGN, "--days", "1", "--start", START, "--seed", "2",
        "--agents", "nl=2,fr=2,tr=1,ru=1,en=1", "--contacts", "300", "--json", str(out)],
        env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["LANGUAGE", "AGENTS", "ATTEMPTS", "COMPLETES"]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert (report["contacts"], report["agents"], report["seed"]) == (300, 7, 2)
    by_language = {row["language"]: row for row in report["languages"]}
    assert by_language["sq"]["agents"] == 0 and by_language["nl"]["agents"] == 2
    assert sum(row["attempts"] for row in report["languages"]) > 50
    assert "simulated hours per second" in result.output
    assert _counts(engine) == before

    scratch = tmp_path / "instance" / "simulations" / f"{CAMPAIGN}.sqlite3"
    verify = CliRunner().invoke(main, ["trace", "verify"],
                                env={DATABASE_URL_VARIABLE: f"sqlite:///{scratch}"})
    assert verify.exit_code == 0 and verify.output.strip().endswith("ok"), verify.output

    again = CliRunner().invoke(main, ["simulate", "--campaign", CAMPAIGN, "--days", "1"],
                               env=env)
    assert again.exit_code == 1 and "--force" in again.output


@pytest.mark.parametrize(("arguments", "message"), [
    (["--agents", "sq=ten"], "sq=ten"),
    (["--languages", "nl=1"], "--contacts"),
    (["--start", "2026-11-24T00:00"], "offset"),
    (["--campaign", "NOPE"], "NOPE"),
])
def test_bad_requests_are_refused_before_any_work(live: tuple[Engine, dict[str, str]],
                                                  tmp_path: Path, arguments: list[str],
                                                  message: str) -> None:
    _engine, env = live
    base = ["simulate", "--campaign", CAMPAIGN, "--days", "1"]
    if arguments[0] == "--campaign":
        base = ["simulate", "--days", "1"]
    result = CliRunner().invoke(main, [*base, *arguments], env=env)
    assert result.exit_code != 0
    assert message in result.output
    assert list((tmp_path / "instance").glob("simulations/*")) == []
