"""Benchmark the served web application: AGENTS simulated agents interviewing at once over HTTP
on loopback, per step requests per second and latency, next to a static file from the same
server in the same run.

What it does:

1. A scratch instance in a temporary folder: the database (a SQLite file, or a schema of its
   own at ``--database-url``), migrated; a centre file written for the run and loaded as
   ``survey-engine centre load`` does: one site whose workstations are 127.0.0.1 and ::1,
   AGENTS agents with a PIN, on shift around the clock, a progressive campaign on
   questionnaires/customer-satisfaction.yaml called around the clock; CONTACTS contacts
   imported as ``survey-engine contacts import`` does; the ``sim`` backend answering every call
   (``[telephony.sim] time_scale``: TIME_SCALE, 1 rings as long as a real phone, ~11 s).
2. ``survey-engine serve --threads THREADS`` (waitress) and ``survey-engine worker``, each a
   process of its own (``tests/web/live_server.py``).
3. AGENTS agents, asyncio tasks each with an ``aiohttp.ClientSession`` of its own (one
   cookie jar, one keep-alive connection, redirects followed one request at a time as a
   browser does), reading every form with ``lxml.html`` (CSRF token included). They sign in
   one after the other, evenly over RAMP seconds (a shift starting), with code and PIN; press
   ready; then until DURATION seconds from the start: wait for a call as the console page asks
   (it refreshes every 2 s while waiting, every 1 s while the phone rings), begin the
   interview, answer every question the form asks (an option by its code, one or two check
   boxes, one again when the two may not combine, numbers and texts typed), end the call with
   the questionnaire's outcome and the next call; at the end pause and sign out. No thinking
   time: each agent sends its next request as soon as the page it needs is there, or waits as
   long as the page's refresh says. The agents are ``bench/web_agents.py``.
4. Baseline, same server, same run, same concurrency: AGENTS clients fetching
   ``/static/app.css`` for BASELINE seconds.

Reported, per step: requests, requests per second over the phase, p50 and p99 latency
(``statistics.quantiles``), errors (a transport error, a status the step does not expect, a
page without the form the agent needs). Any error makes the run fail (exit status 1).

Usage: python bench/web.py [--agents 200] [--duration 180] [--ramp 60] [--threads 8]
                           [--contacts 20000] [--baseline 20] [--time-scale 1] [--seed 1]
                           [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import scratch_database
from bench.web_agents import (
    BASELINE_STEP,
    PIN,
    STEPS,
    Tally,
    agent_code,
    run_agents,
    run_baseline,
)
from dialer.centre_file import load_centre_file
from dialer.db import make_engine
from dialer.importing import import_contacts
from dialer.passwords import hash_secret
from tests.web.live_server import served_with_worker

REPO = Path(__file__).resolve().parents[1]
QUESTIONNAIRE = REPO / "questionnaires" / "customer-satisfaction.yaml"
CAMPAIGN = "BENCH-WEB"
LANGUAGES = ("nl", "fr", "en")
#: Mobile ranges where every 7-digit suffix is a valid number (as bench/import_contacts.py).
PREFIXES = ("+3247", "+3161", "+3360")
#: Every call answered by a person, none rings out (the bench measures the web, not the lists).
RATES = {name: 0 for name in ("non_working", "disconnected", "always_busy", "busy",
                              "no_answer", "answering_machine", "call_blocked",
                              "network_failure")}


# --- the scratch instance ---------------------------------------------------------------------

def centre_file(path: Path, agents: int) -> None:
    """The run's centre: one site on loopback, AGENTS agents on shift around the clock, one
    progressive campaign called around the clock."""
    pin_hash = hash_secret(PIN)
    centre = {
        "sites": [{"code": "BENCH", "name": "Bench site", "time_zone": "Europe/Brussels",
                   "hourly_pay_rate": "1.00", "pay_currency": "EUR",
                   "workstations": ["127.0.0.1", "::1"]}],
        "agents": [{"code": agent_code(number), "site": "BENCH", "pin_hash": pin_hash,
                    "interface_language": "en",
                    "languages": {language: "native" for language in LANGUAGES},
                    "shifts": ["Mon-Sun 00:00-24:00"]} for number in range(agents)],
        "clients": [{"code": "BENCHCLIENT", "name": "Bench client"}],
        "campaigns": [{"code": CAMPAIGN, "client": "BENCHCLIENT", "name": "Web bench",
                       "questionnaire": str(QUESTIONNAIRE), "languages": list(LANGUAGES),
                       "countries": ["BE", "NL", "FR"], "windows": ["Mon-Sun 00:00-24:00"],
                       "skip_public_holidays": False, "dialing_mode": "progressive",
                       "max_call_minutes": 60, "no_answer_seconds": 120, "start": True}],
    }
    path.write_text(yaml.safe_dump(centre, sort_keys=False), encoding="utf-8")


def contact_file(path: Path, rows: int) -> None:
    """``rows`` unique valid mobile numbers with the questionnaire's contact fields."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["phone", "language", "first_name", "customer_number",
                         "customer_since"])
        for index in range(rows):
            writer.writerow([f"{PREFIXES[index % len(PREFIXES)]}{index // len(PREFIXES):07d}",
                             LANGUAGES[index % len(LANGUAGES)], "Sam", f"LT{index:07d}",
                             "2020-01-01"])


def config_file(path: Path, seed: int, time_scale: float) -> None:
    rates = ", ".join(f"{name} = 0" for name in RATES)
    path.write_text(f'[telephony]\nbackend = "sim"\n\n[telephony.sim]\nseed = {seed}\n'
                    f"time_scale = {time_scale!r}\nrates = {{ {rates} }}\n", encoding="utf-8")


