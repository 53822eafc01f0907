"""Signed checkpoints of the call trace, on SQLite and PostgreSQL: keys, signing, the exported
document and its verification, and the attacks only a checkpoint catches (a chain cut short or
rebuilt, with its head rewritten to match)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dialer.checkpoints import (
    FORMAT,
    MESSAGE_FIELDS,
    checkpointed_campaigns,
    export_checkpoint,
    generate_key,
    load_private_key,
    load_public_key,
    public_hex,
    sign_checkpoint,
    verify_checkpoint_document,
    verify_stored_checkpoints,
)
from dialer.db import transaction
from dialer.errors import DialerError
from dialer.models import TraceCheckpoint, TraceEvent
from dialer.trace import Entry, append, canonical_form, chain_hash, verify_chain
from tests.database_fixtures import require_backend
from tests.dialer import factories
from tests.dialer.databases import BACKENDS, migrated_database
from tests.dialer.test_trace import Story, attack, row_hash, sql, tell_story

NOW = dt.datetime(2026, 11, 24, 12, 30, 15, 250_001, tzinfo=dt.UTC)


@pytest.fixture(scope="module", params=BACKENDS)
def chained(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[Engine, Story]]:
    """A database of the module's own where the story of tests/dialer/test_trace.py has
    committed."""
    backend = str(request.param)
    require_backend(backend)
    with migrated_database(backend, tmp_path_factory.mktemp(backend)) as (engine, _url):
        with transaction(engine) as session:
            story = tell_story(session)
        yield engine, story


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two key pairs on disk: "ours" (the centre's) and "theirs" (anyone else's)."""
    folder = tmp_path_factory.mktemp("keys")
    paths = {}
    for name in ("ours", "theirs"):
        paths[name], paths[f"{name}.pub"] = folder / f"{name}.pem", folder / f"{name}.pub.pem"
        generate_key(paths[name], paths[f"{name}.pub"])
    return paths


def private(keys: dict[str, Path], name: str = "ours") -> Ed25519PrivateKey:
    return load_private_key(keys[name])


def public(keys: dict[str, Path], name: str = "ours") -> Ed25519PublicKey:
    return load_public_key(keys[f"{name}.pub"])


# Keys


def test_a_new_key_pair_is_written_private_to_its_owner(tmp_path: Path) -> None:
    key_hex = generate_key(tmp_path / "k.pem", tmp_path / "k.pub.pem")
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600
    assert (tmp_path / "k.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert (tmp_path / "k.pub.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    loaded = load_private_key(tmp_path / "k.pem")
    assert public_hex(loaded.public_key()) == key_hex == public_hex(
        load_public_key(tmp_path / "k.pub.pem"))
    assert len(key_hex) == 64


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path) -> None:
    generate_key(tmp_path / "k.pem", tmp_path / "k.pub.pem")
    before = (tmp_path / "k.pem").read_bytes()
    for private_path, public_path in [(tmp_path / "k.pem", tmp_path / "new.pub.pem"),
                                      (tmp_path / "new.pem", tmp_path / "k.pub.pem")]:
        with pytest.raises(DialerError) as refused:
            generate_key(private_path, public_path)
        assert refused.value.code == "key_exists"
    assert (tmp_path / "k.pem").read_bytes() == before
    assert not (tmp_path / "new.pem").exists() and not (tmp_path / "new.pub.pem").exists()


