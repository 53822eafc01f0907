"""Benchmark the bulk contact import: speed and memory over a generated CSV file.

Generates a CSV of N unique, valid Belgian, Dutch and French mobile numbers in five languages
with the customer-satisfaction contact fields, creates a migrated database with a campaign, and
times :func:`dialer.importing.import_contacts`; prints rows, seconds, rows/s, the seconds of
the storing transaction (``storing=``: how long SQLite's write lock is held at the end, while
dispatch claims wait, up to their 30 s busy timeout) and the process's peak resident memory.
Without ``--rows`` it runs 100,000 then 1,000,000 rows, each in a fresh process so that the two
peaks can be compared (memory must not grow with the file).

Baseline, same run and database: the same file read with ``csv.reader`` and inserted with no
check into a plain table (``baseline()``), the floor of moving these rows into the database.

Usage: python bench/import_contacts.py [--rows N] [--database-url URL] [--batch-size N]

SQLite (a file in a temporary folder) unless ``--database-url`` is given; a PostgreSQL URL
(postgresql://postgres@127.0.0.1:5432/test) gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import scratch_database
from dialer.campaigns import create_campaign, create_client
from dialer.db import make_engine, transaction
from dialer.importing import import_contacts

REPO = Path(__file__).resolve().parents[1]
QUESTIONNAIRE = REPO / "questionnaires" / "customer-satisfaction.yaml"
LANGUAGES = ("nl", "fr", "en", "ru", "tr")
#: Mobile ranges where every 7-digit suffix is a valid number (checked with phonenumbers).
PREFIXES = ("+3247", "+3161", "+3360")
NAMES = ("Anne", "Jan", "Hélène", "Pieter", "Ayşe", "Иван", "Sophie", "Mehmet", "Lotte", "Luc")
DEFAULT_SIZES = (100_000, 1_000_000)


def write_file(path: Path, rows: int) -> None:
    """A contact file of ``rows`` unique valid numbers (at most 30 million)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["phone", "language", "first_name", "customer_number",
                         "customer_since", "email"])
        start = dt.date(2010, 1, 1)
        for index in range(rows):
            serial = index // len(PREFIXES)
            writer.writerow([
                f"{PREFIXES[index % len(PREFIXES)]}{serial:07d}",
                LANGUAGES[index % len(LANGUAGES)],
                NAMES[index % len(NAMES)],
                f"LT{index % 10_000_000:07d}",
                (start + dt.timedelta(days=index % 5000)).isoformat(),
                f"customer{index}@example.com" if index % 2 else ""])


@contextmanager
def database(url: str | None, folder: Path) -> Iterator[Engine]:
    """A migrated database: a SQLite file in ``folder``, or a new schema at a PostgreSQL URL."""
    with scratch_database(url, folder) as scratch:
        engine = make_engine(scratch)
        try:
            yield engine
        finally:
            engine.dispose()


def baseline(engine: Engine, path: Path, batch_size: int) -> float:
    """Seconds to move the same file into the same database with no check at all: csv.reader
    and unchecked batched INSERTs into a plain table, in one transaction. The floor any
    importer writing these rows pays."""
    columns = ["phone", "language", "first_name", "customer_number", "customer_since", "email"]
    table = "bench_raw_rows"
    insert = text(f"INSERT INTO {table} VALUES ({', '.join(f':{name}' for name in columns)})")
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {table} "
                                f"({', '.join(f'{name} TEXT' for name in columns)})"))
        with path.open(encoding="utf-8", newline="") as source:
            reader = csv.reader(source)
            next(reader)
            batch: list[dict[str, str]] = []
            for row in reader:
                batch.append(dict(zip(columns, row, strict=True)))
                if len(batch) >= batch_size:
                    connection.execute(insert, batch)
                    batch = []
            if batch:
                connection.execute(insert, batch)
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {table}"))
    return seconds


def peak_rss_mib() -> float:
    """The process's peak resident memory so far, in MiB (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run(rows: int, url: str | None, batch_size: int) -> None:
    """Generate, import and print one line of figures."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        path = Path(folder) / "contacts.csv"
        write_file(path, rows)
        with database(url, Path(folder)) as engine:
            with transaction(engine) as session:
                client = create_client(session, "BENCH", "Benchmark client")
                create_campaign(
                    session, client, "BENCH", "Benchmark", QUESTIONNAIRE, languages=LANGUAGES,
                    allowed_countries=("BE", "NL", "FR"),
                    windows=[(day, dt.time(9), dt.time(21)) for day in range(7)])
            before = peak_rss_mib()
            started = time.perf_counter()
            report = import_contacts(engine, "BENCH", path, batch_size=batch_size)
            seconds = time.perf_counter() - started
            if report.rejected or report.imported != rows:
                raise SystemExit(f"unexpected report: {report}")
            peak = peak_rss_mib()
            floor = baseline(engine, path, batch_size)
            size = path.stat().st_size / 2**20
            print(f"{engine.dialect.name:10s} rows={rows:>9,d}  file={size:6.1f} MiB  "
                  f"seconds={seconds:7.1f}  rows/s={rows / seconds:>8,.0f}  "
                  f"storing={report.seconds_storing:5.1f} s  "
                  f"peak RSS={peak:6.1f} MiB (before import {before:.1f} MiB)  "
                  f"baseline={floor:6.1f} s ({seconds / floor:.1f}x)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="rows to import (default: 100,000 then "
                                                 "1,000,000, each in its own process)")
    parser.add_argument("--database-url", help="PostgreSQL URL; a temporary SQLite file if "
                                               "not given")
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()
    if args.rows is not None:
        run(args.rows, args.database_url, args.batch_size)
        return
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    for rows in DEFAULT_SIZES:
        command = [sys.executable, __file__, "--rows", str(rows),
                   "--batch-size", str(args.batch_size)]
        if args.database_url:
            command += ["--database-url", args.database_url]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
