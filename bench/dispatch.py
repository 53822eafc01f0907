"""Benchmark dispatch: claims per second and next_call latency, against a bare UPDATE.

For each backend (SQLite file, PostgreSQL schema of its own) and each size (10,000 and
1,000,000 contacts by default): a migrated database with one running campaign, contacts spread
over 5 languages (nl, fr, en, ru, tr), 500 agents on shift speaking one to three of them.
Then, in one process:

1. ``next_call``: CLAIMS claims, agents taken in turn, each claim its own transaction (the
   dispatcher as deployed: roster cached for 5 s, eligibility checked by the claiming
   statement). Latency of each call, p50 and p99, and claims per second. Each claim is
   released afterwards, outside the timing, so the pool keeps its size.
2. Baseline, same database, same run: CLAIMS single-row ``UPDATE contacts ... WHERE id = :id
   RETURNING id`` by primary key, each its own transaction through the same session layer.

Usage: python bench/dispatch.py [--sizes 10000,1000000] [--backends sqlite,postgresql]
                                [--claims 5000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, bindparam, create_engine, text, update

from dialer.campaigns import create_campaign, create_client
from dialer.contacts import group_for
from dialer.db import make_engine, transaction, writer
from dialer.dispatch import Dispatcher
from dialer.models import Contact, LanguageLevel, UTCDateTime
from dialer.people import create_agent, create_site
from dialer.schema import upgrade

REPO = Path(__file__).resolve().parents[1]
LANGUAGES = {"nl": ("Europe/Brussels", "BE"), "fr": ("Europe/Paris", "FR"),
             "en": ("America/New_York", "US"), "ru": ("Europe/Amsterdam", "NL"),
             "tr": ("Europe/Brussels", "BE")}
AGENTS = 500
ALWAYS = [(day, dt.time(0), dt.time(23, 59, 59)) for day in range(7)]
NOW = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)


@contextmanager
def database(backend: str, postgres: str, folder: Path) -> Iterator[Engine]:
    """A new migrated database of ``backend``, removed afterwards."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder / f'dispatch-{uuid.uuid4().hex[:6]}.sqlite3'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(f"{postgres}?options=-csearch_path%3D{schema}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def populate(engine: Engine, contacts: int, rng: random.Random) -> list[int]:
    """One running campaign with ``contacts`` contacts and AGENTS agents; the agents' ids."""
    with transaction(engine) as session:
        site = create_site(session, "BEV", "Beveren", "Europe/Brussels", Decimal("0.75"), "EUR")
        client = create_client(session, "BENCH", "Bench client")
        campaign = create_campaign(
            session, client, "BENCH", "Bench", REPO / "questionnaires/customer-satisfaction.yaml",
            languages=list(LANGUAGES), allowed_countries=["BE", "FR", "NL", "US"],
            windows=ALWAYS)
        campaign.start()
        groups = [group_for(session, campaign, language, zone, country).id
                  for language, (zone, country) in LANGUAGES.items()]
        agent_ids = []
        for number in range(AGENTS):
            spoken = rng.sample(list(LANGUAGES), rng.randint(1, 3))
            agent_ids.append(create_agent(
                session, site, f"A{number:04d}", "nl",
                {language: LanguageLevel.NATIVE for language in spoken}, shifts=ALWAYS).id)
        campaign_id = campaign.id
    group_case = " ".join(f"WHEN {index} THEN {group}" for index, group in enumerate(groups))
    if engine.dialect.name == "sqlite":
        numbers = ("WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq "
                   "WHERE n < :count - 1) ")
        source, phone = "seq", "'+3247' || printf('%07d', n)"
    else:
        numbers = ""
        source, phone = "generate_series(0, :count - 1) AS n", "'+3247' || lpad(n::text, 7, '0')"
    statement = text(
        f"{numbers}INSERT INTO contacts (campaign_id, group_id, phone_e164, masked_number, "
        f"fields, state, phase, due_at, attempts) SELECT :campaign, CASE n % {len(groups)} "
        f"{group_case} END, {phone}, '+32 4•• •• •• 00', '{{}}', 'waiting', 2, :due, 0 "
        f"FROM {source}"
    ).bindparams(bindparam("due", type_=UTCDateTime()))
    with engine.begin() as connection:
        connection.execute(statement, {"count": contacts, "campaign": campaign_id,
                                       "due": NOW - dt.timedelta(days=1)})
    settle(engine)
    return agent_ids


