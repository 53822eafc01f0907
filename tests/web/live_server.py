"""The real served application for tests and benchmarks: ``survey-engine serve`` (waitress)
in a process of its own on a free loopback port, and ``survey-engine worker`` beside it, on a
database and instance folder the caller gives. Both are stopped when the ``with`` ends."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: Every call answered by a person (so a test never waits on busy lines and machines).
ALL_ANSWER_CONFIG = """\
[telephony]
backend = "sim"

[telephony.sim]
seed = 11
rates = { non_working = 0, disconnected = 0, always_busy = 0, busy = 0, no_answer = 0, \
answering_machine = 0, call_blocked = 0, network_failure = 0 }
"""
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class LiveServer:
    """A served application: its address and its process."""

    url: str
    process: subprocess.Popen[str]


def environment(instance: Path, database_url: str, extra: Mapping[str, str] | None = None
                ) -> dict[str, str]:
    """The environment of the server and worker processes."""
    return {**os.environ, "SURVEY_ENGINE_INSTANCE": str(instance),
            "SURVEY_ENGINE_DATABASE_URL": database_url,
            "SURVEY_ENGINE_SECRET_KEY": "live-server-test-key", **(extra or {})}


def _first_line(stream: object, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()),  # type: ignore[attr-defined]
                     daemon=True).start()
    return lines.get(timeout=timeout)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _serve_process(instance: Path, database_url: str, threads: int,
                   extra_env: Mapping[str, str] | None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "survey_engine.cli", "serve", "--port", "0", "--threads",
         str(threads), "--insecure-cookies"],
        env=environment(instance, database_url, extra_env), stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True)


def _worker_process(instance: Path, database_url: str, interval: float
                    ) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "survey_engine.cli", "worker", "--interval", str(interval)],
        env=environment(instance, database_url), stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True)


def _server_started(process: subprocess.Popen[str]) -> LiveServer:
    line = _first_line(process.stdout, START_TIMEOUT)
    if not line.startswith("serving on "):
        raise RuntimeError(f"survey-engine serve did not start: {line!r}")
    url = line.removeprefix("serving on ").strip()
    _wait_until_healthy(url)
    return LiveServer(url, process)


def _worker_started(process: subprocess.Popen[str]) -> None:
    line = _first_line(process.stdout, START_TIMEOUT)
    if not line.startswith("dialer worker running"):
        raise RuntimeError(f"survey-engine worker did not start: {line!r}")


@contextmanager
def served(instance: Path, database_url: str, *, threads: int = 8,
           extra_env: Mapping[str, str] | None = None) -> Iterator[LiveServer]:
    """``survey-engine serve --port 0`` on loopback until the ``with`` ends."""
    process = _serve_process(instance, database_url, threads, extra_env)
    try:
        yield _server_started(process)
    finally:
        _stop(process)


@contextmanager
def dialer_worker(instance: Path, database_url: str, *, interval: float = 0.2
                  ) -> Iterator[subprocess.Popen[str]]:
    """``survey-engine worker`` until the ``with`` ends."""
    process = _worker_process(instance, database_url, interval)
    try:
        _worker_started(process)
        yield process
    finally:
        _stop(process)


@contextmanager
def served_with_worker(instance: Path, database_url: str, *, threads: int = 8,
                       interval: float = 0.2) -> Iterator[LiveServer]:
    """:func:`served` and :func:`dialer_worker` at once: both processes start side by side
    (each takes seconds to import the application), both stop when the ``with`` ends."""
    server = _serve_process(instance, database_url, threads, None)
    worker = _worker_process(instance, database_url, interval)
    try:
        _worker_started(worker)
        yield _server_started(server)
    finally:
        _stop(server)
        _stop(worker)


def _wait_until_healthy(url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)
