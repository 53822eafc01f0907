"""``survey-engine api token`` as an administrator uses it, on both databases: a token is
printed once and works, the list never shows a secret, revocation takes effect at once, and
mistakes are one clear line that changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from dialer.config import DATABASE_URL_VARIABLE
from dialer.db import transaction
from dialer.models import PartnerToken, utc_now
from results.partner_tokens import TOKEN, recognise
from survey_engine.cli import main
from tests.dialer import factories


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={DATABASE_URL_VARIABLE: url})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def campaigns(committed: tuple[Engine, str]) -> tuple[Engine, str, list[str]]:
    engine, url = committed
    with transaction(engine) as session:
        codes = [factories.campaign(session).code for _ in range(2)]
    return engine, url, codes


def _count(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(PartnerToken)) or 0)


def test_a_token_is_created_listed_and_revoked(campaigns: tuple[Engine, str, list[str]]
                                               ) -> None:
    engine, url, codes = campaigns
    status, out, err = run(url, "api", "token", "create", "So Services nightly",
                           "--campaign", codes[0], "--campaign", codes[1], "--days", "30",
                           "--by", "admin:ops")
    assert status == 0, out + err
    text = out.splitlines()[1]
    match = TOKEN.fullmatch(text)
    assert match is not None, out
    key = match.group(1)
    assert out.splitlines()[0].startswith(f"token {key} for {', '.join(sorted(codes))}")
    assert "shown only this once" in err
    with transaction(engine) as session:
        assert recognise(session, text, utc_now()).created_by == "admin:ops"
    status, listed, _ = run(url, "api", "token", "list")
    assert status == 0 and key in listed and "So Services nightly" in listed
    assert match.group(2) not in listed and "sep_" not in listed
    assert listed.splitlines()[1].split()[-1] == "active"
    status, out, _ = run(url, "api", "token", "revoke", key)
    assert status == 0 and f"token {key} (So Services nightly) revoked" in out
    _, listed, _ = run(url, "api", "token", "list")
    assert listed.splitlines()[1].split()[-1] == "revoked"


@pytest.mark.parametrize(("args", "message"), [
    (["create", "pull", "--campaign", "NO-SUCH"], "no campaign with code 'NO-SUCH'"),
    (["create", " ", "--campaign", "MINE"], "a token's name is 1 to 80"),
    (["create", "pull"], "Missing option '--campaign'"),
    (["create", "pull", "--campaign", "MINE", "--days", "0"], "--days"),
    (["revoke", "nosuchkey0"], "no token with key 'nosuchkey0'"),
])
def test_mistakes_are_one_line_and_change_nothing(
        campaigns: tuple[Engine, str, list[str]], args: list[str], message: str) -> None:
    engine, url, codes = campaigns
    args = [codes[0] if arg == "MINE" else arg for arg in args]
    status, out, err = run(url, "api", "token", *args)
    assert status != 0 and message in out + err
    assert "Traceback" not in out + err
    assert _count(engine) == 0


def test_revoking_twice_says_when_it_was_revoked(campaigns: tuple[Engine, str, list[str]]
                                                ) -> None:
    _engine, url, codes = campaigns
    _, out, _ = run(url, "api", "token", "create", "pull", "--campaign", codes[0])
    key = TOKEN.fullmatch(out.splitlines()[1]).group(1)  # type: ignore[union-attr]
    run(url, "api", "token", "revoke", key, "--by", "admin:first")
    status, _, err = run(url, "api", "token", "revoke", key)
    assert status == 1 and "revoked already" in err and "admin:first" in err


def test_no_tokens_is_said(campaigns: tuple[Engine, str, list[str]]) -> None:
    assert run(campaigns[1], "api", "token", "list")[:2] == (0, "no tokens\n")


@pytest.mark.parametrize("command", [["api"], ["api", "token"], ["api", "token", "create"],
                                     ["api", "token", "list"], ["api", "token", "revoke"]])
def test_help_teaches_with_examples(command: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "  survey-engine api token " in result.output
