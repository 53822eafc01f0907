"""A questionnaire's wording in one language, from its compiled catalog.

Fielding is allowed only when every text of the questionnaire has a translation in the
compiled catalog (fuzzy and empty entries are never compiled) and every translation renders
with exactly the placeholders of its source: a renamed ``{placeholder}`` would silently drop
the value, a stray brace would crash the interview. The catalog is pinned by the SHA-256 of
its ``.mo`` file so an interview can record exactly which wording it used.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import struct
from dataclasses import dataclass, field
from pathlib import Path

from survey_engine.errors import CatalogError
from survey_engine.i18n.faults import brace_fault
from survey_engine.i18n.hints import compile_steps
from survey_engine.i18n.paths import locales_dir, mo_path, own_catalogs, po_path
from survey_engine.questionnaire.model import Questionnaire, TranslatableText


@dataclass(frozen=True)
class Wording:
    """Texts of one questionnaire in one language: ``text(item)`` gives the translation."""

    language: str
    sha256: str | None = None
    _strings: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def text(self, item: TranslatableText) -> str:
        """The translation of ``item`` (the source text itself in the source language)."""
        return self._strings.get((item.context, item.text), item.text)

    def lookup(self, context: str, source: str) -> str:
        """Translation by context and source text (the source text when absent)."""
        return self._strings.get((context, source), source)


def source_wording(questionnaire: Questionnaire) -> Wording:
    """The questionnaire's own texts, as written."""
    return Wording(questionnaire.source_language)


def missing_texts(questionnaire: Questionnaire, strings: dict[tuple[str, str], str]
                  ) -> list[str]:
    """Descriptions of the questionnaire texts that ``strings`` does not translate."""
    return [f"{item.context} (line {item.line}): {item.text!r}" for item in questionnaire.texts
            if not strings.get((item.context, item.text))]


def placeholder_faults(questionnaire: Questionnaire, strings: dict[tuple[str, str], str]
                       ) -> list[str]:
    """Descriptions of the translations in ``strings`` whose placeholders differ from their
    source's, or whose braces are malformed."""
    faults = []
    for item in questionnaire.texts:
        translation = strings.get((item.context, item.text))
        fault = brace_fault(item.placeholders, translation) if translation else None
        if fault is not None:
            faults.append(f"{item.context} (line {item.line}): {fault} in {translation!r}")
    return faults


class UnfitCatalogError(CatalogError):
    """A compiled catalog cannot be fielded: ``missing`` lists the untranslated texts
    (code ``catalog_incomplete``), ``faults`` the translations with wrong placeholders or
    malformed braces (code ``catalog_placeholders`` when nothing is missing)."""

    def __init__(self, questionnaire: Questionnaire, language: str, missing: list[str],
                 faults: list[str]) -> None:
        sections = [f"{len(missing)} text(s) untranslated:\n  " + "\n  ".join(missing)
                    ] if missing else []
        if faults:
            sections.append(f"{len(faults)} translation(s) with placeholder faults (run "
                            f"'survey-engine i18n check'):\n  " + "\n  ".join(faults))
        super().__init__(f"{questionnaire.slug} cannot be fielded in {language}: "
                         + "\n".join(sections), missing=missing,
                         code="catalog_incomplete" if missing else "catalog_placeholders")
        self.faults = faults


class _Untranslated(gettext.NullTranslations):
    """Fallback that marks a text the catalog lacks (a translation may equal its source)."""

    MARK = "\x00untranslated"

    def pgettext(self, context: str, message: str) -> str:
        return self.MARK


def _translated(questionnaire: Questionnaire, data: bytes) -> dict[tuple[str, str], str]:
    """The questionnaire's texts that the compiled catalog ``data`` translates.

    :raises OSError, struct.error, UnicodeDecodeError: if ``data`` is not a compiled catalog.
    """
    translations = gettext.GNUTranslations(io.BytesIO(data))
    translations.add_fallback(_Untranslated())
    strings: dict[tuple[str, str], str] = {}
    for item in questionnaire.texts:
        text = translations.pgettext(item.context, item.text)
        if text != _Untranslated.MARK:
            strings[(item.context, item.text)] = text
    return strings


def load_wording(questionnaire: Questionnaire, language: str, root: Path | None = None
                 ) -> Wording:
    """The questionnaire's wording in ``language``, ready for fielding.

    The catalog is read from the questionnaire's own ``locales/`` folder when it keeps one
    beside its file (:func:`~survey_engine.i18n.paths.own_catalogs`), else from ``root``
    (default: the catalogs directory in force).

    :raises CatalogError: if the language is not offered, the catalog is missing (the
        message says which steps remain), unreadable or older than its ``.po`` source.
    :raises UnfitCatalogError: if any text is untranslated (``missing`` lists them) or any
        translation has placeholders that differ from its source's or malformed braces
        (``faults`` lists them).
    """
    if language not in questionnaire.languages:
        offered = ", ".join(questionnaire.languages)
        raise CatalogError(f"{questionnaire.slug} is not offered in {language!r} (offered: "
                           f"{offered})", code="language_not_offered")
    if language == questionnaire.source_language:
        return source_wording(questionnaire)
    root = own_catalogs(questionnaire.filename) or root or locales_dir()
    mo, po = mo_path(root, language, questionnaire.domain), po_path(root, language,
                                                                    questionnaire.domain)
    if not mo.exists():
        raise CatalogError(f"no compiled catalog {mo} for {questionnaire.slug} in {language} "
                           f"({compile_steps(questionnaire, language, root)})",
                           code="catalog_missing")
    if po.exists() and po.stat().st_mtime > mo.stat().st_mtime:
        raise CatalogError(f"{mo} is older than {po.name}: "
                           f"{compile_steps(questionnaire, language, root)}",
                           code="catalog_stale")
    data = mo.read_bytes()
    try:
        strings = _translated(questionnaire, data)
    except (OSError, struct.error, UnicodeDecodeError) as error:
        raise CatalogError(f"{mo} is unreadable ({error or type(error).__name__}): run "
                           "'survey-engine i18n compile'", code="catalog_unreadable") from None
    missing = missing_texts(questionnaire, strings)
    faults = placeholder_faults(questionnaire, strings)
    if missing or faults:
        raise UnfitCatalogError(questionnaire, language, missing, faults)
    return Wording(language, hashlib.sha256(data).hexdigest(), strings)
