"""Bulk contact import: a CSV or XLSX file into a campaign, all or nothing, in flat memory.

Each row is checked in Python (:mod:`dialer.import_rows`, by the rules
:func:`dialer.contacts.add_contact` follows too) and staged in batches into a temporary table;
what needs the whole file or the database (duplicates within the file, numbers already in the
campaign, the do-not-call list) is then found with SQL over that table. Rejections go to a
second temporary table, from which the report is read back in line order. If any row is
rejected, nothing is stored; otherwise the missing dispatch groups and every contact are
inserted with one statement each, and the contacts a closed quota of the campaign matches are
set aside (:mod:`dialer.quotas`). :mod:`dialer.import_files` reads the file.

Two transactions on one connection: the first reads the file and writes only the temporary
tables (on SQLite it takes no write lock, so dispatch goes on during a long import); the second,
short, checks against the live database (do-not-call list, contacts already in the campaign)
and stores everything or nothing. The report times both: SQLite's write lock is held for the
second, and dispatch claims wait meanwhile.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    cast,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from dialer.campaigns import campaign_by_code, campaign_questionnaire
from dialer.contact_rules import ContactRefused
from dialer.db import SQLITE_BEGIN
from dialer.errors import ImportRefused
from dialer.import_files import Row, check_file, read_columns, read_rows, work_size
from dialer.import_rows import RowChecker
from dialer.models import (
    Base,
    Campaign,
    CampaignState,
    Contact,
    ContactPhase,
    UTCDateTime,
    utc_now,
)
from dialer.quotas import set_aside_for_closed_quotas
from survey_engine.questionnaire.model import Questionnaire

__all__ = ["ImportReport", "Rejection", "import_contacts", "work_size"]

logger = logging.getLogger(__name__)

#: How many rejections an :class:`ImportReport` keeps for display; the report file has all.
FIRST_REJECTIONS = 100
#: First key of PostgreSQL advisory locks taken by imports (the second is the campaign id).
_ADVISORY_LOCK_CLASS = 0x1D0C


@dataclass(frozen=True)
class Rejection:
    """A row refused: its line (header = 1), a stable reason code and a message for people."""

    line: int
    reason: str
    message: str


@dataclass
class ImportReport:
    """What an import did. ``imported`` is 0 whenever ``rejected`` is not; ``set_aside`` counts
    the imported contacts a closed quota matched (stored as ``quota_full``). ``seconds_reading``
    is the time spent reading, checking and staging the file; ``seconds_storing`` the time of
    the storing transaction (SQLite's write lock), including any wait for it."""

    campaign: str
    file: str
    rows: int
    imported: int
    rejected: int
    first_rejections: list[Rejection] = field(default_factory=list)
    reject_report: Path | None = None
    set_aside: int = 0
    seconds_reading: float = 0.0
    seconds_storing: float = 0.0


class _RolledBack(Exception):
    """Leaves the transaction without storing anything, carrying the report out."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.file)
        self.report = report


def import_contacts(engine: Engine, campaign_code: str, path: Path, *,
                    reject_report: Path | None = None,
                    progress: Callable[[int], None] | None = None,
                    batch_size: int = 5000) -> ImportReport:
    """Import every contact of ``path`` into the campaign ``campaign_code``, or none.

    The header names its columns (any case): ``phone``, ``language``, optionally
    ``time_zone``, and the questionnaire's contact fields. Rejected rows do not raise: the
    report counts and lists them and nothing is stored.
    ``reject_report``, if given, receives every rejection as CSV (``line,reason,message``,
    by line). ``progress`` receives the work done since its last call, adding up to
    :func:`work_size` of the file.

    :raises NotFound: ``campaign_not_found``.
    :raises ImportRefused: ``file_not_found``, ``unknown_format``, ``encoding``,
        ``missing_column``, ``unknown_column``, ``duplicate_column``, ``empty_file`` or
        ``campaign_finished``; nothing is stored.
    :raises DialerError: ``questionnaire`` or ``questionnaire_changed`` when the campaign's
        questionnaire cannot be loaded as fielded.
    """
    check_file(path)
    with engine.connect() as connection:
        with connection.begin():
            campaign = _campaign(connection, campaign_code)
            questionnaire = campaign_questionnaire(campaign)
        job = _Import(connection, campaign, questionnaire, path, batch_size)
        try:
            started = time.perf_counter()
            # temporary tables only: the database stays writable for dispatch meanwhile
            with connection.begin(), closing(read_rows(path, progress)) as rows:
                job.stage(rows)
            reading = time.perf_counter() - started
            connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            started = time.perf_counter()
            report = _store_unless_rejected(connection, job, campaign_code, reject_report)
            report.seconds_reading = reading
            report.seconds_storing = time.perf_counter() - started
        finally:
            job.drop_tables()
    logger.info("import of %s into %s: %d rows, %d imported (%d set aside by closed quotas), "
                "%d rejected; %.1f s reading, %.1f s storing", path, campaign_code, report.rows,
                report.imported, report.set_aside, report.rejected, report.seconds_reading,
                report.seconds_storing)
    return report


def _campaign(connection: Connection, campaign_code: str) -> Campaign:
    """The campaign, loaded for use after its session is gone."""
    with Session(connection, expire_on_commit=False) as session:
        campaign = campaign_by_code(session, campaign_code)
        _refuse_finished(campaign)
        session.expunge(campaign)
    return campaign


def _refuse_finished(campaign: Campaign) -> None:
    if campaign.state is CampaignState.FINISHED:
        raise ImportRefused("campaign_finished",
                            f"campaign {campaign.code} is finished; it takes no contacts")


def _store_unless_rejected(connection: Connection, job: _Import, campaign_code: str,
                           reject_report: Path | None) -> ImportReport:
    """The checks that need the live database, the store and the closed quotas, in one short
    write transaction (SQLite's write lock is taken here only, after staging)."""
    try:
        with connection.begin(), Session(connection) as session:
            campaign = campaign_by_code(session, campaign_code)
            _refuse_finished(campaign)
            _serialize(connection, job.campaign)
            newest_before = session.scalar(select(func.max(Contact.id))) or 0
            report = job.check_and_store(reject_report)
            if report.rejected:
                raise _RolledBack(report)
            report.set_aside = set_aside_for_closed_quotas(session, campaign,
                                                           after_id=newest_before)
    except _RolledBack as rolled_back:
        return rolled_back.report
    return report


def _serialize(connection: Connection, campaign: Campaign) -> None:
    """Make concurrent imports into one campaign wait for each other, so that the second sees
    the first's contacts (SQLite's write lock already does; PostgreSQL takes a transaction
    advisory lock, which nothing else waits on)."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(_ADVISORY_LOCK_CLASS,
                                                             campaign.id)))


class _Import:
    """One import's staging tables and steps, on the transaction's connection."""

    def __init__(self, connection: Connection, campaign: Campaign,
                 questionnaire: Questionnaire, path: Path, batch_size: int) -> None:
        self.connection = connection
        self.campaign = campaign
        self.questionnaire = questionnaire
        self.path = path
        self.batch_size = max(1, batch_size)
        metadata = MetaData()
        self.staging = Table(
            "import_staging", metadata,
            Column("line", Integer, primary_key=True, autoincrement=False),
            Column("phone_e164", String(16), nullable=False),
            Column("masked_number", String(32), nullable=False),
            Column("language", String(16), nullable=False),
            Column("time_zone", String(64), nullable=False),
            Column("country", String(2), nullable=False),
            Column("fields", JSON, nullable=False),
            prefixes=["TEMPORARY"])
        self.rejections = Table(
            "import_rejections", metadata,
            Column("line", Integer, primary_key=True, autoincrement=False),
            Column("reason", String(40), nullable=False),
            Column("message", Text, nullable=False),
            prefixes=["TEMPORARY"])
        self.metadata = metadata
        table = self.rejections
        self._by_line = select(table.c.line, table.c.reason, table.c.message).order_by(table.c.line)
        self.created = False
        self.rows = 0

    def stage(self, rows: Iterator[Row]) -> None:
        """Check every row and stage it (or its rejection); reject repeats within the file.
        Touches temporary tables only.

        :raises ImportRefused: ``empty_file``, or the header's problems.
        """
        self.metadata.create_all(self.connection, checkfirst=False)
        self.created = True
        columns = read_columns(self.path, next(rows), self.questionnaire)
        self.rows = self._stage(rows, RowChecker(columns, self.campaign))
        if self.rows == 0:
            raise ImportRefused("empty_file", f"{self.path}: no contact under the header")
        Index("ix_import_staging_phone", self.staging.c.phone_e164).create(self.connection)
        self._reject_repeats()

    def check_and_store(self, reject_report: Path | None) -> ImportReport:
        """Reject numbers on the do-not-call list or already in the campaign, then store every
        staged contact if no line at all was rejected."""
        self._reject_listed_or_known()
        rejected = self.connection.scalar(
            select(func.count()).select_from(self.rejections)) or 0
        imported = 0 if rejected else self._store()
        return ImportReport(
            campaign=self.campaign.code, file=str(self.path), rows=self.rows,
            imported=imported, rejected=rejected, first_rejections=self._first_rejections(),
            reject_report=self._write_report(reject_report))

    def drop_tables(self) -> None:
        """Remove the temporary tables (they would otherwise live as long as the connection)."""
        if self.created:
            with self.connection.begin():
                self.metadata.drop_all(self.connection, checkfirst=True)

    def _stage(self, rows: Iterator[Row], checker: RowChecker) -> int:
        staged: list[dict[str, Any]] = []
        refused: list[dict[str, Any]] = []
        count = 0
        for row in rows:
            count += 1
            try:
                staged.append(checker.check(row))
            except ContactRefused as problem:
                refused.append({"line": row.line, "reason": problem.reason,
                                "message": problem.message})
            if len(staged) >= self.batch_size or len(refused) >= self.batch_size:
                self._flush(staged, refused)
        self._flush(staged, refused)
        return count

    def _flush(self, staged: list[dict[str, Any]], refused: list[dict[str, Any]]) -> None:
        if staged:
            self.connection.execute(insert(self.staging), staged)
            staged.clear()
        if refused:
            self.connection.execute(insert(self.rejections), refused)
            refused.clear()

    def _reject_repeats(self) -> None:
        """Reject every repeat of a number within the file, naming the line it repeats."""
        staging, phone = self.staging, self.staging.c.phone_e164
        first = (select(phone.label("phone_e164"), func.min(staging.c.line).label("line"))
                 .group_by(phone).having(func.count() > 1).subquery())
        self.connection.execute(insert(self.rejections).from_select(
            ["line", "reason", "message"],
            select(staging.c.line, literal("duplicate"),
                   literal("same number as line ", String) + cast(first.c.line, String))
            .join(first, and_(first.c.phone_e164 == phone, staging.c.line > first.c.line))))

    def _reject_listed_or_known(self) -> None:
        """Reject numbers on the do-not-call list, then numbers already in the campaign (one
        reason per line; a repeat within the file was rejected as such already)."""
        staging, tables = self.staging, Base.metadata.tables
        do_not_call, contacts = tables["do_not_call"], tables["contacts"]
        phone = staging.c.phone_e164
        listed = exists().where(do_not_call.c.phone_e164 == phone)
        known = exists().where(contacts.c.campaign_id == self.campaign.id,
                               contacts.c.phone_e164 == phone)
        repeat = exists().where(self.rejections.c.line == staging.c.line)
        for query in (
            select(staging.c.line, literal("do_not_call"),
                   literal("the number is on the do-not-call list")).where(listed, ~repeat),
            select(staging.c.line, literal("already_in_campaign"),
                   literal(f"the number is already a contact of campaign {self.campaign.code}"))
            .where(known, ~listed, ~repeat),
        ):
            self.connection.execute(insert(self.rejections).from_select(
                ["line", "reason", "message"], query))

    def _store(self) -> int:
        """Insert the missing dispatch groups, then every staged contact; their count."""
        staging, tables = self.staging, Base.metadata.tables
        groups, contacts = tables["dispatch_groups"], tables["contacts"]
        campaign_id = self.campaign.id
        same_group = and_(groups.c.campaign_id == campaign_id,
                          groups.c.language == staging.c.language,
                          groups.c.time_zone == staging.c.time_zone,
                          groups.c.country == staging.c.country)
        self.connection.execute(insert(groups).from_select(
            ["campaign_id", "language", "time_zone", "country"],
            select(literal(campaign_id), staging.c.language, staging.c.time_zone,
                   staging.c.country).distinct().where(~exists().where(same_group))))
        result = self.connection.execute(insert(contacts).from_select(
            ["campaign_id", "group_id", "phone_e164", "masked_number", "fields", "state",
             "phase", "due_at", "attempts", "import_line"],
            select(literal(campaign_id), groups.c.id, staging.c.phone_e164,
                   staging.c.masked_number, staging.c.fields,
                   literal("waiting"), literal(int(ContactPhase.FRESH)),
                   literal(utc_now(), UTCDateTime()), literal(0), staging.c.line)
            .join(groups, same_group).order_by(staging.c.line),
            include_defaults=False), execution_options={"preserve_rowcount": True})
        return result.rowcount

    def _first_rejections(self) -> list[Rejection]:
        found = self.connection.execute(self._by_line.limit(FIRST_REJECTIONS))
        return [Rejection(line, reason, message) for line, reason, message in found]

    def _write_report(self, target: Path | None) -> Path | None:
        """Every rejection into ``target`` as CSV, by line, streamed from the database."""
        if target is None:
            return None
        found = self.connection.execute(self._by_line, execution_options={"yield_per": 1000})
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as out:
            writer_ = csv.writer(out)
            writer_.writerow(["line", "reason", "message"])
            writer_.writerows(found)
        return target

