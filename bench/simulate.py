"""Benchmark the simulator: simulated hours per wall-clock second, against a bare write.

What it does, in one process and one SQLite scratch file (the simulator's own database):

1. A source database with the sample centre (samples/centre.yaml), read only.
2. ``prepare_scratch``: campaign LUMEN-CSAT-2025 with AGENTS simulated agents spread over the
   campaign's languages on three shifts around the clock, and CONTACTS synthetic contacts
   (nl 40, fr 30, tr 10, ru 8, sq 7, en 5). Timed on its own.
3. ``Simulation.run`` for DAYS days from a Monday 00:00 UTC: every call claimed, dialed through
   the ``sim`` backend, interviewed, ended and traced. Reported: wall time, simulated hours per
   wall-clock second, attempts, answers and trace events per second, milliseconds per attempt.
   Also reported: the milliseconds per attempt of each simulated day (a day ends at the first
   progress sample past it), to see whether the cost grows with the file.
4. Baseline, same file, same run: BASELINE transactions that each insert one row and commit
   through the same session layer, the least a traced call could write.
5. ``trace verify`` of the whole chain, timed.

Usage: python bench/simulate.py [--agents 200] [--contacts 100000] [--days 5] [--seed 1]
                                [--start 2026-11-30T00:00+00:00] [--baseline 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import tempfile
import time
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from dialer.centre_file import load_centre_file
from dialer.db import make_engine, transaction, writer
from dialer.models import AnswerRecord, Attempt, TraceEvent
from dialer.schema import upgrade
from dialer.simulation.runner import Simulation
from dialer.simulation.setup import prepare_scratch
from dialer.simulation.synthetic import parse_agent_mix
from dialer.telephony.sim import SimBackend
from dialer.trace import verify_chain

REPO = Path(__file__).resolve().parents[1]
CAMPAIGN = "LUMEN-CSAT-2025"
LANGUAGES = {"nl": 40, "fr": 30, "tr": 10, "ru": 8, "sq": 7, "en": 5}
MONDAY = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)


def agent_mix(total: int) -> str:
    """AGENTS spread over the languages in proportion to the contacts."""
    weight = sum(LANGUAGES.values())
    counts = {language: max(1, round(total * share / weight))
              for language, share in LANGUAGES.items()}
    return ",".join(f"{language}={count}" for language, count in counts.items())


def baseline(engine_url: str, count: int) -> float:
    """Milliseconds per transaction that inserts one row and commits."""
    engine = writer(make_engine(engine_url))
    table = Table("bench_baseline", MetaData(), Column("id", Integer, primary_key=True),
                  Column("note", String(40)))
    table.create(engine)
    statement = insert(table)
    started = time.perf_counter()
    for number in range(count):
        with transaction(engine) as session:
            session.execute(statement, {"note": f"attempt {number}"})
    elapsed = time.perf_counter() - started
    table.drop(engine)
    engine.dispose()
    return 1000 * elapsed / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline", type=int, default=5000)
    parser.add_argument("--start", type=dt.datetime.fromisoformat, default=MONDAY,
                        help="ISO instant with offset (default: Monday 2026-11-30 00:00 UTC)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = make_engine(f"sqlite:///{Path(folder) / 'centre.sqlite3'}")
        upgrade(source)
        load_centre_file(source, REPO / "samples" / "centre.yaml")
        url = f"sqlite:///{Path(folder) / 'scratch.sqlite3'}"
        target = make_engine(url)
        started = time.perf_counter()
        centre = prepare_scratch(source, target, CAMPAIGN,
                                 agents=parse_agent_mix(agent_mix(options.agents)),
                                 contacts=options.contacts, languages=LANGUAGES,
                                 seed=options.seed, today=MONDAY.date())
        prepared = time.perf_counter() - started
        started, cpu_started = time.perf_counter(), time.process_time()
        days: list[tuple[int, float]] = []  # attempts and wall seconds at each simulated day
        simulation = Simulation(target, SimBackend(seed=options.seed), options.start,
                                options.days, centre.agent_ids)

        def progress(moment: dt.datetime) -> None:
            if moment - options.start >= dt.timedelta(days=len(days) + 1):
                days.append((simulation.tally.total_attempts, time.perf_counter() - started))

        simulation.progress = progress
        tally = simulation.run()
        simulated = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        days.append((tally.total_attempts, simulated))
        with transaction(target) as session:
            answers = session.scalar(select(func.count()).select_from(AnswerRecord)) or 0
            events = session.scalar(select(func.count()).select_from(TraceEvent)) or 0
            attempts = session.scalar(select(func.count()).select_from(Attempt)) or 0
            started = time.perf_counter()
            report = verify_chain(session, centre.campaign_id)
            verified = time.perf_counter() - started
        assert report.fault is None, str(report.fault)
        base = baseline(url, options.baseline)
        target.dispose()
        source.dispose()
    hours = options.days * 24
    print(f"# {platform.python_implementation()} {platform.python_version()}, "
          f"{options.agents} agents ({len(centre.agent_ids)} made), {centre.contacts:,} "
          f"contacts, {options.days:g} days, seed {options.seed}")
    print("| step | wall s | figure |")
    print("|---|---:|---|")
    print(f"| prepare scratch | {prepared:.1f} | {centre.contacts / prepared:,.0f} contacts/s |")
    print(f"| simulate | {simulated:.1f} | {hours / simulated:.2f} simulated h per s; "
          f"{attempts:,} attempts ({attempts / simulated:,.0f}/s), "
          f"{tally.total_completes:,} completes, {answers:,} answers, {events:,} events "
          f"({events / simulated:,.0f}/s) |")
    per_attempt = 1000 * simulated / max(attempts, 1)
    print(f"| per attempt | | {per_attempt:.2f} ms ({1000 * cpu / max(attempts, 1):.2f} ms of "
          "this process's CPU time) |")
    print(f"| baseline: one-row transaction | | {base:.3f} ms "
          f"({per_attempt / base:.0f}× for a whole call) |")
    print(f"| trace verify | {verified:.1f} | {events / max(verified, 1e-9):,.0f} events/s |")
    print()
    print("| simulated day | attempts | wall s | ms per attempt |")
    print("|---:|---:|---:|---:|")
    before = (0, 0.0)
    for number, (made, wall) in enumerate(days, 1):
        count, seconds = made - before[0], wall - before[1]
        print(f"| {number} | {count:,} | {seconds:.1f} | {1000 * seconds / max(count, 1):.2f} |")
        before = (made, wall)


if __name__ == "__main__":
    main()
