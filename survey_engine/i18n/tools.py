"""The catalog workflow behind ``survey-engine i18n``: extract, init, update and compile,
over one gettext domain per questionnaire plus the product's ``messages`` (status and check
are in :mod:`~survey_engine.i18n.checks`).

A catalog Babel cannot parse raises
:class:`~survey_engine.i18n.pofiles.UnreadableCatalogError` (``FILE:LINE: message``) and is
never overwritten or compiled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo

from survey_engine.errors import CatalogError
from survey_engine.i18n.extractor import messages_of
from survey_engine.i18n.faults import (
    PERCENT,
    PlaceholderFault,
    brace_fault,
    brace_names,
    percent_fault,
)
from survey_engine.i18n.languages import LANGUAGES, SOURCE_LANGUAGE, plural_forms
from survey_engine.i18n.messages import clear_cache
from survey_engine.i18n.paths import MESSAGES_DOMAIN, PROJECT_ROOT, mo_path, po_path, pot_path
from survey_engine.i18n.pofiles import Problem, label, read_catalog, write_catalog
from survey_engine.questionnaire.model import Questionnaire

#: Where the product's own strings (``messages``) are written: the packages' Python files, the
#: web application's templates and the results package's (Jinja2, ``_()`` calls).
MESSAGE_SOURCES = (("survey_engine", [("**.py", "python"),
                                      ("web/templates/**.html", "jinja2.ext:babel_extract")]),
                   ("results", [("**.py", "python"), ("templates/**.html", "jinja2")]))
#: Babel's default keywords, and the lazy ones forms and labels use.
MESSAGES_KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}


@dataclass(frozen=True)
class Domain:
    """A gettext domain: its name, its source language and the languages it needs."""

    name: str
    source_language: str
    languages: tuple[str, ...]
    questionnaire: Questionnaire | None = None

    def fault(self, source: str, translation: str) -> PlaceholderFault | None:
        """What is wrong with the placeholders of ``translation``, None if nothing:
        ``{name}`` placeholders for a questionnaire, ``%(name)s`` for ``messages``."""
        if self.questionnaire is None:
            return percent_fault(source, translation)
        return brace_fault(brace_names(source), translation)

    def faults(self, message: Message) -> Iterator[PlaceholderFault]:
        """The placeholder faults of every non-empty form of a catalog entry."""
        source = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
        strings = message.string if isinstance(message.string, (tuple, list)) \
            else [message.string]
        for string in strings:
            fault = self.fault(source, str(string)) if string else None
            if fault is not None:
                yield fault

    @property
    def version(self) -> str:
        """The version catalogs of this domain are for: the questionnaire's (``1`` for the
        product's ``messages``)."""
        return str(self.questionnaire.version) if self.questionnaire is not None else "1"

    def targets(self) -> tuple[str, ...]:
        """Languages that need a translated catalog (all but the source)."""
        return tuple(code for code in self.languages if code != self.source_language)


def messages_domain() -> Domain:
    return Domain(MESSAGES_DOMAIN, SOURCE_LANGUAGE, tuple(LANGUAGES))


def questionnaire_domain(questionnaire: Questionnaire) -> Domain:
    return Domain(questionnaire.domain, questionnaire.source_language,
                  questionnaire.languages, questionnaire)


# --- extract ---------------------------------------------------------------------------

