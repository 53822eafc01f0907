"""The catalog workflow behind ``survey-engine i18n``: extract, init, update, compile,
status and check, over one gettext domain per questionnaire plus the product's ``messages``.

Counts are our own: ``pybabel compile --statistics`` counts fuzzy entries and half-empty
plural entries as translated, which would let an unusable catalog reach the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from survey_engine.errors import CatalogError
from survey_engine.i18n.extractor import messages_of
from survey_engine.i18n.languages import LANGUAGES, SOURCE_LANGUAGE, plural_forms
from survey_engine.i18n.messages import clear_cache
from survey_engine.i18n.paths import MESSAGES_DOMAIN, PROJECT_ROOT, mo_path, po_path, pot_path
from survey_engine.questionnaire.model import Questionnaire

PACKAGE_DIR = PROJECT_ROOT / "survey_engine"
_BRACE = re.compile(r"(?<!\{)\{([^{}]+)\}")
_PERCENT = re.compile(r"%\(([a-z_]+)\)[sd]")


@dataclass(frozen=True)
class Domain:
    """A gettext domain: its name, its source language and the languages it needs."""

    name: str
    source_language: str
    languages: tuple[str, ...]
    questionnaire: Questionnaire | None = None

    @property
    def placeholder_pattern(self) -> re.Pattern[str]:
        return _PERCENT if self.questionnaire is None else _BRACE

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
    """The template (``.pot``) catalog of a domain, freshly extracted from its source."""
    template = Catalog(project=domain.name, version="1", fuzzy=False, charset="utf-8",
                       copyright_holder="the survey-engine authors",
                       msgid_bugs_address="translations@survey-engine.invalid",
                       header_comment=_HEADER.format(domain=domain.name),
                       creation_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    if domain.questionnaire is None:
        extracted = extract_from_dir(PACKAGE_DIR, method_map=[("**.py", "python")],
                                     comment_tags=("Translators:",))
        for filename, line, message, comments, context in extracted:
            path = f"survey_engine/{filename}"
            template.add(message, None, [(path, line)], auto_comments=comments,
                         context=context, flags=_flags(message))
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
    return ("python-format",) if _PERCENT.search(first) else ()


def extract(domain: Domain, root: Path) -> Path:
    """Write ``root/<domain>.pot``; return its path."""
    path = pot_path(root, domain.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_po(path, template_for(domain), template=True)
    return path


def _write_po(path: Path, catalog: Catalog, template: bool = False) -> None:
    """Write atomically, so a failure never leaves a half-written catalog."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    with temporary.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, omit_header=False,
                 include_previous=True)
    temporary.replace(path)


def _read_po(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language, abort_invalid=True)


def _template(domain: Domain, root: Path) -> Catalog:
    path = pot_path(root, domain.name)
    if not path.exists():
        raise CatalogError(f"no template {path}: run 'survey-engine i18n extract' first",
                           code="template_missing")
    return _read_po(path)


# --- init / update ---------------------------------------------------------------------

def _set_plural_forms(catalog: Catalog, language: str) -> None:
    catalog.mime_headers = [("Plural-Forms", plural_forms(language))]


