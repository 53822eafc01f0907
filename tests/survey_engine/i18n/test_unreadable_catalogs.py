"""A malformed ``.po`` (a translator's truncated entry, a stray line, bytes in the wrong
encoding) is reported as ``FILE:LINE: message`` by every i18n command, never as a
traceback, and never compiled; a corrupt ``.mo`` is refused for fielding."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from survey_engine.errors import CatalogError
from survey_engine.i18n.catalog import load_wording
from survey_engine.i18n.pofiles import UnreadableCatalogError, read_catalog
from survey_engine.questionnaire.loader import load
from tests.survey_engine.i18n.support import cli, invoke, mo, po, translated_project


def _break(path: Path, tail: str = '\nmsgctxt "pipeline/extra"\nmsgid "broken\n') -> int:
    """Append a malformed fragment to ``path``; return the 1-based line of its last line."""
    path.write_text(path.read_text("utf-8") + tail, "utf-8")
    return len(path.read_text("utf-8").splitlines())


@pytest.fixture
def broken(tmp_path: Path) -> tuple[Path, int]:
    """A translated project whose Turkish .po ends with a truncated entry."""
    project = translated_project(tmp_path)
    return project, _break(po(project, "tr"))


def test_check_reports_file_and_line_and_fails(broken: tuple[Path, int]) -> None:
    project, line = broken
    result = invoke(project, "check", "--lang", "tr")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{po(project, 'tr')}:{line}: cannot read catalog: missing msgstr" in result.output
    assert "Traceback" not in result.output and "PoFileError" not in result.output
    assert "1 problem(s)" in result.output


def test_check_json_lists_the_unreadable_catalog(broken: tuple[Path, int]) -> None:
    project, line = broken
    code, output = cli(project, "check", "--lang", "tr", "--json")
    report = json.loads(output[:output.rindex("]") + 1])
    assert code == 1 and report == [{"file": str(po(project, "tr")), "line": line,
                                     "message": report[0]["message"]}]


def test_status_shows_the_catalog_as_unreadable(broken: tuple[Path, int]) -> None:
    project, line = broken
    result = invoke(project, "status")
    assert result.exit_code == 0, result.output
    rows = {row.split()[1]: row for row in result.output.splitlines()[1:]}
    assert f"unreadable: {po(project, 'tr')}:{line}: cannot read catalog" in rows["tr"]
    assert rows["ru"].split()[2:] == ["0", "0", "7"]  # the other catalogs still counted
    as_json = json.loads(invoke(project, "status", "--json").stdout)
    assert [r["unreadable"] is not None for r in as_json] == [True, False]


def test_compile_refuses_it_and_keeps_the_previous_mo(tmp_path: Path) -> None:
    project = translated_project(tmp_path)
    assert cli(project, "compile")[0] == 0
    before = mo(project, "tr").read_bytes()
    line = _break(po(project, "tr"))
    later = mo(project, "tr").stat().st_mtime + 5
    os.utime(po(project, "tr"), (later, later))
    result = invoke(project, "compile")
    assert result.exit_code == 1
    assert f"error: {po(project, 'tr')}:{line}: cannot read catalog" in result.stderr
    assert "Traceback" not in result.output
    assert mo(project, "tr").read_bytes() == before
    assert not list(mo(project, "tr").parent.glob("*.tmp"))
    questionnaire = load(project / "questionnaires" / "pipeline.yaml")
    with pytest.raises(CatalogError) as caught:  # the old .mo is not fielded either
        load_wording(questionnaire, "tr", project / "locales")
    assert caught.value.code == "catalog_stale"


def test_compile_of_a_never_compiled_broken_catalog_writes_nothing(
        broken: tuple[Path, int]) -> None:
    project, _ = broken
    assert cli(project, "compile", "--lang", "tr")[0] == 1
    assert not mo(project, "tr").exists()


def test_update_leaves_the_broken_catalog_alone(broken: tuple[Path, int]) -> None:
    project, line = broken
    text = po(project, "tr").read_text("utf-8")
    result = invoke(project, "update")
    assert result.exit_code == 1
    assert f"{po(project, 'tr')}:{line}: cannot read catalog" in result.stderr
    assert po(project, "tr").read_text("utf-8") == text
    assert "skipped" in result.stdout  # ru has no catalog: said, not silent


def test_a_broken_template_is_reported_too(tmp_path: Path) -> None:
    project = translated_project(tmp_path)
    pot = project / "locales" / "pipeline.pot"
    line = _break(pot, "\nthis is not a keyword\n")
    code, output = cli(project, "check", "--lang", "tr")
    assert code == 1 and f"{pot}:{line}: cannot read catalog: Unknown or misformatted" in output
    code, output = cli(project, "init", "--lang", "ru")
    assert code == 1 and f"error: {pot}:{line}: cannot read catalog" in output


@pytest.mark.parametrize(("tail", "line_offset", "reason"), [
    ('\nmsgid "a"\nmsgstr "\xff"\n', 3, "codec can't decode"),
    ('\nmsgid "a"\nmsgid_plural "as"\nmsgstr[x] "b"\n', None, "invalid literal"),
    ('\nmsgid "a"\nmsgstr "b"\nwhat is this\n', 4, "Unknown or misformatted keyword"),
])
def test_read_catalog_locates_each_kind_of_damage(tmp_path: Path, tail: str,
                                                   line_offset: int | None, reason: str) -> None:
    path = tmp_path / "x.po"
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    path.write_bytes(header.encode() + tail.encode("latin-1"))
    with pytest.raises(UnreadableCatalogError) as caught:
        read_catalog(path, "tr")
    assert caught.value.code == "catalog_unreadable"
    assert caught.value.line == (3 + line_offset if line_offset else 0)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}:{caught.value.line}: cannot read catalog")


@pytest.mark.parametrize("damage", [b"", b"not a catalog at all", b"\xde\x12\x04\x95\x00"])
def test_a_corrupt_mo_is_refused_for_fielding(tmp_path: Path, damage: bytes) -> None:
    project = translated_project(tmp_path)
    cli(project, "compile")
    mo(project, "tr").write_bytes(damage)
    questionnaire = load(project / "questionnaires" / "pipeline.yaml")
    with pytest.raises(CatalogError) as caught:
        load_wording(questionnaire, "tr", project / "locales")
    assert caught.value.code == "catalog_unreadable"
    assert str(mo(project, "tr")) in caught.value.message
