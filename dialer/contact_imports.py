"""Contact files imported from the client portal: each import runs as ``contacts import``
does (:func:`dialer.importing.import_contacts`: all lines or none) and is recorded with its
counts and the report of every line refused, which the client downloads.

The uploaded file holds phone numbers: it is deleted once imported, whatever happened. The
reject report (``line,reason,message``) is kept in the instance folder,
``INSTANCE/imports/<campaign id>/<import>.rejections.csv``.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dialer.db import transaction, writer
from dialer.errors import ImportRefused
from dialer.importing import ImportReport, import_contacts
from dialer.models import Campaign, ContactImport

logger = logging.getLogger(__name__)

IMPORTS_FOLDER = "imports"


@dataclass(frozen=True)
class RecordedImport:
    """An import recorded (``row``), with the report of what it did."""

    row: ContactImport
    report: ImportReport


def import_contact_file(engine: Engine, campaign_id: int, upload: Path, file_name: str,
                        instance: Path, actor: str) -> RecordedImport:
    """Import the contacts of the uploaded file ``upload`` (named ``file_name`` by its sender)
    into the campaign, record the import, and delete the file.

    :raises ImportRefused: the codes of :func:`~dialer.importing.import_contacts` for a file
        refused as a whole (``missing_column``, ``empty_file``, ``campaign_finished``...), its
        message naming the file by ``file_name``; nothing is stored or recorded.
    """
    with transaction(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        code = campaign.code
    folder = instance / IMPORTS_FOLDER / str(campaign_id)
    folder.mkdir(parents=True, exist_ok=True)
    report_path = folder / f"{secrets.token_hex(8)}.rejections.csv"
    try:
        report = import_contacts(engine, code, upload, reject_report=report_path)
    except ImportRefused as error:
        raise ImportRefused(error.code, error.message.replace(str(upload), file_name)
                            ) from None
    finally:
        upload.unlink(missing_ok=True)
    if not report.rejected:
        report_path.unlink(missing_ok=True)
    with transaction(writer(engine)) as session:
        row = ContactImport(campaign_id=campaign_id, file_name=file_name[:200],
                            rows=report.rows, imported=report.imported,
                            rejected=report.rejected, set_aside=report.set_aside,
                            imported_by=actor,
                            reject_report=str(report_path) if report.rejected else None)
        session.add(row)
        session.flush()
    logger.info("campaign %s: %s imported by %s (%d rows, %d imported, %d rejected)", code,
                file_name, actor, report.rows, report.imported, report.rejected)
    return RecordedImport(row, report)


def import_history(session: Session, campaign_id: int) -> list[ContactImport]:
    """The campaign's imports from the portal, newest first."""
    return list(session.scalars(select(ContactImport).where(
        ContactImport.campaign_id == campaign_id).order_by(ContactImport.id.desc())))
