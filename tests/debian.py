"""System programs the tests need, from Debian's packages: found on PATH, else installed with
apt-get when we can (root on Debian), else the reason why not, for the test to skip (or fail
under ``CI=true``, see :func:`require_program`)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import IN_CI


def program_problem(program: str, package: str) -> str | None:
    """Why ``program`` (from the Debian ``package``) cannot be used, or None once it is on
    PATH (installed here if need be; the package lists are updated once if the first try
    fails)."""
    if shutil.which(program):
        return None
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"{program} is not installed, and apt-get cannot install {package} here " \
               "(not root on Debian)"
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", package]
    done = subprocess.run(install, capture_output=True, text=True, env=environment,
                          timeout=900, check=False)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update"], capture_output=True, env=environment,
                       timeout=900, check=False)
        done = subprocess.run(install, capture_output=True, text=True, env=environment,
                              timeout=900, check=False)
    if done.returncode != 0:
        return f"apt-get install {package} failed: {done.stderr.strip().splitlines()[-1:]}"
    if not shutil.which(program):
        return f"{package} was installed but {program} is not on PATH"
    return None


def require_program(program: str, package: str) -> str:
    """The path of ``program``; skips the test when it cannot be had (fails under CI)."""
    problem = program_problem(program, package)
    found = shutil.which(program)
    if problem is not None or found is None:
        message = problem or f"{program} is not on PATH"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found
