"""``survey-engine contacts import`` as an operator runs it, on SQLite and PostgreSQL: the count
line on success, one line per rejection and nothing stored otherwise, one clear line for a
campaign or file that does not exist."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select

from dialer.config import DATABASE_URL_VARIABLE
from dialer.contacts import add_do_not_call
from dialer.db import transaction
from dialer.models import Contact
from survey_engine.cli import main
from tests.dialer import factories

HEADER = "phone,language,first_name,customer_number,customer_since,email"
GOOD = ["+32470000001,nl,Anne,LT0000001,2020-01-02,",
        "+31612000002,fr,Jan,LT0000002,2020-01-02,jan@example.com",
        "+33600000003,en,Luc,LT0000003,2020-01-02,"]


def invoke(url: str, *args: str) -> Result:
    """The command's result; click keeps standard output and error apart (``result.stdout``,
    ``result.stderr``), ``result.output`` has both as a terminal shows them."""
    return CliRunner().invoke(main, ["contacts", "import", *args],
                              env={DATABASE_URL_VARIABLE: url})


def write(path: Path, *lines: str) -> Path:
    path.write_text("\r\n".join([HEADER, *lines]) + "\r\n", encoding="utf-8")
    return path


def campaign(engine: Engine) -> str:
    with transaction(engine) as session:
        return factories.campaign(session).code


def contact_count(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(Contact)) or 0


def test_a_good_file_is_imported(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, url = committed
    code = campaign(engine)

    result = invoke(url, code, str(write(tmp_path / "panel.csv", *GOOD)))

    assert result.exit_code == 0, result.output
    assert result.stdout == f"imported 3 contacts into {code}\n"
    assert result.stderr == ""
    assert contact_count(engine) == 3


def test_rejected_lines_are_listed_and_nothing_is_stored(committed: tuple[Engine, str],
                                                         tmp_path: Path) -> None:
    engine, url = committed
    code = campaign(engine)
    with transaction(engine) as session:
        add_do_not_call(session, "+32470000009")
    path = write(tmp_path / "panel.csv", *GOOD,
                 "+32470000009,nl,Piet,LT0000004,2020-01-02,",    # line 5
                 "12345,nl,Piet,LT0000005,2020-01-02,",           # line 6
                 "+32470000001,nl,Anne,LT0000001,2020-01-02,")    # line 7
    report = tmp_path / "out" / "rejected.csv"

    result = invoke(url, code, str(path), "--reject-report", str(report))

    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line.split(": ")[:2] for line in lines[:3]] == [
        [f"{path}:5", "do_not_call"], [f"{path}:6", "invalid_number"],
        [f"{path}:7", "duplicate"]]
    assert lines[2] == f"{path}:7: duplicate: same number as line 2"
    assert lines[3:] == [f"error: 3 of 6 lines rejected, nothing imported; every rejection is "
                         f"in {report}"]
    with report.open(encoding="utf-8", newline="") as written:
        rows = list(csv.reader(written))
    assert [row[:2] for row in rows] == [["line", "reason"], ["5", "do_not_call"],
                                         ["6", "invalid_number"], ["7", "duplicate"]]
    assert contact_count(engine) == 0


def test_without_a_report_file_the_count_line_says_how_to_get_one(
        committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, url = committed
    code = campaign(engine)
    path = write(tmp_path / "panel.csv", GOOD[0], "+32470000002,xx,Jan,LT0000002,2020-01-02,")

    result = invoke(url, code, str(path))

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:3: unknown_language: 'xx' is not a language of the campaign "
        f"(nl, fr, en, ru, tr)",
        "error: 1 of 2 lines rejected, nothing imported; use --reject-report FILE for the "
        "full list"]
    assert contact_count(engine) == 0


def test_an_unknown_campaign_is_one_error_line(committed: tuple[Engine, str],
                                               tmp_path: Path) -> None:
    engine, url = committed
    campaign(engine)

    result = invoke(url, "NOPE", str(write(tmp_path / "panel.csv", *GOOD)))

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: no campaign with code 'NOPE'\n"
    assert contact_count(engine) == 0


def test_a_missing_file_is_one_error_line(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, url = committed
    code = campaign(engine)
    missing = tmp_path / "nowhere.csv"

    result = invoke(url, code, str(missing))

    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr == f"error: {missing}: no such file\n"


def test_an_unwritable_reject_report_is_refused_before_any_work(committed: tuple[Engine, str],
                                                                 tmp_path: Path) -> None:
    engine, url = committed
    code = campaign(engine)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = invoke(url, code, str(write(tmp_path / "panel.csv", *GOOD)),
                    "--reject-report", str(blocker / "rejected.csv"))
    assert result.exit_code == 2
    assert "--reject-report" in result.stderr
    assert contact_count(engine) == 0