def init(domain: Domain, language: str, root: Path, force: bool = False) -> Path | None:
    """Create the ``.po`` of ``language`` from the template; None if it exists (and not
    ``force``)."""
    path = po_path(root, language, domain.name)
    if path.exists() and not force:
        return None
    template = _template(domain, root)
    catalog = Catalog(locale=language.replace("-", "_"), domain=domain.name,
                      project=domain.name, version="1", charset="utf-8", fuzzy=False,
                      copyright_holder="the survey-engine authors",
                      msgid_bugs_address="translations@survey-engine.invalid",
                      header_comment=_HEADER.format(domain=f"{domain.name} ({language})"))
    catalog.update(template, no_fuzzy_matching=True)
    _set_plural_forms(catalog, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_po(path, catalog)
    return path


def update(domain: Domain, language: str, root: Path) -> Path | None:
    """Merge the template into an existing ``.po`` (changed texts become fuzzy)."""
    path = po_path(root, language, domain.name)
    if not path.exists():
        return None
    catalog = _read_po(path, language.replace("-", "_"))
    catalog.update(_template(domain, root))
    _set_plural_forms(catalog, language)
    _write_po(path, catalog)
    return path


# --- compile ---------------------------------------------------------------------------

def compile_catalog(domain: Domain, language: str, root: Path) -> Path | None:
    """Write the ``.mo`` of a ``.po`` (fuzzy and empty entries are left out)."""
    path = po_path(root, language, domain.name)
    if not path.exists():
        return None
    catalog = _read_po(path, language.replace("-", "_"))
    target = mo_path(root, language, domain.name)
    temporary = target.with_suffix(".mo.tmp")
    with temporary.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    temporary.replace(target)
    clear_cache()
    return target


# --- status / check --------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    domain: str
    language: str
    translated: int
    fuzzy: int
    missing: int

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.missing


def _entries(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def _key(message: Message) -> tuple[str | None, object]:
    return message.context, message.id


def _is_empty(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
    return not strings or any(not s for s in strings)


def status(domain: Domain, language: str, root: Path) -> Status:
    """Translated / fuzzy / missing counts of one catalog against its template.

    An entry is translated only when it is not fuzzy and every form is non-empty.
    """
    template = _template(domain, root)
    path = po_path(root, language, domain.name)
    catalog = _read_po(path, language.replace("-", "_")) if path.exists() else None
    translated = fuzzy = missing = 0
    for entry in _entries(template):
        message = catalog.get(entry.id, entry.context) if catalog is not None else None
        if message is None or _is_empty(message):
            missing += 1
        elif message.fuzzy:
            fuzzy += 1
        else:
            translated += 1
    return Status(domain.name, language, translated, fuzzy, missing)


@dataclass(frozen=True)
class Problem:
    """One reason a catalog is not ready, located in its ``.po`` file."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def check(domain: Domain, language: str, root: Path) -> list[Problem]:
    """Everything that makes a catalog unfit: missing file or entries, empty or fuzzy
    entries, missing plural forms, a wrong Plural-Forms header, placeholder sets that differ
    from the source."""
    path = po_path(root, language, domain.name)
    if not path.exists():
        return [Problem(path, 0, f"no catalog for {language} (run 'survey-engine i18n init')")]
    template = _template(domain, root)
    catalog = _read_po(path, language.replace("-", "_"))
    problems: list[Problem] = []
    expected_forms = plural_forms(language)
    if _normalize(catalog.plural_forms) != _normalize(expected_forms):
        problems.append(Problem(path, 1, f"Plural-Forms is {catalog.plural_forms!r}; "
                                         f"{language} needs {expected_forms!r}"))
    for entry in _entries(template):
        message = catalog.get(entry.id, entry.context)
        label = _label(entry)
        if message is None:
            problems.append(Problem(path, 0, f"missing entry {label} (run 'survey-engine i18n "
                                             "update')"))
            continue
        line = message.lineno or 0
        problems.extend(Problem(path, line, text) for text in
                        _message_problems(domain, message, catalog.num_plurals, label))
    return problems


def _normalize(forms: str) -> str:
    return re.sub(r"\s+", "", forms).rstrip(";")


def _label(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    context = f"[{message.context}] " if message.context else ""
    return f"{context}{msgid!r}"


def _message_problems(domain: Domain, message: Message, nplurals: int, label: str
                      ) -> Iterator[str]:
    if message.fuzzy:
        yield f"fuzzy entry {label}"
    strings: list[str]
    if message.pluralizable:
        strings = [str(s) for s in message.string] if isinstance(message.string,
                                                                  (tuple, list)) else []
        filled = [s for s in strings if s]
        if len(filled) < nplurals:
            yield f"plural forms missing for {label}: {len(filled)} of {nplurals} filled"
        sources = [str(part) for part in message.id]
    else:
        strings = [str(message.string)] if message.string else []
        if not strings:
            yield f"empty entry {label}"
        sources = [str(message.id)]
    expected = set(domain.placeholder_pattern.findall(sources[0]))
    for string in strings:
        if not string:
            continue
        found = set(domain.placeholder_pattern.findall(string))
        if found != expected:
            yield (f"placeholders of {label} differ: source has "
                   f"{sorted(expected) or 'none'}, translation has {sorted(found) or 'none'}")
