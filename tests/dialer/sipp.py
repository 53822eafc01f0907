"""SIPp, the real SIP peer of the SIP backend's tests (Debian package ``sip-tester``).

Each peer is a SIPp process on loopback, at a port chosen free at run time, playing one scenario
of ``tests/dialer/sip/`` (the carrier's trunk, or the agent's phone) for a number of calls, with
every message it receives written to a log the test reads. When ``sipp`` is missing it is
installed with apt-get (root on Debian); otherwise the tests skip with the reason, except under
``CI=true`` where they fail.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.system_packages import debian_package, unavailable

SCENARIOS = Path(__file__).parent / "sip"
_RECEIVED = re.compile(r"^\S+ message received \[\d+\] bytes :$")


def sipp_problem() -> str | None:
    """Why SIPp cannot be used, or None once ``sipp`` is on PATH (installed here if need be)."""
    return debian_package("sip-tester", lambda: shutil.which("sipp") is not None, "SIPp")


def require_sipp() -> None:
    """Skip (fail under CI) when SIPp cannot be had."""
    problem = sipp_problem()
    if problem:
        unavailable(problem)


def free_udp_port() -> int:
    """A loopback UDP port nobody holds right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bound(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


@dataclass
class Peer:
    """A running SIPp playing one scenario."""

    scenario: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    errors: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait(self, timeout: float = 60) -> int:
        """SIPp's exit code once its calls are done: 0 when every call followed the scenario."""
        return self.process.wait(timeout)

    def received(self) -> list[str]:
        """The start line of every message SIPp received, in order."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        starts = []
        for index, line in enumerate(lines):
            if _RECEIVED.match(line.strip()) or line.strip() == "Unexpected UDP message received:":
                following = [text for text in lines[index + 1:index + 4] if text.strip()]
                if following:
                    starts.append(following[0].strip())
        return starts

    def received_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() \
            else ""

    def problems(self) -> str:
        return self.errors.read_text(encoding="utf-8", errors="replace") \
            if self.errors.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_peer(scenario: str, folder: Path, *, calls: int = 1,
               fill: Mapping[str, str] | None = None, rate: int | None = None) -> Peer:
    """Start SIPp as a server playing ``scenario`` for ``calls`` calls, at a free port.

    :param fill: ``@NAME@`` placeholders of the scenario and their values.
    """
    text = (SCENARIOS / f"{scenario}.xml").read_text(encoding="utf-8")
    for name, value in (fill or {}).items():
        text = text.replace(f"@{name}@", value)
    for attempt in range(5):
        port, media = free_udp_port(), free_udp_port()
        path = folder / f"{scenario}-{port}.xml"
        path.write_text(text, encoding="utf-8")
        log, errors = folder / f"{scenario}-{port}.log", folder / f"{scenario}-{port}.err"
        command = ["sipp", "-sf", str(path), "-i", "127.0.0.1", "-p", str(port),
                   "-mp", str(media), "-m", str(calls), "-timeout", "120",
                   "-trace_msg", "-message_file", str(log),
                   "-trace_err", "-error_file", str(errors)]
        if rate is not None:
            command += ["-r", str(rate)]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   cwd=folder)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and process.poll() is None and not _bound(port):
            time.sleep(0.02)
        if process.poll() is None and _bound(port):
            return Peer(scenario, port, process, log, errors)
        process.kill()
        process.wait(5)
        if attempt == 4:
            raise RuntimeError(f"SIPp did not start on {scenario}: {errors.read_text()[-500:]}"
                               if errors.exists() else f"SIPp did not start on {scenario}")
    raise AssertionError("unreachable")


@contextmanager
def peers(folder: Path, **scenarios: str) -> Iterator[dict[str, Peer]]:
    """Several SIPp peers by role (``carrier="carrier_answers", agent="agent_joined"``),
    stopped afterwards whatever happened."""
    started: dict[str, Peer] = {}
    try:
        for role, scenario in scenarios.items():
            started[role] = start_peer(scenario, folder)
        yield started
    finally:
        for peer in started.values():
            peer.stop()
