"""Fixtures of the results tests: PSPP (Debian's ``pspp``), the real consumer that reads the
SPSS files back, installed when missing and we can (root on Debian), else skipped with the
reason, except under ``CI=true`` where its absence fails the test."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import IN_CI


def _install_pspp() -> str | None:
    """Install Debian's pspp; None when done, else why it could not be."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "pspp is not installed, and apt-get cannot install it here (not root on Debian)"
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "--no-install-recommends", "pspp"]
    done = subprocess.run(command, capture_output=True, text=True, env=environment,
                          timeout=900, check=False)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update"], capture_output=True, env=environment,
                       timeout=900, check=False)
        done = subprocess.run(command, capture_output=True, text=True, env=environment,
                              timeout=900, check=False)
    if done.returncode != 0:
        return f"apt-get install pspp failed: {done.stderr.strip().splitlines()[-1:]}"
    return None


@pytest.fixture(scope="session")
def pspp() -> str:
    """The path of the ``pspp`` program."""
    found = shutil.which("pspp")
    if found is None:
        problem = _install_pspp()
        found = shutil.which("pspp")
        if found is None:
            message = problem or "pspp was installed but is not on PATH"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
    return found
