"""The product's own strings (``messages`` domain): refusals read to the respondent, words
such as "yes" or "don't know", and the CLI's interview prompts.

Strings are written in English in the code and translated through gettext catalogs. A
language with no compiled catalog falls back, explicitly, along the chain
``language -> en``.
"""

from __future__ import annotations

import gettext
import logging
from functools import lru_cache
from pathlib import Path

from babel.support import Translations

from survey_engine.i18n.paths import MESSAGES_DOMAIN, locales_dir, mo_path

logger = logging.getLogger(__name__)


@lru_cache(maxsize=32)
def _load(root: Path, language: str) -> gettext.NullTranslations:
    path = mo_path(root, language, MESSAGES_DOMAIN)
    if not path.exists():
        if language != "en":
            logger.warning("no compiled messages catalog for %r at %s; falling back to English "
                           "(run 'survey-engine i18n compile')", language, path)
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        return Translations(handle, domain=MESSAGES_DOMAIN)


def translations(language: str, root: Path | None = None) -> gettext.NullTranslations:
    """gettext translations of the product's strings into ``language``."""
    return _load(root or locales_dir(), language)


def clear_cache() -> None:
    """Forget loaded catalogs (after ``i18n compile``, or in tests)."""
    _load.cache_clear()