def test_a_bad_key_file_is_named(tmp_path: Path, keys: dict[str, Path]) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key\n")
    elliptic = ec.generate_private_key(ec.SECP256R1())
    other = tmp_path / "ec.pem"
    other.write_bytes(elliptic.private_bytes(serialization.Encoding.PEM,
                                             serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    other_public = tmp_path / "ec.pub.pem"
    other_public.write_bytes(elliptic.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    cases = [(load_private_key, garbage, "is not an unencrypted PEM private key"),
             (load_private_key, tmp_path / "missing.pem", "cannot read the private key"),
             (load_private_key, keys["ours.pub"], "is not an unencrypted PEM private key"),
             (load_private_key, other, "not an Ed25519 private key"),
             (load_public_key, garbage, "is not a PEM public key"),
             (load_public_key, keys["ours"], "is not a PEM public key"),
             (load_public_key, other_public, "not an Ed25519 public key")]
    for load, path, words in cases:
        with pytest.raises(DialerError) as refused:
            load(path)
        assert refused.value.code == "bad_key"
        assert str(path) in refused.value.message and words in refused.value.message


# Signing, exporting and verifying


def test_sign_export_and_verify_round_trip(chained: tuple[Engine, Story],
                                           keys: dict[str, Path]) -> None:
    engine, story = chained
    with attack(engine) as session:
        signed = sign_checkpoint(session, story.campaigns["A"], private(keys), NOW)
        document = json.loads(json.dumps(export_checkpoint(signed, story.codes["A"])))
        assert verify_checkpoint_document(session, document, public(keys)) == []
        assert verify_stored_checkpoints(session, story.campaigns["A"], public(keys)) == []
        stored = session.scalars(select(TraceCheckpoint)).one()
        assert checkpointed_campaigns(session) == [story.campaigns["A"]]
        head = row_hash(session, story.campaigns["A"], 12)
    assert (stored.seq, stored.hash, stored.signed_at) == (12, head, NOW)
    assert document == {
        "format": FORMAT, "campaign": story.codes["A"], "campaign_id": story.campaigns["A"],
        "seq": 12, "hash": head, "signed_at": "2026-11-24T12:30:15.250001+00:00",
        "algorithm": "Ed25519",
        "signed": "RFC 8785 JSON of format, campaign, campaign_id, seq, hash, signed_at",
        "public_key": public_hex(public(keys)), "signature": stored.signature}


def test_any_ed25519_tool_can_check_a_document(chained: tuple[Engine, Story],
                                               keys: dict[str, Path]) -> None:
    engine, story = chained
    with attack(engine) as session:
        document = export_checkpoint(
            sign_checkpoint(session, story.campaigns["B"], private(keys), NOW),
            story.codes["B"])
    message = rfc8785.dumps({name: document[name] for name in MESSAGE_FIELDS})
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(document["public_key"]))
    key.verify(bytes.fromhex(document["signature"]), message)


def test_a_checkpoint_still_holds_when_the_chain_grows(chained: tuple[Engine, Story],
                                                       keys: dict[str, Path]) -> None:
    engine, story = chained
    with attack(engine) as session:
        document = export_checkpoint(
            sign_checkpoint(session, story.campaigns["B"], private(keys), NOW),
            story.codes["B"])
        append(session, story.campaigns["B"], [Entry("claimed", "dialer", NOW)])
        assert verify_checkpoint_document(session, document, public(keys)) == []
        assert verify_stored_checkpoints(session, story.campaigns["B"]) == []
        later = sign_checkpoint(session, story.campaigns["B"], private(keys),
                                NOW + dt.timedelta(hours=1))
    assert later.seq == 9


def test_an_empty_chain_is_not_signed(session: Session, keys: dict[str, Path]) -> None:
    campaign = factories.campaign(session)
    with pytest.raises(DialerError) as refused:
        sign_checkpoint(session, campaign.id, private(keys), NOW)
    assert refused.value.code == "empty_chain"
    assert session.scalar(select(TraceCheckpoint.id)) is None


def test_a_broken_chain_is_not_signed(chained: tuple[Engine, Story],
                                      keys: dict[str, Path]) -> None:
    engine, story = chained
    with attack(engine) as session:
        sql(session, "UPDATE trace_events SET actor = 'dialer' WHERE id = :id",
            id=story.rows["A", 5])
        with pytest.raises(DialerError) as refused:
            sign_checkpoint(session, story.campaigns["A"], private(keys), NOW)
        assert session.scalar(select(TraceCheckpoint.id)) is None
    assert refused.value.code == "chain_broken"
    assert "event #5" in refused.value.message


def _signed_document(session: Session, story: Story, keys: dict[str, Path],
                     name: str = "ours") -> dict[str, Any]:
    return export_checkpoint(sign_checkpoint(session, story.campaigns["A"],
                                             private(keys, name), NOW), story.codes["A"])


def _flip(hex_text: str, position: int = 10) -> str:
    digit = "0" if hex_text[position] != "0" else "1"
    return hex_text[:position] + digit + hex_text[position + 1:]


SIGNATURE = "the signature does not match the document"


@pytest.mark.parametrize(("field", "change"), [
    ("seq", lambda value: value - 1),
    ("hash", _flip),
    ("signature", _flip),
    ("signed_at", lambda value: value.replace("12:30", "12:31")),
    ("campaign", lambda value: value + "X"),
])
def test_a_changed_document_is_refused(chained: tuple[Engine, Story], keys: dict[str, Path],
                                       field: str, change: Any) -> None:
    engine, story = chained
    with attack(engine) as session:
        document = _signed_document(session, story, keys)
        changed = copy.deepcopy(document)
        changed[field] = change(document[field])
        problems = verify_checkpoint_document(session, changed, public(keys))
    assert problems and problems[0].startswith(SIGNATURE), problems


def test_a_document_signed_with_another_key_is_refused_given_the_trusted_key(
        chained: tuple[Engine, Story], keys: dict[str, Path]) -> None:
    engine, story = chained
    with attack(engine) as session:
        document = _signed_document(session, story, keys, "theirs")
        trusted = verify_checkpoint_document(session, document, public(keys))
        untrusted = verify_checkpoint_document(session, document, None)
        stored = verify_stored_checkpoints(session, story.campaigns["A"], public(keys))
    assert trusted == [f"signed with key {public_hex(public(keys, 'theirs'))[:16]}…, not with "
                       f"the trusted key {public_hex(public(keys))[:16]}…"]
    assert untrusted == [], "without a trusted key, a valid signature is all there is to check"
    assert [(fault.seq, "not the trusted key" in fault.problem) for fault in stored] == [
        (12, True)]


@pytest.mark.parametrize("document", [
    [], {"format": "something/1"}, {"format": FORMAT, "algorithm": "RSA"},
    {"format": FORMAT, "algorithm": "Ed25519", "campaign": 1, "campaign_id": True, "seq": 0,
     "hash": "AB", "signed_at": None, "public_key": "zz", "signature": ""},
])
def test_what_is_not_a_checkpoint_document_says_why(session: Session, document: Any) -> None:
    problems = verify_checkpoint_document(session, document, None)
    assert problems
    if isinstance(document, dict) and len(document) > 2:
        assert len(problems) == 7, problems


def test_a_document_for_another_database_is_refused(chained: tuple[Engine, Story],
                                                    keys: dict[str, Path]) -> None:
    engine, story = chained
    with attack(engine) as session:
        document = _signed_document(session, story, keys)
        sql(session, "DELETE FROM trace_checkpoints")
        sql(session, "DELETE FROM trace_events WHERE campaign_id = :c", c=story.campaigns["A"])
        sql(session, "DELETE FROM trace_heads WHERE campaign_id = :c", c=story.campaigns["A"])
        sql(session, "UPDATE campaigns SET code = 'RENAMED' WHERE id = :c",
            c=story.campaigns["A"])
        problems = verify_checkpoint_document(session, document, public(keys))
    assert problems == [f"campaign {story.codes['A']} (id {story.campaigns['A']}) is not in "
                        "this database"]


# What only a checkpoint catches


def test_a_chain_cut_short_with_its_head_rewritten_is_caught_by_a_checkpoint(
        chained: tuple[Engine, Story], keys: dict[str, Path]) -> None:
    engine, story = chained
    campaign = story.campaigns["A"]
    with attack(engine) as session:
        document = _signed_document(session, story, keys)
        sql(session, "DELETE FROM trace_events WHERE id = :id", id=story.rows["A", 12])
        sql(session, "UPDATE trace_heads SET seq = 11, hash = :h WHERE campaign_id = :c",
            c=campaign, h=row_hash(session, campaign, 11))
        report = verify_chain(session, campaign)
        stored = verify_stored_checkpoints(session, campaign, public(keys))
        exported = verify_checkpoint_document(session, document, public(keys))
    assert report.fault is None and report.events == 11, "the chain alone cannot see it"
    assert [(fault.seq, fault.event_id) for fault in stored] == [(12, None)]
    assert "event #12, signed in a checkpoint, is missing" in stored[0].problem
    assert exported == ["event #12, signed in a checkpoint, is missing from the chain: the "
                        "chain was cut short or the event removed"]


def test_a_rebuilt_chain_is_caught_by_a_checkpoint(chained: tuple[Engine, Story],
                                                   keys: dict[str, Path]) -> None:
    """The attacker changes an answer and recomputes every hash from there, head included:
    the chain verifies, the checkpoint does not."""
    engine, story = chained
    campaign = story.campaigns["A"]
    with attack(engine) as session:
        document = _signed_document(session, story, keys)
        sql(session, "UPDATE trace_events SET actor = 'agent:AG9999' WHERE id = :id",
            id=story.rows["A", 6])
        running = row_hash(session, campaign, 5)
        for row in session.execute(select(TraceEvent.__table__).where(
                TraceEvent.campaign_id == campaign, TraceEvent.seq >= 6)
                .order_by(TraceEvent.seq)).all():
            entry = Entry(row.kind, row.actor, row.at, row.contact_id, row.attempt_id,
                          row.interview_id, row.data)
            new_hash = chain_hash(running, canonical_form(campaign, row.seq, entry))
            sql(session, "UPDATE trace_events SET prev_hash = :p, hash = :h WHERE id = :id",
                id=row.id, p=running, h=new_hash)
            running = new_hash
        sql(session, "UPDATE trace_heads SET hash = :h WHERE campaign_id = :c",
            c=campaign, h=running)
        report = verify_chain(session, campaign)
        stored = verify_stored_checkpoints(session, campaign)
        exported = verify_checkpoint_document(session, document, public(keys))
    assert report.fault is None, "the chain alone cannot see it"
    assert [(fault.seq, fault.event_id) for fault in stored] == [(12, story.rows["A", 12])]
    assert exported == ["event #12 no longer has the hash signed in the checkpoint: the chain "
                        "was changed at or before it"]


@pytest.mark.parametrize("change", [
    "UPDATE trace_checkpoints SET seq = 11",
    "UPDATE trace_checkpoints SET hash = '" + "ab" * 32 + "'",
    "UPDATE trace_checkpoints SET signed_at = '2026-11-24 12:30:16.250001'",
], ids=["seq", "hash", "signed_at"])
def test_a_changed_stored_checkpoint_is_caught(chained: tuple[Engine, Story],
                                               keys: dict[str, Path], change: str) -> None:
    engine, story = chained
    with attack(engine) as session:
        _signed_document(session, story, keys)
        sql(session, change)
        stored = verify_stored_checkpoints(session, story.campaigns["A"], public(keys))
    assert [fault.seq for fault in stored] == [11 if "seq" in change else 12]
    assert "does not match it: the stored checkpoint was changed" in stored[0].problem