def fill(url: str, folder: Path, agents: int, contacts: int) -> None:
    """Load the centre file and import the contacts, as the CLI does."""
    engine = make_engine(url)
    try:
        centre_file(folder / "centre.yaml", agents)
        load_centre_file(engine, folder / "centre.yaml")
        contact_file(folder / "contacts.csv", contacts)
        report = import_contacts(engine, CAMPAIGN, folder / "contacts.csv")
        if report.imported != contacts:
            raise SystemExit(f"imported {report.imported} of {contacts} contacts")
    finally:
        engine.dispose()


# --- the report --------------------------------------------------------------------------------

def rows(tally: Tally, seconds: float, order: tuple[str, ...]) -> list[dict[str, Any]]:
    """One row per step seen: requests, per second, p50 and p99 in ms, errors."""
    seen = [*order, *sorted(set(tally.latencies) | set(tally.errors) - set(order))]
    table = []
    for step in dict.fromkeys(seen):
        timings = tally.latencies.get(step, [])
        if not timings and not tally.errors[step]:
            continue
        cuts = statistics.quantiles(timings, n=100, method="inclusive") \
            if len(timings) > 1 else timings * 99
        table.append({"step": step, "requests": len(timings),
                      "per_second": len(timings) / seconds,
                      "p50_ms": 1000 * cuts[49] if cuts else None,
                      "p99_ms": 1000 * cuts[98] if cuts else None,
                      "errors": tally.errors[step]})
    return table


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_table(table: list[dict[str, Any]]) -> None:
    print("| step | requests | per second | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in table:
        p50 = f"{row['p50_ms']:.1f}" if row["p50_ms"] is not None else ""
        p99 = f"{row['p99_ms']:.1f}" if row["p99_ms"] is not None else ""
        print(f"| {row['step']} | {row['requests']:,} | {row['per_second']:,.1f} | {p50} | "
              f"{p99} | {row['errors']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--duration", type=float, default=180.0,
                        help="seconds from the first sign-in to the end (default 180)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default 8)")
    parser.add_argument("--ramp", type=float, default=60.0,
                        help="seconds over which the agents sign in, evenly (default 60)")
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--baseline", type=float, default=20.0,
                        help="seconds of the static-file baseline (default 20)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="the sim network's time_scale: 1 rings as long as a real phone")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL URL (a schema of its own); default: a SQLite file")
    parser.add_argument("--json", type=Path, default=None,
                        help="also write the figures to this file")
    options = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as scratch:
        folder = Path(scratch)
        instance = folder / "instance"
        instance.mkdir()
        config_file(instance / "config.toml", options.seed, options.time_scale)
        with scratch_database(options.database_url, folder, "centre") as url:
            began = time.perf_counter()
            fill(url, folder, options.agents, options.contacts)
            prepared = time.perf_counter() - began
            with served_with_worker(instance, url, threads=options.threads,
                                    interval=1.0) as server:
                cpu_before = cpu_seconds(server.process.pid), cpu_seconds(os.getpid())
                tally, seconds = asyncio.run(run_agents(
                    server.url, options.agents, options.duration, options.ramp, options.seed))
                load_during = os.getloadavg()
                server_cpu, agents_cpu = (after - before for after, before in zip(
                    (cpu_seconds(server.process.pid), cpu_seconds(os.getpid())), cpu_before,
                    strict=True))
                base, base_seconds = asyncio.run(run_baseline(server.url, options.agents,
                                                              options.baseline))
    backend = "postgresql" if options.database_url else "sqlite"
    table = rows(tally, seconds, STEPS) + rows(base, base_seconds, (BASELINE_STEP,))
    interviews = sum(tally.outcomes.values())
    completes = tally.outcomes.get("complete", 0)
    print(f"# {platform.python_implementation()} {platform.python_version()}, {backend}, "
          f"{options.agents} agents signing in over {options.ramp:g} s, interviewing until "
          f"{options.duration:g} s (+ pause and sign-out), {options.threads} waitress threads, "
          f"time_scale {options.time_scale:g}; prepared in {prepared:.1f} s; "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"# load average (1, 5, 15 min) before {', '.join(f'{x:.2f}' for x in load_before)}"
          f"; at the end of the agents' phase {', '.join(f'{x:.2f}' for x in load_during)} "
          f"({os.cpu_count()} CPUs); CPU seconds in the agents' phase: serve "
          f"{server_cpu:.1f}, the agents (this process) {agents_cpu:.1f}")
    print_table(table)
    agent_requests = sum(row["requests"] for row in table if row["step"] != BASELINE_STEP)
    print(f"all agents' requests: {agent_requests / seconds:,.1f} per second over "
          f"{seconds:.1f} s; interviews ended {interviews:,} ({interviews / seconds:.2f}/s), "
          f"outcomes {dict(tally.outcomes.most_common())}, completes {completes:,}")
    errors = sum(row["errors"] for row in table)
    for line in tally.first_errors + base.first_errors:
        print(f"error: {line}")
    if options.json is not None:
        options.json.write_text(json.dumps({
            "rows": table, "interviews": interviews, "completes": completes,
            "outcomes": dict(tally.outcomes), "errors": errors, "seconds": seconds},
            indent=2), encoding="utf-8")
    if errors:
        raise SystemExit(f"{errors} requests failed")


if __name__ == "__main__":
    main()
