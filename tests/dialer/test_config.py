"""Where the database is: environment, then the instance's config.toml, then embedded SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.config import DATABASE_URL_VARIABLE, INSTANCE_VARIABLE, database_url
from dialer.errors import DialerError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)
    monkeypatch.delenv(INSTANCE_VARIABLE, raising=False)


def test_embedded_sqlite_in_the_instance_folder(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv(INSTANCE_VARIABLE, str(tmp_path))
    assert database_url() == f"sqlite:///{tmp_path / 'survey-engine.sqlite3'}"


def test_config_file_then_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(INSTANCE_VARIABLE, str(tmp_path))
    (tmp_path / "config.toml").write_text(
        'database_url = "postgresql://centre@db.example:5432/survey"\n', encoding="utf-8")
    assert database_url() == "postgresql://centre@db.example:5432/survey"
    monkeypatch.setenv(DATABASE_URL_VARIABLE, "postgresql://postgres@127.0.0.1:5432/test")
    assert database_url() == "postgresql://postgres@127.0.0.1:5432/test"


@pytest.mark.parametrize("content", ['database_url = "unclosed\n', "database_url = 5\n"])
def test_a_bad_config_file_is_named(tmp_path: Path, content: str) -> None:
    (tmp_path / "config.toml").write_text(content, encoding="utf-8")
    with pytest.raises(DialerError) as refused:
        database_url(tmp_path)
    assert refused.value.code == "config"
    assert str(tmp_path / "config.toml") in refused.value.message
