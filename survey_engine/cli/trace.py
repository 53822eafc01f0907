"""``survey-engine trace``: verify the hash-chained call trace, sign and hand out checkpoints of
it, and show what happened to an attempt or a contact."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialer.campaigns import campaign_by_code
from dialer.checkpoints import (
    checkpointed_campaigns,
    export_checkpoint,
    generate_key,
    load_private_key,
    load_public_key,
    sign_checkpoint,
    verify_checkpoint_document,
    verify_stored_checkpoints,
)
from dialer.db import transaction
from dialer.errors import DialerError
from dialer.models import Campaign, TraceEvent
from dialer.trace import Fault, chained_campaigns, verify_chain
from survey_engine.cli.common import echo_table, progress_bar
from survey_engine.cli.database import open_database

#: From this many events on, verifying shows a progress bar (on a terminal).
PROGRESS_FROM = 10_000


@click.group()
def trace() -> None:
    """The call trace: every call, answer and correction, in one hash chain per campaign.

    Each event's hash covers the event and the hash of the one before it, so changing,
    removing or reordering a stored event breaks the chain, and `trace verify` names the first
    event where it breaks. A signed checkpoint states that a campaign's chain had a given hash
    at a given event; the prison administration and the client each keep exported
    checkpoints, so even a chain cut short and rewritten to match is caught.

    \b
    Examples:
      survey-engine trace verify
      survey-engine trace keygen checkpoint-key.pem checkpoint-key.pub.pem
      survey-engine trace checkpoint COFFEE-2025 --key checkpoint-key.pem \\
          --out COFFEE-2025-2026-11-24.checkpoint.json
      survey-engine trace verify --checkpoint COFFEE-2025-2026-11-24.checkpoint.json \\
          --public-key checkpoint-key.pub.pem
      survey-engine trace show --attempt 4211
    """


@trace.command("verify")
@click.option("--campaign", "campaign_code", default=None, metavar="CODE",
              help="Verify only this campaign's chain (default: every chain).")
@click.option("--checkpoint", "checkpoint_files", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="An exported checkpoint to check against the database; repeat for more.")
@click.option("--public-key", "public_key_file", default=None,
              type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="The public key checkpoints must be signed with (PEM); without it any "
                   "valid signature is accepted.")
def verify_command(campaign_code: str | None, checkpoint_files: tuple[Path, ...],
                   public_key_file: Path | None) -> None:
    """Verify every chain of the call trace, and its checkpoints.

    Recomputes every campaign's chain (or only that of --campaign CODE) from its first event,
    and checks the checkpoints stored in the database and those given with --checkpoint.

    Prints one line per campaign and per checkpoint file. A line naming the campaign, the
    event number, its row id and kind and the problem is printed for every fault found, and
    the command exits 1; it exits 0 when everything holds.

    \b
    Examples:
      survey-engine trace verify
      survey-engine trace verify --campaign COFFEE-2025
      survey-engine trace verify --checkpoint COFFEE-2025.checkpoint.json \\
          --public-key checkpoint-key.pub.pem
    """
    trusted = load_public_key(public_key_file) if public_key_file is not None else None
    documents = [(path, _read_document(path)) for path in checkpoint_files]
    engine = open_database()
    with transaction(engine) as session:
        lines, failed = _verify_chains(session, campaign_code, trusted)
        for path, (document, problem) in documents:
            problems = [problem] if problem else verify_checkpoint_document(session, document,
                                                                            trusted)
            lines += _document_lines(path, document, problems)
            failed = failed or bool(problems)
    engine.dispose()
    for line in lines:
        click.echo(line)
    if failed:
        raise SystemExit(1)


def _verify_chains(session: Session, campaign_code: str | None,
                   trusted: Ed25519PublicKey | None) -> tuple[list[str], bool]:
    """The lines reporting each chain and its stored checkpoints, and whether any failed."""
    if campaign_code is not None:
        ids = [campaign_by_code(session, campaign_code).id]
    else:
        ids = sorted(set(chained_campaigns(session)) | set(checkpointed_campaigns(session)))
    if not ids:
        return ["no call trace yet: nothing to verify"], False
    codes = dict(session.execute(select(Campaign.id, Campaign.code)
                                 .where(Campaign.id.in_(ids))).all())
    counts = dict(session.execute(select(TraceEvent.campaign_id, func.count())
                                  .where(TraceEvent.campaign_id.in_(ids))
                                  .group_by(TraceEvent.campaign_id)).all())
    total = sum(counts.values())
    lines: list[str] = []
    failed = False
    with progress_bar(total if total >= PROGRESS_FROM else 0,
                      "verifying the call trace") as advance:
        for campaign_id in ids:
            code = codes[campaign_id]
            report = verify_chain(session, campaign_id, progress=advance)
            faults = [report.fault] if report.fault is not None else []
            faults += verify_stored_checkpoints(session, campaign_id, trusted)
            if not faults:
                lines.append(f"{code}: {report.events} events, head {report.head_hash[:16]}… ok")
            lines += [_fault_line(session, code, fault) for fault in faults]
            failed = failed or bool(faults)
    return lines, failed


def _fault_line(session: Session, code: str, fault: Fault) -> str:
    """One line naming the campaign, the event, its row and kind, and the problem."""
    where = f"event #{fault.seq}"
    if fault.event_id is not None:
        kind = session.scalar(select(TraceEvent.kind).where(TraceEvent.id == fault.event_id))
        where += f" (row id {fault.event_id}, {kind})"
    return f"{code}: FAILED at {where}: {fault.problem}"


def _read_document(path: Path) -> tuple[Any, str | None]:
    """The JSON in ``path``, or why it could not be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except OSError as error:
        return None, f"cannot read it: {error.strerror or error}"
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"not a checkpoint document: not JSON ({error})"


