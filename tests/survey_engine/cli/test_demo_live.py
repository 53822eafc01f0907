"""``survey-engine demo`` (what ``make demo`` runs) starts the real thing: the sample centre in
the embedded database, a dialer worker, the web application on loopback; it prints the
address and one sign-in per role, serves until interrupted (Ctrl-C or SIGTERM), and stops its
worker."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize(("stop", "inherited_sigint"), [
    (signal.SIGINT, signal.SIG_DFL),
    # Started in the background by a shell (``make demo &``, a CI script): SIGINT comes
    # ignored, and Python leaves it so unless the demo handles it itself.
    (signal.SIGINT, signal.SIG_IGN),
    (signal.SIGTERM, signal.SIG_DFL),
], ids=["ctrl-c", "ctrl-c-started-in-background", "sigterm"])
def test_the_demo_serves_the_sample_centre_until_interrupted(
        tmp_path: Path, stop: signal.Signals, inherited_sigint: signal.Handlers) -> None:
    env = {**os.environ, "SURVEY_ENGINE_INSTANCE": str(tmp_path),
           "SURVEY_ENGINE_DATABASE_URL": ""}
    own = signal.signal(signal.SIGINT, inherited_sigint)  # what the demo inherits
    try:
        demo = subprocess.Popen([sys.executable, "-m", "survey_engine.cli", "demo",
                                 "--port", "0"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    finally:
        signal.signal(signal.SIGINT, own)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in demo.stdout or []],
                     daemon=True).start()
    output = ""
    try:
        deadline = time.monotonic() + 120
        while "Ctrl-C stops" not in output or "dialer worker running" not in output:
            assert time.monotonic() < deadline, output
            try:
                output += lines.get(timeout=1)
            except queue.Empty:
                assert demo.poll() is None, output
        address = re.search(r"The web application: (http://127\.0\.0\.1:\d+)", output)
        assert address is not None, output
        with urllib.request.urlopen(f"{address.group(1)}/agent/login") as page:
            assert page.status == 200 and "Agent sign-in" in page.read().decode()
        for role, login, secret in (("admin", "admin", "demo-admin-2026"),
                                    ("supervisor", "sup.beveren", "demo-supervisor"),
                                    ("client", "veldwerk", "demo-client-2026"),
                                    ("agent", "BEV-055", "4055")):
            assert re.search(rf"{role}\s+{re.escape(login)}\s+{secret}", output), (role, output)
        assert re.search(r"BEV-055\s+4055\s+ru\s+en, ru, tr\s+on shift now", output)
        assert "never on a network" in output, "the insecure cookie is warned about"
        assert (tmp_path / "survey-engine.sqlite3").is_file()
        workers = _children(demo.pid)
        assert len(workers) == 1, workers
    finally:
        demo.send_signal(stop)
        try:
            code = demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for process in [*_children(demo.pid), demo.pid]:  # leave nothing running
                with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                    os.kill(process, signal.SIGKILL)
            raise
    assert code == 0, output
    assert "stopping" in output + "".join(iter(lambda: _drain(lines), ""))
    assert not Path(f"/proc/{workers[0]}").exists(), "the worker was left running"


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
        except OSError:  # it ended meanwhile
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _drain(lines: queue.Queue[str]) -> str:
    try:
        return lines.get(timeout=2)
    except queue.Empty:
        return ""
