"""bench/web.py in a few seconds: a few agents interview through the served application
(``survey-engine serve`` and a dialer worker, the sim network ringing twenty times faster),
every request succeeds, and interviews are completed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_agents_complete_interviews_through_the_served_application(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "web.py"), "--agents", "4", "--duration", "6",
         "--ramp", "0", "--baseline", "1", "--time-scale", "0.05", "--contacts", "200",
         "--json", str(figures)], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(figures.read_text(encoding="utf-8"))
    assert result["errors"] == 0
    assert result["completes"] >= 1, result["outcomes"]
    steps = {row["step"]: row for row in result["rows"]}
    for step in ("sign-in", "ready", "call: ringing", "begin", "call: question", "answer",
                 "end of call", "sign-out", "baseline: static file"):
        assert steps[step]["requests"] > 0, step
        assert steps[step]["p99_ms"] >= steps[step]["p50_ms"] > 0
    assert steps["sign-in"]["requests"] == steps["sign-out"]["requests"] == 4
    assert "| answer |" in run.stdout  # the table as docs/benchmarks.md shows it
