"""Where catalogs live: ``locales/<language>/LC_MESSAGES/<domain>.po`` (and ``.mo``), and the
templates ``locales/<domain>.pot``.

The directory comes from ``SURVEY_ENGINE_LOCALES`` or defaults to the ``locales/`` folder of
the project checkout.
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


def po_path(root: Path, language: str, domain: str) -> Path:
    return root / language / "LC_MESSAGES" / f"{domain}.po"


def mo_path(root: Path, language: str, domain: str) -> Path:
    return root / language / "LC_MESSAGES" / f"{domain}.mo"


def pot_path(root: Path, domain: str) -> Path:
    return root / f"{domain}.pot"