def template_for(domain: Domain) -> Catalog:
    """The template (``.pot``) catalog of a domain, freshly extracted from its source.

    Its ``Project-Id-Version`` names the questionnaire and its version
    (``market-study 3``), so a catalog translated from it says which one it is for."""
    template = Catalog(project=domain.name, version=domain.version, fuzzy=False,
                       charset="utf-8",
                       copyright_holder="the survey-engine authors",
                       msgid_bugs_address="translations@survey-engine.invalid",
                       header_comment=_HEADER.format(domain=domain.name),
                       creation_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    if domain.questionnaire is None:
        for package, method_map in MESSAGE_SOURCES:
            extracted = extract_from_dir(PROJECT_ROOT / package, method_map=method_map,
                                         keywords=MESSAGES_KEYWORDS,
                                         comment_tags=("Translators:",))
            for filename, line, message, comments, context in extracted:
                template.add(message, None, [(f"{package}/{filename}", line)],
                             auto_comments=comments, context=context, flags=_flags(message))
        return template
    questionnaire = domain.questionnaire
    source = Path(questionnaire.filename).name
    for line, _, (context, text), comments in messages_of(questionnaire):
        template.add(text, None, [(source, line)], auto_comments=comments, context=context)
    return template


_HEADER = """\
# Translations of the {domain} domain of survey-engine.
# Edit the .po files of each language; regenerate this template with
# 'survey-engine i18n extract' and merge it with 'survey-engine i18n update'.
#"""


def _flags(message: str | tuple[str, ...]) -> tuple[str, ...]:
    first = message[0] if isinstance(message, tuple) else message
    return ("python-format",) if PERCENT.search(first) else ()


def extract(domain: Domain, root: Path) -> Path:
    """Write ``root/<domain>.pot``; return its path."""
    path = pot_path(root, domain.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_catalog(path, template_for(domain))
    return path


def read_template(domain: Domain, root: Path) -> Catalog:
    """The domain's extracted template.

    :raises CatalogError: if there is none (``template_missing``) or it cannot be read
        (:class:`~survey_engine.i18n.pofiles.UnreadableCatalogError`).
    """
    path = pot_path(root, domain.name)
    if not path.exists():
        raise CatalogError(f"no template {path}: run 'survey-engine i18n extract' first",
                           code="template_missing")
    return read_catalog(path)


# --- init / update ---------------------------------------------------------------------

def _set_plural_forms(catalog: Catalog, language: str) -> None:
    catalog.mime_headers = [("Plural-Forms", plural_forms(language))]


def init(domain: Domain, language: str, root: Path, force: bool = False) -> Path | None:
    """Create the ``.po`` of ``language`` from the template; None if it exists (and not
    ``force``)."""
    path = po_path(root, language, domain.name)
    if path.exists() and not force:
        return None
    template = read_template(domain, root)
    catalog = Catalog(locale=language.replace("-", "_"), domain=domain.name,
                      project=domain.name, version=domain.version, charset="utf-8",
                      fuzzy=False,
                      copyright_holder="the survey-engine authors",
                      msgid_bugs_address="translations@survey-engine.invalid",
                      header_comment=_HEADER.format(domain=f"{domain.name} ({language})"))
    catalog.update(template, no_fuzzy_matching=True)
    _set_plural_forms(catalog, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_catalog(path, catalog)
    return path


def update(domain: Domain, language: str, root: Path) -> Path | None:
    """Merge the template into an existing ``.po`` (changed texts become fuzzy); None if
    there is no ``.po``. The catalog then names the template's version: it is a catalog of
    that version, whose changed texts wait (fuzzy) for their translator.

    :raises CatalogError: if the template is missing, or either file cannot be read (the
        ``.po`` is then left as it is).
    """
    path = po_path(root, language, domain.name)
    if not path.exists():
        return None
    catalog = read_catalog(path, language)
    catalog.update(read_template(domain, root))
    catalog.version = domain.version
    _set_plural_forms(catalog, language)
    write_catalog(path, catalog)
    return path


# --- compile ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Compiled:
    """A written ``.mo`` and the placeholder faults of the entries it holds."""

    path: Path
    faults: tuple[Problem, ...] = ()


def compile_catalog(domain: Domain, language: str, root: Path) -> Compiled | None:
    """Write the ``.mo`` of a ``.po`` (fuzzy and empty entries are left out); None if there
    is no ``.po``.

    Entries whose placeholders do not fit their source are compiled as they are and
    reported in ``faults``: leaving them out would make fielding call them "untranslated",
    hiding the real fault, and refusing the whole catalog would keep an older ``.mo``.
    :func:`~survey_engine.i18n.catalog.load_wording` refuses to field such a catalog and
    names each faulty entry.

    :raises UnreadableCatalogError: if the ``.po`` cannot be parsed (no ``.mo`` is written;
        an existing one is left untouched, and is older than the ``.po``, so not fielded).
    """
    path = po_path(root, language, domain.name)
    if not path.exists():
        return None
    catalog = read_catalog(path, language)
    target = mo_path(root, language, domain.name)
    temporary = target.with_suffix(".mo.tmp")
    with temporary.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    temporary.replace(target)
    clear_cache()
    faults = tuple(Problem(path, message.lineno or 0, f"{label(message)}: {fault}")
                   for message in catalog if message.id and not message.fuzzy
                   for fault in domain.faults(message))
    return Compiled(target, faults)
