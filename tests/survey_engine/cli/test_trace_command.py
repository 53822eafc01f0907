"""``survey-engine trace`` as an auditor and a supervisor use it: verify, keygen, checkpoint,
show; on both databases, against a committed trace changed with raw SQL."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from dialer.config import DATABASE_URL_VARIABLE
from dialer.db import transaction
from survey_engine.cli import main
from tests.dialer import factories
from tests.dialer.test_trace import Story, tell_story


def run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={DATABASE_URL_VARIABLE: url})
    return result.exit_code, result.output


@pytest.fixture
def story(committed: tuple[Engine, str]) -> Story:
    engine, _url = committed
    with transaction(engine) as session:
        return tell_story(session)


def raw(engine: Engine, statement: str, **values: object) -> None:
    """Change the database behind the program's back, and commit."""
    with engine.begin() as connection:
        connection.execute(text(statement), values)


def head_of(engine: Engine, story: Story, letter: str, seq: int) -> str:
    with engine.connect() as connection:
        return str(connection.scalar(text(
            "SELECT hash FROM trace_events WHERE campaign_id = :c AND seq = :s"),
            {"c": story.campaigns[letter], "s": seq}))


@pytest.fixture
def key_pair(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "centre.pem", tmp_path / "centre.pub.pem"
    code, output = run("sqlite://", "trace", "keygen", str(private), str(public))
    assert code == 0, output
    return private, public


def test_an_untouched_trace_verifies(committed: tuple[Engine, str], story: Story) -> None:
    engine, url = committed
    code, output = run(url, "trace", "verify")
    assert code == 0, output
    assert output.splitlines() == [
        f"{story.codes['A']}: 12 events, head {head_of(engine, story, 'A', 12)[:16]}… ok",
        f"{story.codes['B']}: 8 events, head {head_of(engine, story, 'B', 8)[:16]}… ok"]
    code, output = run(url, "trace", "verify", "--campaign", story.codes["B"])
    assert code == 0 and output.splitlines() == [
        f"{story.codes['B']}: 8 events, head {head_of(engine, story, 'B', 8)[:16]}… ok"]


def test_a_changed_event_is_named_and_exits_1(committed: tuple[Engine, str],
                                              story: Story) -> None:
    engine, url = committed
    raw(engine, "UPDATE trace_events SET data = :d WHERE id = :id", id=story.rows["A", 6],
        d=json.dumps({"question": "comment", "value": "Tout va bien"}))
    code, output = run(url, "trace", "verify")
    assert code == 1
    assert output.splitlines() == [
        f"{story.codes['A']}: FAILED at event #6 (row id {story.rows['A', 6]}, answer): answer "
        f"by agent:{_agent(engine)}: its content no longer matches its hash (changed, or moved "
        "here from another position)",
        f"{story.codes['B']}: 8 events, head {head_of(engine, story, 'B', 8)[:16]}… ok"]
    code, output = run(url, "trace", "verify", "--campaign", story.codes["B"])
    assert code == 0, "the other campaign's chain alone verifies"


def _agent(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.scalar(text("SELECT code FROM agents")))


def test_a_removed_event_is_named(committed: tuple[Engine, str], story: Story) -> None:
    engine, url = committed
    raw(engine, "DELETE FROM trace_events WHERE id = :id", id=story.rows["B", 3])
    code, output = run(url, "trace", "verify", "--campaign", story.codes["B"])
    assert (code, output.strip()) == (
        1, f"{story.codes['B']}: FAILED at event #3: missing: the event before #4 is #2 "
           "(removed)")


def test_nothing_to_verify_is_said(committed: tuple[Engine, str]) -> None:
    _engine, url = committed
    assert run(url, "trace", "verify") == (0, "no call trace yet: nothing to verify\n")


def test_keygen_writes_a_private_key_only_its_owner_reads(tmp_path: Path,
                                                          key_pair: tuple[Path, Path]) -> None:
    private, public = key_pair
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    before = private.read_bytes()
    code, output = run("sqlite://", "trace", "keygen", str(private), str(tmp_path / "x.pem"))
    assert (code, output.strip()) == (1, f"error: {private} already exists: a key is never "
                                         "overwritten")
    assert private.read_bytes() == before and not (tmp_path / "x.pem").exists()


def test_a_checkpoint_is_written_stored_and_verified(committed: tuple[Engine, str],
                                                     story: Story, tmp_path: Path,
                                                     key_pair: tuple[Path, Path]) -> None:
    engine, url = committed
    private, public = key_pair
    out = tmp_path / "A.checkpoint.json"
    code, output = run(url, "trace", "checkpoint", story.codes["A"], "--key", str(private),
                       "--out", str(out))
    head = head_of(engine, story, "A", 12)
    assert (code, output.strip()) == (0, f"campaign {story.codes['A']}: checkpoint at event "
                                         f"#12, head {head[:16]}…, signed and stored; written "
                                         f"to {out}")
    document = json.loads(out.read_text(encoding="utf-8"))
    assert (document["campaign"], document["seq"], document["hash"]) == (story.codes["A"], 12,
                                                                         head)
    code, output = run(url, "trace", "verify", "--checkpoint", str(out), "--public-key",
                       str(public))
    assert code == 0, output
    assert output.splitlines()[-1] == (
        f"checkpoint {out}: {story.codes['A']} event #12, signed {document['signed_at']} by key "
        f"{document['public_key'][:16]}… ok")

    code, output = run(url, "trace", "checkpoint", story.codes["A"], "--key", str(private),
                       "--out", str(out))
    assert (code, output.strip()) == (1, f"error: {out} exists: use --force to replace it")
    assert json.loads(out.read_text(encoding="utf-8")) == document
    code, _output = run(url, "trace", "checkpoint", story.codes["A"], "--key", str(private),
                        "--out", str(out), "--force")
    assert code == 0 and json.loads(out.read_text(encoding="utf-8")) != document
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == [], \
        "no temporary file is left behind"


def test_a_chain_cut_short_is_caught_by_the_checkpoints_kept_outside(
        committed: tuple[Engine, str], story: Story, tmp_path: Path,
        key_pair: tuple[Path, Path]) -> None:
    """The attacker removes the last event, rewrites the head to match, and finally removes the
    stored checkpoints too: only the exported one is left to tell."""
    engine, url = committed
    private, public = key_pair
    out = tmp_path / "A.checkpoint.json"
    assert run(url, "trace", "checkpoint", story.codes["A"], "--key", str(private), "--out",
               str(out))[0] == 0
    raw(engine, "DELETE FROM trace_events WHERE id = :id", id=story.rows["A", 12])
    raw(engine, "UPDATE trace_heads SET seq = 11, hash = :h WHERE campaign_id = :c",
        c=story.campaigns["A"], h=head_of(engine, story, "A", 11))
    code, output = run(url, "trace", "verify", "--campaign", story.codes["A"])
    assert code == 1
    assert output.startswith(f"{story.codes['A']}: FAILED at event #12: event #12, signed in a "
                             "checkpoint, is missing from the chain")

    raw(engine, "DELETE FROM trace_checkpoints")
    code, output = run(url, "trace", "verify", "--campaign", story.codes["A"])
    assert code == 0, "the chain alone cannot see it"
    code, output = run(url, "trace", "verify", "--campaign", story.codes["A"], "--checkpoint",
                       str(out), "--public-key", str(public))
    assert code == 1
    assert output.splitlines()[-1] == (
        f"checkpoint {out}: FAILED: event #12, signed in a checkpoint, is missing from the "
        "chain: the chain was cut short or the event removed")


def test_a_forged_or_foreign_checkpoint_is_refused(committed: tuple[Engine, str],
                                                   story: Story, tmp_path: Path,
                                                   key_pair: tuple[Path, Path]) -> None:
    _engine, url = committed
    _private, public = key_pair
    foreign_private, foreign_public = tmp_path / "other.pem", tmp_path / "other.pub.pem"
    assert run(url, "trace", "keygen", str(foreign_private), str(foreign_public))[0] == 0
    out = tmp_path / "B.checkpoint.json"
    assert run(url, "trace", "checkpoint", story.codes["B"], "--key", str(foreign_private),
               "--out", str(out))[0] == 0
    code, output = run(url, "trace", "verify", "--campaign", story.codes["B"], "--checkpoint",
                       str(out), "--public-key", str(public))
    assert code == 1
    assert "not the trusted key" in output.splitlines()[0], "the stored one too"
    assert "FAILED: signed with key" in output.splitlines()[-1]

    document = json.loads(out.read_text(encoding="utf-8"))
    document["seq"] = 7
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document), encoding="utf-8")
    code, output = run(url, "trace", "verify", "--campaign", story.codes["B"], "--checkpoint",
                       str(forged))
    assert code == 1
    assert f"checkpoint {forged}: FAILED: the signature does not match the document" in output
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    code, output = run(url, "trace", "verify", "--checkpoint", str(garbage))
    assert code == 1 and f"checkpoint {garbage}: FAILED: not a checkpoint document" in output