def settle(engine: Engine) -> None:
    """Statistics, visibility map and a checkpoint after the bulk load, so that background work
    it causes (autovacuum, a checkpoint of the load's WAL) does not land in the measurement."""
    sqlite = engine.dialect.name == "sqlite"
    commands = (["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"] if sqlite
                else ["VACUUM ANALYZE", "CHECKPOINT"])
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for command in commands:
            connection.exec_driver_sql(command).close()


def timed(action: Callable[[int], object], count: int) -> list[float]:
    """Seconds taken by each of ``count`` calls of ``action(i)``."""
    durations = []
    for index in range(count):
        started = time.perf_counter()
        action(index)
        durations.append(time.perf_counter() - started)
    return durations


def summary(durations: list[float]) -> tuple[float, float, float]:
    """Operations per second, p50 and p99 in milliseconds."""
    cuts = statistics.quantiles(durations, n=100)
    return len(durations) / sum(durations), cuts[49] * 1000, cuts[98] * 1000


def measure(engine: Engine, agent_ids: list[int], contacts: int, claims: int,
            rng: random.Random) -> dict[str, tuple[float, float, float]]:
    """next_call and the baseline, each CLAIMS times."""
    dispatcher = Dispatcher(engine)
    calls = []
    for index in range(200 + claims):
        agent_id = agent_ids[index % len(agent_ids)]
        started = time.perf_counter()
        claim = dispatcher.next_call(agent_id, NOW)
        elapsed = time.perf_counter() - started
        if claim is None:
            raise SystemExit(f"next_call for agent {agent_id} returned nothing")
        dispatcher.release(claim, NOW)  # not timed: keeps the pool at its size
        if index >= 200:
            calls.append(elapsed)
    contact_ids = [rng.randint(1, contacts) for _ in range(claims)]
    writes = writer(engine)
    table = Contact.__table__

    def bare_update(index: int) -> None:
        with transaction(writes) as session:
            session.execute(update(table).where(table.c.id == contact_ids[index])
                            .values(attempts=table.c.attempts).returning(table.c.id)).one()

    timed(bare_update, 200)
    baseline = timed(bare_update, claims)
    return {"next_call": summary(calls), "baseline": summary(baseline)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--claims", type=int, default=5000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    print(f"# {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {dt.date.today().isoformat()}; {options.claims} claims, "
          f"{AGENTS} agents, 5 languages")
    print("| backend | contacts | operation | per second | p50 ms | p99 ms | p99 / baseline p99 |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for backend in options.backends.split(","):
        for size in (int(value) for value in options.sizes.split(",")):
            rng = random.Random(options.seed)
            with tempfile.TemporaryDirectory() as folder, \
                    database(backend, options.postgres, Path(folder)) as engine:
                started = time.perf_counter()
                agent_ids = populate(engine, size, rng)
                loaded = time.perf_counter() - started
                results = measure(engine, agent_ids, size, options.claims, rng)
            base = results["baseline"][2]
            for name, (rate, p50, p99) in results.items():
                print(f"| {backend} | {size:,} | {name} | {rate:,.0f} | {p50:.3f} | {p99:.3f} "
                      f"| {p99 / base:.1f}× |", flush=True)
            print(f"<!-- {backend} {size:,}: populated in {loaded:.1f} s -->", flush=True)


if __name__ == "__main__":
    main()
