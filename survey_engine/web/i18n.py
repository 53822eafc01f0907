"""The interface language of each request, with an explicit fallback chain.

The language wanted is the signed-in person's own (an agent's ``interface_language``, a
user's), else the best match of the browser's ``Accept-Language`` among the product
languages, else English. It is then resolved along this chain, the first with a compiled
``messages`` catalog winning:

1. the language itself (``ru``), formatted with its pinned CLDR locale (``ru_RU``; Albanian
   ``sq_XK`` for the 24-hour clock, see :mod:`survey_engine.i18n.languages`);
2. its base language, for a regional code (``nl-BE`` -> ``nl``);
3. English, the language the product's strings are written in.

A message missing from a catalog falls back to its English source text. What the respondent
hears (the questionnaire, the refusals read out) is never in the interface language: it is
rendered in the interview's language by the interview engine.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from flask import current_app, request

from survey_engine.i18n.languages import LANGUAGES, SOURCE_LANGUAGE
from survey_engine.i18n.paths import MESSAGES_DOMAIN, locales_dir, mo_path
from survey_engine.web.principal import current_principal

logger = logging.getLogger(__name__)


def fallback_chain(wanted: str) -> list[str]:
    """The languages tried for ``wanted``, in order (module docstring)."""
    chain = [wanted]
    base = wanted.replace("_", "-").split("-")[0]
    if base != wanted:
        chain.append(base)
    if SOURCE_LANGUAGE not in chain:
        chain.append(SOURCE_LANGUAGE)
    return chain


@lru_cache(maxsize=64)
def resolve(wanted: str) -> str:
    """The first language of the chain that has a compiled catalog (English always has)."""
    root = locales_dir()
    for language in fallback_chain(wanted):
        if language == SOURCE_LANGUAGE or mo_path(root, language, MESSAGES_DOMAIN).exists():
            if language != wanted:
                logger.warning("no interface catalog for %r: using %r", wanted, language)
            return language
    return SOURCE_LANGUAGE


def wanted_language() -> str:
    """The language the reader asks for, before the fallback chain."""
    principal = current_principal()
    if principal is not None:
        return principal.language
    if request:
        match = request.accept_languages.best_match(list(LANGUAGES))
        if match:
            return match
    return SOURCE_LANGUAGE


def interface_language() -> str:
    """The product language the current request is answered in."""
    return resolve(wanted_language())


def select_locale() -> str:
    """Flask-Babel's locale: the interface language's pinned CLDR locale."""
    language = LANGUAGES.get(interface_language())
    return language.locale if language else SOURCE_LANGUAGE


def select_timezone() -> str:
    """Flask-Babel's time zone: the principal's (an agent's or supervisor's site)."""
    principal = current_principal()
    zone: str = principal.time_zone if principal else \
        current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return zone
