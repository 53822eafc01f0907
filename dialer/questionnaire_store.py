"""The questionnaires clients upload, kept in the instance folder one version per folder::

    INSTANCE/questionnaires/<client id>/<slug>/<version>/<slug>.yaml
    INSTANCE/questionnaires/<client id>/<slug>/<version>/locales/<slug>.pot
    INSTANCE/questionnaires/<client id>/<slug>/<version>/locales/<lang>/LC_MESSAGES/<slug>.po

and a row of ``client_questionnaires`` per version saying whose it is. The catalogs live
beside the file (:func:`survey_engine.i18n.paths.own_catalogs`), so interviews, exports and
reports of a campaign on it read them there, and two questionnaires of one slug (two clients',
or a client's and a sample) never share a catalog.

- An upload is read and checked in full (:func:`survey_engine.questionnaire.loader.loads`)
  before anything is written: a broken upload changes nothing. The path is built from the
  client's id and the slug and version the loader validated; nothing of the uploaded file's
  name reaches it.
- The files are staged beside their folder and swapped in only by the transaction that
  records the row; the folder they replace is kept aside until that transaction has
  committed, and put back if it fails.
- A version a campaign fields is never replaced (``questionnaire_in_use``): raise the version.
- A version starts with the catalogs of the one it replaces, or else of the version before
  it, merged with its new template as ``i18n update`` merges: unchanged texts keep their
  translation, changed ones turn fuzzy, new ones are missing.
- A translated catalog is accepted only when ``i18n check`` finds nothing wrong with it (a
  catalog of another questionnaire, version or language included) and it compiles; the
  catalog of a language a started campaign fields is kept (``catalog_in_use``): its
  interviews are pinned to it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.errors import DialerError
from dialer.models import Campaign, CampaignState, ClientQuestionnaire, utc_now
from survey_engine.errors import CatalogError, EngineError, QuestionnaireError
from survey_engine.i18n import checks, tools
from survey_engine.i18n.catalog import load_wording
from survey_engine.i18n.paths import mo_path, po_path, pot_path
from survey_engine.i18n.pofiles import Problem
from survey_engine.questionnaire.loader import load, loads
from survey_engine.questionnaire.model import Questionnaire
from survey_engine.questionnaire.source import decode_text

logger = logging.getLogger(__name__)

#: The store's folder in the instance folder.
STORE_FOLDER = "questionnaires"
#: The largest questionnaire and catalog files taken (a long questionnaire is ~100 kB).
MAX_QUESTIONNAIRE_BYTES = 1024 * 1024
MAX_CATALOG_BYTES = 1024 * 1024
CATALOGS = "locales"


def store_root(instance: Path) -> Path:
    """Where an instance keeps its clients' questionnaires."""
    return instance / STORE_FOLDER


def version_folder(root: Path, client_id: int, slug: str, version: int) -> Path:
    """The folder of one version of a client's questionnaire."""
    return root / str(client_id) / slug / str(version)


def _refuse_large(raw: bytes, limit: int, what: str) -> None:
    if len(raw) > limit:
        raise DialerError("upload_too_large", f"the {what} is {len(raw):,} bytes; at most "
                                              f"{limit:,} are taken")


# --- questionnaires -------------------------------------------------------------------------
@dataclass
class QuestionnaireUpload:
    """A checked questionnaire, staged beside its folder until :meth:`record` swaps it in."""

    root: Path
    client_id: int
    questionnaire: Questionnaire
    source_sha256: str
    staging: Path
    #: The folder the upload replaces, kept aside until the transaction has committed.
    replaced: Path | None = None
    installed: bool = False
    carried: list[str] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return version_folder(self.root, self.client_id, self.questionnaire.slug,
                              self.questionnaire.version)

    @property
    def path(self) -> Path:
        return self.folder / f"{self.questionnaire.slug}.yaml"

    def record(self, session: Session, actor: str) -> ClientQuestionnaire:
        """Record the version (a new row, or the row of the version it replaces) and swap its
        files in. Flushes, never commits.

        :raises DialerError: ``questionnaire_in_use`` when a campaign fields the version.
        """
        q = self.questionnaire
        row = session.scalars(select(ClientQuestionnaire).where(
            ClientQuestionnaire.client_id == self.client_id,
            ClientQuestionnaire.slug == q.slug, ClientQuestionnaire.version == q.version)
            .with_for_update()).one_or_none()
        if row is not None:
            fielded = session.scalars(select(Campaign.code).where(
                Campaign.questionnaire_path == row.path).order_by(Campaign.code)).all()
            if fielded:
                raise DialerError("questionnaire_in_use",
                                  f"version {q.version} of {q.slug} is fielded by "
                                  f"{', '.join(fielded)}: it cannot change any more; raise "
                                  f"its version (version: {q.version + 1}) and upload it again")
        else:
            row = ClientQuestionnaire(client_id=self.client_id, slug=q.slug, version=q.version)
            session.add(row)
        row.title, row.path = q.title, str(self.path)
        row.source_sha256, row.uploaded_at, row.uploaded_by = (self.source_sha256, utc_now(),
                                                               actor)
        session.flush()
        self._install()
        return row

    def _install(self) -> None:
        if self.folder.exists():
            self.replaced = self.folder.with_name(f".{self.folder.name}.old-"
                                                  f"{secrets.token_hex(4)}")
            self.folder.rename(self.replaced)
        self.staging.rename(self.folder)
        self.installed = True

    def _finish(self, succeeded: bool) -> None:
        if succeeded:
            if self.replaced is not None:
                shutil.rmtree(self.replaced, ignore_errors=True)
        elif self.installed:
            shutil.rmtree(self.folder, ignore_errors=True)
            if self.replaced is not None:
                self.replaced.rename(self.folder)
        shutil.rmtree(self.staging, ignore_errors=True)
        if not succeeded:  # a first upload of this slug (or client) leaves no empty folder
            for folder in (self.folder.parent, self.folder.parent.parent):
                with suppress(OSError):
                    folder.rmdir()


