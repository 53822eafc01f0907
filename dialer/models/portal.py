"""What clients keep in the centre through the client portal: the questionnaire versions they
uploaded (the files live in the instance folder, :mod:`dialer.questionnaire_store`) and the
contact files they imported into their campaigns (with the report of the lines refused).

Plain tables: the dialer knows nothing of the web.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dialer.models.base import Base, UTCDateTime, utc_now


class ClientQuestionnaire(Base):
    """One version of a questionnaire a client uploaded: who owns it, which slug and version
    it is, and where its file is (its catalogs are in the ``locales/`` folder beside it).

    A client's slugs are its own: another client's questionnaire, or a sample of the same
    slug, is another row and another folder."""

    __tablename__ = "client_questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(500))
    #: The questionnaire file (absolute), inside the instance's questionnaire store.
    path: Mapped[str] = mapped_column(String(500))
    #: The SHA-256 of the file as uploaded.
    source_sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)
    #: Who uploaded it, as the trace names people (``client:lumen.anna``).
    uploaded_by: Mapped[str] = mapped_column(String(100))

    __table_args__ = (
        UniqueConstraint("client_id", "slug", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )


class ContactImport(Base):
    """A contact file imported into a campaign from the portal: all of it or none
    (:func:`dialer.importing.import_contacts`), with the report of every line refused."""

    __tablename__ = "contact_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             index=True)
    #: The file's name as uploaded (the file itself is not kept: it holds phone numbers).
    file_name: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column()
    imported: Mapped[int] = mapped_column()
    rejected: Mapped[int] = mapped_column()
    set_aside: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)
    imported_by: Mapped[str] = mapped_column(String(100))
    #: The CSV of every line refused (``line,reason,message``), when there were any.
    reject_report: Mapped[str | None] = mapped_column(String(500), default=None)