def test_checkpoint_refusals_are_one_line(committed: tuple[Engine, str], tmp_path: Path,
                                          key_pair: tuple[Path, Path]) -> None:
    engine, url = committed
    private, public = key_pair
    with transaction(engine) as session:
        empty = factories.campaign(session).code
    out = tmp_path / "out.json"
    code, output = run(url, "trace", "checkpoint", empty, "--key", str(private), "--out",
                       str(out))
    assert (code, output.strip()) == (1, f"error: campaign {empty}: the call trace has no "
                                         "event yet, there is nothing to sign")
    code, output = run(url, "trace", "checkpoint", empty, "--key", str(public), "--out",
                       str(out))
    assert code == 1 and output.startswith(f"error: {public} is not an unencrypted PEM "
                                           "private key")
    assert not out.exists()


def test_show_lists_an_attempts_events_without_numbers(committed: tuple[Engine, str],
                                                       story: Story) -> None:
    _engine, url = committed
    code, output = run(url, "trace", "show", "--attempt", str(story.attempts["A"]))
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].split() == ["TIME", "(UTC)", "CAMPAIGN", "SEQ", "KIND", "ACTOR", "DATA"]
    assert [line.split()[3] for line in lines[1:]] == [f"#{n}" for n in range(1, 10)]
    assert lines[1].startswith(f"2026-11-24 10:00:37.123  {story.codes['A']}")
    assert '"value":"Всё отлично, спасибо! 👍 ñ 中文"' in output
    assert story.phones["A"] not in output and story.phones["A"][3:] not in output

    code, output = run(url, "trace", "show", "--contact", str(story.contacts["A"]),
                       "--campaign", story.codes["A"])
    assert code == 0 and len(output.splitlines()) == 13
    assert "supervisor:Inès Dupont" in output
    code, output = run(url, "trace", "show", "--contact", str(story.contacts["A"]),
                       "--campaign", story.codes["B"])
    assert (code, output) == (0, f"no trace events for contact {story.contacts['A']}\n")
    code, output = run(url, "trace", "show")
    assert code == 2 and "give --attempt ID or --contact ID" in output
