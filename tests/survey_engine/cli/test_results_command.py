"""``survey-engine results`` as an operator uses it, on both databases: export in every
format, rates, the report, and one clear line for what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from dialer.config import DATABASE_URL_VARIABLE
from survey_engine.cli import main
from tests.results.scenario import COMPLETE_NL, COMPLETE_RU, REFUSAL, centre_with, interview


def run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={DATABASE_URL_VARIABLE: url})
    return result.exit_code, result.output


@pytest.fixture
def centre_url(committed: tuple[Engine, str]) -> tuple[str, str]:
    engine, url = committed
    centre = centre_with(engine, ["ru", "nl", "nl"])
    interview(centre, "RU1", COMPLETE_RU)
    interview(centre, "NL1", COMPLETE_NL)
    interview(centre, "NL1", REFUSAL)
    return url, centre.campaign_code


@pytest.mark.parametrize("name", ["csv", "jsonl", "xlsx", "sav", "sss"])
def test_export_writes_the_format(centre_url: tuple[str, str], tmp_path: Path,
                                  name: str) -> None:
    url, code = centre_url
    out = tmp_path / f"export.{name}"
    status, output = run(url, "results", "export", code, "--format", name, "--out", str(out),
                         "--lang", "ru")
    assert status == 0, output
    assert f"exported 3 interviews of {code} (labels in ru)" in output
    assert out.stat().st_size > 0


def test_rates_print_a_table(centre_url: tuple[str, str]) -> None:
    url, code = centre_url
    status, output = run(url, "results", "rates", code, "--by", "language", "--rates", "RR1,COOP1",
                         "--e", "0.5")
    assert status == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["BY", "VALUE", "CASES", "I", "P", "R", "NC", "O", "UH", "UO",
                                "NE", "E", "RR1", "COOP1"]
    campaign = lines[1].split()
    # 2 completes and 1 refusal of 3 cases: RR1 = 2/3, COOP1 = 2/3.
    assert campaign[:4] == ["campaign", "3", "2", "0"] and campaign[-2:] == ["66.7%", "66.7%"]
    assert any(line.split()[:3] == ["language", "nl", "2"] for line in lines)


def test_report_is_written(centre_url: tuple[str, str], tmp_path: Path) -> None:
    url, code = centre_url
    out = tmp_path / "report.html"
    status, output = run(url, "results", "report", code, "--lang", "de", "--out", str(out))
    assert status == 0, output
    assert "in de" in output
    assert "<h2>Zusammenfassung</h2>" in out.read_text(encoding="utf-8")


def test_mistakes_are_one_clear_line(centre_url: tuple[str, str], tmp_path: Path) -> None:
    url, code = centre_url
    status, output = run(url, "results", "export", code, "--format", "pdf")
    assert status == 1 and output.startswith("error: unknown export format 'pdf'")
    status, output = run(url, "results", "export", "NOPE", "--format", "csv",
                         "--out", str(tmp_path / "x.csv"))
    assert status == 1 and "no campaign with code 'NOPE'" in output
    status, output = run(url, "results", "rates", code, "--e", "2")
    assert status == 1 and "e must be between 0 and 1" in output
    status, output = run(url, "results", "rates", code, "--rates", "RR9")
    assert status == 2 and "unknown rates" in output


def test_help_teaches_with_examples() -> None:
    for command in ("export", "rates", "report"):
        result = CliRunner().invoke(main, ["results", command, "--help"])
        assert result.exit_code == 0 and "Examples:" in result.output
