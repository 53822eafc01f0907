"""Fixtures of the results tests: PSPP (Debian's ``pspp``), the real consumer that reads the
SPSS files back, installed when missing and we can (root on Debian), else skipped with the
reason, except under ``CI=true`` where its absence fails the test."""

from __future__ import annotations

import shutil

import pytest

from tests.system_packages import debian_package, unavailable


@pytest.fixture(scope="session")
def pspp() -> str:
    """The path of the ``pspp`` program."""
    problem = debian_package("pspp", lambda: shutil.which("pspp") is not None, "PSPP",
                             recommends=False)
    found = shutil.which("pspp")
    if problem or found is None:
        unavailable(problem or "pspp was installed but is not on PATH")
    assert found is not None
    return found