@contextmanager
def questionnaire_upload(root: Path, client_id: int, raw: bytes, name: str
                         ) -> Iterator[QuestionnaireUpload]:
    """Check an uploaded questionnaire and stage its files; within the block, record it
    (:meth:`QuestionnaireUpload.record`) in a transaction. If the block fails, nothing stays
    changed: the staged files go, and a folder already swapped out comes back.

    :param name: how problems name the file (the uploaded file's own name).
    :raises QuestionnaireError: with every problem found, as ``NAME:LINE:COLUMN``; nothing
        was written.
    :raises DialerError: ``upload_too_large``.
    """
    _refuse_large(raw, MAX_QUESTIONNAIRE_BYTES, "questionnaire")
    text, problems = decode_text(raw, name)
    if text is None:
        raise QuestionnaireError(problems)
    checked = loads(text, name)
    slug_folder = version_folder(root, client_id, checked.slug, checked.version).parent
    slug_folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{checked.version}.upload-", dir=slug_folder))
    try:
        staged_file = staging / f"{checked.slug}.yaml"
        staged_file.write_bytes(raw)
        upload = QuestionnaireUpload(root, client_id, load(staged_file),
                                     hashlib.sha256(raw).hexdigest(), staging)
        upload.carried = _start_catalogs(upload)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        yield upload
    except BaseException:
        upload._finish(succeeded=False)
        raise
    upload._finish(succeeded=True)


