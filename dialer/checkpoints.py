"""Signed checkpoints of the call trace: a statement, signed with Ed25519, that a campaign's
chain had a given hash at a given event.

The hash chain (:mod:`dialer.trace`) shows any change to a stored event, but someone able to
write the database could cut the chain short and rewrite the head to match, or rebuild the
whole chain. A checkpoint closes that door: the prison administration and the client each keep
exported checkpoints, away from the database, and a checkpoint proves that the chain up to its
event existed, with that hash, when it was signed and has not changed since. Whoever holds one
can check it against the database with the public key alone (``survey-engine trace verify
--checkpoint FILE --public-key KEY``).

What is signed is the RFC 8785 canonical JSON (the ``rfc8785`` package) of the six message
fields of :data:`MESSAGE_FIELDS`; an exported document carries them with the algorithm, the raw
public key and the signature, in hexadecimal, so any Ed25519 tool can verify it.

Keys are PEM files: the private key PKCS #8, unencrypted, readable by its owner only (mode
0600), kept off the database server; the public key SubjectPublicKeyInfo.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.errors import DialerError, NotFound
from dialer.models import Campaign, TraceCheckpoint, TraceEvent
from dialer.trace import Fault, verify_chain

logger = logging.getLogger(__name__)

#: Names the message layout; a verifier refuses documents of another format.
FORMAT = "survey-engine-trace-checkpoint/1"
ALGORITHM = "Ed25519"
#: The fields of a checkpoint the signature covers, as named in an exported document.
MESSAGE_FIELDS = ("format", "campaign", "campaign_id", "seq", "hash", "signed_at")
_HEX_LENGTHS = {"hash": 64, "public_key": 64, "signature": 128}


def generate_key(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair: the private key (PEM, PKCS #8, mode 0600) and the public
    key (PEM).

    :returns: the raw public key in hexadecimal, as checkpoints name it.
    :raises DialerError: ``key_exists`` if either file exists (nothing is written), ``key_file``
        if a file cannot be written.
    """
    for path in (private_path, public_path):
        if path.exists():
            raise DialerError("key_exists", f"{path} already exists: a key is never overwritten")
    private_key = Ed25519PrivateKey.generate()
    private_pem = private_key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
    public_key = private_key.public_key()
    public_pem = public_key.public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    _write_new(private_path, private_pem, 0o600)
    try:
        _write_new(public_path, public_pem, 0o644)
    except DialerError:
        private_path.unlink()
        raise
    logger.info("new checkpoint key %s written to %s", public_hex(public_key), private_path)
    return public_hex(public_key)