def _document_lines(path: Path, document: Any, problems: list[str]) -> list[str]:
    if problems:
        return [f"checkpoint {path}: FAILED: {problem}" for problem in problems]
    return [f"checkpoint {path}: {document['campaign']} event #{document['seq']}, signed "
            f"{document['signed_at']} by key {document['public_key'][:16]}… ok"]


@trace.command("keygen")
@click.argument("private_key", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("public_key", type=click.Path(dir_okay=False, path_type=Path))
def keygen_command(private_key: Path, public_key: Path) -> None:
    """Make a key pair for signing checkpoints.

    Writes a new Ed25519 key pair: PRIVATE_KEY (PEM, readable by you only) and PUBLIC_KEY
    (PEM, to give to whoever keeps checkpoints). Existing files are never overwritten.

    Keep the private key off the database server: whoever can write the database must not be
    able to sign.

    \b
    Example:
      survey-engine trace keygen checkpoint-key.pem checkpoint-key.pub.pem
    """
    key_hex = generate_key(private_key, public_key)
    click.echo(f"private key written to {private_key} (mode 0600), public key to {public_key}")
    click.echo(f"public key: {key_hex}")


@trace.command("checkpoint")
@click.argument("campaign")
@click.option("--key", "key_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path), metavar="PRIVATE_KEY",
              help="The private key to sign with (PEM, from `trace keygen`).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Where to write the checkpoint document (JSON).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def checkpoint_command(campaign: str, key_file: Path, out: Path, force: bool) -> None:
    """Sign a campaign's chain and write the checkpoint out.

    Signs CAMPAIGN's chain at its last event, stores the checkpoint, and writes it to FILE to
    hand out (FILE is replaced only with --force). The chain and its earlier checkpoints are
    verified first; a chain that does not verify is not signed.

    \b
    Example:
      survey-engine trace checkpoint COFFEE-2025 --key checkpoint-key.pem \\
          --out COFFEE-2025-2026-11-24.checkpoint.json
    """
    if out.exists() and not force:
        raise DialerError("file_exists", f"{out} exists: use --force to replace it")
    private_key = load_private_key(key_file)
    engine = open_database()
    with transaction(engine) as session:
        found = campaign_by_code(session, campaign)
        signed = sign_checkpoint(session, found.id, private_key, dt.datetime.now(dt.UTC))
        document = export_checkpoint(signed, found.code)
        _write_atomically(out, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    engine.dispose()
    click.echo(f"campaign {campaign}: checkpoint at event #{signed.seq}, head "
               f"{signed.hash[:16]}…, signed and stored; written to {out}")


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent or Path("."),
                                                 prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise DialerError("file_unwritable",
                          f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise DialerError("file_unwritable",
                          f"cannot write {path}: {error.strerror or error}") from None


@trace.command("show")
@click.option("--attempt", "attempt_id", type=int, default=None, metavar="ID",
              help="The events of this call attempt.")
@click.option("--contact", "contact_id", type=int, default=None, metavar="ID",
              help="The events of this contact, across its attempts.")
@click.option("--campaign", "campaign_code", default=None, metavar="CODE",
              help="Only events of this campaign.")
def show_command(attempt_id: int | None, contact_id: int | None,
                 campaign_code: str | None) -> None:
    """List the trace events of an attempt or a contact.

    Shows the events of --attempt ID or --contact ID, oldest first: time (UTC), campaign and
    event number, kind, who acted, and the event's data. Phone numbers are never part of an
    event.

    \b
    Examples:
      survey-engine trace show --attempt 4211
      survey-engine trace show --contact 1877 --campaign COFFEE-2025
    """
    if (attempt_id is None) == (contact_id is None):
        raise click.UsageError("give --attempt ID or --contact ID (one of them)")
    engine = open_database()
    with transaction(engine) as session:
        query = select(TraceEvent, Campaign.code).join(Campaign,
                                                       Campaign.id == TraceEvent.campaign_id)
        if attempt_id is not None:
            query = query.where(TraceEvent.attempt_id == attempt_id)
        if contact_id is not None:
            query = query.where(TraceEvent.contact_id == contact_id)
        if campaign_code is not None:
            query = query.where(TraceEvent.campaign_id
                                == campaign_by_code(session, campaign_code).id)
        rows = [_event_row(event, code) for event, code in session.execute(
            query.order_by(TraceEvent.campaign_id, TraceEvent.seq))]
    engine.dispose()
    subject = f"attempt {attempt_id}" if attempt_id is not None else f"contact {contact_id}"
    if not rows:
        click.echo(f"no trace events for {subject}")
        return
    echo_table(("TIME (UTC)", "CAMPAIGN", "SEQ", "KIND", "ACTOR", "DATA"), rows)


def _event_row(event: TraceEvent, campaign_code: str) -> tuple[str, ...]:
    data = json.dumps(event.data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (f"{event.at:%Y-%m-%d %H:%M:%S.%f}"[:-3], campaign_code, f"#{event.seq}",
            event.kind, event.actor, data)
