"""``survey-engine i18n status`` and ``check``: how far each catalog is translated, and
everything that makes it unfit for the field.

Counts are our own: ``pybabel compile --statistics`` counts fuzzy entries and half-empty
plural entries as translated, which would let an unusable catalog reach the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from survey_engine.i18n.languages import plural_forms
from survey_engine.i18n.paths import po_path
from survey_engine.i18n.pofiles import Problem, UnreadableCatalogError, label, read_catalog
from survey_engine.i18n.tools import Domain, read_template


@dataclass(frozen=True)
class Status:
    """Translated / fuzzy / missing counts of one catalog; ``unreadable`` says why a
    malformed ``.po`` or template could not be counted (the counts are then 0)."""

    domain: str
    language: str
    translated: int
    fuzzy: int
    missing: int
    unreadable: str | None = None

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.missing


def _entries(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def _is_empty(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
    return not strings or any(not s for s in strings)


def status(domain: Domain, language: str, root: Path) -> Status:
    """Translated / fuzzy / missing counts of one catalog against its template.

    An entry is translated only when it is not fuzzy and every form is non-empty.

    :raises CatalogError: if the template is missing (``template_missing``).
    """
    path = po_path(root, language, domain.name)
    try:
        template = read_template(domain, root)
        catalog = read_catalog(path, language) if path.exists() else None
    except UnreadableCatalogError as error:
        return Status(domain.name, language, 0, 0, 0, unreadable=error.message)
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


def check(domain: Domain, language: str, root: Path) -> list[Problem]:
    """Everything that makes a catalog unfit: a missing or unreadable file, a catalog of
    another questionnaire, version or language (its ``Project-Id-Version`` and ``Language``
    headers), missing entries, empty or fuzzy entries, missing plural forms, a wrong
    Plural-Forms header, placeholder sets that differ from the source, malformed braces.
    A catalog of another questionnaire is reported alone: its entries are not this one's.

    :raises CatalogError: if the template is missing (``template_missing``).
    """
    path = po_path(root, language, domain.name)
    if not path.exists():
        return [Problem(path, 0, f"no catalog for {language} (run 'survey-engine i18n init "
                                 f"--lang {language} --domain {domain.name}')")]
    try:
        template = read_template(domain, root)
        catalog = read_catalog(path, language)
    except UnreadableCatalogError as error:
        return [error.problem]
    problems = _identity_problems(domain, language, path, catalog)
    if problems and catalog.project != domain.name:
        return problems
    expected_forms = plural_forms(language)
    if _normalize(catalog.plural_forms) != _normalize(expected_forms):
        problems.append(Problem(path, 1, f"Plural-Forms is {catalog.plural_forms!r}; "
                                         f"{language} needs {expected_forms!r}"))
    for entry in _entries(template):
        message = catalog.get(entry.id, entry.context)
        if message is None:
            problems.append(Problem(path, 0, f"missing entry {label(entry)} (run "
                                             "'survey-engine i18n update')"))
            continue
        line = message.lineno or 0
        problems.extend(Problem(path, line, text) for text in
                        _message_problems(domain, message, catalog.num_plurals))
    return problems


def _identity_problems(domain: Domain, language: str, path: Path, catalog: Catalog
                       ) -> list[Problem]:
    """A questionnaire's catalog must name its questionnaire and version (as the template
    does) and, if it names a language, this one: a catalog uploaded for the wrong
    questionnaire, version or language is refused, not merged."""
    problems: list[Problem] = []
    if domain.questionnaire is not None:
        named = f"{catalog.project} {catalog.version}".strip()
        wanted = f"{domain.name} {domain.version}"
        if catalog.project != domain.name:
            problems.append(Problem(path, 1, f"this catalog is for {named!r} "
                                             f"(Project-Id-Version), not for {wanted!r}: "
                                             f"start from the template of {wanted}"))
        elif catalog.version != domain.version:
            problems.append(Problem(path, 1, f"this catalog is for version "
                                             f"{catalog.version} of {domain.name}, not "
                                             f"version {domain.version}: merge it with the "
                                             f"template of version {domain.version} "
                                             f"(msgmerge, or 'survey-engine i18n update')"))
    written = catalog.locale_identifier
    if written and written != language.replace("-", "_"):
        problems.append(Problem(path, 1, f"this catalog is in {written!r} (Language), not "
                                         f"in {language!r}"))
    return problems


def _normalize(forms: str) -> str:
    return re.sub(r"\s+", "", forms).rstrip(";")


def _message_problems(domain: Domain, message: Message, nplurals: int) -> Iterator[str]:
    name = label(message)
    if message.fuzzy:
        yield f"fuzzy entry {name}"
    if message.pluralizable:
        strings = message.string if isinstance(message.string, (tuple, list)) else []
        filled = [s for s in strings if s]
        if len(filled) < nplurals:
            yield f"plural forms missing for {name}: {len(filled)} of {nplurals} filled"
    elif not message.string:
        yield f"empty entry {name}"
    for fault in domain.faults(message):
        if fault.syntax is not None:
            yield f"malformed braces in {name}: {fault.detail}"
        else:
            yield f"placeholders of {name} differ: {fault.detail}"