def _start_catalogs(upload: QuestionnaireUpload) -> list[str]:
    """Write the template, and carry over the catalogs of the version replaced (else of the
    version before) merged with it; the languages carried over."""
    domain = tools.questionnaire_domain(upload.questionnaire)
    catalogs = upload.staging / CATALOGS
    tools.extract(domain, catalogs)
    source = _catalog_source(upload)
    carried = []
    for language in domain.targets():
        before = po_path(source, language, domain.name) if source is not None else None
        if before is None or not before.is_file():
            continue
        target = po_path(catalogs, language, domain.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(before, target)
        try:
            tools.update(domain, language, catalogs)
            tools.compile_catalog(domain, language, catalogs)
        except CatalogError as error:
            logger.warning("%s: the %s catalog is not carried over: %s", upload.folder,
                           language, error.message)
            shutil.rmtree(target.parent.parent)
            continue
        carried.append(language)
    return carried


def _catalog_source(upload: QuestionnaireUpload) -> Path | None:
    """The catalogs folder to start from: the replaced version's, else the newest version's
    below this one."""
    if (upload.folder / CATALOGS).is_dir():
        return upload.folder / CATALOGS
    version = upload.questionnaire.version
    earlier = sorted((int(folder.name) for folder in upload.folder.parent.iterdir()
                      if folder.name.isdigit() and int(folder.name) < version), reverse=True)
    for number in earlier:
        catalogs = upload.folder.parent / str(number) / CATALOGS
        if catalogs.is_dir():
            return catalogs
    return None


def stored_questionnaire(row: ClientQuestionnaire) -> Questionnaire:
    """The questionnaire of a stored version, loaded from its file.

    :raises DialerError: ``questionnaire`` when the file is gone or no longer loads.
    """
    try:
        return load(row.path)
    except EngineError as error:
        raise DialerError("questionnaire", error.message) from None


def client_questionnaires(session: Session, client_id: int | None = None
                          ) -> list[ClientQuestionnaire]:
    """The stored versions (of one client, if given), by slug, newest version first."""
    query = select(ClientQuestionnaire).order_by(ClientQuestionnaire.slug,
                                                 ClientQuestionnaire.version.desc(),
                                                 ClientQuestionnaire.client_id)
    if client_id is not None:
        query = query.where(ClientQuestionnaire.client_id == client_id)
    return list(session.scalars(query))


# --- catalogs -------------------------------------------------------------------------------
def catalogs_folder(row: ClientQuestionnaire) -> Path:
    """The folder of a stored version's catalogs (its template included)."""
    return Path(row.path).parent / CATALOGS


def template_file(questionnaire: Questionnaire) -> Path:
    """A stored questionnaire's template (``.pot``), written again if it went missing."""
    catalogs = Path(questionnaire.filename).parent / CATALOGS
    path = pot_path(catalogs, questionnaire.domain)
    if not path.is_file():
        tools.extract(tools.questionnaire_domain(questionnaire), catalogs)
    return path


@dataclass(frozen=True)
class LanguageStatus:
    """How far one language of a questionnaire is translated (as ``i18n status`` counts),
    and whether it can be fielded: ``fielding`` is None when it can, else the code of the
    refusal (``catalog_missing``, ``catalog_incomplete``...) with its ``message``."""

    language: str
    source: bool
    translated: int = 0
    fuzzy: int = 0
    missing: int = 0
    unreadable: str | None = None
    fielding: str | None = None
    message: str = ""


def translation_status(questionnaire: Questionnaire) -> list[LanguageStatus]:
    """Every language the questionnaire lists, its source language first."""
    domain = tools.questionnaire_domain(questionnaire)
    root = Path(questionnaire.filename).parent / CATALOGS
    found = [LanguageStatus(questionnaire.source_language, source=True)]
    for language in domain.targets():
        try:
            counts = checks.status(domain, language, root)
        except CatalogError as error:  # no template at all
            found.append(LanguageStatus(language, False, fielding=error.code,
                                        message=error.message))
            continue
        try:
            load_wording(questionnaire, language)
            verdict, message = None, ""
        except CatalogError as error:
            verdict, message = error.code, error.message
        found.append(LanguageStatus(language, False, counts.translated, counts.fuzzy,
                                    counts.missing, counts.unreadable, verdict, message))
    return found


@dataclass(frozen=True)
class CatalogVerdict:
    """What became of an uploaded catalog: accepted, or refused with the problems found
    (each on its line of the uploaded file, 0 for the whole file), and the file's text."""

    language: str
    text: str
    problems: tuple[Problem, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.problems


def accept_catalog(session: Session, row: ClientQuestionnaire, language: str, raw: bytes,
                   name: str) -> CatalogVerdict:
    """Check an uploaded catalog of ``language`` with the project's checks (``i18n check``)
    and compile it; only a clean one replaces the version's catalog of that language.

    :param name: how problems name the file.
    :raises DialerError: ``upload_too_large``; ``language_not_offered`` for a language the
        questionnaire is not translated into; ``catalog_in_use`` when a started campaign
        fields the language.
    """
    _refuse_large(raw, MAX_CATALOG_BYTES, "catalog")
    questionnaire = stored_questionnaire(row)
    domain = tools.questionnaire_domain(questionnaire)
    if language not in domain.targets():
        raise DialerError("language_not_offered",
                          f"{questionnaire.slug} is not translated into {language!r}: its "
                          f"catalogs are {', '.join(domain.targets()) or 'none'} (its source "
                          f"language is {questionnaire.source_language})")
    _refuse_in_use(session, row, language)
    text = raw.decode("utf-8", errors="replace")
    home = catalogs_folder(row)
    with tempfile.TemporaryDirectory(prefix=".catalog-", dir=home.parent) as scratch:
        trial = Path(scratch)
        shutil.copyfile(template_file(questionnaire), pot_path(trial, domain.name))
        uploaded = po_path(trial, language, domain.name)
        uploaded.parent.mkdir(parents=True)
        uploaded.write_bytes(raw)
        problems = checks.check(domain, language, trial)
        if not problems:
            compiled = tools.compile_catalog(domain, language, trial)
            problems = list(compiled.faults) if compiled is not None else []
        if problems:
            return CatalogVerdict(language, text, tuple(
                Problem(Path(name), problem.line, problem.message) for problem in problems))
        target = po_path(home, language, domain.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        uploaded.replace(target)  # the .po first: its .mo, renamed after, is newer
        mo_path(trial, language, domain.name).replace(mo_path(home, language, domain.name))
    logger.info("%s: catalog %s accepted", row.path, language)
    return CatalogVerdict(language, text)


def _refuse_in_use(session: Session, row: ClientQuestionnaire, language: str) -> None:
    started = [campaign.code for campaign in session.scalars(
        select(Campaign).where(Campaign.questionnaire_path == row.path,
                               Campaign.state != CampaignState.DRAFT).order_by(Campaign.code))
        if language in campaign.languages]
    if started:
        raise DialerError("catalog_in_use",
                          f"{', '.join(started)} fields {row.slug} version {row.version} in "
                          f"{language}: interviews are pinned to the catalog they were "
                          f"asked with, so it cannot change; raise the questionnaire's "
                          f"version to change its wording")
