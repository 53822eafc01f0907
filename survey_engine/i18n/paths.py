"""Where catalogs live: ``locales/<language>/LC_MESSAGES/<domain>.po`` (and ``.mo``), and the
templates ``locales/<domain>.pot``.

The directory comes from ``SURVEY_ENGINE_LOCALES`` or defaults to the ``locales/`` folder of
the project checkout. A questionnaire may also keep its catalogs with it: a ``locales/``
folder beside its file (as the questionnaires uploaded in the client portal do, one folder per
client, questionnaire and version, so that two questionnaires of one slug never share a
catalog); :func:`own_catalogs` finds it.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MESSAGES_DOMAIN = "messages"


def locales_dir() -> Path:
    """The catalogs directory in force."""
    configured = os.environ.get("SURVEY_ENGINE_LOCALES")
    return Path(configured) if configured else PROJECT_ROOT / "locales"


def own_catalogs(questionnaire_file: str | Path) -> Path | None:
    """The ``locales/`` folder beside a questionnaire file, if the file exists and the
    folder does; None otherwise (the questionnaire's catalogs are then in the catalogs
    directory in force)."""
    path = Path(questionnaire_file)
    folder = path.parent / "locales"
    return folder if path.is_file() and folder.is_dir() else None


def po_path(root: Path, language: str, domain: str) -> Path:
    return root / language / "LC_MESSAGES" / f"{domain}.po"


def mo_path(root: Path, language: str, domain: str) -> Path:
    return root / language / "LC_MESSAGES" / f"{domain}.mo"


def pot_path(root: Path, domain: str) -> Path:
    return root / f"{domain}.pot"
