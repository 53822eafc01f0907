"""Benchmark the exports: 1,000,000 answers (50,000 interviews of 20 questions) to CSV and to
SPSS ``.sav``, rows per second and peak memory, next to a baseline measured in the same run.

The data are inserted with SQLAlchemy Core in the shape the dialer writes them (a contact,
its attempt, its interview, 20 answer rows and its settling ``outcome`` trace event, chained
by the trace's own hash function), because simulating 50,000 interviews call by call would take
hours; the exporters then read them through their normal path
(:func:`results.export.export_campaign`).

Each export runs in a fresh process, so that its peak resident memory is its own:

- ``csv``: the CSV exporter (it streams: memory should not grow with the interviews);
- ``sav``: the SPSS exporter (ReadStat's streaming writer, two passes over the interviews);
- baseline: pandas writing the same table, already in memory (read from the CSV export
  first, not timed), to CSV with ``DataFrame.to_csv``.

Usage: python bench/export.py [--interviews N] [--database-url URL]

SQLite (a file in a temporary folder) unless ``--database-url`` names a PostgreSQL database,
where a schema of its own is made and dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, insert
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import scratch_database
from dialer import trace
from dialer.campaigns import create_campaign, create_client
from dialer.db import make_engine, transaction
from dialer.models import (
    AnswerRecord,
    Attempt,
    Contact,
    DispatchGroup,
    Interview,
    LanguageLevel,
    TraceEvent,
    TraceHead,
)
from dialer.people import create_agent, create_site

QUESTIONS = 20
CAMPAIGN = "BENCH-EXPORT"
START = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
BATCH = 2000


def questionnaire_yaml() -> str:
    """20 questions: 8 single choices, 4 scales, 3 multiple choices, 2 NPS, 2 numbers, 1 text."""
    lines = ["questionnaire: bench-export", "version: 1", "title: Export benchmark",
             "source_language: en", "languages: [en]", "questions:"]
    kinds = ["single_choice"] * 8 + ["scale"] * 4 + ["multi_choice"] * 3 + ["nps"] * 2 \
        + ["number"] * 2 + ["text"]
    for index, kind in enumerate(kinds, start=1):
        lines += [f"  - id: q{index:02d}", f"    type: {kind}",
                  f"    text: Question {index} of the benchmark, as long as a real one is?",
                  "    allow: [dont_know, refused]"]
        if kind in ("single_choice", "scale", "multi_choice"):
            lines.append("    options: {1: First option, 2: Second option, 3: Third option, "
                         "4: Fourth option, 5: Fifth option}")
        if kind == "number":
            lines += ["    min: 0", "    max: 10000"]
    return "\n".join(lines) + "\n"


def answer(kind_index: int, row: int) -> object:
    """A stored answer of question ``kind_index`` (1-based) for interview ``row``."""
    if (row + kind_index) % 37 == 0:
        return {"special": "dont_know"}
    if kind_index <= 12:
        return 1 + (row * kind_index) % 5
    if kind_index <= 15:
        return sorted({1 + row % 5, 1 + (row + kind_index) % 5})
    if kind_index <= 17:
        return (row * 7 + kind_index) % 11
    if kind_index <= 19:
        return f"{(row * 13) % 10000}.{row % 100:02d}"
    return f"Free answer number {row}: the service was fine, the bills less so."


def populate(engine: Engine, folder: Path, interviews: int) -> None:
    """A campaign with ``interviews`` settled interviews of 20 answers each."""
    path = folder / "bench-export.yaml"
    path.write_text(questionnaire_yaml(), encoding="utf-8")
    with transaction(engine) as session:
        site = create_site(session, "BENCH", "Bench site", "Europe/Brussels", 0.75, "EUR")
        agent = create_agent(session, site, "BENCH-001", "en", {"en": LanguageLevel.NATIVE})
        campaign = create_campaign(session, create_client(session, "BENCH", "Bench client"),
                                   CAMPAIGN, "Bench", path, languages=["en"],
                                   allowed_countries=["BE"], windows=[(0, dt.time(9),
                                                                       dt.time(21))])
        group = DispatchGroup(campaign_id=campaign.id, language="en",
                              time_zone="Europe/Brussels", country="BE")
        session.add(group)
        session.flush()
        ids = (campaign.id, group.id, agent.id)
    campaign_id, group_id, agent_id = ids
    previous, seq = trace.GENESIS, 0
    with engine.begin() as connection:
        for first in range(0, interviews, BATCH):
            numbers = range(first + 1, min(first + BATCH, interviews) + 1)
            at = [START + dt.timedelta(seconds=30 * n) for n in numbers]
            batch = list(zip(numbers, at, strict=True))
            connection.execute(insert(Contact), [{
                "id": n, "campaign_id": campaign_id, "group_id": group_id,
                "phone_e164": f"+3247{n:07d}", "masked_number": "+32 4•• •• •• ••",
                "fields": {}, "state": "done", "phase": 2, "due_at": moment,
                "attempts": 1, "disposition": "1.1"} for n, moment in batch])
            connection.execute(insert(Attempt), [{
                "id": n, "contact_id": n, "campaign_id": campaign_id, "agent_id": agent_id,
                "ordinal": 1, "mode": "progressive", "claimed_at": moment,
                "lease_until": moment, "dialed_at": moment, "answered_at": moment,
                "connected_at": moment, "ended_at": moment + dt.timedelta(minutes=6),
                "ending": "complete", "disposition": "1.1"} for n, moment in batch])
            connection.execute(insert(Interview), [{
                "id": n, "contact_id": n, "campaign_id": campaign_id,
                "questionnaire_slug": "bench-export", "questionnaire_version": 1,
                "language": "en", "catalog_sha256": None, "state": "{}",
                "outcome": "complete", "answered": QUESTIONS, "remaining": 0,
                "started_at": moment, "updated_at": moment + dt.timedelta(minutes=6),
                "last_attempt_id": n, "ended_attempt_id": n} for n, moment in batch])
            connection.execute(insert(AnswerRecord), [{
                "interview_id": n, "attempt_id": n, "question_id": f"q{q:02d}",
                "kind": "given", "value": answer(q, n), "shown_order": None,
                "actor": "agent:BENCH-001", "at": moment}
                for n, moment in batch for q in range(1, QUESTIONS + 1)])
            events = []
            for n, moment in batch:
                seq += 1
                entry = trace.Entry("outcome", "agent:BENCH-001", moment, n, n, n,
                                    {"ending": "complete", "code": "1.1", "final": True})
                digest = trace.chain_hash(previous, trace.canonical_form(campaign_id, seq,
                                                                         entry))
                events.append({"campaign_id": campaign_id, "seq": seq, "at": moment,
                               "kind": entry.kind, "actor": entry.actor, "contact_id": n,
                               "attempt_id": n, "interview_id": n, "data": dict(entry.data),
                               "prev_hash": previous, "hash": digest})
                previous = digest
            connection.execute(insert(TraceEvent), events)
        connection.execute(insert(TraceHead), [{"campaign_id": campaign_id, "seq": seq,
                                                "hash": previous}])


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(url: str, name: str, folder: Path) -> dict[str, object]:
    """One measurement, in this (fresh) process."""
    if name == "pandas-csv":
        import pandas

        frame = pandas.read_csv(folder / "bench.csv", dtype=str, keep_default_na=False)
        started = time.perf_counter()
        frame.to_csv(folder / "pandas.csv", index=False)
        seconds = time.perf_counter() - started
        rows = len(frame)
    else:
        from results.export import export_campaign

        engine = make_engine(url)
        started = time.perf_counter()
        result = export_campaign(engine, CAMPAIGN, name, folder / f"bench.{name}")
        seconds = time.perf_counter() - started
        rows = result.interviews
        engine.dispose()
    return {"step": name, "rows": rows, "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds), "answers_per_s": round(rows * QUESTIONS / seconds),
            "peak_mib": round(peak_mib(), 1)}


def measure(url: str, folder: Path) -> list[dict[str, object]]:
    results = []
    for name in ("csv", "sav", "pandas-csv"):
        done = subprocess.run([sys.executable, __file__, "--step", name, "--url", url,
                               "--folder", str(folder)], check=True, capture_output=True,
                              text=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=50_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.url, args.step, args.folder)))
        return
    with tempfile.TemporaryDirectory() as scratch, \
            scratch_database(args.database_url, Path(scratch)) as url:
        folder = Path(scratch)
        engine = make_engine(url)
        started = time.perf_counter()
        populate(engine, folder, args.interviews)
        engine.dispose()
        print(f"populated {args.interviews:,} interviews, {args.interviews * QUESTIONS:,} "
              f"answers in {time.perf_counter() - started:.1f} s "
              f"({make_url(url).get_backend_name()}, Python {platform.python_version()})")
        for row in measure(url, folder):
            print(f"{row['step']:<11} {row['rows']:>7,} interviews  {row['seconds']:>7} s  "
                  f"{row['rows_per_s']:>7,} interviews/s  {row['answers_per_s']:>9,} "
                  f"answers/s  peak {row['peak_mib']} MiB")

if __name__ == "__main__":
    main()
