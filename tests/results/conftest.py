"""Fixtures of the results tests: PSPP (Debian's ``pspp``), the real consumer that reads the
SPSS files back, installed when missing and we can (root on Debian), else skipped with the
reason, except under ``CI=true`` where its absence fails the test."""

from __future__ import annotations

import pytest

from tests.system_packages import require_program


@pytest.fixture(scope="session")
def pspp() -> str:
    """The path of the ``pspp`` program."""
    return require_program("pspp", "pspp")