def _write_new(path: Path, content: bytes, mode: int) -> None:
    """Create ``path`` with ``content`` and ``mode``, refusing an existing file."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise DialerError("key_exists",
                          f"{path} already exists: a key is never overwritten") from None
    except OSError as error:
        raise DialerError("key_file", f"cannot write {path}: {error.strerror}") from None
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), mode)
        file.write(content)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in the PEM file ``path`` (as written by :func:`generate_key`).

    :raises DialerError: ``bad_key`` naming the file when it cannot be read or holds no
        unencrypted Ed25519 private key.
    """
    data = _read_key_file(path, "private")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise DialerError("bad_key", f"{path} is not an unencrypted PEM private key: "
                                     f"{_first_line(error)}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise DialerError("bad_key", f"{path} holds a {type(key).__name__}, not an Ed25519 "
                                     "private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in the PEM file ``path``.

    :raises DialerError: ``bad_key`` naming the file when it cannot be read or holds no
        Ed25519 public key.
    """
    data = _read_key_file(path, "public")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise DialerError("bad_key", f"{path} is not a PEM public key: "
                                     f"{_first_line(error)}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise DialerError("bad_key", f"{path} holds a {type(key).__name__}, not an Ed25519 "
                                     "public key")
    return key


def _read_key_file(path: Path, kind: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise DialerError("bad_key", f"cannot read the {kind} key {path}: "
                                     f"{error.strerror or error}") from None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def public_hex(key: Ed25519PublicKey) -> str:
    """The raw 32 bytes of ``key`` in hexadecimal."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _signed_at_text(signed_at: dt.datetime) -> str:
    return signed_at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def checkpoint_message(campaign_code: str, campaign_id: int, seq: int, chain_hash: str,
                       signed_at: str) -> bytes:
    """The bytes a checkpoint's signature covers: RFC 8785 JSON of its message fields."""
    return rfc8785.dumps({"format": FORMAT, "campaign": campaign_code,
                          "campaign_id": campaign_id, "seq": seq, "hash": chain_hash,
                          "signed_at": signed_at})


def _stored_message(checkpoint: TraceCheckpoint, campaign_code: str) -> bytes:
    return checkpoint_message(campaign_code, checkpoint.campaign_id, checkpoint.seq,
                              checkpoint.hash, _signed_at_text(checkpoint.signed_at))


def sign_checkpoint(session: Session, campaign_id: int, private_key: Ed25519PrivateKey,
                    now: dt.datetime) -> TraceCheckpoint:
    """Sign the campaign's chain as it ends now, and store the checkpoint.

    The chain and the campaign's earlier checkpoints are verified first: a checkpoint of a
    changed chain would vouch for the change.

    :param now: the signing instant (aware).
    :raises NotFound: ``campaign_not_found``.
    :raises DialerError: ``empty_chain`` when the campaign has no event yet, ``chain_broken``
        when its chain or an earlier checkpoint does not verify.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found", f"no campaign with id {campaign_id}")
    report = verify_chain(session, campaign_id)
    faults = ([report.fault] if report.fault is not None else []) + verify_stored_checkpoints(
        session, campaign_id)
    if faults:
        raise DialerError("chain_broken", f"campaign {campaign.code}: not signing a chain that "
                                          f"does not verify: {faults[0]}")
    if report.events == 0:
        raise DialerError("empty_chain", f"campaign {campaign.code}: the call trace has no "
                                         "event yet, there is nothing to sign")
    checkpoint = TraceCheckpoint(campaign_id=campaign_id, seq=report.events,
                                 hash=report.head_hash, signed_at=now.astimezone(dt.UTC),
                                 public_key=public_hex(private_key.public_key()), signature="")
    checkpoint.signature = private_key.sign(_stored_message(checkpoint, campaign.code)).hex()
    session.add(checkpoint)
    session.flush()
    logger.info("campaign %s: checkpoint at event #%d signed", campaign.code, checkpoint.seq)
    return checkpoint


def export_checkpoint(checkpoint: TraceCheckpoint, campaign_code: str) -> dict[str, Any]:
    """The checkpoint as a JSON document to hand out: the message fields, the algorithm, the
    public key and the signature."""
    return {"format": FORMAT, "campaign": campaign_code, "campaign_id": checkpoint.campaign_id,
            "seq": checkpoint.seq, "hash": checkpoint.hash,
            "signed_at": _signed_at_text(checkpoint.signed_at),
            "algorithm": ALGORITHM, "signed": "RFC 8785 JSON of " + ", ".join(MESSAGE_FIELDS),
            "public_key": checkpoint.public_key, "signature": checkpoint.signature}


def verify_checkpoint_document(session: Session, document: Any,
                               trusted_public_key: Ed25519PublicKey | None) -> list[str]:
    """Check an exported checkpoint: its signature, its key, and that the chain still holds
    the signed hash at the signed event. Pair it with :func:`~dialer.trace.verify_chain`,
    which shows whether the events before that one still lead to it.

    :param trusted_public_key: the key the document must be signed with; without it, any
        valid signature is accepted (which proves nothing against someone able to sign anew).
    :returns: the problems found, empty when the checkpoint holds.
    """
    problems = _malformed(document)
    if problems:
        return problems
    message = checkpoint_message(document["campaign"], document["campaign_id"],
                                 document["seq"], document["hash"], document["signed_at"])
    signer = Ed25519PublicKey.from_public_bytes(bytes.fromhex(document["public_key"]))
    try:
        signer.verify(bytes.fromhex(document["signature"]), message)
    except InvalidSignature:
        problems.append("the signature does not match the document: it was changed after "
                        "signing, or was not signed with its public key")
    if trusted_public_key is not None and document["public_key"] != public_hex(
            trusted_public_key):
        problems.append(f"signed with key {document['public_key'][:16]}…, not with the "
                        f"trusted key {public_hex(trusted_public_key)[:16]}…")
    campaign = session.get(Campaign, document["campaign_id"])
    if campaign is None or campaign.code != document["campaign"]:
        problems.append(f"campaign {document['campaign']} (id {document['campaign_id']}) is "
                        "not in this database")
        return problems
    problem = _chain_problem(session, document["campaign_id"], document["seq"],
                             document["hash"])
    if problem is not None:
        problems.append(problem[1])
    return problems


def _malformed(document: Any) -> list[str]:
    """Why ``document`` is not a checkpoint document of :data:`FORMAT`, if it is not."""
    if not isinstance(document, dict):
        return ["not a checkpoint document: expected a JSON object"]
    if document.get("format") != FORMAT:
        return [f"not a checkpoint document: format is {document.get('format')!r}, expected "
                f"{FORMAT!r}"]
    if document.get("algorithm") != ALGORITHM:
        return [f"unknown signature algorithm {document.get('algorithm')!r}, expected "
                f"{ALGORITHM!r}"]
    problems = []
    for name in ("campaign", "signed_at"):
        if not isinstance(document.get(name), str):
            problems.append(f"{name} is missing or not text")
    for name in ("campaign_id", "seq"):
        value = document.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(f"{name} is missing or not a positive whole number")
    for name, length in _HEX_LENGTHS.items():
        value = document.get(name)
        if not (isinstance(value, str) and len(value) == length
                and all(c in "0123456789abcdef" for c in value)):
            problems.append(f"{name} is missing or not {length} lowercase hexadecimal digits")
    return problems


def _chain_problem(session: Session, campaign_id: int, seq: int, signed_hash: str
                   ) -> tuple[int | None, str] | None:
    """What is wrong with event ``seq`` of the chain against a checkpoint's hash: the row id
    of the event, if any, and the problem; None when the event still has that hash."""
    event = session.execute(select(TraceEvent.id, TraceEvent.hash)
                            .where(TraceEvent.campaign_id == campaign_id,
                                   TraceEvent.seq == seq)).one_or_none()
    if event is None:
        return None, (f"event #{seq}, signed in a checkpoint, is missing from the chain: the "
                      "chain was cut short or the event removed")
    if event.hash != signed_hash:
        return event.id, (f"event #{seq} no longer has the hash signed in the checkpoint: the "
                          "chain was changed at or before it")
    return None


def checkpointed_campaigns(session: Session) -> list[int]:
    """Campaigns with at least one stored checkpoint."""
    return sorted(session.scalars(select(TraceCheckpoint.campaign_id).distinct()))


def verify_stored_checkpoints(session: Session, campaign_id: int,
                              trusted_public_key: Ed25519PublicKey | None = None
                              ) -> list[Fault]:
    """Check the campaign's stored checkpoints: each one's signature, its key when a trusted
    one is given, and that the chain still has the signed hash at the signed event. This sees
    a chain cut short even when its head was rewritten to match.

    :returns: one :class:`~dialer.trace.Fault` per problem, by event.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found", f"no campaign with id {campaign_id}")
    trusted = public_hex(trusted_public_key) if trusted_public_key is not None else None
    faults = []
    for checkpoint in session.scalars(select(TraceCheckpoint)
                                      .where(TraceCheckpoint.campaign_id == campaign_id)
                                      .order_by(TraceCheckpoint.seq, TraceCheckpoint.id)):
        signed = f"checkpoint signed {checkpoint.signed_at:%Y-%m-%d %H:%M} UTC"
        if not _signature_holds(checkpoint, campaign.code):
            faults.append(Fault(campaign_id, checkpoint.seq, None,
                                f"the signature of the {signed} does not match it: the stored "
                                "checkpoint was changed"))
            continue
        if trusted is not None and checkpoint.public_key != trusted:
            faults.append(Fault(campaign_id, checkpoint.seq, None,
                                f"the {signed} is signed with key "
                                f"{checkpoint.public_key[:16]}…, not the trusted key"))
        problem = _chain_problem(session, campaign_id, checkpoint.seq, checkpoint.hash)
        if problem is not None:
            faults.append(Fault(campaign_id, checkpoint.seq, problem[0],
                                f"{problem[1]} ({signed})"))
    return faults


def _signature_holds(checkpoint: TraceCheckpoint, campaign_code: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(checkpoint.public_key))
        key.verify(bytes.fromhex(checkpoint.signature), _stored_message(checkpoint,
                                                                        campaign_code))
    except (InvalidSignature, ValueError):
        return False
    return True
