"""Benchmark the SIP backend: sustained call set-ups per second against SIPp, with zero failed
calls, next to SIPp calling SIPp on the same machine in the same run.

What it does, all on loopback:

1. Backend: two SIPp servers, the trunk (``tests/dialer/sip/carrier_answers.xml``, which
   answers after 100 ms of ringing) and the agents' phones (``agent_joined.xml``), each for
   CALLS calls. WORKERS threads each place calls through one ``SipBackend`` (one socket, one
   signalling loop) and hang each up as soon as it is answered, so WORKERS calls are in
   progress at any moment. Per call: INVITE to the phone, 180, 200, ACK; the resolver's
   number; INVITE to the trunk, 100, 180, 200, ACK; re-INVITE to the phone, 200, ACK; two
   BYEs and their 200s. A call counts as set up when it is answered and joined. Reported:
   set-ups per second over the whole run, set-up time percentiles, failed calls (anything not
   answered, any error, any SIPp call that did not follow its scenario).
2. Baseline, same run: SIPp's built-in UAC calling SIPp's built-in UAS (INVITE, 100, 180,
   200, ACK, BYE, 200) for CALLS calls with at most WORKERS in progress, as fast as SIPp goes:
   the practical limit of SIP on this machine, one dialog per call instead of two.

Usage: python bench/sip.py [--calls 2000] [--workers 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialer.telephony import NetworkEnding
from dialer.telephony.sip import SipBackend
from tests.dialer.sipp import free_udp_port, sipp_problem, start_peer

NUMBER = "+32470000001"


def backend_run(calls: int, workers: int, folder: Path) -> dict[str, Any]:
    """Calls through the backend against SIPp; set-ups per second and failures."""
    trunk = start_peer("carrier_answers", folder, calls=calls)
    phones = start_peer("agent_joined", folder, calls=calls)
    backend = SipBackend.from_options({"proxy": trunk.address, "retries": 0,
                                       "agent_uri": f"sip:{{agent}}@{phones.address}"})
    backend.start()
    setups: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(1, calls + 1))

    def work() -> None:
        while True:
            with lock:
                attempt_id = next(counter, None)
            if attempt_id is None:
                return
            began = time.perf_counter()
            try:
                setup = backend.place_call(
                    attempt_id, lambda a, t: NUMBER, dt.datetime.now(dt.UTC), campaign="BENCH",
                    no_answer_timeout=dt.timedelta(seconds=30), agent="A1")
                took = time.perf_counter() - began
                if setup.ending is not NetworkEnding.ANSWERED:
                    raise RuntimeError(setup.ending.value)
                backend.hang_up(attempt_id, dt.datetime.now(dt.UTC), by="agent")
                backend.call_events(attempt_id)
            except Exception as error:
                with lock:
                    failures.append(f"{attempt_id}: {type(error).__name__} {error}")
                continue
            with lock:
                setups.append(took)

    start = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    backend.close()
    codes = trunk.wait(120), phones.wait(120)
    if codes != (0, 0):
        failures.append(f"SIPp exit codes {codes}: {trunk.problems()[-300:]}")
    ordered = sorted(setups)
    return {"elapsed": elapsed, "rate": len(setups) / elapsed, "failed": len(failures),
            "p50": statistics.median(ordered) * 1000 if ordered else 0,
            "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000 if ordered else 0,
            "first_failure": failures[0] if failures else ""}


def baseline_run(calls: int, workers: int, folder: Path) -> dict[str, float]:
    """SIPp calling SIPp: the built-in UAC and UAS scenarios."""
    port, media, client_media = free_udp_port(), free_udp_port(), free_udp_port()
    server = subprocess.Popen(
        ["sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-mp", str(media),
         "-m", str(calls), "-timeout", "300"], stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
    time.sleep(0.5)
    start = time.perf_counter()
    client = subprocess.run(
        ["sipp", "-sn", "uac", f"127.0.0.1:{port}", "-i", "127.0.0.1",
         "-p", str(free_udp_port()), "-mp", str(client_media), "-m", str(calls),
         "-l", str(workers), "-r", "100000", "-d", "0", "-timeout", "300"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=folder, check=False)
    elapsed = time.perf_counter() - start
    server_code = server.wait(60)
    failed = 0 if (client.returncode, server_code) == (0, 0) else calls
    return {"elapsed": elapsed, "rate": calls / elapsed, "failed": failed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=50)
    args = parser.parse_args()
    problem = sipp_problem()
    if problem:
        raise SystemExit(problem)
    print(f"SIP backend against SIPp: {args.calls} calls, {args.workers} in progress at once "
          f"(CPython {platform.python_version()}, {platform.machine()})")
    with tempfile.TemporaryDirectory(prefix="bench-sip-") as scratch:
        folder = Path(scratch)
        ours = backend_run(args.calls, args.workers, folder)
        theirs = baseline_run(args.calls, args.workers, folder)
    print("| run | calls | seconds | set-ups per second | failed | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| sip backend (2 dialogs per call) | {args.calls} | {ours['elapsed']:.2f} | "
          f"{ours['rate']:.0f} | {ours['failed']:.0f} | {ours['p50']:.1f} | {ours['p99']:.1f} |")
    print(f"| baseline: SIPp uac -> SIPp uas (1 dialog) | {args.calls} | "
          f"{theirs['elapsed']:.2f} | {theirs['rate']:.0f} | {theirs['failed']:.0f} | | |")
    print(f"backend / baseline: {ours['rate'] / theirs['rate']:.2f}")
    if ours["first_failure"]:
        print(f"first failure: {ours['first_failure']}")


if __name__ == "__main__":
    main()
