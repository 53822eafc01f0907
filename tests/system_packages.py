"""The system components some tests use for real (SIPp, Chromium, PSPP), from Debian's packages.

A component that is missing is installed with apt-get where the tests can (root on Debian, the
package lists refreshed once if the first try fails). Otherwise the test is skipped with the
reason, except under ``CI=true``, where nothing may skip and it fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

import pytest

from tests.conftest import IN_CI


def debian_package(package: str, present: Callable[[], bool], what: str, *,
                   recommends: bool = True) -> str | None:
    """None once ``present()`` holds, installing ``package`` first if need be; else why the
    component (``what``) cannot be had here."""
    if present():
        return None
    if os.geteuid() == 0 and shutil.which("apt-get"):
        install = ["apt-get", "install", "-y", "-q", package]
        if not recommends:
            install.insert(3, "--no-install-recommends")
        for command in (install, ["apt-get", "update", "-q"], install):
            subprocess.run(command, check=False, capture_output=True, timeout=900,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            if present():
                return None
    return f"{what} (Debian package {package}) is not installed and could not be installed here"


def unavailable(problem: str) -> None:
    """Skip the test with ``problem`` as the reason; fail it under ``CI=true``."""
    if IN_CI:
        pytest.fail(problem)
    pytest.skip(problem)


def require_program(program: str, package: str, *, recommends: bool = False) -> str:
    """The path of ``program`` (from the Debian ``package``); the test skips when it cannot be
    had (fails under ``CI=true``)."""
    problem = debian_package(package, lambda: shutil.which(program) is not None,
                             f"{program}", recommends=recommends)
    found = shutil.which(program)
    if problem or found is None:
        unavailable(problem or f"{package} was installed but {program} is not on PATH")
    assert found is not None
    return found
